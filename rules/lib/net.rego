# Helpers of the network / exposure / node / agent-sandbox rules. Every name starts
# with net_ so nothing clashes with the other helper files of package kubescape.lib.
package kubescape.lib

import rego.v1

# net_wl_label_index[index_key(ns, k, v)]: workloads in ns whose pods carry label k=v.
# Looked up through the full value (net_wl_index), built once per evaluation.
net_wl_index := net_wl_label_index

net_wl_label_index[k] contains obj if {
	some obj in workloads
	some lk, lv in pod_labels(obj)
	is_string(lv)
	k := index_key([namespace(obj), lk, lv])
}

# net_selected_workloads(ns, sel): workloads of namespace ns whose pods a Service-style
# map selector selects. Candidates come from the label index (the selector's smallest key).
net_selected_workloads(ns, sel) := {w |
	is_object(sel)
	count(sel) > 0
	k0 := min(object.keys(sel))
	v0 := sel[k0]
	is_string(v0)
	some w in net_wl_index[index_key([ns, k0, v0])]
	map_selector_matches(sel, pod_labels(w))
}

# net_service_selects(svc): the workloads a Service sends traffic to.
net_service_workloads(svc) := net_selected_workloads(namespace(svc), svc.spec.selector) if {
	is_object(svc.spec)
	is_object(svc.spec.selector)
} else := set()

# net_services[index_key(ns, name)]: the Service objects with that namespace and name (a set:
# an input may hold the same name twice). Looked up through the full value.
net_services := net_services_by_key

net_services_by_key[k] contains svc if {
	some svc in input.objects
	is_object(svc)
	svc.kind == "Service"
	n := meta_name(svc)
	n != ""
	k := index_key([namespace(svc), n])
}

# net_service_type(svc): spec.type, ClusterIP by default.
net_service_type(svc) := t if {
	t := svc.spec.type
	is_string(t)
} else := "ClusterIP"

default net_is_external_service(_) := false

net_is_external_service(svc) if net_service_type(svc) in {"LoadBalancer", "NodePort"}

# net_strip_cilium_key(k): a Cilium label key without its source prefix ("k8s:", "any:").
net_strip_cilium_key(k) := substring(k, 4, -1) if startswith(k, "k8s:")

else := substring(k, 4, -1) if startswith(k, "any:")

else := k

# net_selector(sel, cilium): a label selector normalized to {matchLabels: object,
# matchExpressions: array} (the shape selector_matches understands); with cilium true the
# Cilium source prefixes are removed from the keys. Undefined when malformed.
net_selector(sel, cilium) := {"matchLabels": ml, "matchExpressions": me} if {
	is_object(sel)
	ml0 := object.get(sel, "matchLabels", {})
	object_or_null(ml0)
	me0 := object.get(sel, "matchExpressions", [])
	array_or_null(me0)
	ml := {net_label_key(k, cilium): v | some k, v in object_or_empty(ml0); is_string(k)}
	me := [object.union(e, {"key": net_label_key(e.key, cilium)}) |
		some e in array_or_empty(me0)
		is_object(e)
		is_string(e.key)
	]
	count(me) == count(array_or_empty(me0))
}

net_label_key(k, true) := net_strip_cilium_key(k)

net_label_key(k, false) := k

# net_cilium_selector(sel): a Cilium endpoint selector, normalized.
net_cilium_selector(sel) := net_selector(sel, true)

# net_cilium_rules(obj): the rules of a Cilium policy (spec and/or the specs list).
net_cilium_rules(obj) := [r |
	some r in array.concat([object.get(obj, "spec", null)], array_or_empty(object.get(obj, "specs", [])))
	is_object(r)
]

# net_version(s): [major, minor, patch] numbers parsed from the start of a version string
# such as "v1.20.7", "1.6.6-k3s1" or "v1.27.3-eks-a5565ad" (a missing patch reads as 0).
# Undefined when unparseable.
net_version(s) := [to_number(parts[0]), to_number(parts[1]), to_number(patch)] if {
	is_string(s)
	regex.match(`^v?[0-9]+\.[0-9]+(\.[0-9]+)?([^0-9.]|$)`, s)
	core := split(split(split(trim_prefix(s, "v"), "-")[0], "+")[0], "~")[0]
	parts := split(core, ".")
	patch := net_patch(parts)
	regex.match(`^[0-9]+$`, parts[0])
	regex.match(`^[0-9]+$`, parts[1])
	regex.match(`^[0-9]+$`, patch)
}

net_patch(parts) := parts[2] if count(parts) > 2

else := "0"

# net_version_lt(a, b): version triple a is older than b.
net_version_lt(a, b) if a[0] < b[0]

net_version_lt(a, b) if {
	a[0] == b[0]
	a[1] < b[1]
}

net_version_lt(a, b) if {
	a[0] == b[0]
	a[1] == b[1]
	a[2] < b[2]
}

# Agent Sandbox (agents.x-k8s.io) templates: the pod spec lives at spec.podTemplate.spec.
net_sandbox_kinds := {"SandboxTemplate"}

net_sandbox_spec(obj) := s if {
	is_object(obj)
	net_sandbox_kinds[obj.kind]
	s := obj.spec.podTemplate.spec
	is_object(s)
}

net_sandbox_path := "spec.podTemplate.spec"

# net_sandbox_containers(obj, field): {container, index, path} for spec.podTemplate.spec.<field>.
net_sandbox_containers(obj, field) := [x |
	s := net_sandbox_spec(obj)
	some i, c in array_or_empty(object.get(s, field, []))
	is_object(c)
	x := {"container": c, "index": i, "path": sprintf("%s.%s[%d]", [net_sandbox_path, field, i])}
]

# net_ingress_backends(ing): names of the Services an Ingress routes to (networking/v1
# backend.service.name and the older backend.serviceName, in rules and defaultBackend).
net_ingress_backends(ing) := {n |
	some b in net_ingress_backend_objs(ing)
	some n in [object.get(b, ["service", "name"], null), object.get(b, "serviceName", null)]
	is_string(n)
	n != ""
}

net_ingress_backend_objs(ing) := {b |
	is_object(ing.spec)
	some r in array_or_empty(object.get(ing.spec, "rules", []))
	is_object(r)
	some p in array_or_empty(object.get(r, ["http", "paths"], []))
	is_object(p)
	b := p.backend
	is_object(b)
} | {b |
	is_object(ing.spec)
	some f in ["defaultBackend", "backend"]
	b := ing.spec[f]
	is_object(b)
}

# net_pod_labels_path(obj): where the labels of a workload's pods are written.
net_pod_labels_path(obj) := "metadata.labels" if {
	t := pod_template(obj)
	t.path == "spec"
} else := concat("", [trim_suffix(t.path, ".spec"), ".metadata.labels"]) if {
	t := pod_template(obj)
}

# net_has_tls(ing): the Ingress lists at least one TLS entry.
default net_has_tls(_) := false

net_has_tls(ing) if {
	tls := ing.spec.tls
	is_array(tls)
	count(tls) > 0
}

# net_annotation(obj, key): an annotation value ("" when absent or not a string).
net_annotation(obj, key) := v if {
	v := obj.metadata.annotations[key]
	is_string(v)
} else := ""

# net_quantity(v): a Kubernetes quantity ("500m", "1k", "512Mi", 2) as a number.
net_quantity(v) := v if is_number(v)

net_quantity(v) := units.parse(trim_space(v)) if {
	is_string(v)
	regex.match(`^\s*[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*(Ki|Mi|Gi|Ti|Pi|Ei|m|k|K|M|G|T|P|E)?\s*$`, v)
}

# net_has_quantity(container, resource): resources.limits.<resource> is set.
default net_has_quantity(_, _) := false

net_has_quantity(c, r) if {
	v := c.resources.limits[r]
	is_number(v)
}

net_has_quantity(c, r) if {
	v := c.resources.limits[r]
	is_string(v)
	trim_space(v) != ""
}

# Image references. net_image_parts(image) := {registry, repository, tag, digest}:
# "python:3.11" is docker.io / library/python / 3.11; the first path component is a
# registry only when it looks like a host (has "." or ":", or is localhost).
net_image_parts(image) := {"registry": reg, "repository": repo, "tag": tag, "digest": digest} if {
	is_string(image)
	img := trim_space(image)
	img != ""
	at := split(img, "@")
	digest := net_digest(at)
	name_tag := at[0]
	comps := split(name_tag, "/")
	last := comps[count(comps) - 1]
	tag := image_tag(name_tag)
	comps2 := array.concat(array.slice(comps, 0, count(comps) - 1), [split(last, ":")[0]])
	reg := net_registry(comps2)
	repo := net_repository(comps2)
}

net_digest(at) := at[1] if count(at) > 1

else := ""

net_registry(comps) := lower(comps[0]) if {
	count(comps) > 1
	is_registry_host(comps[0])
} else := "docker.io"

net_repository(comps) := concat("/", array.slice(comps, 1, count(comps))) if {
	count(comps) > 1
	is_registry_host(comps[0])
} else := concat("/", ["library", comps[0]]) if {
	count(comps) == 1
} else := concat("/", comps)

# Docker Hub is spelled several ways.
net_registry_alias(r) := "docker.io" if r in {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "docker.io"}

else := r

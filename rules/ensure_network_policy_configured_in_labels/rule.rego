package kubescape.rules.ensure_network_policy_configured_in_labels

import rego.v1

import data.kubescape.lib

policed_kinds := {"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"}

# Kubernetes NetworkPolicies: podSelector selects pods of the policy's namespace
# (absent means all of them).
k8s_selectors[ns] contains sel if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "NetworkPolicy"
	is_object(obj.spec)
	sel := object.get(obj.spec, "podSelector", {})
	lib.valid_selector(sel)
	ns := lib.namespace(obj)
}

# Cilium policies carry one rule in spec and/or a list of rules in specs.
cilium_rules(obj) := {r |
	some r in array.concat([object.get(obj, "spec", null)], lib.array_or_empty(object.get(obj, "specs", [])))
	is_object(r)
}

# CiliumNetworkPolicy: endpointSelector selects endpoints of the policy's namespace.
cilium_selectors[ns] contains sel if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "CiliumNetworkPolicy"
	some r in cilium_rules(obj)
	sel := r.endpointSelector
	lib.valid_selector(sel)
	ns := lib.namespace(obj)
}

# CiliumClusterwideNetworkPolicy: endpointSelector selects endpoints of any namespace.
clusterwide_selectors contains sel if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "CiliumClusterwideNetworkPolicy"
	some r in cilium_rules(obj)
	sel := r.endpointSelector
	lib.valid_selector(sel)
}

# Namespaces where some policy selects every pod.
all_covered contains ns if {
	some ns, sels in k8s_selectors
	some sel in sels
	lib.empty_selector(sel)
}

all_covered contains ns if {
	some ns, sels in cilium_selectors
	some sel in sels
	lib.empty_selector(sel)
}

# Booleans get a default so they are computed once per evaluation even when false.
default cluster_all_covered := false

cluster_all_covered if {
	some sel in clusterwide_selectors
	lib.empty_selector(sel)
}

# Cilium matches on endpoint labels, which are the pod labels (optionally written with a
# "k8s:" or "any:" source prefix) plus the namespace and service account of the pod.
cilium_labels(obj, t) := {key: v |
	sa := object.get(t.spec, "serviceAccountName", "default")
	extra := {"io.kubernetes.pod.namespace": lib.namespace(obj), "io.cilium.k8s.policy.serviceaccount": sa}
	some k, v in object.union(lib.labels(t.metadata), extra)
	some prefix in ["", "k8s:", "any:"]
	key := concat("", [prefix, k])
}

# Index of the non-empty selectors, so a workload is compared only with the selectors
# that could select it: a selector with matchLabels is filed under its first
# (ns, key, value); one with only matchExpressions under its namespace. Clusterwide
# Cilium selectors use the namespace "*".
entries contains ["k8s", ns, sel] if {
	some ns, sels in k8s_selectors
	some sel in sels
}

entries contains ["cilium", ns, sel] if {
	some ns, sels in cilium_selectors
	some sel in sels
}

entries contains ["cilium", "*", sel] if {
	some sel in clusterwide_selectors
}

keyed[lib.index_key([flavor, ns, k0, v0])] contains sel if {
	some [flavor, ns, sel] in entries
	ml := lib.object_or_empty(object.get(sel, "matchLabels", {}))
	count(ml) > 0
	k0 := min(object.keys(ml))
	v0 := ml[k0]
	is_string(v0)
}

unkeyed[lib.index_key([flavor, ns])] contains sel if {
	some [flavor, ns, sel] in entries
	not has_string_key(sel)
}

has_string_key(sel) if {
	ml := lib.object_or_empty(object.get(sel, "matchLabels", {}))
	count(ml) > 0
	is_string(ml[min(object.keys(ml))])
}

keyed_index := keyed

unkeyed_index := unkeyed

selected(flavor, ns, labels) if {
	some k, v in labels
	is_string(v)
	some sel in keyed_index[lib.index_key([flavor, ns, k, v])]
	lib.selector_matches(sel, labels)
}

selected(flavor, ns, labels) if {
	some sel in unkeyed_index[lib.index_key([flavor, ns])]
	lib.selector_matches(sel, labels)
}

default any_cilium := false

any_cilium if {
	some [flavor, _, _] in entries
	flavor == "cilium"
}

covered(_, _) if cluster_all_covered == true

covered(obj, _) if lib.namespace(obj) in all_covered

covered(obj, t) if selected("k8s", lib.namespace(obj), lib.labels(t.metadata))

covered(obj, t) if {
	any_cilium == true
	labels := cilium_labels(obj, t)
	some ns in [lib.namespace(obj), "*"]
	selected("cilium", ns, labels)
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind in policed_kinds
	t := lib.pod_template(obj)
	not covered(obj, t)
	alert := {
		"message": sprintf("%s %s is not selected by any network policy", [obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
	}
}

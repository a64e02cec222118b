package kubescape.rules.dangling_gateway_backend

import rego.v1

import data.kubescape.lib

route_kinds := {"HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute"}

services := lib.named_keys("Service")

# service_ref(ref, ns): the "ns\0name" key of a backendRef that points at a core Service
# (kind defaults to Service, group to the core group, namespace to the route's).
service_ref(ref, ns) := lib.index_key([object.get(ref, "namespace", ns), ref.name]) if {
	is_object(ref)
	object.get(ref, "kind", "Service") == "Service"
	object.get(ref, "group", "") == ""
	is_string(ref.name)
	is_string(object.get(ref, "namespace", ns))
}

refs(spec) := {[p, ref] |
	some i, rule in spec.rules
	some j, ref in rule.backendRefs
	p := sprintf("spec.rules[%d].backendRefs[%d].name", [i, j])
} | {[p, ref] |
	some i, rule in spec.rules
	some k, f in rule.filters
	ref := f.requestMirror.backendRef
	p := sprintf("spec.rules[%d].filters[%d].requestMirror.backendRef.name", [i, k])
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind in route_kinds
	is_object(obj.spec)
	ns := lib.namespace(obj)
	paths := sort({p |
		some [p, ref] in refs(obj.spec)
		not service_ref(ref, ns) in services
		service_ref(ref, ns)
	})
	count(paths) > 0
	alert := {
		"message": sprintf("%s %s sends traffic to Services that do not exist", [obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
	}
}

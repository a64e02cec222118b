package kubescape.rules.exposure_to_internet_via_gateway_api

import rego.v1

import data.kubescape.lib

route_kinds := {"HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"}

# A route attached to a Gateway (parentRefs) carries outside traffic to its backends.
default attached(_) := false

attached(route) if {
	some p in route.spec.parentRefs
	is_object(p)
}

# The Services a route sends traffic to: backendRefs of kind Service (the default kind)
# in the core group, in the route's namespace unless another one is named.
backends(route) := {[ns, name] |
	some r in route.spec.rules
	is_object(r)
	some b in r.backendRefs
	is_object(b)
	object.get(b, "kind", "Service") == "Service"
	object.get(b, "group", "") in {"", "core"}
	name := b.name
	is_string(name)
	ns := object.get(b, "namespace", lib.namespace(route))
	is_string(ns)
}

deny contains alert if {
	some route in input.objects
	is_object(route)
	route.kind in route_kinds
	attached(route)
	some [ns, name] in backends(route)
	some svc in lib.net_services[lib.index_key([ns, name])]
	some wl in lib.net_service_workloads(svc)
	alert := {
		"message": sprintf("%s %s is exposed through %s %s (Gateway API) and Service %s", [wl.kind, lib.meta_name(wl), route.kind, lib.meta_name(route), name]),
		"objects": [lib.ref(wl)],
		"relatedObjects": [lib.ref(route), lib.ref(svc)],
	}
}

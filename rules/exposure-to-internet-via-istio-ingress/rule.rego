package kubescape.rules.exposure_to_internet_via_istio_ingress

import rego.v1

import data.kubescape.lib

# Istio Gateways (networking.istio.io) by namespace and name.
istio_gateways[lib.index_key([lib.namespace(gw), lib.meta_name(gw)])] contains gw if {
	some gw in input.objects
	is_object(gw)
	gw.kind == "Gateway"
	is_string(gw.apiVersion)
	startswith(gw.apiVersion, "networking.istio.io/")
	is_object(gw.spec.selector)
}

gateway_index := istio_gateways

# Services reachable from outside (LoadBalancer or NodePort): the candidate ingress
# gateway Services.
external_services contains svc if {
	some svc in input.objects
	is_object(svc)
	svc.kind == "Service"
	lib.net_is_external_service(svc)
}

# The ingress gateway Services in front of each Gateway, by gateway key: the Gateway
# selector picks the gateway pods, which the Service also selects (or labels itself
# with). Computed once per evaluation.
gateway_services[k] contains svc if {
	some k, gws in gateway_index
	some gw in gws
	some svc in external_services
	gateway_fronts(gw.spec.selector, svc)
}

gateway_service_index := gateway_services

gateway_fronts(sel, svc) if lib.map_selector_matches(sel, lib.labels(svc.metadata))

gateway_fronts(sel, svc) if lib.map_selector_matches(sel, object.get(svc.spec, "selector", {}))

# A VirtualService's gateways: "ns/name", or a bare name in the VirtualService namespace
# ("mesh" means sidecars, not an ingress).
vs_gateways(vs) := {k |
	some g in vs.spec.gateways
	is_string(g)
	g != "mesh"
	k := gateway_key(g, lib.namespace(vs))
}

gateway_key(g, _) := lib.index_key([parts[0], parts[1]]) if {
	contains(g, "/")
	parts := split(g, "/")
	count(parts) == 2
}

gateway_key(g, vs_ns) := lib.index_key([vs_ns, g]) if not contains(g, "/")

# A destination host names a Service: "name" (VirtualService namespace), "name.ns",
# "name.ns.svc" or "name.ns.svc.cluster.local".
destinations(vs) := {lib.index_key(service_of(host, lib.namespace(vs))) |
	some section in ["http", "tcp", "tls"]
	some r in vs.spec[section]
	is_object(r)
	some d in r.route
	host := d.destination.host
	is_string(host)
	host != ""
}

service_of(host, vs_ns) := [vs_ns, host] if {
	not contains(host, ".")
} else := [parts[1], parts[0]] if {
	parts := split(host, ".")
	count(parts) >= 2
}

deny contains alert if {
	some vs in input.objects
	is_object(vs)
	vs.kind == "VirtualService"
	is_object(vs.spec)
	some gk in vs_gateways(vs)
	some gw in gateway_index[gk]
	some gw_svc in gateway_service_index[gk]
	gateway_fronts(gw.spec.selector, gw_svc)
	some dk in destinations(vs)
	some svc in lib.net_services[dk]
	some wl in lib.net_service_workloads(svc)
	alert := {
		"message": sprintf("%s %s is exposed through Istio Gateway %s (Service %s) and VirtualService %s", [wl.kind, lib.meta_name(wl), lib.meta_name(gw), lib.meta_name(gw_svc), lib.meta_name(vs)]),
		"objects": [lib.ref(wl)],
		"relatedObjects": [lib.ref(vs), lib.ref(gw_svc), lib.ref(gw), lib.ref(svc)],
	}
}

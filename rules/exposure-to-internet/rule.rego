package kubescape.rules.exposure_to_internet

import rego.v1

import data.kubescape.lib

# Workloads reachable from outside the cluster: selected by a LoadBalancer or NodePort
# Service, or behind a Service that an Ingress routes to.
deny contains alert if {
	some svc in input.objects
	is_object(svc)
	svc.kind == "Service"
	lib.net_is_external_service(svc)
	some wl in lib.net_service_workloads(svc)
	alert := {
		"message": sprintf("%s %s is exposed outside the cluster through %s Service %s", [wl.kind, lib.meta_name(wl), lib.net_service_type(svc), lib.meta_name(svc)]),
		"objects": [lib.ref(wl)],
		"relatedObjects": [lib.ref(svc)],
	}
}

deny contains alert if {
	some ing in input.objects
	is_object(ing)
	ing.kind == "Ingress"
	some name in lib.net_ingress_backends(ing)
	some svc in lib.net_services[lib.index_key([lib.namespace(ing), name])]
	some wl in lib.net_service_workloads(svc)
	alert := {
		"message": sprintf("%s %s is exposed outside the cluster through Ingress %s and Service %s", [wl.kind, lib.meta_name(wl), lib.meta_name(ing), name]),
		"objects": [lib.ref(wl)],
		"relatedObjects": [lib.ref(ing), lib.ref(svc)],
	}
}

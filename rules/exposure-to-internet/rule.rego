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
	target_port_resolves(svc, wl)
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

	# A LoadBalancer or NodePort Service is reported by the rule above already.
	not lib.net_is_external_service(svc)
	some wl in lib.net_service_workloads(svc)
	alert := {
		"message": sprintf("%s %s is exposed outside the cluster through Ingress %s and Service %s", [wl.kind, lib.meta_name(wl), lib.meta_name(ing), name]),
		"objects": [lib.ref(wl)],
		"relatedObjects": [lib.ref(ing), lib.ref(svc)],
	}
}

# target_port_resolves(svc, wl): some port of the Service reaches the workload's pods: a
# numeric (or absent) targetPort, or a named one that a container of the pods declares.
# A Service whose every named targetPort is missing from the pods has no endpoint there.
target_port_resolves(svc, _) if {
	some port in svc.spec.ports
	is_object(port)
	not is_string(port.targetPort)
}

target_port_resolves(svc, wl) if {
	some port in svc.spec.ports
	tp := port.targetPort
	is_string(tp)
	some c in lib.containers(wl)
	some cp in c.container.ports
	cp.name == tp
}

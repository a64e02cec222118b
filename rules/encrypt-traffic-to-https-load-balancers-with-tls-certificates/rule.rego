package kubescape.rules.encrypt_traffic_to_https_load_balancers_with_tls_certificates

import rego.v1

import data.kubescape.lib

internal_annotation := "service.beta.kubernetes.io/azure-load-balancer-internal"

# Traffic from outside should reach the cluster through an Ingress (application gateway)
# that terminates TLS; a LoadBalancer Service should stay internal behind it.
deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Ingress"
	is_object(obj.spec)
	not lib.net_has_tls(obj)
	alert := {
		"message": sprintf("Ingress %s does not terminate TLS", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["spec.tls"],
		"reviewPaths": ["spec.tls"],
	}
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Service"
	lib.net_service_type(obj) == "LoadBalancer"
	lower(lib.net_annotation(obj, internal_annotation)) != "true"
	alert := {
		"message": sprintf("Service %s is a public load balancer: its traffic does not pass through a TLS-terminating ingress", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": sprintf("metadata.annotations[%s]", [internal_annotation]), "value": "true"}],
	}
}

# A NodePort Service opens a plain port on every node, bypassing any TLS front end.
deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Service"
	lib.net_service_type(obj) == "NodePort"
	alert := {
		"message": sprintf("Service %s is exposed on node ports without TLS termination", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
	}
}

package kubescape.rules.ingress_no_tls

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Ingress"
	is_object(obj.spec)
	not lib.net_has_tls(obj)
	alert := {
		"message": sprintf("Ingress %s terminates no TLS: its hosts are served over plain HTTP", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": "spec.tls", "value": "<your-tls-definition>"}],
	}
}

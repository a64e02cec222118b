package kubescape.rules.ensure_https_loadbalancers_encrypted_with_tls_aws

import rego.v1

import data.kubescape.lib

cert_annotation := "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"

ssl_ports_annotation := "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"

# A load balancer serving HTTPS: it listens on 443, or names TLS ports in the annotation.
default https(_) := false

https(svc) if {
	some p in svc.spec.ports
	is_object(p)
	p.port in {443, "443"}
}

https(svc) if trim_space(lib.net_annotation(svc, ssl_ports_annotation)) != ""

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Service"
	lib.net_service_type(obj) == "LoadBalancer"
	https(obj)
	trim_space(lib.net_annotation(obj, cert_annotation)) == ""
	alert := {
		"message": sprintf("LoadBalancer Service %s serves HTTPS but has no TLS certificate (%s)", [lib.meta_name(obj), cert_annotation]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": sprintf("metadata.annotations['%s']", [cert_annotation]), "value": "AWS_LOADBALANCER_SSL_CERT"}],
	}
}

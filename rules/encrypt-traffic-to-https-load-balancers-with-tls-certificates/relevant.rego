# The rule judges Ingresses and the Services that take traffic from outside (LoadBalancer,
# NodePort): ClusterIP Services are not counted in its control.
package kubescape.rules.encrypt_traffic_to_https_load_balancers_with_tls_certificates

import rego.v1

import data.kubescape.lib

relevant := [object.get(obj, "__ksid", -1) |
	some obj in input.objects
	relevant_kind(obj)
]

relevant_kind(obj) if obj.kind == "Ingress"

relevant_kind(obj) if {
	obj.kind == "Service"
	lib.net_is_external_service(obj)
}

# The rule judges LoadBalancer Services only: other Services are not counted in its control.
package kubescape.rules.ensure_https_loadbalancers_encrypted_with_tls_aws

import rego.v1

import data.kubescape.lib

relevant := [object.get(obj, "__ksid", -1) |
	some obj in input.objects
	obj.kind == "Service"
	lib.net_service_type(obj) == "LoadBalancer"
]

# The rule judges ConfigMaps that hold a kube-proxy configuration only: other ConfigMaps
# are not counted in its control.
package kubescape.rules.ensure_that_the_kube_proxy_metrics_service_is_bound_to_localhost

import rego.v1

relevant := [object.get(obj, "__ksid", -1) |
	some obj in input.objects
	holds_proxy_config(obj)
]

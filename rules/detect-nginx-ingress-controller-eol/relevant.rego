# The rule judges the workloads that run the ingress-nginx controller: other Deployments,
# DaemonSets and StatefulSets are not counted in its control.
package kubescape.rules.detect_nginx_ingress_controller_eol

import rego.v1

import data.kubescape.lib

relevant := [object.get(obj, "__ksid", -1) |
	some obj in input.objects
	obj.kind in {"Deployment", "DaemonSet", "StatefulSet"}
	some c in lib.all_containers(obj)
	ingress_nginx_image(c.container.image)
]

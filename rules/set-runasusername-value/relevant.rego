# The rule judges Windows pods only (spec.os.name or the kubernetes.io/os node selector):
# other workloads are not counted in its controls.
package kubescape.rules.set_runasusername_value

import rego.v1

import data.kubescape.lib

relevant := [object.get(obj, "__ksid", -1) |
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	windows(lib.pod_template(obj).spec)
]

package kubescape.rules.naked_pods

import rego.v1

import data.kubescape.lib

# A Pod that no controller manages: nothing recreates it when it fails, is evicted or
# its node goes away.
deny contains alert if {
	some obj in input.objects
	obj.kind == "Pod"
	not controlled(obj)
	alert := {
		"message": sprintf("Pod %s is not managed by a controller (Deployment, StatefulSet, DaemonSet, Job, ...)", [lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
	}
}

# Kinds whose pods are recreated by their owner.
controller_kinds := {"ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet", "Job", "Deployment", "CronJob"}

controlled(obj) if {
	some owner in obj.metadata.ownerReferences
	owner.controller == true
}

controlled(obj) if {
	some owner in obj.metadata.ownerReferences
	owner.kind in controller_kinds
}

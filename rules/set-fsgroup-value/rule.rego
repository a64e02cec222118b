package kubescape.rules.set_fsgroup_value

import rego.v1

import data.kubescape.lib

# The pod-level securityContext.fsGroup gives mounted volumes a known, non-root group: a
# pod that leaves it unset (or sets a negative group) fails, and the fix is to set it.
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	t := lib.pod_template(obj)
	not fsgroup_set(t.spec)
	alert := {
		"message": sprintf("%s %s does not set securityContext.fsGroup to a group id of 0 or more", [obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": [{"path": concat("", [t.path, ".securityContext.fsGroup"]), "value": "YOUR_VALUE"}],
	}
}

fsgroup_set(spec) if {
	g := spec.securityContext.fsGroup
	is_number(g)
	g >= 0
}

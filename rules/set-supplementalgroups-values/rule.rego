package kubescape.rules.set_supplementalgroups_values

import rego.v1

import data.kubescape.lib

# securityContext.supplementalGroups must not add the root group (0) to the pod's
# processes: it would give them group access to root-owned files. Unset passes.
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	t := lib.pod_template(obj)
	groups := t.spec.securityContext.supplementalGroups
	is_array(groups)
	0 in groups
	path := concat("", [t.path, ".securityContext.supplementalGroups"])
	alert := {
		"message": sprintf("%s %s adds the root group (0) in securityContext.supplementalGroups", [obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"fixPaths": [{"path": path, "value": "REMOVE_GROUP_0"}],
	}
}

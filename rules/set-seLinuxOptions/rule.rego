package kubescape.rules.set_seLinuxOptions

import rego.v1

import data.kubescape.lib

# SELinux options label the container's processes; they may be set for the whole pod or per
# container. When the pod sets none, each regular container that sets none fails.
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	t := lib.pod_template(obj)
	not set_in(t.spec)
	some c in lib.containers(obj)
	not set_in(c.container)
	alert := {
		"message": sprintf("container %s in %s %s has no seLinuxOptions, and neither has its pod", [object.get(c.container, "name", ""), obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": [{"path": concat("", [c.path, ".securityContext.seLinuxOptions"]), "value": "YOUR_VALUE"}],
	}
}

# set_in(x): x (a pod spec or a container) has securityContext.seLinuxOptions (null or "" is unset)
set_in(x) if not object.get(x, ["securityContext", "seLinuxOptions"], null) in {null, ""}

package kubescape.rules.set_seccomp_profile

import rego.v1

import data.kubescape.lib

# A seccomp profile limits the system calls a container may make; it may be set for the
# whole pod or per container. When the pod sets none, each regular container that sets none
# fails (any profile counts as set: C-0210 is the control that asks for RuntimeDefault).
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	t := lib.pod_template(obj)
	not set_in(t.spec)
	some c in lib.containers(obj)
	not set_in(c.container)
	alert := {
		"message": sprintf("container %s in %s %s has no seccompProfile, and neither has its pod", [object.get(c.container, "name", ""), obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": [{"path": concat("", [c.path, ".securityContext.seccompProfile"]), "value": "YOUR_VALUE"}],
	}
}

# set_in(x): x (a pod spec or a container) has securityContext.seccompProfile (null or "" is unset)
set_in(x) if not object.get(x, ["securityContext", "seccompProfile"], null) in {null, ""}

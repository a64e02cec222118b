package kubescape.rules.set_hostprocess_true

import rego.v1

import data.kubescape.lib

# A Windows HostProcess container (securityContext.windowsOptions.hostProcess: true) runs
# on the node itself with the node's privileges. Setting it for the pod, or for any
# container (regular, init or ephemeral), fails; one alert per place it is set.
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	t := lib.pod_template(obj)
	t.spec.securityContext.windowsOptions.hostProcess == true
	alert := host_process(obj, concat("", [t.path, ".securityContext.windowsOptions.hostProcess"]), "it")
}

deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	some c in lib.all_containers(obj)
	c.container.securityContext.windowsOptions.hostProcess == true
	alert := host_process(obj, concat("", [c.path, ".securityContext.windowsOptions.hostProcess"]), sprintf("its container %v", [object.get(c.container, "name", "")]))
}

host_process(obj, path, who) := {
	"message": sprintf("%s %s runs as a Windows HostProcess: %s sets windowsOptions.hostProcess to true", [obj.kind, object.get(obj, ["metadata", "name"], ""), who]),
	"objects": [lib.ref(obj)],
	"failedPaths": [path],
	"fixPaths": [{"path": path, "value": "false"}],
}

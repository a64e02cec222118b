package kubescape.rules.set_gmsacredentialspecname_value

import rego.v1

import data.kubescape.lib

# A Windows pod should name the gMSA credential spec it runs with (securityContext.windowsOptions.gmsaCredentialSpecName),
# for the whole pod or per container. When the pod names none, each regular container that
# names none fails. Pods not marked for Windows nodes are not judged (see relevant.rego).
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	t := lib.pod_template(obj)
	windows(t.spec)
	not set_in(t.spec)
	some c in lib.containers(obj)
	not set_in(c.container)
	alert := {
		"message": sprintf("container %s in Windows %s %s has no windowsOptions.gmsaCredentialSpecName, and neither has its pod", [object.get(c.container, "name", ""), obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": [{"path": concat("", [c.path, ".securityContext.windowsOptions.gmsaCredentialSpecName"]), "value": "YOUR_VALUE"}],
	}
}

# set_in(x): x (a pod spec or a container) names it (null or "" is unset)
set_in(x) if not object.get(x, ["securityContext", "windowsOptions", "gmsaCredentialSpecName"], null) in {null, ""}

# windows(spec): the pod is for Windows nodes, by spec.os.name or the kubernetes.io/os node selector
windows(spec) if spec.os.name == "windows"

windows(spec) if spec.nodeSelector["kubernetes.io/os"] == "windows"

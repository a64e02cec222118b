package kubescape.rules.host_pid_privileges

import rego.v1

import data.kubescape.lib

# Pods that set hostPID: true share the node's process ID namespace.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	t := lib.pod_template(obj)
	t.spec.hostPID == true
	path := concat("", [t.path, ".hostPID"])
	alert := {
		"message": sprintf("%s %s shares the host process ID namespace (hostPID: true)", [obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

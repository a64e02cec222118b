package kubescape.rules.host_ipc_privileges

import rego.v1

import data.kubescape.lib

# Pods that set hostIPC: true share the node's IPC namespace.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	t := lib.pod_template(obj)
	t.spec.hostIPC == true
	path := concat("", [t.path, ".hostIPC"])
	alert := {
		"message": sprintf("%s %s shares the host IPC namespace (hostIPC: true)", [obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

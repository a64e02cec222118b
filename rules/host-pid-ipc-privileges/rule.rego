package kubescape.rules.host_pid_ipc_privileges

import rego.v1

import data.kubescape.lib

# hostPID and hostIPC each put the pod into a namespace of the node; one alert per field.
deny contains alert if {
	some obj in input.objects
	t := lib.pod_template(obj)
	some field in ["hostPID", "hostIPC"]
	t.spec[field] == true
	path := concat("", [t.path, ".", field])
	alert := {
		"message": sprintf("%s %s shares the node's %s namespace (%s: true)", [obj.kind, lib.obj_name(obj), namespace_word[field], field]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

namespace_word := {"hostPID": "process ID", "hostIPC": "IPC"}

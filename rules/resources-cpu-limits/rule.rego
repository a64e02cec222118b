package kubescape.rules.resources_cpu_limits

import rego.v1

import data.kubescape.lib

# Every container should set resources.limits.cpu explicitly.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some m in lib.missing_resource(obj, "limits", "cpu")
	alert := {
		"message": sprintf("%s %s: container %s does not set a CPU limit", [obj.kind, lib.obj_name(obj), lib.container_name(m.container)]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": m.path, "value": "YOUR_VALUE"}],
	}
}

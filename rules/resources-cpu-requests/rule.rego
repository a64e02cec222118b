package kubescape.rules.resources_cpu_requests

import rego.v1

import data.kubescape.lib

# Every container should set resources.requests.cpu explicitly.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some m in lib.missing_resource(obj, "requests", "cpu")
	alert := {
		"message": sprintf("%s %s: container %s does not set a CPU request", [obj.kind, lib.obj_name(obj), lib.container_name(m.container)]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": m.path, "value": "YOUR_VALUE"}],
	}
}

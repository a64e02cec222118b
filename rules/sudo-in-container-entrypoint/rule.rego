package kubescape.rules.sudo_in_container_entrypoint

import rego.v1

import data.kubescape.lib

# A container whose entrypoint runs sudo expects to gain root inside the container.
# Every command (and args) element that invokes sudo as a word is reported.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some c in array.concat(lib.containers(obj), lib.init_containers(obj))
	some field in ["command", "args"]
	some i, part in c.container[field]
	is_string(part)
	regex.match(`(^|[\s;&|(/"'])sudo(\s|$|[;&|)"'])`, part)
	path := concat("", [c.path, ".", field, "[", format_int(i, 10), "]"])
	alert := {
		"message": sprintf("%s %s: container %s runs sudo in its entrypoint", [obj.kind, lib.obj_name(obj), lib.container_name(c)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"reviewPaths": [path],
	}
}

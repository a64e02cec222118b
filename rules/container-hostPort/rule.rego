package kubescape.rules.container_hostPort

import rego.v1

import data.kubescape.lib

# A container port with a hostPort binds that port on the node itself. One alert per
# container (as the reference reports), naming each of its ports that binds one.
# hostPort 0 (or absent) means no host port.
deny contains alert if {
	some obj in input.objects
	lib.pod_template(obj)
	some c in lib.all_containers(obj)
	ports := [[path, hp] |
		some i, port in c.container.ports
		is_object(port)
		hp := port.hostPort
		uses_host_port(hp)
		path := concat("", [c.path, ".ports[", format_int(i, 10), "].hostPort"])
	]
	count(ports) > 0
	paths := [p | some [p, _] in ports]
	alert := {
		"message": sprintf("container %s in %s %s binds host port %s", [lib.container_name(c), obj.kind, lib.obj_name(obj), concat(", ", [format_port(hp) | some [_, hp] in ports])]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
	}
}

format_port(hp) := hp if is_string(hp)

else := format_int(hp, 10)

uses_host_port(hp) if {
	is_number(hp)
	hp != 0
}

uses_host_port(hp) if {
	is_string(hp)
	regex.match(`^[0-9]+$`, hp)
	to_number(hp) != 0
}

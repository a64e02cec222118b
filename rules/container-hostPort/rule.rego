package kubescape.rules.container_hostPort

import rego.v1

import data.kubescape.lib

# A container port with a hostPort binds that port on the node itself; one alert per port.
# hostPort 0 (or absent) means no host port.
deny contains alert if {
	some obj in input.objects
	lib.pod_template(obj)
	some c in lib.all_containers(obj)
	some i, port in c.container.ports
	is_object(port)
	hp := port.hostPort
	uses_host_port(hp)
	path := concat("", [c.path, ".ports[", format_int(i, 10), "].hostPort"])
	alert := {
		"message": sprintf("container %s in %s %s binds host port %v", [lib.container_name(c), obj.kind, lib.obj_name(obj), hp]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

uses_host_port(hp) if {
	is_number(hp)
	hp != 0
}

uses_host_port(hp) if {
	is_string(hp)
	regex.match(`^[0-9]+$`, hp)
	to_number(hp) != 0
}

package kubescape.rules.alert_rw_hostpath

import rego.v1

import data.kubescape.lib

# A volumeMount of a hostPath volume that is not readOnly lets the container write to the
# node's filesystem; one alert per such mount, fixed by setting readOnly: true.
deny contains alert if {
	some obj in input.objects
	t := lib.pod_template(obj)
	some vol in lib.host_path_volumes(t)
	some m in lib.mounts_of(obj, vol.name)
	not m.mount.readOnly == true
	alert := {
		"message": sprintf("container %s in %s %s mounts hostPath %s (volume %v) writable", [lib.container_name(m.container), obj.kind, lib.obj_name(obj), vol.hostPath, vol.name]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": fix_paths(m),
	}
}

# Ephemeral containers cannot be edited in place, so no fix is offered for them.
fix_paths(m) := [] if lib.is_ephemeral(m.container)

fix_paths(m) := [{"path": concat("", [m.path, ".readOnly"]), "value": "true"}] if {
	not lib.is_ephemeral(m.container)
}

package kubescape.rules.alert_any_hostpath

import rego.v1

import data.kubescape.lib

# Any hostPath volume exposes part of the node's filesystem to the pod. One alert per
# hostPath volume, pointing at the volume and at every mount of it.
deny contains alert if {
	some obj in input.objects
	t := lib.pod_template(obj)
	some vol in lib.host_path_volumes(t)
	paths := lib.volume_alert_paths(obj, vol)
	alert := {
		"message": sprintf("%s %s mounts the host path %s (volume %v)", [obj.kind, lib.obj_name(obj), vol.hostPath, vol.name]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
	}
}

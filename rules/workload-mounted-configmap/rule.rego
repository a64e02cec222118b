package kubescape.rules.workload_mounted_configmap

import rego.v1

import data.kubescape.lib

# by_key["ns\u0000name"]: the ConfigMaps in the input (a set: duplicates
# may occur), looked up through index, the whole value built once, for cheap lookups.
index := by_key

by_key[k] contains lib.ref(obj) if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "ConfigMap"
	name := obj.metadata.name
	is_string(name)
	k := concat("\u0000", [lib.namespace(obj), name])
}

# volume_configMaps(v): the ConfigMap names a volume mounts, directly or through a projected volume.
volume_configMaps(v) := {n |
	n := v.configMap.name
	is_string(n)
} | {n |
	some s in v.projected.sources
	n := s.configMap.name
	is_string(n)
}

# One alert per volume that mounts an existing ConfigMap of the workload's namespace
# into at least one container.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some v in lib.wl_volumes(obj)
	names := volume_configMaps(v.volume)
	count(names) > 0
	ns := lib.namespace(obj)
	related := sort({r | some n in names; some r in index[concat("\u0000", [ns, n])]})
	count(related) > 0
	mounts := lib.mount_paths(obj, v.volume.name)
	count(mounts) > 0
	paths := sort(mounts)
	alert := {
		"message": sprintf("%s %s mounts ConfigMap %s through volume %s", [obj.kind, lib.obj_name(obj), concat(", ", sort(names)), v.volume.name]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
		"relatedObjects": related,
	}
}

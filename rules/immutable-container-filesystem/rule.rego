package kubescape.rules.immutable_container_filesystem

import rego.v1

import data.kubescape.lib

# Every container should mount its root filesystem read-only
# (securityContext.readOnlyRootFilesystem: true); one alert per container that does not.
deny contains alert if {
	some obj in input.objects
	lib.pod_template(obj)
	some c in lib.all_containers(obj)
	not read_only_root(c)
	alert := {
		"message": sprintf("container %s in %s %s has a writable root filesystem", [lib.container_name(c), obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": fix_paths(c),
	}
}

read_only_root(c) if lib.container_sc(c).readOnlyRootFilesystem == true

# Ephemeral containers cannot be edited in place, so no fix is offered for them.
fix_paths(c) := [] if lib.is_ephemeral(c)

fix_paths(c) := [{"path": concat("", [c.path, ".securityContext.readOnlyRootFilesystem"]), "value": "true"}] if {
	not lib.is_ephemeral(c)
}

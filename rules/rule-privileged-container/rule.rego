package kubescape.rules.rule_privileged_container

import rego.v1

import data.kubescape.lib

# A container is privileged when securityContext.privileged is true, or when it adds
# CAP_SYS_ADMIN (or ALL, which includes it): both give near-complete control of the node.
# One alert per container, pointing at each offending field.
deny contains alert if {
	some obj in input.objects
	lib.pod_template(obj)
	some c in lib.all_containers(obj)
	paths := privileged_paths(c)
	count(paths) > 0
	alert := {
		"message": sprintf("container %s in %s %s is privileged", [lib.container_name(c), obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
	}
}

privileged_paths(c) := array.concat(privileged_flag_paths(c), cap_paths(c))

privileged_flag_paths(c) := [concat("", [c.path, ".securityContext.privileged"])] if {
	lib.container_sc(c).privileged == true
} else := []

cap_paths(c) := [concat("", [c.path, ".securityContext.capabilities.add[", format_int(i, 10), "]"]) |
	some i, cap in lib.container_sc(c).capabilities.add
	lib.norm_cap(cap) in {"SYS_ADMIN", "ALL"}
]

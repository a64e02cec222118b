package kubescape.rules.insecure_capabilities

import rego.v1

import data.kubescape.lib

# A container that adds a capability listed in the insecureCapabilities config input
# (names compared upper-case without the CAP_ prefix; ALL grants every capability).
# One alert per container, pointing at each offending capabilities.add entry.
deny contains alert if {
	some obj in input.objects
	lib.pod_template(obj)
	some c in lib.all_containers(obj)
	bad := bad_capability_paths(c)
	count(bad) > 0
	names := sort({n | some p in bad; n := p.name})
	paths := [p.path | some p in bad]
	alert := {
		"message": sprintf("container %s in %s %s adds insecure capabilities: %s", [lib.container_name(c), obj.kind, lib.obj_name(obj), concat(", ", names)]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": delete_paths(c, paths),
	}
}

insecure := {n | some v in lib.config("insecureCapabilities"); n := lib.norm_cap(v)}

bad_capability_paths(c) := {x |
	some i, cap in lib.container_sc(c).capabilities.add
	n := lib.norm_cap(cap)
	n in insecure
	x := {"name": n, "path": concat("", [c.path, ".securityContext.capabilities.add[", format_int(i, 10), "]"])}
}

# Ephemeral containers cannot be edited in place, so nothing is offered for deletion.
delete_paths(c, _) := [] if lib.is_ephemeral(c)

delete_paths(c, paths) := paths if not lib.is_ephemeral(c)

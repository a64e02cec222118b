package kubescape.rules.non_root_containers

import rego.v1

import data.kubescape.lib

# A container runs as root unless its effective runAsNonRoot (container over pod) is true
# or its effective runAsUser is a non-zero UID. Its primary group is root unless
# the effective runAsGroup is a non-zero GID. Each container is one alert; the fix is
# written on the container's own securityContext.
deny contains alert if {
	some obj in input.objects
	t := lib.pod_template(obj)
	some c in lib.all_containers(obj)
	problems := user_problems(t, c) | group_problems(t, c)
	count(problems) > 0
	alert := {
		"message": sprintf("container %s in %s %s may run as root (user or group)", [lib.container_name(c), obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": fix_paths(c, problems),
	}
}

# Ephemeral containers cannot be edited in place, so no fix is offered for them.
fix_paths(c, _) := [] if lib.is_ephemeral(c)

fix_paths(c, problems) := [{"path": concat("", [c.path, ".securityContext.", p.field]), "value": p.value} |
	some p in problems
] if {
	not lib.is_ephemeral(c)
}

# With runAsNonRoot true the kubelet refuses to start the container as UID 0, so the user
# check passes whatever runAsUser says.
user_problems(t, c) := set() if {
	run_as_non_root(t, c)
} else := {{"field": "runAsUser", "value": "1000"}} if {
	runs_as_uid_zero(t, c)
} else := {{"field": "runAsNonRoot", "value": "true"}} if {
	not non_zero_uid(t, c)
} else := set()

group_problems(t, c) := {{"field": "runAsGroup", "value": "1000"}} if {
	not non_zero_gid(t, c)
} else := set()

runs_as_uid_zero(t, c) if {
	uid := lib.effective_sc(t, c, "runAsUser")
	is_number(uid)
	uid == 0
}

non_zero_uid(t, c) if {
	uid := lib.effective_sc(t, c, "runAsUser")
	is_number(uid)
	uid > 0
}

non_zero_gid(t, c) if {
	gid := lib.effective_sc(t, c, "runAsGroup")
	is_number(gid)
	gid > 0
}

run_as_non_root(t, c) if lib.effective_sc(t, c, "runAsNonRoot") == true

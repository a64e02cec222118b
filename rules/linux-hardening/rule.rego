package kubescape.rules.linux_hardening

import rego.v1

import data.kubescape.lib

# Every regular and init container must run under a seccomp profile: its own, or the pod's
# when it sets none (a container's profile overrides the pod's). Since the reference change
# of 2026-04-30, SELinux options, AppArmor and dropped capabilities no longer stand in for
# seccomp. One alert per container without a profile, fixed by setting the container's.
# Deliberate difference (rules/DIFFERENCES.md): an Unconfined profile is no profile here.
# Ephemeral containers are not checked: they cannot be edited in place.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	t := lib.pod_template(obj)
	some c in lib.pod_containers(obj)
	not confined(t, c)
	alert := {
		"message": concat("", ["container ", lib.container_name(c), " in ", obj.kind, " ", lib.obj_name(obj), " runs without a seccomp profile"]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": [{"path": concat("", [c.path, ".securityContext.seccompProfile"]), "value": "YOUR_VALUE"}],
	}
}

default confined(_, _) := false

# The container's own profile decides when it sets one.
confined(_, c) if {
	p := lib.container_sc(c).seccompProfile
	is_object(p)
	confining(p)
}

confined(t, c) if {
	not has_profile(lib.container_sc(c))
	confining(lib.pod_sc(t).seccompProfile)
}

default has_profile(_) := false

has_profile(sc) if is_object(sc.seccompProfile)

# confining(p): a {type} profile that is not Unconfined (any other type, e.g. RuntimeDefault
# or Localhost, restricts system calls).
confining(p) if {
	is_object(p)
	type := p.type
	is_string(type)
	type != ""
	lower(type) != "unconfined"
}

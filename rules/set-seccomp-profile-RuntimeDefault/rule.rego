package kubescape.rules.set_seccomp_profile_RuntimeDefault

import rego.v1

import data.kubescape.lib

# Every container must run with the RuntimeDefault seccomp profile, set on the container
# or inherited from the pod's securityContext. A container-level setting overrides the
# pod-level one.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	t := lib.pod_template(obj)
	some c in lib.containers(obj)
	f := finding(t, c)
	alert := object.union(
		{
			"message": sprintf("%s %s: container %s does not use the RuntimeDefault seccomp profile", [obj.kind, lib.obj_name(obj), lib.container_name(c)]),
			"objects": [lib.ref(obj)],
		},
		f,
	)
}

# The container sets a profile type other than RuntimeDefault.
finding(_, c) := {"failedPaths": [p], "reviewPaths": [p]} if {
	type := c.container.securityContext.seccompProfile.type
	type != "RuntimeDefault"
	p := concat("", [c.path, ".securityContext.seccompProfile.type"])
}

# The container sets nothing and the pod sets another type.
finding(t, c) := {"failedPaths": [p], "reviewPaths": [p]} if {
	not container_type_set(c.container)
	type := t.spec.securityContext.seccompProfile.type
	type != "RuntimeDefault"
	p := concat("", [t.path, ".securityContext.seccompProfile.type"])
}

# Neither sets a profile.
finding(t, c) := {"fixPaths": [{"path": concat("", [c.path, ".securityContext.seccompProfile.type"]), "value": "RuntimeDefault"}]} if {
	not container_type_set(c.container)
	not pod_type_set(t)
}

default container_type_set(_) := false

container_type_set(container) if _ = container.securityContext.seccompProfile.type

default pod_type_set(_) := false

pod_type_set(t) if _ = t.spec.securityContext.seccompProfile.type

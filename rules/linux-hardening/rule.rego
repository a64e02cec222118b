package kubescape.rules.linux_hardening

import rego.v1

import data.kubescape.lib

# A container is hardened when at least one Linux security mechanism restricts it:
# a seccomp profile (other than Unconfined), SELinux options, an AppArmor profile (other
# than unconfined) - each set on the container or inherited from the pod - or dropped
# capabilities. One alert per container with none of them.
deny contains alert if {
	some obj in input.objects
	t := lib.pod_template(obj)
	some c in lib.all_containers(obj)
	not hardened(t, c)
	alert := {
		"message": sprintf("container %s in %s %s has no seccomp, SELinux or AppArmor profile and drops no capabilities", [lib.ga_container_name(c), obj.kind, lib.ga_obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": fix_paths(c),
	}
}

# Ephemeral containers cannot be edited in place, so no fix is offered for them.
fix_paths(c) := [] if lib.ga_is_ephemeral(c)

fix_paths(c) := [{"path": concat("", [c.path, ".securityContext.seccompProfile"]), "value": "YOUR_VALUE"}] if {
	not lib.ga_is_ephemeral(c)
}

security_contexts(t, c) := [lib.ga_sc(c), lib.ga_pod_sc(t)]

hardened(t, c) if {
	some sc in security_contexts(t, c)
	confining_profile(sc.seccompProfile, "unconfined")
}

hardened(t, c) if {
	some sc in security_contexts(t, c)
	confining_profile(sc.appArmorProfile, "unconfined")
}

hardened(t, c) if {
	some sc in security_contexts(t, c)
	is_object(sc.seLinuxOptions)
	count(sc.seLinuxOptions) > 0
}

hardened(_, c) if {
	drop := lib.ga_sc(c).capabilities.drop
	is_array(drop)
	count(drop) > 0
}

# AppArmor through the (pre-1.30) annotation on the pod template.
hardened(t, c) if {
	name := c.container.name
	is_string(name)
	annotations := t.metadata.annotations
	is_object(annotations)
	value := annotations[concat("", ["container.apparmor.security.beta.kubernetes.io/", name])]
	is_string(value)
	value != ""
	value != "unconfined"
}

# confining_profile(p, off): a {type: ...} profile whose type is not the "off" type.
confining_profile(p, off) if {
	is_object(p)
	type := p.type
	is_string(type)
	type != ""
	lower(type) != off
}

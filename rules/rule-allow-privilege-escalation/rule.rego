package kubescape.rules.rule_allow_privilege_escalation

import rego.v1

import data.kubescape.lib

# A container can gain more privileges than its process started with (setuid binaries,
# file capabilities) unless allowPrivilegeEscalation is explicitly false, and a privileged
# container can always escalate. The fix sets both fields on the container.
deny contains alert if {
	some obj in input.objects
	lib.pod_template(obj)
	some c in lib.all_containers(obj)
	may_escalate(c)
	alert := {
		"message": sprintf("container %s in %s %s allows privilege escalation", [lib.container_name(c), obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": fix_paths(c),
	}
}

# A PodSecurityPolicy lets pods escalate unless allowPrivilegeEscalation is false
# (an absent field defaults to true).
deny contains alert if {
	some obj in input.objects
	obj.kind == "PodSecurityPolicy"
	is_object(obj.spec)
	not psp_denies_escalation(obj)
	alert := {
		"message": sprintf("PodSecurityPolicy %s allows privilege escalation", [lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": psp_failed_paths(obj),
		"fixPaths": [{"path": "spec.allowPrivilegeEscalation", "value": "false"}],
	}
}

may_escalate(c) if not escalation_disabled(c)

may_escalate(c) if privileged(c)

escalation_disabled(c) if lib.container_sc(c).allowPrivilegeEscalation == false

privileged(c) if lib.container_sc(c).privileged == true

# Ephemeral containers cannot be edited in place, so no fix is offered for them.
fix_paths(c) := [] if lib.is_ephemeral(c)

fix_paths(c) := [
	{"path": concat("", [c.path, ".securityContext.allowPrivilegeEscalation"]), "value": "false"},
	{"path": concat("", [c.path, ".securityContext.privileged"]), "value": "false"},
] if {
	not lib.is_ephemeral(c)
}

psp_denies_escalation(obj) if obj.spec.allowPrivilegeEscalation == false

psp_failed_paths(obj) := ["spec.allowPrivilegeEscalation"] if {
	_ = obj.spec.allowPrivilegeEscalation
} else := []

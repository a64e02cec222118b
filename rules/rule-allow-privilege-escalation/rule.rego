package kubescape.rules.rule_allow_privilege_escalation

import rego.v1

import data.kubescape.lib

# A container can gain more privileges than its process started with (setuid binaries,
# file capabilities) unless allowPrivilegeEscalation is explicitly false, and a privileged
# container can always escalate. The fix sets both fields on the container.
# PodSecurityPolicies are never findings themselves (as the reference decides). The
# reference also clears every container when all PodSecurityPolicies of the input deny
# escalation; here each workload is decided on its own (rules/DIFFERENCES.md).
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	lib.pod_template(obj)
	some c in lib.all_containers(obj)
	may_escalate(c)
	alert := {
		"message": concat("", ["container ", lib.container_name(c), " in ", obj.kind, " ", lib.obj_name(obj), " allows privilege escalation"]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": fix_paths(c),
	}
}

default may_escalate(_) := false

may_escalate(c) if not escalation_disabled(c)

may_escalate(c) if privileged(c)

default escalation_disabled(_) := false

escalation_disabled(c) if lib.container_sc(c).allowPrivilegeEscalation == false

default privileged(_) := false

privileged(c) if lib.container_sc(c).privileged == true

# Ephemeral containers cannot be edited in place, so no fix is offered for them.
fix_paths(c) := [] if lib.is_ephemeral(c)

fix_paths(c) := [
	{"path": concat("", [c.path, ".securityContext.allowPrivilegeEscalation"]), "value": "false"},
	{"path": concat("", [c.path, ".securityContext.privileged"]), "value": "false"},
] if {
	not lib.is_ephemeral(c)
}

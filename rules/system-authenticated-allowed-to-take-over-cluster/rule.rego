package kubescape.rules.system_authenticated_allowed_to_take_over_cluster

import rego.v1

import data.kubescape.lib

# The group system:authenticated (every user and service account with valid credentials)
# bound to a role that allows taking over the cluster: running or changing workloads,
# reading secrets, exec/attach, the kubelet API through nodes/proxy, minting tokens,
# impersonation, bind or escalate (lib.rbac_takeover_specs).
deny contains alert if {
	some g in lib.rbac_grants
	some s in lib.rbac_subjects(g.binding)
	s.kind == "Group"
	s.name == "system:authenticated"
	rule_paths := lib.rbac_role_paths(g.role, lib.rbac_takeover_specs)
	count(rule_paths) > 0
	alert := lib.rbac_subject_alert(g, s, rule_paths, "take over the cluster")
}

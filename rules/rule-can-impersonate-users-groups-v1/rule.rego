package kubescape.rules.rule_can_impersonate_users_groups_v1

import rego.v1

import data.kubescape.lib

# Subjects that hold the impersonate verb on users, groups, service accounts or user uids.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["users", "groups", "serviceaccounts"], ["impersonate"]),
	lib.rbac_spec(["authentication.k8s.io"], ["uids"], ["impersonate"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "impersonate users, groups or service accounts")
}

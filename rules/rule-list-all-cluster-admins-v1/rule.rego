package kubescape.rules.rule_list_all_cluster_admins_v1

import rego.v1

import data.kubescape.lib

# Subjects whose role grants every verb on every resource (wildcard verbs and resources).
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_admin_specs[0],
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "do anything (every verb on every resource)")
}

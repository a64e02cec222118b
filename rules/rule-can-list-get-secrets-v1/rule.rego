package kubescape.rules.rule_can_list_get_secrets_v1

import rego.v1

import data.kubescape.lib

# Subjects that may read secrets: get, list and watch all return secret data.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["secrets"], ["get", "list", "watch"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "read secrets (get, list or watch)")
}

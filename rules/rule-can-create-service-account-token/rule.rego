package kubescape.rules.rule_can_create_service_account_token

import rego.v1

import data.kubescape.lib

# Subjects that may create serviceaccounts/token, i.e. mint tokens for service accounts.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["serviceaccounts/token"], ["create"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "create service account tokens")
}

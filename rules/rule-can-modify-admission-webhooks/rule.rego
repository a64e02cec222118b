package kubescape.rules.rule_can_modify_admission_webhooks

import rego.v1

import data.kubescape.lib

# Subjects that may create, update, patch or delete validating or mutating webhook configurations.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec(["admissionregistration.k8s.io"], ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"], ["create", "update", "patch", "delete", "deletecollection"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "create, change or delete admission webhook configurations")
}

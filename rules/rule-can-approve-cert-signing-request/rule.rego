package kubescape.rules.rule_can_approve_cert_signing_request

import rego.v1

import data.kubescape.lib

# Subjects that may update certificatesigningrequests/approval.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec(["certificates.k8s.io"], ["certificatesigningrequests/approval"], ["update"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "approve certificate signing requests")
}

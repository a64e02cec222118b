package kubescape.rules.rule_can_update_configmap_v1

import rego.v1

import data.kubescape.lib

# Subjects that may update or patch configmaps, which includes the CoreDNS configuration in kube-system when the grant reaches it.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["configmaps"], ["update", "patch"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "modify configmaps (such as the CoreDNS configuration)")
}

package kubescape.rules.rule_can_create_pv

import rego.v1

import data.kubescape.lib

# Subjects that may create PersistentVolumes (which can point at host paths).
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["persistentvolumes"], ["create"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "create persistent volumes")
}

package kubescape.rules.rule_excessive_delete_rights_v1

import rego.v1

import data.kubescape.lib

# Subjects that may delete workloads, pods, services, secrets, configuration, storage or namespaces.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["pods", "services", "secrets", "configmaps", "persistentvolumes", "persistentvolumeclaims", "namespaces", "serviceaccounts", "nodes", "replicationcontrollers"], ["delete", "deletecollection"]),
	lib.rbac_spec(["apps", "extensions"], ["deployments", "daemonsets", "statefulsets", "replicasets"], ["delete", "deletecollection"]),
	lib.rbac_spec(["batch"], ["jobs", "cronjobs"], ["delete", "deletecollection"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "delete workloads, storage or configuration")
}

package kubescape.rules.rule_excessive_delete_rights_v1

import rego.v1

import data.kubescape.lib

# Subjects that may delete the resources an attacker would remove to disrupt the cluster or
# cover tracks: pods, services, secrets and the workload controllers (the reference's list).
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["pods", "services", "secrets"], ["delete", "deletecollection"]),
	lib.rbac_spec(["apps"], ["deployments", "daemonsets", "statefulsets", "replicasets"], ["delete", "deletecollection"]),
	lib.rbac_spec(["batch"], ["jobs", "cronjobs"], ["delete", "deletecollection"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "delete pods, services, secrets or workloads")
}

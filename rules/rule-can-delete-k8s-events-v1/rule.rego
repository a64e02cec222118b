package kubescape.rules.rule_can_delete_k8s_events_v1

import rego.v1

import data.kubescape.lib

# Subjects that may delete Kubernetes events (core or events.k8s.io).
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec(["", "events.k8s.io"], ["events"], ["delete", "deletecollection"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "delete events")
}

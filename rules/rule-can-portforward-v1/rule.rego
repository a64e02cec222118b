package kubescape.rules.rule_can_portforward_v1

import rego.v1

import data.kubescape.lib

# Subjects that may open tunnels to any port of a pod: create on pods/portforward, or get,
# which is enough once the request is a WebSocket upgrade.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["pods/portforward"], ["create", "get"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "forward ports into pods (create or get pods/portforward)")
}

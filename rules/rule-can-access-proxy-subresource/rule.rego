package kubescape.rules.rule_can_access_proxy_subresource

import rego.v1

import data.kubescape.lib

# Subjects that may get, create or connect to nodes/proxy and so reach the kubelet API of every node.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["nodes/proxy"], ["get", "create", "connect"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "use the kubelet API through nodes/proxy")
}

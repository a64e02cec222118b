package kubescape.rules.exec_into_container_v1

import rego.v1

import data.kubescape.lib

# Subjects that may create pods/exec, i.e. run commands inside running containers.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["pods/exec"], ["create"]),
]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(specs, "run commands in containers (create pods/exec)")
}

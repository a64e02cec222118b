package kubescape.rules.rule_can_update_configmap_v1

import rego.v1

import data.kubescape.lib

# Subjects that may update or patch configmaps, which includes the CoreDNS configuration in kube-system when the grant reaches it.
# One alert per subject of every RoleBinding or ClusterRoleBinding whose role grants it;
# wildcards ("*" in apiGroups, resources or verbs, "x/*" subresources) count.
specs := [
	lib.rbac_spec([""], ["configmaps"], ["update", "patch"]),
]

# A role rule limited by resourceNames counts only when the names include "coredns" (the
# CoreDNS configuration this check is about); other rules are blanked out so that the rule
# indexes in the paths stay those of the role as written.
coredns_view(role) := object.union(role, {"rules": [kept(r) | some r in role.rules]}) if is_array(role.rules)

kept(r) := r if {
	not limited(r)
} else := r if {
	"coredns" in r.resourceNames
} else := {}

default limited(_) := false

limited(r) if {
	is_array(r.resourceNames)
	count(r.resourceNames) > 0
}

deny contains alert if {
	some g in lib.rbac_grants
	rule_paths := lib.rbac_role_paths(coredns_view(g.role), specs)
	count(rule_paths) > 0
	some s in lib.rbac_subjects(g.binding)
	alert := lib.rbac_subject_alert(g, s, rule_paths, "modify configmaps (such as the CoreDNS configuration)")
}

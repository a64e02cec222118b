package kubescape.rules.cluster_admin_role

import rego.v1

import data.kubescape.lib

# Subjects bound cluster-wide (ClusterRoleBinding) to the cluster-admin ClusterRole.
# A RoleBinding to cluster-admin only grants it inside one namespace and is not reported.
# The paths name the subject and roleRef (remove the subject or the binding) and the
# wildcard rule items of the role.
deny contains alert if {
	some g in lib.rbac_grants
	g.binding.kind == "ClusterRoleBinding"
	g.role.kind == "ClusterRole"
	lib.meta_name(g.role) == "cluster-admin"
	rule_paths := lib.rbac_role_paths(g.role, lib.rbac_admin_specs)
	some s in lib.rbac_subjects(g.binding)
	paths := array.concat([p | some p in rule_paths], lib.rbac_subject_paths(s))
	alert := {
		"message": sprintf("%s %s is bound to cluster-admin across the cluster by ClusterRoleBinding %s", [s.kind, s.name, lib.meta_name(g.binding)]),
		"objects": [s.ref],
		"relatedObjects": [lib.ref(g.binding), lib.ref(g.role)],
		"failedPaths": paths,
		"reviewPaths": [],
		"deletePaths": paths,
		"fixPaths": [],
	}
}

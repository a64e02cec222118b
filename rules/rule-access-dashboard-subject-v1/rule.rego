package kubescape.rules.rule_access_dashboard_subject_v1

import rego.v1

import data.kubescape.lib

# Subjects other than the dashboard's own account bound to the role of the Kubernetes
# dashboard ("kubernetes-dashboard"), which lets them act with the dashboard's permissions.
deny contains alert if {
	some g in lib.rbac_grants
	lib.meta_name(g.role) == "kubernetes-dashboard"
	some s in lib.rbac_subjects(g.binding)
	s.name != "kubernetes-dashboard"
	alert := lib.rbac_subject_alert(g, s, set(), "use the Kubernetes dashboard role")
}

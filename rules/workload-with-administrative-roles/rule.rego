package kubescape.rules.workload_with_administrative_roles

import rego.v1

import data.kubescape.lib

# Workloads that mount the token of a service account bound to an administrative role:
# every verb on every resource (wildcard verbs and resources).
# One alert per workload and binding; related objects: service account, binding, role.
deny contains alert if {
	some alert in lib.rbac_workload_alerts(lib.rbac_admin_specs, "do anything (every verb on every resource)")
}

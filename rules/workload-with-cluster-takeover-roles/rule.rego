package kubescape.rules.workload_with_cluster_takeover_roles

import rego.v1

import data.kubescape.lib

# Workloads that mount the token of a service account bound to a role that allows taking
# over the cluster (lib.rbac_takeover_specs: running or changing workloads, reading
# secrets, exec/attach, nodes/proxy, minting tokens, impersonation, bind, escalate).
# One alert per workload and binding; related objects: service account, binding, role.
deny contains alert if {
	some alert in lib.rbac_workload_alerts(lib.rbac_takeover_specs, "take over the cluster")
}

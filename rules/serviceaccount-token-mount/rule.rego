package kubescape.rules.serviceaccount_token_mount

import rego.v1

import data.kubescape.lib

# Workloads that mount the token of a service account that some RoleBinding or
# ClusterRoleBinding gives a role (whether or not the role is in the input). The token is
# mounted when the pod spec sets automountServiceAccountToken: true, or leaves it unset and
# the ServiceAccount does not set it to false. An explicit true is the failed path;
# otherwise the fix is to set it to false.
deny contains alert if {
	sa_bindings := lib.rbac_sa_bindings
	firsts := group_firsts
	some w in lib.rbac_workloads
	lib.rbac_token_mounted(w.obj, w.t)
	ns := lib.namespace(w.obj)
	sa := lib.rbac_workload_sa(w.t)

	# the bindings naming the account, then the first binding to a group it belongs to
	direct := [x.binding | some x in sa_bindings[lib.index_key([ns, sa])]]
	via_group := [min(g) | g := {i | some k in ["*", ns]; i := firsts[k]}; count(g) > 0]
	positions := array.concat(direct, via_group)
	count(positions) > 0
	binding := lib.rbac_bindings[positions[0]]
	path := concat("", [w.t.path, ".automountServiceAccountToken"])
	paths := paths_of(w.t, path)
	alert := {
		"message": concat("", [w.obj.kind, " ", lib.meta_name(w.obj), " mounts the token of service account ", sa, ", which ", binding.kind, " ", lib.meta_name(binding), " binds to a role"]),
		"objects": [lib.ref(w.obj)],
		"relatedObjects": [lib.rbac_sa_ref(ns, sa)],
		"failedPaths": paths.failed,
		"reviewPaths": paths.failed,
		"fixPaths": paths.fix,
	}
}

# group_firsts: for the groups every service account belongs to, the position in
# lib.rbac_bindings of the first binding naming one: "*" for all authenticated users or all
# service accounts, a namespace for all service accounts of it (system:serviceaccounts:<ns>).
# Found once per evaluation: a list of these bindings per workload was quadratic (400 bindings
# to system:authenticated made each workload build a list of 400 objects).
group_firsts[k] := min(positions) if some k, positions in group_positions

# group_positions[key]: the positions of the bindings naming a group of that key, gathered in
# one pass over the bindings (not one pass per key: 2,000 namespace groups would be quadratic).
group_positions[k] contains i if {
	some i, b in lib.rbac_bindings
	some s in lib.rbac_subjects(b)
	s.kind == "Group"
	k := group_key(s.name)
}

group_key(name) := "*" if name in {"system:authenticated", "system:serviceaccounts"}

group_key(name) := trim_prefix(name, "system:serviceaccounts:") if {
	startswith(name, "system:serviceaccounts:")
	name != "system:serviceaccounts:"
}

paths_of(t, path) := {"failed": [path], "fix": []} if {
	t.spec.automountServiceAccountToken == true
} else := {"failed": [], "fix": [{"path": path, "value": "false"}]}

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
	some w in lib.rbac_workloads
	lib.rbac_token_mounted(w.obj, w.t)
	ns := lib.namespace(w.obj)
	sa := lib.rbac_workload_sa(w.t)
	bindings := array.concat([lib.rbac_bindings[x.binding] | some x in sa_bindings[lib.index_key([ns, sa])]], group_bindings(ns))
	count(bindings) > 0
	path := concat("", [w.t.path, ".automountServiceAccountToken"])
	paths := paths_of(w.t, path)
	alert := {
		"message": concat("", [w.obj.kind, " ", lib.meta_name(w.obj), " mounts the token of service account ", sa, ", which ", bindings[0].kind, " ", lib.meta_name(bindings[0]), " binds to a role"]),
		"objects": [lib.ref(w.obj)],
		"relatedObjects": [lib.rbac_sa_ref(ns, sa)],
		"failedPaths": paths.failed,
		"reviewPaths": paths.failed,
		"fixPaths": paths.fix,
	}
}

# group_bindings(ns): the bindings whose subjects include a group every service account of
# namespace ns belongs to (all authenticated users, all service accounts, or all service
# accounts of ns): they give the account their role as surely as naming it. Looked up in
# sa_group_bindings, so each workload scans only the few bindings to such groups.
group_bindings(ns) := [x.binding |
	some x in sa_group_bindings
	x.group in {"system:authenticated", "system:serviceaccounts", concat("", ["system:serviceaccounts:", ns])}
]

# sa_group_bindings: each binding with a subject that is a service-account group, with that
# group, found once per evaluation (a function per workload over every binding was quadratic).
sa_group_bindings := [{"binding": b, "group": s.name} |
	some b in lib.rbac_bindings
	some s in lib.rbac_subjects(b)
	s.kind == "Group"
	sa_group(s.name)
]

sa_group(name) if name in {"system:authenticated", "system:serviceaccounts"}

sa_group(name) if startswith(name, "system:serviceaccounts:")

paths_of(t, path) := {"failed": [path], "fix": []} if {
	t.spec.automountServiceAccountToken == true
} else := {"failed": [], "fix": [{"path": path, "value": "false"}]}

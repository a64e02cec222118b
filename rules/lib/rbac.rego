# Helpers shared by the RBAC rules: index Roles and ClusterRoles, resolve each binding's
# roleRef, expand binding subjects, and match role rules against wanted permissions.
# Names start with rbac_ to stay out of the way of other helper files.
#
# Conventions of the subject-based alerts:
#   objects        [the subject] written literally (User, Group or ServiceAccount)
#   relatedObjects [binding, role] (lib.ref of each)
#   paths          relatedObjects[0].subjects[i], relatedObjects[0].roleRef.name and
#                  relatedObjects[1].rules[j].{apiGroups,resources,verbs}[k] of every
#                  rule item that grants the permission.
package kubescape.lib

import rego.v1

rbac_binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

rbac_role_kinds := {"Role", "ClusterRole"}

rbac_subject_kinds := {"User", "Group", "ServiceAccount"}

# rbac_role_index[key]: the positions in input.objects of the Roles and ClusterRoles by
# kind/namespace/name. A ClusterRole is cluster-wide: its key ignores any namespace it may
# carry. Lookups go through rbac_roles (the whole value, built once per evaluation). The
# indexes of this file hold positions, not objects: a set hashes every member it holds,
# and hashing whole objects was a third of a large evaluation.
rbac_roles := rbac_role_index

rbac_role_index[k] contains i if {
	some i, role in input.objects
	is_object(role)
	rbac_role_kinds[role.kind]
	name := role.metadata.name
	is_string(name)
	k := rbac_role_key(role.kind, namespace(role), name)
}

rbac_role_key("Role", ns, name) := index_key(["Role", ns, name])

rbac_role_key("ClusterRole", _, name) := index_key(["ClusterRole", "", name])

# rbac_ref_key(binding): key of the role a binding refers to. A RoleBinding may refer to a
# Role of its own namespace or to a ClusterRole; a ClusterRoleBinding only to a ClusterRole.
rbac_ref_key(b) := k if {
	b.kind == "RoleBinding"
	b.roleRef.kind == "Role"
	n := b.roleRef.name
	is_string(n)
	k := rbac_role_key("Role", namespace(b), n)
}

rbac_ref_key(b) := k if {
	rbac_binding_kinds[b.kind]
	b.roleRef.kind == "ClusterRole"
	n := b.roleRef.name
	is_string(n)
	k := rbac_role_key("ClusterRole", "", n)
}

# rbac_bindings: every RoleBinding and ClusterRoleBinding of the input, in input order.
rbac_bindings := [b |
	some b in input.objects
	is_object(b)
	rbac_binding_kinds[b.kind]
]

# rbac_grants: each {binding, role} pair where the binding's roleRef names a role of the input.
rbac_grants := [{"binding": b, "role": input.objects[i]} |
	roles := rbac_roles
	some b in rbac_bindings
	some i in roles[rbac_ref_key(b)]
]

# rbac_subjects(binding): the well-formed subjects of a binding as
# {index, kind, name, namespace, ref}. A ServiceAccount without a namespace in a
# RoleBinding lives in the binding's namespace (as the API server resolves it).
rbac_subjects(b) := {s |
	some i, subj in b.subjects
	is_object(subj)
	kind := subj.kind
	rbac_subject_kinds[kind]
	name := subj.name
	is_string(name)
	ns := rbac_subject_namespace(b, subj)
	s := {
		"index": i,
		"kind": kind,
		"name": name,
		"namespace": ns,
		"ref": {"apiVersion": rbac_subject_api_version(kind), "kind": kind, "name": name, "namespace": ns},
	}
}

rbac_subject_api_version("ServiceAccount") := "v1"

rbac_subject_api_version(kind) := "rbac.authorization.k8s.io/v1" if kind != "ServiceAccount"

rbac_subject_namespace(b, subj) := ns if {
	subj.kind == "ServiceAccount"
	ns := subj.namespace
	is_string(ns)
	ns != ""
} else := namespace(b) if {
	subj.kind == "ServiceAccount"
	b.kind == "RoleBinding"
} else := ""

# rbac_subject_paths(s): the binding paths that name subject s and the role.
rbac_subject_paths(s) := [concat("", ["relatedObjects[0].subjects[", format_int(s.index, 10), "]"]), "relatedObjects[0].roleRef.name"]

# --- matching role rules -------------------------------------------------------------
# A spec is {"apiGroups": {...}, "resources": {...}, "verbs": {...}}: the concrete
# permission(s) looked for. A rule item matches when it equals a wanted value or is a
# wildcard covering it ("*"; for resources also "x/*" and "*/sub").

rbac_group_ok("*", _)

rbac_group_ok(g, spec) if {
	is_string(g)
	spec.apiGroups[g]
}

rbac_verb_ok("*", _)

rbac_verb_ok(v, spec) if {
	is_string(v)
	spec.verbs[v]
}

rbac_resource_ok("*", _)

rbac_resource_ok(r, spec) if {
	is_string(r)
	spec.resources[r]
}

rbac_resource_ok(r, spec) if {
	is_string(r)
	endswith(r, "/*")
	prefix := trim_suffix(r, "*")
	some w in spec.resources
	startswith(w, prefix)
}

rbac_resource_ok(r, spec) if {
	is_string(r)
	startswith(r, "*/")
	suffix := trim_prefix(r, "*")
	some w in spec.resources
	endswith(w, suffix)
}

# rbac_role_paths(role, specs): the paths of every rule item of role that takes part in
# granting a permission of some spec in specs (empty when the role grants none). Each
# rule is first tested against the specs (cheap); paths are built only for the specs it
# grants, once per item.
rbac_role_paths(role, specs) := {p |
	is_array(role.rules)
	some j, rule in role.rules
	is_object(rule)
	granted := [spec | some spec in specs; rbac_rule_grants(rule, spec)]
	count(granted) > 0
	some p in rbac_rule_paths(j, rule, granted)
}

rbac_rule_paths(j, rule, granted) := array.concat(array.concat(gs, rs), vs) if {
	gs := [rbac_item_path(j, "].apiGroups[", k) | some k, g in rule.apiGroups; rbac_any_group_ok(g, granted)]
	rs := [rbac_item_path(j, "].resources[", k) | some k, r in rule.resources; rbac_any_resource_ok(r, granted)]
	vs := [rbac_item_path(j, "].verbs[", k) | some k, v in rule.verbs; rbac_any_verb_ok(v, granted)]
}

rbac_any_group_ok(g, specs) if {
	some spec in specs
	rbac_group_ok(g, spec)
}

rbac_any_resource_ok(r, specs) if {
	some spec in specs
	rbac_resource_ok(r, spec)
}

rbac_any_verb_ok(v, specs) if {
	some spec in specs
	rbac_verb_ok(v, spec)
}

# rbac_item_path(j, field, k): "relatedObjects[1].rules[j].<field>[k]" (concat and
# format_int run inside WebAssembly; sprintf would call out to the SDK every time).
rbac_item_path(j, field, k) := concat("", ["relatedObjects[1].rules[", format_int(j, 10), field, format_int(k, 10), "]"])

# rbac_role_grants(role, specs): role has a rule granting a permission of some spec.
rbac_role_grants(role, specs) if {
	some rule in role.rules
	is_object(rule)
	some spec in specs
	rbac_rule_grants(rule, spec)
}

# rbac_rule_grants(rule, spec): one rule grants a permission of spec (its apiGroups,
# resources and verbs each hold a matching item).
rbac_rule_grants(rule, spec) if {
	some g in rule.apiGroups
	rbac_group_ok(g, spec)
	some r in rule.resources
	rbac_resource_ok(r, spec)
	some v in rule.verbs
	rbac_verb_ok(v, spec)
}

# rbac_spec(groups, resources, verbs) builds a spec from three arrays.
rbac_spec(groups, resources, verbs) := {
	"apiGroups": {g | some g in groups},
	"resources": {r | some r in resources},
	"verbs": {v | some v in verbs},
}

# --- alerts ---------------------------------------------------------------------------

# rbac_subject_alert(g, s, rule_paths, what): an alert on subject s of grant g (binding
# and role) that can do `what`; rule_paths are the role paths that grant it.
rbac_subject_alert(g, s, rule_paths, what) := {
	"message": concat(" ", [s.kind, s.name, "can", what, "through", g.binding.kind, meta_name(g.binding), "bound to", g.role.kind, meta_name(g.role)]),
	"objects": [s.ref],
	"relatedObjects": [ref(g.binding), ref(g.role)],
	"failedPaths": paths,
	"reviewPaths": paths,
	"deletePaths": [],
	"fixPaths": [],
} if {
	paths := array.concat([p | some p in rule_paths], rbac_subject_paths(s))
}

# rbac_subject_alerts(specs, what): one alert per subject of every binding whose role
# grants a permission of specs.
rbac_subject_alerts(specs, what) := {a |
	some g in rbac_grants
	rule_paths := rbac_role_paths(g.role, specs)
	count(rule_paths) > 0
	some s in rbac_subjects(g.binding)
	a := rbac_subject_alert(g, s, rule_paths, what)
}

# --- permission sets used by several rules --------------------------------------------

# Full wildcard access: every verb on every resource (of the core group or of all groups).
rbac_admin_specs := [rbac_spec([""], ["*"], ["*"])]

# Permissions that let a subject take over the cluster: run or change workloads (and so
# run code as any service account of the namespace), read secrets, run commands in
# containers or on nodes through the kubelet, mint tokens, impersonate, and grant
# itself more rights.
rbac_takeover_specs := [
	rbac_spec([""], ["pods", "replicationcontrollers"], ["create", "update", "patch"]),
	rbac_spec(["apps", "extensions"], ["deployments", "daemonsets", "statefulsets", "replicasets"], ["create", "update", "patch"]),
	rbac_spec(["batch"], ["jobs", "cronjobs"], ["create", "update", "patch"]),
	rbac_spec([""], ["secrets"], ["get", "list", "watch"]),
	rbac_spec([""], ["pods/exec", "pods/attach"], ["create"]),
	rbac_spec([""], ["nodes/proxy"], ["get", "create"]),
	rbac_spec([""], ["serviceaccounts/token"], ["create"]),
	rbac_spec([""], ["users", "groups", "serviceaccounts"], ["impersonate"]),
	rbac_spec(["rbac.authorization.k8s.io"], ["roles", "clusterroles"], ["bind", "escalate"]),
]

# --- workloads and their service accounts ---------------------------------------------

# rbac_workload_sa(t): the service account a pod template runs as.
rbac_workload_sa(t) := name if {
	name := t.spec.serviceAccountName
	is_string(name)
	name != ""
} else := name if {
	name := t.spec.serviceAccount
	is_string(name)
	name != ""
} else := "default"

# rbac_service_account_index[index_key(ns, name)]: the ServiceAccounts of the input.
rbac_service_accounts := rbac_service_account_index

rbac_service_account_index[k] contains i if {
	some i, sa in input.objects
	is_object(sa)
	sa.kind == "ServiceAccount"
	name := sa.metadata.name
	is_string(name)
	k := index_key([namespace(sa), name])
}

# rbac_sa_ref(ns, name): the ServiceAccount object as related object (lib.ref when it is
# in the input, written literally otherwise).
rbac_sa_ref(ns, name) := r if {
	sas := rbac_service_accounts
	refs := [ref(input.objects[i]) | some i in sas[index_key([ns, name])]]
	count(refs) > 0
	r := refs[0]
} else := {"apiVersion": "v1", "kind": "ServiceAccount", "name": name, "namespace": ns}

# rbac_token_mounted(obj, t): the pods of workload obj (template t) get their service
# account token: the pod spec says so, or leaves it unset and the ServiceAccount (when in
# the input) does not set automountServiceAccountToken: false.
rbac_token_mounted(_, t) if t.spec.automountServiceAccountToken == true

rbac_token_mounted(obj, t) if {
	not rbac_pod_sets_automount(t)
	not rbac_sa_disables_automount(obj, t)
}

rbac_pod_sets_automount(t) if is_boolean(t.spec.automountServiceAccountToken)

rbac_sa_disables_automount(obj, t) if {
	sas := rbac_service_accounts
	some i in sas[index_key([namespace(obj), rbac_workload_sa(t)])]
	input.objects[i].automountServiceAccountToken == false
}

# rbac_sa_bindings[index_key(ns, name)]: {binding, index} for every binding subject that is a
# ServiceAccount (whether or not the bound role is in the input); binding is its position in
# rbac_bindings.
rbac_sa_bindings := rbac_sa_binding_index

rbac_sa_binding_index[k] contains {"binding": i, "index": s.index} if {
	some i, b in rbac_bindings
	some s in rbac_subjects(b)
	s.kind == "ServiceAccount"
	k := index_key([s.namespace, s.name])
}

# rbac_workloads: every input object that runs pods, with its pod template.
rbac_workloads := [{"obj": obj, "t": t} |
	some obj in input.objects
	is_object(obj)
	workload_kinds[obj.kind]
	t := pod_template(obj)
]

# rbac_workloads_by_sa[index_key(ns, sa)]: {obj, t} of the workloads running as that account.
rbac_workloads_by_sa := {k: ws |
	some k, positions in rbac_workload_sa_index
	ws := [w | some i in positions; w := rbac_workloads[i]]
}

rbac_workload_sa_index[k] contains i if {
	some i, w in rbac_workloads
	k := index_key([namespace(w.obj), rbac_workload_sa(w.t)])
}

# rbac_workload_alerts(specs, what): one alert per workload that mounts its service account
# token while one or more bindings give that account a role granting a permission of specs.
# relatedObjects are [service account, binding, role, binding, role, …]. Grants are grouped
# by service account once, so the cost does not grow with workloads × bindings.
rbac_workload_alerts(specs, what) := {a |
	wl := rbac_workloads_by_sa
	pairs := [p |
		some g in rbac_grants
		rbac_role_grants(g.role, specs)
		some s in rbac_subjects(g.binding)
		s.kind == "ServiceAccount"
		p := {"key": index_key([s.namespace, s.name]), "ns": s.namespace, "name": s.name, "g": g}
	]
	keys := {p.key | some p in pairs}
	some key in keys
	ws := wl[key]
	mine := [p | some p in pairs; p.key == key]
	first := mine[0]
	related := array.concat([rbac_sa_ref(first.ns, first.name)], [r | some p in mine; some r in [ref(p.g.binding), ref(p.g.role)]])
	via := concat("", [concat(" ", [first.g.binding.kind, meta_name(first.g.binding), "bound to", first.g.role.kind, meta_name(first.g.role)]), rbac_more(count(mine) - 1)])
	some w in ws
	rbac_token_mounted(w.obj, w.t)
	a := {
		"message": concat(" ", [w.obj.kind, meta_name(w.obj), "mounts the token of service account", first.name, "which can", what, "through", via]),
		"objects": [ref(w.obj)],
		"relatedObjects": related,
		"failedPaths": [],
		"reviewPaths": [],
		"deletePaths": [],
		"fixPaths": [],
	}
}

rbac_more(0) := ""

rbac_more(n) := concat("", [" (and ", format_int(n, 10), " more)"]) if n > 0

# rbac_ref_text(binding): "Kind name" of the role a binding refers to, for messages.
rbac_ref_text(b) := concat(" ", [k, n]) if {
	k := b.roleRef.kind
	is_string(k)
	n := b.roleRef.name
	is_string(n)
} else := "an unnamed role"

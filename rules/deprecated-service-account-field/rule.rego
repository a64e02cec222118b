package kubescape.rules.deprecated_service_account_field

import rego.v1

import data.kubescape.lib

# spec.serviceAccount is the deprecated alias of spec.serviceAccountName.
deny contains alert if {
	some obj in input.objects
	obj.kind in lib.workload_kinds
	t := lib.pod_template(obj)
	sa := t.spec.serviceAccount
	is_string(sa)
	sa != ""
	not same_name(t.spec, sa)
	path := concat("", [t.path, ".serviceAccount"])
	alert := object.union(
		{
			"message": sprintf("%s %s uses the deprecated serviceAccount field; use serviceAccountName", [obj.kind, lib.obj_name(obj)]),
			"objects": [lib.ref(obj)],
			"failedPaths": [path],
			"deletePaths": [path],
		},
		fix(t, sa),
	)
}

# Both fields name the same account: the deprecated one is redundant, not misleading.
same_name(spec, sa) if spec.serviceAccountName == sa

# serviceAccountName unset: move the value there. When it is set to something else it
# wins, so only the stale deprecated field needs to go.
fix(t, sa) := {"fixPaths": [{"path": concat("", [t.path, ".serviceAccountName"]), "value": sa}]} if {
	not has_name(t.spec)
} else := {}

has_name(spec) if {
	n := spec.serviceAccountName
	is_string(n)
	n != ""
}

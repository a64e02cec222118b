package kubescape.rules.ensure_default_service_accounts_has_only_default_roles

import rego.v1

import data.kubescape.lib

# Bindings that give roles to a namespace's "default" service account, which every pod
# without its own service account runs as. Bindings that Kubernetes bootstraps itself
# (label kubernetes.io/bootstrapping: rbac-defaults) are left alone. One alert per such
# subject; removing the subject fixes it.
deny contains alert if {
	some b in input.objects
	is_object(b)
	b.kind in lib.rbac_binding_kinds
	not bootstrapped(b)
	some s in lib.rbac_subjects(b)
	s.kind == "ServiceAccount"
	s.name == "default"
	path := sprintf("subjects[%d]", [s.index])
	alert := {
		"message": sprintf("%s %s binds %s to the default service account of namespace %s", [b.kind, lib.meta_name(b), lib.rbac_ref_text(b), s.namespace]),
		"objects": [lib.ref(b)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

bootstrapped(b) if lib.labels(b.metadata)["kubernetes.io/bootstrapping"] == "rbac-defaults"

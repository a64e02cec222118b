package kubescape.rules.non_existent_service_account

import rego.v1

import data.kubescape.lib

service_accounts := lib.named_keys("ServiceAccount")

# service_account(t): the named service account and the field naming it; the deprecated
# serviceAccount field counts only when serviceAccountName is unset.
service_account(t) := {"name": n, "field": "serviceAccountName"} if {
	n := t.spec.serviceAccountName
	is_string(n)
	n != ""
} else := {"name": n, "field": "serviceAccount"} if {
	n := t.spec.serviceAccount
	is_string(n)
	n != ""
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind in lib.workload_kinds
	t := lib.pod_template(obj)
	sa := service_account(t)
	sa.name != "default" # created by Kubernetes in every namespace
	not service_accounts[lib.index_key([lib.namespace(obj), sa.name])]
	alert := {
		"message": sprintf("%s %s uses service account %s, which does not exist in namespace %s", [obj.kind, object.get(obj, ["metadata", "name"], ""), sa.name, lib.namespace(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [concat("", [t.path, ".", sa.field])],
	}
}

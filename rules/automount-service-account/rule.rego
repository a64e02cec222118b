package kubescape.rules.automount_service_account

import rego.v1

import data.kubescape.lib

# A workload gets its service account token mounted unless the pod spec sets
# automountServiceAccountToken: false, or leaves it unset and its ServiceAccount (same
# namespace; "default" when unnamed) sets it to false. ServiceAccounts that are not in the
# input count as unset. The fix sets the field to false on the pod spec.
deny contains alert if {
	some obj in input.objects
	t := lib.pod_template(obj)
	token_mounted(obj, t)
	path := concat("", [t.path, ".automountServiceAccountToken"])
	alert := {
		"message": sprintf("%s %s mounts the token of service account %s", [obj.kind, lib.obj_name(obj), service_account_name(t)]),
		"objects": [lib.ref(obj)],
		"failedPaths": failed_paths(t, path),
		"fixPaths": [{"path": path, "value": "false"}],
	}
}

token_mounted(_, t) if t.spec.automountServiceAccountToken == true

token_mounted(obj, t) if {
	not pod_sets_automount(t)
	not service_account_disables(obj, t)
}

pod_sets_automount(t) if is_boolean(t.spec.automountServiceAccountToken)

failed_paths(t, path) := [path] if {
	t.spec.automountServiceAccountToken == true
} else := []

service_account_disables(obj, t) if disabling_service_accounts[[lib.namespace(obj), service_account_name(t)]]

# disabling_service_accounts: [namespace, name] of every ServiceAccount in the input that
# sets automountServiceAccountToken: false (built once per evaluation).
disabling_service_accounts contains [lib.namespace(sa), name] if {
	some sa in input.objects
	sa.kind == "ServiceAccount"
	name := sa.metadata.name
	is_string(name)
	sa.automountServiceAccountToken == false
}

service_account_name(t) := name if {
	name := t.spec.serviceAccountName
	is_string(name)
	name != ""
} else := name if {
	name := t.spec.serviceAccount
	is_string(name)
	name != ""
} else := "default"

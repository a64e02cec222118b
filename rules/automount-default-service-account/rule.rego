# The default ServiceAccount of a namespace should not mount its API token into every pod
# that does not name a service account: automountServiceAccountToken must be false.
package kubescape.rules.automount_default_service_account

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some sa in input.objects
	is_default_sa(sa)
	sa.automountServiceAccountToken == true
	alert := {
		"message": sprintf("the default ServiceAccount of namespace %s mounts its token into pods", [lib.namespace(sa)]),
		"objects": [lib.ref(sa)],
		"failedPaths": ["automountServiceAccountToken"],
		"deletePaths": ["automountServiceAccountToken"],
	}
}

# Unset: tokens are mounted by default.
deny contains alert if {
	some sa in input.objects
	is_default_sa(sa)
	not has_automount(sa)
	alert := {
		"message": sprintf("the default ServiceAccount of namespace %s does not disable token automounting", [lib.namespace(sa)]),
		"objects": [lib.ref(sa)],
		"fixPaths": [{"path": "automountServiceAccountToken", "value": "false"}],
	}
}

is_default_sa(sa) if {
	is_object(sa)
	sa.kind == "ServiceAccount"
	sa.metadata.name == "default"
}

has_automount(sa) if _ = sa.automountServiceAccountToken

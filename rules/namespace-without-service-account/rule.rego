# A namespace without a service account of its own runs every pod as its default
# service account.
package kubescape.rules.namespace_without_service_account

import rego.v1

import data.kubescape.lib

# Namespaces holding a service account of their own (other than "default").
namespaces_with_sa contains ns if {
	some sa in input.objects
	is_object(sa)
	sa.kind == "ServiceAccount"
	name := sa.metadata.name
	is_string(name)
	name != "default"
	ns := lib.namespace(sa)
}

deny contains alert if {
	some ns in lib.adm_namespaces
	name := lib.meta_name(ns)
	not namespaces_with_sa[name]
	alert := {
		"message": sprintf("Namespace %s has no service account other than default, so its pods run as the default service account", [name]),
		"objects": [lib.ref(ns)],
	}
}

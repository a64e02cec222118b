# Lists every namespace for review of how the cluster's resources are divided into
# administrative boundaries.
package kubescape.rules.list_all_namespaces

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some ns in lib.adm_namespaces
	alert := {
		"message": sprintf("Namespace %s: review that namespaces separate the cluster's applications and teams", [lib.meta_name(ns)]),
		"objects": [lib.ref(ns)],
	}
}

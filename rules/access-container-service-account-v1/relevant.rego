# The rule judges the ServiceAccounts bound to a role of the input: those count in its
# control; the Roles and bindings, and User and Group subjects, do not.
package kubescape.rules.access_container_service_account_v1

import rego.v1

import data.kubescape.lib

relevant := [r |
	some r in lib.rel_rbac_subjects
	r.kind == "ServiceAccount"
]

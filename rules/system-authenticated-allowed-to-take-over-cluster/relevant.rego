# The rule judges the group of every authenticated user (system:authenticated) wherever a
# binding of the input names it: the Roles, bindings and other subjects do not count.
package kubescape.rules.system_authenticated_allowed_to_take_over_cluster

import rego.v1

import data.kubescape.lib

relevant := [r |
	some r in lib.rel_rbac_subjects
	r.kind == "Group"
	r.name == "system:authenticated"
]

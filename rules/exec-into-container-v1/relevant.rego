# The rule judges subjects (User, Group, ServiceAccount) of bindings whose role is in the
# input: those count in its controls, passed unless flagged; the Roles and bindings do not.
package kubescape.rules.exec_into_container_v1

import rego.v1

import data.kubescape.lib

relevant := lib.rel_rbac_subjects

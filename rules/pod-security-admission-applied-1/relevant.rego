# The rule judges Namespaces (whether Pod Security admission applies to them): admission
# webhooks are context, not counted in its control.
package kubescape.rules.pod_security_admission_applied_1

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Namespace"})

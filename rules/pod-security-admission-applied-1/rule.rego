# A namespace with no Pod Security enforce label, in a cluster with no admission webhook
# that can enforce pod policy (Gatekeeper, Kyverno, ...), has no policy control mechanism.
package kubescape.rules.pod_security_admission_applied_1

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some alert in lib.adm_policy_mechanism_alerts
}

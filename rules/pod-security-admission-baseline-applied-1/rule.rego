# Namespaces whose pod-security.kubernetes.io/enforce label does not enforce the baseline
# Pod Security Standard (or a stricter one) admit pods that break it.
package kubescape.rules.pod_security_admission_baseline_applied_1

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some alert in lib.adm_psa_level_alerts("baseline")
}

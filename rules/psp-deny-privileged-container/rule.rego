# Flags the PodSecurityPolicies that allow privileged containers (spec.privileged: true) when no
# PodSecurityPolicy denies it.
package kubescape.rules.psp_deny_privileged_container

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some alert in lib.adm_psp_alerts(lib.adm_psp_flag_true("privileged"), "privileged containers")
}

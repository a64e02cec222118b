# Flags the PodSecurityPolicies that allow sharing the host PID namespace (spec.hostPID: true) when no
# PodSecurityPolicy denies it.
package kubescape.rules.psp_deny_hostpid

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some alert in lib.adm_psp_alerts(lib.adm_psp_flag_true("hostPID"), "sharing the host PID namespace")
}

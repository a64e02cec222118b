# Flags the PodSecurityPolicies allowing privilege escalation when no PodSecurityPolicy
# denies it.
package kubescape.rules.psp_deny_allowprivilegeescalation

import rego.v1

import data.kubescape.lib

# allowPrivilegeEscalation defaults to true in a PodSecurityPolicy.
found contains [p, paths] if {
	some p in lib.adm_psps
	lib.adm_psp_spec(p).allowPrivilegeEscalation == true
	paths := {"failedPaths": ["spec.allowPrivilegeEscalation"], "deletePaths": ["spec.allowPrivilegeEscalation"]}
}

found contains [p, paths] if {
	some p in lib.adm_psps
	not has_field(lib.adm_psp_spec(p))
	paths := {"fixPaths": [{"path": "spec.allowPrivilegeEscalation", "value": "false"}]}
}

has_field(spec) if _ = spec.allowPrivilegeEscalation

deny contains alert if {
	some alert in lib.adm_psp_alerts(found, "privilege escalation")
}

# Flags the PodSecurityPolicies that let containers add capabilities (a non-empty
# spec.allowedCapabilities) when no PodSecurityPolicy denies it.
package kubescape.rules.psp_deny_allowed_capabilities

import rego.v1

import data.kubescape.lib

found contains [p, paths] if {
	some p in lib.adm_psps
	caps := lib.adm_psp_spec(p).allowedCapabilities
	is_array(caps)
	count(caps) > 0
	paths := {"failedPaths": ["spec.allowedCapabilities"], "deletePaths": ["spec.allowedCapabilities"]}
}

deny contains alert if {
	some alert in lib.adm_psp_alerts(found, "adding capabilities")
}

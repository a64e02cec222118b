# Flags the PodSecurityPolicies that do not force every capability to be dropped
# (requiredDropCapabilities without ALL) when no PodSecurityPolicy requires it.
package kubescape.rules.psp_required_drop_capabilities

import rego.v1

import data.kubescape.lib

found contains [p, paths] if {
	some p in lib.adm_psps
	not drops_all(lib.adm_psp_spec(p))
	paths := {"fixPaths": [{"path": sprintf("spec.requiredDropCapabilities[%d]", [drop_count(lib.adm_psp_spec(p))]), "value": "ALL"}]}
}

drops_all(spec) if {
	some c in spec.requiredDropCapabilities
	is_string(c)
	upper(c) == "ALL"
}

drop_count(spec) := count(spec.requiredDropCapabilities) if {
	is_array(spec.requiredDropCapabilities)
} else := 0

deny contains alert if {
	some alert in lib.adm_psp_alerts(found, "containers that keep their capabilities")
}

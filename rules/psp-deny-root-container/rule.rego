# Flags the PodSecurityPolicies letting containers run as root (runAsUser rule RunAsAny, or
# MustRunAs with a range including UID 0) when no PodSecurityPolicy denies it.
package kubescape.rules.psp_deny_root_container

import rego.v1

import data.kubescape.lib

found contains [p, paths] if {
	some p in lib.adm_psps
	allows_root(lib.adm_psp_spec(p).runAsUser)
	paths := {"failedPaths": ["spec.runAsUser.rule"], "deletePaths": ["spec.runAsUser.rule"]}
}

allows_root(rau) if rau.rule == "RunAsAny"

# MustRunAs with a UID range that includes 0.
allows_root(rau) if {
	rau.rule == "MustRunAs"
	some r in rau.ranges
	is_number(r.min)
	r.min <= 0
}

deny contains alert if {
	some alert in lib.adm_psp_alerts(found, "containers running as root")
}

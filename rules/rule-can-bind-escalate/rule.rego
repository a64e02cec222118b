package kubescape.rules.rule_can_bind_escalate

import rego.v1

import data.kubescape.lib

# Subjects that may bind roles they do not hold (bind) or give roles more rights than
# they hold (escalate). Each of the two verbs is reported on its own.
bind := [lib.rbac_spec(["rbac.authorization.k8s.io"], ["roles", "clusterroles"], ["bind"])]

escalate := [lib.rbac_spec(["rbac.authorization.k8s.io"], ["roles", "clusterroles"], ["escalate"])]

deny contains alert if {
	some alert in lib.rbac_subject_alerts(bind, "bind roles it does not hold (bind)")
}

deny contains alert if {
	some alert in lib.rbac_subject_alerts(escalate, "give roles more rights than it holds (escalate)")
}

# Controls that cannot be decided from objects and always need a person to review the
# cluster's setup (authentication methods, audit configuration, workload isolation).
# The rule raises one alert that names no object; scoring reports such controls as
# needing manual review rather than passed.
package kubescape.rules.rule_manual

import rego.v1

deny contains {
	"message": "this control needs a manual review of the cluster's configuration",
	"objects": [],
}

package kubescape.rules.rule_deny_cronjobs

import rego.v1

import data.kubescape.lib

# Every CronJob is reported: scheduled jobs are a common way to persist in a cluster,
# so each one deserves a review.
deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "CronJob"
	alert := {
		"message": sprintf("CronJob %s runs scheduled jobs; check that it is expected", [lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
	}
}

package kubescape.rules.label_usage_for_resources

import rego.v1

import data.kubescape.lib

# The workload (and its pod template) should carry at least one of the recommended labels.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	fixes := lib.missing_label_fixes(obj, lib.config("recommendedLabels"))
	count(fixes) > 0
	alert := {
		"message": sprintf("%s %s carries none of the recommended labels", [obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"fixPaths": fixes,
	}
}

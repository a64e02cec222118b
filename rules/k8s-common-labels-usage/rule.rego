package kubescape.rules.k8s_common_labels_usage

import rego.v1

import data.kubescape.lib

# The workload (and its pod template) should carry at least one of the Kubernetes
# recommended app.kubernetes.io/* labels.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	fixes := lib.missing_label_fixes(obj, lib.config("k8sRecommendedLabels"))
	count(fixes) > 0
	alert := {
		"message": sprintf("%s %s carries none of the Kubernetes common labels (app.kubernetes.io/...)", [obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"fixPaths": fixes,
	}
}

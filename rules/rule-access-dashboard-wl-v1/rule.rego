package kubescape.rules.rule_access_dashboard_wl_v1

import rego.v1

import data.kubescape.lib

# Workloads that run as the service account of the Kubernetes dashboard
# ("kubernetes-dashboard"): anything but the dashboard itself using it gets the
# dashboard's permissions.
deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind in lib.workload_kinds
	not dashboard_itself(obj)
	t := lib.pod_template(obj)
	field := sa_field(t)
	t.spec[field] == "kubernetes-dashboard"
	path := concat("", [t.path, ".", field])
	alert := {
		"message": sprintf("%s %s runs as the kubernetes-dashboard service account", [obj.kind, lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

# dashboard_itself(obj): the dashboard's own workloads (kubernetes-dashboard,
# kubernetes-dashboard-metrics-scraper, ...) are the ones meant to use the account.
default dashboard_itself(_) := false

dashboard_itself(obj) if {
	name := obj.metadata.name
	is_string(name)
	startswith(name, "kubernetes-dashboard")
}

# sa_field(t): the field that names the service account; the deprecated serviceAccount
# counts only when serviceAccountName is unset.
sa_field(t) := "serviceAccountName" if {
	n := t.spec.serviceAccountName
	is_string(n)
	n != ""
} else := "serviceAccount"

package kubescape.rules.exposed_sensitive_interfaces_v1

import rego.v1

import data.kubescape.lib

# The configured interface names (dashboards, CI servers, model servers...), lower case.
interfaces := {lower(trim_space(i)) |
	some i in lib.config("sensitiveInterfaces")
	is_string(i)
	trim_space(i) != ""
}

# The names that identify what a workload runs: its own name and its container names.
wl_names(wl) := {lower(n) | n := lib.meta_name(wl); n != ""} | {lower(n) |
	some c in lib.containers(wl)
	n := c.container.name
	is_string(n)
	n != ""
}

# The selector fields tying the workload to the Service (its pod labels for a bare Pod
# or a workload without a selector).
paths(wl) := ["spec.selector.matchLabels", "spec.selector"] if {
	wl.kind != "Pod"
	is_object(wl.spec.selector)
} else := [lib.net_pod_labels_path(wl)]

deny contains alert if {
	count(interfaces) > 0
	some svc in input.objects
	is_object(svc)
	svc.kind == "Service"
	lib.net_is_external_service(svc)
	some wl in lib.net_service_workloads(svc)
	wn := wl_names(wl)
	names := {i | some i in interfaces; some n in wn; contains(n, i)}
	count(names) > 0
	p := paths(wl)
	alert := {
		"message": sprintf("%s %s runs a sensitive interface (%s) exposed outside the cluster through %s Service %s", [wl.kind, lib.meta_name(wl), concat(", ", sort(names)), lib.net_service_type(svc), lib.meta_name(svc)]),
		"objects": [lib.ref(wl)],
		"relatedObjects": [lib.ref(svc)],
		"failedPaths": p,
		"reviewPaths": p,
	}
}

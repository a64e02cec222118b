package kubescape.rules.resources_memory_limit_and_request

import rego.v1

import data.kubescape.lib

# Every container sets a memory limit and request, each within the configured
# memory_limit_min/max and memory_request_min/max bounds (when configured).
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some f in lib.wl_resource_findings(obj, "memory")
	alert := lib.wl_resource_alert(obj, f, "memory")
}

package kubescape.rules.resources_cpu_limit_and_request

import rego.v1

import data.kubescape.lib

# Every container sets a CPU limit and request, each within the configured
# cpu_limit_min/max and cpu_request_min/max bounds (when configured).
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some f in lib.wl_resource_findings(obj, "cpu")
	alert := lib.wl_resource_alert(obj, f, "CPU")
}

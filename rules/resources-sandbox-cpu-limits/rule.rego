package kubescape.rules.resources_sandbox_cpu_limits

import rego.v1

import data.kubescape.lib

# The configured ceiling in cores (the smallest when several are given).
ceiling := min({q |
	some v in lib.config("sandbox_cpu_limit_max")
	q := lib.net_quantity(v)
})

deny contains alert if {
	some obj in input.objects
	some c in lib.net_sandbox_containers(obj, "containers")
	not lib.net_has_quantity(c.container, "cpu")
	alert := {
		"message": sprintf("SandboxTemplate %s: container %v sets no CPU limit", [lib.meta_name(obj), object.get(c.container, "name", "")]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": concat("", [c.path, ".resources.limits.cpu"]), "value": "YOUR_VALUE"}],
	}
}

deny contains alert if {
	some obj in input.objects
	some c in lib.net_sandbox_containers(obj, "containers")
	v := c.container.resources.limits.cpu
	q := lib.net_quantity(v)
	q > ceiling
	path := concat("", [c.path, ".resources.limits.cpu"])
	alert := {
		"message": sprintf("SandboxTemplate %s: container %v has a CPU limit of %v, above the allowed maximum", [lib.meta_name(obj), object.get(c.container, "name", ""), v]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"reviewPaths": [path],
	}
}

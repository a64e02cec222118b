package kubescape.rules.ensure_that_the_kube_proxy_metrics_service_is_bound_to_localhost

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	obj.kind == "ConfigMap"
	is_object(obj.data)
	some key, text in obj.data
	is_string(text)
	contains(text, "KubeProxyConfiguration")
	bad := {a | some a in metrics_bind_addresses(text); not local(a)}
	count(bad) > 0
	addr := concat(", ", sort([a | some a in bad]))
	path := sprintf("data[%s]", [key])
	msg := sprintf("kube-proxy configuration %s binds the metrics server to %s instead of localhost", [object.get(obj, ["metadata", "name"], ""), addr])
	alert := {
		"message": msg,
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"reviewPaths": [path],
		"deletePaths": [],
		"fixPaths": [],
	}
}

# The top-level metricsBindAddress of a KubeProxyConfiguration in YAML or JSON form.
metrics_bind_addresses(text) := {addr |
	some line in split(text, "\n")
	m := regex.find_all_string_submatch_n(`^\s*"?metricsBindAddress"?\s*:\s*['"]?([^'"\s,]*)['"]?`, line, 1)
	count(m) > 0
	addr := m[0][1]
	addr != ""
}

local_hosts := {"127.0.0.1", "localhost", "::1", "[::1]"}

# An empty host or a loopback host; the port is optional.
local(addr) if local_hosts[addr]

local(addr) if {
	regex.match(`^(127\.0\.0\.1|localhost|\[::1\]):[0-9]*$`, addr)
}

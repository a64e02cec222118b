package kubescape.rules.ensure_that_the_kube_proxy_metrics_service_is_bound_to_localhost

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	obj.kind == "ConfigMap"
	is_object(obj.data)
	some key, text in obj.data
	proxy_config_text(text)
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

proxy_config_text(text) if {
	is_string(text)
	contains(text, "KubeProxyConfiguration")
}

# holds_proxy_config(obj): a ConfigMap with a KubeProxyConfiguration in some data value
# (kubeadm keeps it under config.conf; other installers use other keys).
holds_proxy_config(obj) if {
	obj.kind == "ConfigMap"
	is_object(obj.data)
	some text in obj.data
	proxy_config_text(text)
}

# The metricsBindAddress of a KubeProxyConfiguration in YAML or JSON form: at the start of
# a line, or after "{" or "," so that JSON written on one line is read too.
metrics_bind_addresses(text) := {addr |
	some line in split(text, "\n")
	some m in regex.find_all_string_submatch_n(`(?:^|[{,])\s*"?metricsBindAddress"?\s*:\s*['"]?([^'"\s,}]*)`, line, -1)
	addr := m[1]
	addr != ""
}

local_hosts := {"127.0.0.1", "localhost", "::1", "[::1]"}

# An empty host or a loopback host; the port is optional.
local(addr) if local_hosts[addr]

local(addr) if {
	regex.match(`^(127\.0\.0\.1|localhost|\[::1\]):[0-9]*$`, addr)
}

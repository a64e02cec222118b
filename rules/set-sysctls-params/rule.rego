package kubescape.rules.set_sysctls_params

import rego.v1

import data.kubescape.lib

# Kernel parameters a pod sets (securityContext.sysctls) must be namespaced ones Kubernetes
# calls safe; any other name affects the node or other pods. Setting none passes.
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	t := lib.pod_template(obj)
	unsafe := [name |
		some s in t.spec.securityContext.sysctls
		name := s.name
		not safe[name]
	]
	count(unsafe) > 0
	path := concat("", [t.path, ".securityContext.sysctls"])
	alert := {
		"message": sprintf("%s %s sets sysctls outside the safe set: %s", [obj.kind, object.get(obj, ["metadata", "name"], ""), concat(", ", [sprintf("%v", [n]) | some n in unsafe])]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"fixPaths": [{"path": path, "value": "REMOVE_UNSAFE_SYSCTLS"}],
	}
}

# The sysctls the kubelet allows without --allowed-unsafe-sysctls (Kubernetes' safe set).
safe := {
	"kernel.shm_rmid_forced": true,
	"net.ipv4.ip_local_port_range": true,
	"net.ipv4.tcp_syncookies": true,
	"net.ipv4.ping_group_range": true,
	"net.ipv4.ip_unprivileged_port_start": true,
	"net.ipv4.ip_local_reserved_ports": true,
	"net.ipv4.tcp_keepalive_time": true,
	"net.ipv4.tcp_fin_timeout": true,
	"net.ipv4.tcp_keepalive_intvl": true,
	"net.ipv4.tcp_keepalive_probes": true,
	"net.ipv4.tcp_rmem": true,
	"net.ipv4.tcp_wmem": true,
}

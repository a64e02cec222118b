package kubescape.rules.outdated_k8s_version

import rego.v1

import data.kubescape.lib

# The oldest Kubernetes minor release still maintained upstream (the project maintains the
# three most recent minors: 1.33, 1.34 and 1.35 when this rule was written). Newer
# releases are never outdated.
oldest_supported := [1, 33, 0]

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Node"
	v := obj.status.nodeInfo.kubeletVersion
	version := lib.net_version(v)
	lib.net_version_lt(version, oldest_supported)
	alert := {
		"message": sprintf("Node %s runs kubelet %s, a Kubernetes release no longer maintained upstream (oldest maintained: 1.%d)", [lib.meta_name(obj), v, oldest_supported[1]]),
		"objects": [lib.ref(obj)],
		"reviewPaths": ["status.nodeInfo.kubeletVersion"],
	}
}

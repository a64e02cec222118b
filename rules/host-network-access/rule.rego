package kubescape.rules.host_network_access

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	t := lib.pod_template(obj)
	t.spec.hostNetwork == true
	path := concat("", [t.path, ".hostNetwork"])
	alert := {
		"message": sprintf("%s %s uses the host network namespace", [obj.kind, obj.metadata.name]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

package kubescape.rules.pods_in_default_namespace

import rego.v1

import data.kubescape.lib

# Explicitly placed in the default namespace.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	obj.metadata.namespace == "default"
	alert := {
		"message": sprintf("%s %s runs in the default namespace", [obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["metadata.namespace"],
		"reviewPaths": ["metadata.namespace"],
	}
}

# No namespace set: applied as is, it lands in the default namespace.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	not has_namespace(obj)
	alert := {
		"message": sprintf("%s %s sets no namespace and so runs in the default namespace", [obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": "metadata.namespace", "value": "YOUR_NAMESPACE"}],
	}
}

has_namespace(obj) if {
	ns := obj.metadata.namespace
	is_string(ns)
	ns != ""
}

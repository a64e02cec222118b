package kubescape.rules.dangling_networkpolicy

import rego.v1

import data.kubescape.lib

# A NetworkPolicy whose podSelector is not empty but selects the pods of no workload in
# its namespace protects nothing.
deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "NetworkPolicy"
	is_object(obj.spec)
	sel := object.get(obj.spec, "podSelector", {})
	lib.valid_selector(sel)
	not lib.empty_selector(sel)
	not lib.selects_in_ns(lib.namespace(obj), sel)
	alert := {
		"message": sprintf("NetworkPolicy %s selects no pods of any workload in namespace %s", [object.get(obj, ["metadata", "name"], ""), lib.namespace(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["spec.podSelector"],
	}
}

package kubescape.rules.service_with_no_workload

import rego.v1

import data.kubescape.lib

# A Service has backing pods when some workload in its namespace runs pods whose labels
# carry every key/value of the Service selector. Candidates come from the label index
# (namespace, one selector key/value), so Services are not compared with every workload.
has_workload(ns, sel) if {
	some k, v in sel
	is_string(v)
	some l in lib.label_index[lib.index_key([ns, k, v])]
	lib.map_selector_matches(sel, l)
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Service"
	is_object(obj.spec)
	object.get(obj.spec, "type", "ClusterIP") != "ExternalName"
	sel := obj.spec.selector
	is_object(sel)
	count(sel) > 0
	not has_workload(lib.namespace(obj), sel)
	alert := {
		"message": sprintf("Service %s selects no pods of any workload in namespace %s", [object.get(obj, ["metadata", "name"], ""), lib.namespace(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["spec.selector"],
	}
}

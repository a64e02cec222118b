# Helpers shared by the cross-object rules of group C (services, network policies,
# ingresses, routes, service accounts). Names start with gc_ to stay out of the way.
package kubescape.lib

import rego.v1

# gc_key(parts) joins identifying parts into one lookup key.
gc_key(parts) := concat("\u0000", parts)

# gc_pod_labels(obj): the labels the pods of a workload carry ({} when none).
gc_pod_labels(obj) := labels(t.metadata) if t := pod_template(obj)

# gc_workloads: every input object that runs pods.
gc_workloads contains obj if {
	some obj in input.objects
	is_object(obj)
	obj.kind in workload_kinds
	pod_template(obj)
}

# gc_workload_labels_by_ns[ns]: the pod label sets found in a namespace.
# Lookups go through the full value (gc_labels_by_ns), built once per evaluation, rather
# than the partial rule, which would rescan the input for every key looked up.
gc_labels_by_ns := gc_workload_labels_by_ns

gc_workload_labels_by_ns[ns] contains l if {
	some obj in gc_workloads
	ns := namespace(obj)
	l := gc_pod_labels(obj)
}

# gc_workload_label_index[key(ns, k, v)]: pod label sets in ns that carry k=v.
gc_label_index := gc_workload_label_index

gc_workload_label_index[k] contains l if {
	some obj in gc_workloads
	l := gc_pod_labels(obj)
	some lk, lv in l
	is_string(lv)
	k := gc_key([namespace(obj), lk, lv])
}

# gc_named_keys(kind): "ns\0name" keys of every input object of that kind.
gc_named_keys(kind) := {k |
	some obj in input.objects
	is_object(obj)
	obj.kind == kind
	name := obj.metadata.name
	is_string(name)
	k := gc_key([namespace(obj), name])
}

# gc_valid_selector(sel): a label selector whose parts have the right types.
gc_valid_selector(sel) if {
	is_object(sel)
	ml := object.get(sel, "matchLabels", {})
	gc_object_or_null(ml)
	me := object.get(sel, "matchExpressions", [])
	gc_array_or_null(me)
	every e in gc_array_or_empty(me) {
		is_object(e)
	}
}

gc_object_or_null(x) if is_object(x)

gc_object_or_null(x) if is_null(x)

gc_array_or_null(x) if is_array(x)

gc_array_or_null(x) if is_null(x)

# gc_empty_selector(sel): a label selector that selects everything.
gc_empty_selector(sel) if {
	is_object(sel)
	count(gc_object_or_empty(object.get(sel, "matchLabels", {}))) == 0
	count(gc_array_or_empty(object.get(sel, "matchExpressions", []))) == 0
}

gc_object_or_empty(x) := x if is_object(x)

else := {}

gc_array_or_empty(x) := x if is_array(x)

else := []

# gc_selects_in_ns(ns, sel): some workload in ns runs pods that sel selects.
# Uses the label index when matchLabels is set, so it is not a scan of the namespace.
gc_selects_in_ns(ns, sel) if {
	ml := gc_object_or_empty(object.get(sel, "matchLabels", {}))
	count(ml) > 0
	some k, v in ml
	is_string(v)
	some l in gc_label_index[gc_key([ns, k, v])]
	gc_selector_matches(sel, l)
}

gc_selects_in_ns(ns, sel) if {
	count(gc_object_or_empty(object.get(sel, "matchLabels", {}))) == 0
	some l in gc_labels_by_ns[ns]
	gc_selector_matches(sel, l)
}

# gc_normalized_selector(sel): sel with null parts replaced by empty ones.
gc_normalized_selector(sel) := {
	"matchLabels": gc_object_or_empty(object.get(sel, "matchLabels", {})),
	"matchExpressions": gc_array_or_empty(object.get(sel, "matchExpressions", [])),
}

# gc_selector_matches(sel, labels): Kubernetes label selector semantics, with NotIn
# also matching labels that lack the key. An empty selector matches everything.
gc_selector_matches(sel, lbls) if {
	s := gc_normalized_selector(sel)
	every k, v in s.matchLabels {
		lbls[k] == v
	}
	every e in s.matchExpressions {
		gc_expression_matches(e, lbls)
	}
}

gc_expression_matches(e, lbls) if {
	e.operator == "In"
	is_array(e.values)
	v := lbls[e.key]
	v in e.values
}

gc_expression_matches(e, lbls) if {
	e.operator == "NotIn"
	is_array(e.values)
	not gc_label_in(lbls, e.key, e.values)
}

gc_expression_matches(e, lbls) if {
	e.operator == "Exists"
	gc_has_label(lbls, e.key)
}

gc_expression_matches(e, lbls) if {
	e.operator == "DoesNotExist"
	not gc_has_label(lbls, e.key)
}

gc_label_in(lbls, k, values) if {
	v := lbls[k]
	v in values
}

gc_has_label(lbls, k) if k in object.keys(lbls)

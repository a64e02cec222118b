# Label selectors: Kubernetes semantics, null parts read as empty, wrong types never match.
package kubescape.lib

import rego.v1

# valid_selector(sel): a label selector whose parts have the right types.
valid_selector(sel) if {
	is_object(sel)
	ml := object.get(sel, "matchLabels", {})
	object_or_null(ml)
	me := object.get(sel, "matchExpressions", [])
	array_or_null(me)
	every e in array_or_empty(me) {
		is_object(e)
	}
}

# empty_selector(sel): a label selector that selects everything.
default empty_selector(_) := false

empty_selector(sel) if {
	is_object(sel)
	count(object_or_empty(object.get(sel, "matchLabels", {}))) == 0
	count(array_or_empty(object.get(sel, "matchExpressions", []))) == 0
}

# selects_in_ns(ns, sel): some workload in ns runs pods that sel selects.
# Uses the label index when matchLabels is set, so it is not a scan of the namespace.
selects_in_ns(ns, sel) if {
	ml := object_or_empty(object.get(sel, "matchLabels", {}))
	count(ml) > 0
	some k, v in ml
	is_string(v)
	some l in label_index[index_key([ns, k, v])]
	selector_matches(sel, l)
}

selects_in_ns(ns, sel) if {
	count(object_or_empty(object.get(sel, "matchLabels", {}))) == 0
	some l in labels_by_ns[ns]
	selector_matches(sel, l)
}

# normalized_selector(sel): sel with null parts replaced by empty ones.
normalized_selector(sel) := {
	"matchLabels": object_or_empty(object.get(sel, "matchLabels", {})),
	"matchExpressions": array_or_empty(object.get(sel, "matchExpressions", [])),
}

# selector_matches(sel, labels): Kubernetes label selector semantics, with NotIn
# also matching labels that lack the key. An empty selector matches everything.
selector_matches(sel, lbls) if {
	is_object(sel)
	s := normalized_selector(sel)
	every k, v in s.matchLabels {
		lbls[k] == v
	}
	every e in s.matchExpressions {
		expression_matches(e, lbls)
	}
}

expression_matches(e, lbls) if {
	e.operator == "In"
	is_array(e.values)
	v := lbls[e.key]
	v in e.values
}

expression_matches(e, lbls) if {
	e.operator == "NotIn"
	is_array(e.values)
	not label_in(lbls, e.key, e.values)
}

expression_matches(e, lbls) if {
	e.operator == "Exists"
	has_key(lbls, e.key)
}

expression_matches(e, lbls) if {
	e.operator == "DoesNotExist"
	not has_key(lbls, e.key)
}

label_in(lbls, k, values) if {
	v := lbls[k]
	v in values
}

# map_selector_matches: a plain map selector (Service, ReplicationController).
# An empty or absent map selects nothing.
map_selector_matches(sel, lbls) if {
	is_object(sel)
	count(sel) > 0
	every k, v in sel {
		lbls[k] == v
	}
}

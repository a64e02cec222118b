package kubescape.rules.mismatching_selector

import rego.v1

import data.kubescape.lib

label_selector_kinds := {"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job"}

# owner(obj): where the selector and the pod template live.
owner(obj) := {"spec": obj.spec, "path": "spec"} if {
	obj.kind in (label_selector_kinds | {"ReplicationController"})
	is_object(obj.spec)
}

owner(obj) := {"spec": s, "path": "spec.jobTemplate.spec"} if {
	obj.kind == "CronJob"
	s := obj.spec.jobTemplate.spec
	is_object(s)
}

template_labels(o) := lib.labels(m) if {
	m := o.spec.template.metadata
	is_object(m)
} else := {}

# Label selectors (apps/v1 workloads, Job, CronJob's job template).
failed_paths(obj, o) := paths if {
	obj.kind != "ReplicationController"
	sel := o.spec.selector
	lib.valid_selector(sel)
	labels := template_labels(o)
	ml := lib.object_or_empty(object.get(sel, "matchLabels", {}))
	me := lib.array_or_empty(object.get(sel, "matchExpressions", []))
	bad_labels := {concat("", [o.path, ".selector.matchLabels"]) |
		some k, v in ml
		not labels[k] == v
	}
	bad_exprs := {concat("", [o.path, ".selector.matchExpressions"]) |
		some e in me
		not lib.expression_matches(e, labels)
	}
	paths := sort(bad_labels | bad_exprs)
}

# ReplicationController: a plain map selector (absent or empty means the template labels).
failed_paths(obj, o) := ["spec.selector"] if {
	obj.kind == "ReplicationController"
	sel := o.spec.selector
	is_object(sel)
	count(sel) > 0
	not lib.map_selector_matches(sel, template_labels(o))
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	o := owner(obj)
	paths := failed_paths(obj, o)
	count(paths) > 0
	alert := {
		"message": sprintf("%s %s has a selector that does not match the labels of its own pod template", [obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
	}
}

# Shared helpers for every rule. Rules import this as `data.kubescape.lib`.
# Hot paths build strings with concat/format_int: sprintf is not native in WebAssembly and
# every call goes out to JavaScript.
package kubescape.lib

import rego.v1

# Kinds whose pod template lives at spec.template.
template_kinds := {"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "ReplicationController"}

workload_kinds := template_kinds | {"Pod", "CronJob"}

# pod_template(obj) is {"spec", "metadata", "path"} for any object that runs pods;
# path is the dotted path of the pod spec inside obj. Undefined for other kinds or
# for objects whose spec has the wrong shape.
pod_template(obj) := {"spec": obj.spec, "metadata": obj.metadata, "path": "spec"} if {
	obj.kind == "Pod"
	is_object(obj.spec)
}

pod_template(obj) := {"spec": obj.spec.template.spec, "metadata": object.get(obj.spec.template, "metadata", {}), "path": "spec.template.spec"} if {
	obj.kind in template_kinds
	is_object(obj.spec.template.spec)
}

pod_template(obj) := {"spec": t.spec, "metadata": object.get(t, "metadata", {}), "path": "spec.jobTemplate.spec.template.spec"} if {
	obj.kind == "CronJob"
	t := obj.spec.jobTemplate.spec.template
	is_object(t.spec)
}

# containers(obj): the regular containers of a workload, an array of
# {"container", "index", "path"} where path is e.g. "spec.template.spec.containers[0]".
# Arrays, not sets: a set would hash every container object on insertion.
containers(obj) := [x |
	t := pod_template(obj)
	some i, c in t.spec.containers
	is_object(c)
	x := {"container": c, "index": i, "path": concat("", [t.path, ".containers[", format_int(i, 10), "]"])}
]

# init_containers(obj): like containers(obj) for spec.initContainers.
init_containers(obj) := [x |
	t := pod_template(obj)
	some i, c in t.spec.initContainers
	is_object(c)
	x := {"container": c, "index": i, "path": concat("", [t.path, ".initContainers[", format_int(i, 10), "]"])}
]

# all_containers(obj): regular, init and ephemeral containers.
all_containers(obj) := array.concat(array.concat(containers(obj), init_containers(obj)), ephemeral_containers(obj))

ephemeral_containers(obj) := [x |
	t := pod_template(obj)
	some i, c in t.spec.ephemeralContainers
	is_object(c)
	x := {"container": c, "index": i, "path": concat("", [t.path, ".ephemeralContainers[", format_int(i, 10), "]"])}
]

# ref(obj) identifies an input object in an alert. __ksid is set by the engine.
ref(obj) := {
	"apiVersion": object.get(obj, "apiVersion", ""),
	"kind": object.get(obj, "kind", ""),
	"name": object.get(obj, ["metadata", "name"], ""),
	"namespace": object.get(obj, ["metadata", "namespace"], ""),
	"__ksid": object.get(obj, "__ksid", -1),
}

# namespace(obj) is the object's namespace, "default" when unset on a namespaced object.
namespace(obj) := ns if {
	ns := obj.metadata.namespace
	is_string(ns)
	ns != ""
} else := "default"

# config(key) is the configured list for a postureControlInputs key ([] when unset).
config(key) := v if {
	# set by the engine with policy.setData, not by a rule:
	# regal ignore:unresolved-reference
	v := data.postureControlInputs[key]
	is_array(v)
} else := []

# labels(meta) is a metadata's labels object ({} when absent or malformed).
labels(meta) := l if {
	l := meta.labels
	is_object(l)
} else := {}

# selector_matches(selector, labels) is true when a label selector
# ({matchLabels, matchExpressions}) selects the given labels.
# An empty selector matches everything.
selector_matches(selector, lbls) if {
	is_object(selector)
	every k, v in object.get(selector, "matchLabels", {}) {
		lbls[k] == v
	}
	every e in object.get(selector, "matchExpressions", []) {
		expression_matches(e, lbls)
	}
}

expression_matches(e, lbls) if {
	e.operator == "In"
	lbls[e.key] in e.values
}

# NotIn matches when the label is absent or has a value outside the list.
expression_matches(e, lbls) if {
	e.operator == "NotIn"
	not has_key(lbls, e.key)
}

expression_matches(e, lbls) if {
	e.operator == "NotIn"
	v := lbls[e.key]
	not v in e.values
}

expression_matches(e, lbls) if {
	e.operator == "Exists"
	_ = lbls[e.key]
}

expression_matches(e, lbls) if {
	e.operator == "DoesNotExist"
	not has_key(lbls, e.key)
}

has_key(o, k) if k in object.keys(o)

# map_selector_matches: a plain map selector (Service, ReplicationController).
# An empty or absent map selects nothing.
map_selector_matches(sel, lbls) if {
	is_object(sel)
	count(sel) > 0
	every k, v in sel {
		lbls[k] == v
	}
}

# Workloads: the objects that run pods, their pod templates and pod labels, the labels
# and resource settings checked on them.
package kubescape.lib

import rego.v1

# Kinds whose pod template lives at spec.template.
template_kinds := {"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "ReplicationController"}

workload_kinds := template_kinds | {"Pod", "CronJob"}

# The workload kinds most controls match (ReplicationController is not among them).
common_workload_kinds := {"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"}

default is_workload(_) := false

is_workload(obj) if {
	is_object(obj)
	common_workload_kinds[obj.kind]
}

# pod_template(obj) is {"spec", "metadata", "path"} for any object that runs pods;
# path is the dotted path of the pod spec inside obj. Undefined for other kinds or
# for objects whose spec has the wrong shape. For an input object (it carries the
# engine's __ksid) it is looked up in pod_template_index, made once per evaluation: most
# rules ask for it, so building it for every rule cost more than the lookup.
pod_template(obj) := pod_template_index[id] if {
	id := object.get(obj, "__ksid", -1)
	id != -1
} else := pod_template_of(obj)

pod_template_index := {id: t |
	some o in input.objects
	id := object.get(o, "__ksid", -1)
	t := pod_template_of(o)
}

pod_template_of(obj) := {"spec": obj.spec, "metadata": object.get(obj, "metadata", {}), "path": "spec"} if {
	obj.kind == "Pod"
	is_object(obj.spec)
}

pod_template_of(obj) := {"spec": obj.spec.template.spec, "metadata": object.get(obj.spec.template, "metadata", {}), "path": "spec.template.spec"} if {
	template_kinds[obj.kind]
	is_object(obj.spec.template.spec)
}

pod_template_of(obj) := {"spec": t.spec, "metadata": object.get(t, "metadata", {}), "path": "spec.jobTemplate.spec.template.spec"} if {
	obj.kind == "CronJob"
	t := obj.spec.jobTemplate.spec.template
	is_object(t.spec)
}

# pod_labels(obj): the labels the pods of a workload carry ({} when none).
pod_labels(obj) := labels(t.metadata) if t := pod_template(obj)

# workloads: every input object that runs pods.
workloads := [obj |
	some obj in input.objects
	is_object(obj)
	workload_kinds[obj.kind]
	pod_template(obj)
]

# workload_labels_by_ns[ns]: the pod label sets found in a namespace.
# Lookups go through the full value (labels_by_ns), built once per evaluation, rather
# than the partial rule, which would rescan the input for every key looked up.
labels_by_ns := workload_labels_by_ns

workload_labels_by_ns[ns] contains l if {
	some obj in workloads
	ns := namespace(obj)
	l := pod_labels(obj)
}

# workload_label_index[index_key(ns, k, v)]: pod label sets in ns that carry k=v.
label_index := workload_label_index

workload_label_index[k] contains l if {
	some obj in workloads
	l := pod_labels(obj)
	some lk, lv in l
	is_string(lv)
	k := index_key([namespace(obj), lk, lv])
}

# named_keys(kind): "ns\0name" keys of every input object of that kind.
named_keys(kind) := {k |
	some obj in input.objects
	is_object(obj)
	obj.kind == kind
	name := obj.metadata.name
	is_string(name)
	k := index_key([namespace(obj), name])
}

# label_locations(obj): the metadata objects whose labels describe a workload,
# as {"meta", "path"} (path of the metadata, e.g. "spec.template.metadata").
label_locations(obj) := {{"meta": object.get(obj, "metadata", {}), "path": "metadata"}} if {
	obj.kind == "Pod"
} else := {
	{"meta": object.get(obj, "metadata", {}), "path": "metadata"},
	{"meta": object.get(obj.spec.template, "metadata", {}), "path": "spec.template.metadata"},
} if {
	template_kinds[obj.kind]
	is_object(obj.spec.template)
} else := {
	{"meta": object.get(obj, "metadata", {}), "path": "metadata"},
	{"meta": object.get(obj.spec.jobTemplate.spec.template, "metadata", {}), "path": "spec.jobTemplate.spec.template.metadata"},
} if {
	obj.kind == "CronJob"
	is_object(obj.spec.jobTemplate.spec.template)
} else := {{"meta": object.get(obj, "metadata", {}), "path": "metadata"}} if {
	workload_kinds[obj.kind]
}

# missing_label_fixes(obj, wanted): fix paths for every label location that carries
# none of the wanted labels (any location fails when the list is empty).
missing_label_fixes(obj, wanted) := [fix |
	some loc in label_locations(obj)
	not has_any_label(loc.meta, wanted)
	fix := {"path": concat("", [loc.path, ".labels[", first_label(wanted), "]"]), "value": "YOUR_VALUE"}
]

has_any_label(meta, wanted) if {
	lbls := labels(meta)
	some w in wanted
	is_string(w)
	_ = lbls[w]
}

first_label(wanted) := w if {
	count(wanted) > 0
	w := wanted[0]
	is_string(w)
} else := "YOUR_LABEL"

# Resources (C-0268..C-0271)

# missing_resource(obj, section, resource): containers whose resources.<section>.<resource>
# is not set, as {"container", "path"} where path is the field to set.
missing_resource(obj, section, resource) := [x |
	some c in containers(obj)
	not quantity_set(c.container, section, resource)
	x := {"container": c, "path": concat("", [c.path, ".resources.", section, ".", resource])}
]

quantity_set(container, section, resource) if {
	q := container.resources[section][resource]
	nonempty_quantity(q)
}

nonempty_quantity(q) if {
	is_string(q)
	trim_space(q) != ""
}

nonempty_quantity(q) if is_number(q)

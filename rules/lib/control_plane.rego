# Helpers for control-plane component rules (kube-apiserver, kube-controller-manager,
# kube-scheduler, etcd): finding the component's container in a Pod and reading its
# command-line flags. Every name starts with cp_.
#
# A container is described as {"container", "index", "path"} (like containers(obj)).
# A flag occurrence is
#   {"name", "value", "has_value", "style", "tokens", "tok", "width", "path", "value_path"}
# where style is "eq" (--name=value), "inline" (--name value inside one element),
# "next" (--name followed by a separate value element) or "bare" (--name alone);
# path is the command/args element holding the flag, tokens the whitespace-separated
# parts of that element and tok the index of the flag among them.
package kubescape.lib

import rego.v1

cp_split_ws(s) := [t |
	some t in split(replace(replace(replace(s, "\t", " "), "\n", " "), "\r", " "), " ")
	t != ""
]

# cp_binary(c): the program a container runs (basename of the first command word).
cp_binary(c) := b if {
	is_array(c.command)
	first := c.command[0]
	is_string(first)
	words := cp_split_ws(first)
	count(words) > 0
	parts := split(words[0], "/")
	b := parts[count(parts) - 1]
}

cp_has_binary(c) if {
	_ = cp_binary(c)
}

cp_labels(obj) := l if {
	l := obj.metadata.labels
	is_object(l)
} else := {}

# cp_pod_is(obj, comp): the Pod is a control-plane component Pod: labelled
# component=<comp>, or a kube-system Pod whose container runs the <comp> binary.
cp_pod_is(obj, comp) if {
	cp_labels(obj).component == comp
}

cp_pod_is(obj, comp) if {
	namespace(obj) == "kube-system"
	some c in obj.spec.containers
	is_object(c)
	cp_binary(c) == comp
}

cp_container_runs(c, comp) if {
	cp_binary(c) == comp
}

cp_container_runs(c, comp) if {
	c.name == comp
	not cp_has_binary(c)
}

# cp_containers(obj, comp): the containers of a component Pod that run comp.
cp_containers(obj, comp) := {x |
	obj.kind == "Pod"
	cp_pod_is(obj, comp)
	some i, c in obj.spec.containers
	is_object(c)
	cp_container_runs(c, comp)
	x := {"container": c, "index": i, "path": sprintf("spec.containers[%d]", [i])}
}

cp_apiserver(obj) := cp_containers(obj, "kube-apiserver")

cp_controller_manager(obj) := cp_containers(obj, "kube-controller-manager")

cp_scheduler(obj) := cp_containers(obj, "kube-scheduler")

cp_etcd(obj) := cp_containers(obj, "etcd")

# cp_elements(ct): every string element of command and args, split into words.
cp_elements(ct) := {e |
	some field in ["command", "args"]
	arr := ct.container[field]
	is_array(arr)
	some j, s in arr
	is_string(s)
	e := {"field": field, "index": j, "tokens": cp_split_ws(s), "path": concat("", [ct.path, ".", field, "[", format_int(j, 10), "]"])}
}

# cp_flags(ct): every flag occurrence in a container's command and args.
cp_flags(ct) := {o |
	some e in cp_elements(ct)
	some k, t in e.tokens
	startswith(t, "-")
	o := cp_occurrence(ct, e, k, t)
}

cp_occurrence(ct, e, k, t) := o if {
	contains(t, "=")
	i := indexof(t, "=")
	o := cp_occ(e, k, trim_left(substring(t, 0, i), "-"), substring(t, i + 1, -1), true, "eq", 1, "")
} else := o if {
	nxt := e.tokens[k + 1]
	not startswith(nxt, "-")
	o := cp_occ(e, k, trim_left(t, "-"), nxt, true, "inline", 2, "")
} else := o if {
	k == count(e.tokens) - 1
	s := ct.container[e.field][e.index + 1]
	is_string(s)
	words := cp_split_ws(s)
	count(words) == 1
	not startswith(words[0], "-")
	vpath := concat("", [ct.path, ".", e.field, "[", format_int(e.index + 1, 10), "]"])
	o := cp_occ(e, k, trim_left(t, "-"), words[0], true, "next", 1, vpath)
} else := cp_occ(e, k, trim_left(t, "-"), "", false, "bare", 1, "")

cp_occ(e, k, name, value, has_value, style, width, vpath) := {
	"name": name,
	"value": value,
	"has_value": has_value,
	"style": style,
	"tokens": e.tokens,
	"tok": k,
	"width": width,
	"path": e.path,
	"value_path": vpath,
}

# cp_flag(ct, name): the occurrences of flag --name.
cp_flag(ct, name) := {o |
	some o in cp_flags(ct)
	o.name == name
}

cp_has_flag(ct, name) if {
	some o in cp_flags(ct)
	o.name == name
}

# cp_has_nonempty(ct, name): --name is given a non-empty value.
cp_has_nonempty(ct, name) if {
	some o in cp_flags(ct)
	o.name == name
	o.has_value
	o.value != ""
}

# cp_value(o): the flag's value; a bare flag counts as "true" (boolean flags).
cp_value(o) := o.value if o.has_value

else := "true"

# cp_is_true / cp_is_false: boolean flag values as Go's strconv.ParseBool reads them.
cp_true_values := {"true", "1", "t", "T", "TRUE", "True"}

cp_false_values := {"false", "0", "f", "F", "FALSE", "False"}

cp_is_true(o) if cp_value(o) in cp_true_values

cp_is_false(o) if cp_value(o) in cp_false_values

# cp_list(o): a comma-separated flag value as a list of non-empty items.
cp_list(o) := [x |
	some raw in split(o.value, ",")
	x := trim_space(raw)
	x != ""
]

cp_list_contains(o, item) if {
	some x in cp_list(o)
	x == item
}

# cp_flag_lists(ct, name, item): some occurrence of --name lists item.
cp_flag_lists(ct, name, item) if {
	some o in cp_flag(ct, name)
	cp_list_contains(o, item)
}

cp_join(tokens) := concat(" ", tokens)

# cp_replaced(o, new): the element of o with the flag (and its inline value) replaced
# by the words in new.
cp_replaced(o, new) := cp_join(array.concat(
	array.concat(array.slice(o.tokens, 0, o.tok), new),
	array.slice(o.tokens, o.tok + o.width, count(o.tokens)),
))

# cp_set_fix(o, v): the fixPath entry that sets flag o to value v.
cp_set_fix(o, v) := {"path": o.value_path, "value": v} if {
	o.style == "next"
} else := {"path": o.path, "value": cp_replaced(o, [sprintf("--%s=%s", [o.name, v])])}

# cp_remove_fix(o): the fixPath entry that drops flag o from an element that holds
# other words as well; undefined when the flag is alone in its element.
cp_remove_fix(o) := {"path": o.path, "value": v} if {
	o.style != "next"
	v := cp_replaced(o, [])
	v != ""
}

# cp_append_path(ct, k): where the k-th (0-based) new flag goes: after the last
# args element when the container has args, else after the last command element.
cp_append_path(ct, k) := concat("", [ct.path, ".args[", format_int(count(ct.container.args) + k, 10), "]"]) if {
	is_array(ct.container.args)
	count(ct.container.args) > 0
} else := concat("", [ct.path, ".command[", format_int(count(ct.container.command) + k, 10), "]"]) if {
	is_array(ct.container.command)
} else := concat("", [ct.path, ".args[", format_int(k, 10), "]"])

# cp_missing_fixes(ct, pairs): for [[name, value], ...] the fixPaths that add every
# flag the container lacks, at consecutive new positions.
cp_missing_fixes(ct, pairs) := [fx |
	missing := [p |
		some p in pairs
		not cp_has_nonempty(ct, p[0])
	]
	some k, p in missing
	fx := {"path": cp_append_path(ct, k), "value": sprintf("--%s=%s", [p[0], p[1]])}
]

# cp_alert(obj, msg, failed, fixes): the usual alert shape of these rules; the failed
# paths are also the review paths.
cp_alert(obj, msg, failed, fixes) := {
	"message": msg,
	"objects": [ref(obj)],
	"failedPaths": failed,
	"reviewPaths": failed,
	"deletePaths": [],
	"fixPaths": fixes,
}

cp_paths(occs) := sort([o.path | some o in occs])

# ---- Check templates. Each returns {"failed": [paths], "fixes": [fixPaths]} when the
# container fails the check and is undefined when it passes.

# cp_require(ct, name, want, goods, absent_ok): every --name must have a value in goods
# (fix: set it to want); when the flag is absent the container fails unless absent_ok
# (fix: add --name=want).
cp_require(ct, name, want, goods, absent_ok) := r if {
	bad := {o | some o in cp_flag(ct, name); not cp_value(o) in goods}
	count(bad) > 0
	r := {"failed": cp_paths(bad), "fixes": [cp_set_fix(o, want) | some o in bad]}
} else := r if {
	not absent_ok
	not cp_has_flag(ct, name)
	r := {"failed": [], "fixes": cp_missing_fixes(ct, [[name, want]])}
}

# cp_require_files(ct, pairs): every flag of [[name, placeholder], ...] must be set.
cp_require_files(ct, pairs) := r if {
	fixes := cp_missing_fixes(ct, pairs)
	count(fixes) > 0
	r := {"failed": [], "fixes": fixes}
}

# cp_forbid(ct, name): --name must not be given (fix: drop it from a shared element).
cp_forbid(ct, name) := r if {
	occs := cp_flag(ct, name)
	count(occs) > 0
	r := {"failed": cp_paths(occs), "fixes": [f | some o in occs; f := cp_remove_fix(o)]}
}

# cp_review(ct, name, placeholder): --name must be chosen by a person: set → flagged for
# review, unset → flagged with a fix that adds it.
cp_review(ct, name, _) := r if {
	occs := cp_flag(ct, name)
	count(occs) > 0
	r := {"failed": cp_paths(occs), "fixes": []}
}

cp_review(ct, name, placeholder) := r if {
	not cp_has_flag(ct, name)
	p := cp_append_path(ct, 0)
	r := {"failed": [p], "fixes": [{"path": p, "value": sprintf("--%s=%s", [name, placeholder])}]}
}

# cp_list_flags(ct, names): occurrences of any of the (alias) flag names.
cp_list_flags(ct, names) := {o |
	some o in cp_flags(ct)
	o.name in names
}

# cp_list_require(ct, names, item, accepted): some --names[i] must list an item of
# accepted (fix: append item to the list, or add --names[0]=item).
cp_list_require(ct, names, item, accepted) := r if {
	occs := cp_list_flags(ct, names)
	count(occs) > 0
	not cp_lists_any(occs, accepted)
	r := {"failed": cp_paths(occs), "fixes": [cp_set_fix(o, concat(",", array.concat(cp_list(o), [item]))) | some o in occs]}
} else := r if {
	count(cp_list_flags(ct, names)) == 0
	r := {"failed": [], "fixes": [{"path": cp_append_path(ct, 0), "value": sprintf("--%s=%s", [names[0], item])}]}
}

cp_lists_any(occs, accepted) if {
	some o in occs
	some x in cp_list(o)
	x in accepted
}

# cp_list_forbid(ct, names, item, fallback): no --names[i] may list item (fix: drop it;
# when nothing is left, use fallback unless it is "").
cp_list_forbid(ct, names, item, fallback) := r if {
	occs := {o | some o in cp_list_flags(ct, names); cp_list_contains(o, item)}
	count(occs) > 0
	r := {"failed": cp_paths(occs), "fixes": [f | some o in occs; f := cp_list_without_fix(o, item, fallback)]}
}

cp_list_without_fix(o, item, fallback) := cp_set_fix(o, concat(",", rest)) if {
	rest := [x | some x in cp_list(o); x != item]
	count(rest) > 0
} else := cp_set_fix(o, fallback) if {
	fallback != ""
}

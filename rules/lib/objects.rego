# Objects in general: references in alerts, names, namespaces, config inputs, labels and
# the small type helpers every topic uses. Rules import the package as data.kubescape.lib.
# Hot paths build strings with concat/format_int: sprintf is not native in WebAssembly and
# every call goes out to JavaScript.
package kubescape.lib

import rego.v1

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

# index_key(parts) joins identifying parts into one lookup key.
index_key(parts) := concat("\u0000", parts)

# meta_name(obj): metadata.name as a string, "" when absent or malformed (for keys and lookups).
meta_name(obj) := n if {
	n := obj.metadata.name
	is_string(n)
} else := ""

# obj_name(obj): metadata.name for messages, "<unnamed>" when absent or malformed.
obj_name(obj) := n if {
	n := obj.metadata.name
	is_string(n)
} else := "<unnamed>"

default has_key(_, _) := false

has_key(o, k) if k in object.keys(o)

object_or_null(x) if is_object(x)

object_or_null(x) if is_null(x)

array_or_null(x) if is_array(x)

array_or_null(x) if is_null(x)

# object_or_empty(x) / array_or_empty(x): x when it has the type, else an empty one.
object_or_empty(x) := x if is_object(x)

else := {}

array_or_empty(x) := x if is_array(x)

else := []

string_or_empty(s) := s if is_string(s)

else := ""

# scalar_text(v): a scalar as a string; undefined for objects, arrays and null.
scalar_text(v) := v if is_string(v)

scalar_text(v) := sprintf("%v", [v]) if is_number(v)

scalar_text(v) := sprintf("%v", [v]) if is_boolean(v)

# Helpers shared by the group-B rules (credentials, images, labels, resources).
# Every name starts with gb_ so it cannot clash with other helpers in package kubescape.lib.
package kubescape.lib

import rego.v1

# ---------------------------------------------------------------------------
# Containers

# gb_pod_containers(obj): regular and init containers ({container, index, path}).
gb_pod_containers(obj) := array.concat(containers(obj), init_containers(obj))

# gb_env_entries(obj): every env entry of every container (regular, init, ephemeral) as
# {"env", "index", "path", "container"}; path is e.g. "spec.containers[0].env[1]".
gb_env_entries(obj) := [x |
	some c in all_containers(obj)
	some j, e in c.container.env
	is_object(e)
	x := {"env": e, "index": j, "path": concat("", [c.path, ".env[", format_int(j, 10), "]"]), "container": c}
]

# ---------------------------------------------------------------------------
# Image references

# gb_image_name(image): the image without its digest ("nginx:1.25@sha256:..." -> "nginx:1.25").
gb_image_name(image) := split(image, "@")[0]

gb_image_has_digest(image) if contains(image, "@")

# gb_image_last_component(image): the part after the last "/" (holds the tag, if any).
gb_image_last_component(image) := parts[count(parts) - 1] if {
	parts := split(gb_image_name(image), "/")
}

# gb_image_tag(image): the tag, undefined when the image has none.
gb_image_tag(image) := tag if {
	last := gb_image_last_component(image)
	contains(last, ":")
	p := split(last, ":")
	tag := p[count(p) - 1]
}

# gb_image_registry(image): the registry host; Docker Hub when the first component is
# not a host name.
gb_image_registry(image) := reg if {
	parts := split(gb_image_name(image), "/")
	count(parts) > 1
	gb_is_registry_host(parts[0])
	reg := lower(parts[0])
} else := "docker.io"

gb_is_registry_host(s) if contains(s, ".")

gb_is_registry_host(s) if contains(s, ":")

gb_is_registry_host("localhost")

# gb_image_full_name(image): the image with its registry and, for Docker Hub official
# images, the implicit "library/" ("nginx:1" -> "docker.io/library/nginx:1").
gb_image_full_name(image) := image if {
	parts := split(gb_image_name(image), "/")
	count(parts) > 1
	gb_is_registry_host(parts[0])
} else := concat("", ["docker.io/", image]) if {
	contains(gb_image_name(image), "/")
} else := concat("", ["docker.io/library/", image])

# ---------------------------------------------------------------------------
# Regular expressions from configuration: never evaluate an invalid one.

gb_regex_matches(pattern, value) if {
	is_string(pattern)
	is_string(value)
	p := concat("", ["(?i)", pattern])
	regex.is_valid(p)
	regex.match(p, value)
}

# ---------------------------------------------------------------------------
# Labels (C-0076, C-0077)

# gb_label_locations(obj): the metadata objects whose labels describe a workload,
# as {"meta", "path"} (path of the metadata, e.g. "spec.template.metadata").
gb_label_locations(obj) := {{"meta": object.get(obj, "metadata", {}), "path": "metadata"}} if {
	obj.kind == "Pod"
} else := {
	{"meta": object.get(obj, "metadata", {}), "path": "metadata"},
	{"meta": object.get(obj.spec.template, "metadata", {}), "path": "spec.template.metadata"},
} if {
	obj.kind in template_kinds
	is_object(obj.spec.template)
} else := {
	{"meta": object.get(obj, "metadata", {}), "path": "metadata"},
	{"meta": object.get(obj.spec.jobTemplate.spec.template, "metadata", {}), "path": "spec.jobTemplate.spec.template.metadata"},
} if {
	obj.kind == "CronJob"
	is_object(obj.spec.jobTemplate.spec.template)
} else := {{"meta": object.get(obj, "metadata", {}), "path": "metadata"}} if {
	obj.kind in workload_kinds
}

# gb_missing_label_fixes(obj, wanted): fix paths for every label location that carries
# none of the wanted labels (any location fails when the list is empty).
gb_missing_label_fixes(obj, wanted) := [fix |
	some loc in gb_label_locations(obj)
	not gb_has_any_label(loc.meta, wanted)
	fix := {"path": concat("", [loc.path, ".labels[", gb_first_label(wanted), "]"]), "value": "YOUR_VALUE"}
]

gb_has_any_label(meta, wanted) if {
	lbls := labels(meta)
	some w in wanted
	is_string(w)
	_ = lbls[w]
}

gb_first_label(wanted) := w if {
	count(wanted) > 0
	w := wanted[0]
	is_string(w)
} else := "YOUR_LABEL"

# ---------------------------------------------------------------------------
# Resources (C-0268..C-0271)

# gb_missing_resource(obj, section, resource): containers whose resources.<section>.<resource>
# is not set, as {"container", "path"} where path is the field to set.
gb_missing_resource(obj, section, resource) := [x |
	some c in containers(obj)
	not gb_quantity_set(c.container, section, resource)
	x := {"container": c, "path": concat("", [c.path, ".resources.", section, ".", resource])}
]

gb_quantity_set(container, section, resource) if {
	q := container.resources[section][resource]
	gb_nonempty_quantity(q)
}

gb_nonempty_quantity(q) if {
	is_string(q)
	trim_space(q) != ""
}

gb_nonempty_quantity(q) if is_number(q)

# gb_container_name(c): a container's name for messages.
gb_container_name(c) := n if {
	n := c.name
	is_string(n)
} else := "<unnamed>"

# gb_obj_name(obj): an object's name for messages.
gb_obj_name(obj) := n if {
	n := obj.metadata.name
	is_string(n)
} else := "<unnamed>"

# ---------------------------------------------------------------------------
# Credentials (C-0012)

# gb_text(v): a scalar as a string; undefined for objects, arrays and null.
gb_text(v) := v if is_string(v)

gb_text(v) := sprintf("%v", [v]) if is_number(v)

gb_text(v) := sprintf("%v", [v]) if is_boolean(v)

# gb_credential_like(key, value): the key names a credential or the value looks like one,
# and neither the key nor the value is explicitly allowed. Values that are file paths
# point at a credential rather than holding it, so they never count.
# The configured lists are normalised once per evaluation (zero-argument rules are cached)
# and the regular expressions of each list are combined into one alternation.
gb_credential_like(key, value) if {
	is_string(key)
	is_string(value)
	trim_space(value) != ""
	gb_sensitive_key_or_value(key, value)
	not gb_looks_like_path(value)
	not gb_allowed_key(key)
	not gb_allowed_value(value)
}

gb_sensitive_key_or_value(key, value) if {
	gb_sensitive_key(key)
} else if {
	gb_sensitive_value(value)
}

# Lower-cased non-empty string entries of a config list.
gb_lower_entries(name) := [lower(k) |
	some k in config(name)
	is_string(k)
	k != ""
]

gb_sensitive_key_names := gb_lower_entries("sensitiveKeyNames")

gb_allowed_key_names := gb_lower_entries("sensitiveKeyNamesAllowed")

gb_allowed_value_names := gb_lower_entries("sensitiveValuesAllowed")

gb_sensitive_key(key) if {
	lk := lower(key)
	some k in gb_sensitive_key_names
	contains(lk, k)
}

gb_allowed_key(key) if {
	lk := lower(key)
	some k in gb_allowed_key_names
	contains(lk, k)
}

# gb_regex_set(bodies): the valid case-insensitive regular expressions "(?i)<body>" as
# {"combined": one alternation of them ("" when there is none), "single": the ones that
# must be matched on their own ("(?i)"-prefixed)}. A body goes on its own when wrapping it
# in a group changes its validity; every body does when the alternation is not valid.
gb_regex_set(bodies) := {"combined": joined, "single": rest} if {
	ok := [b | some b in bodies; regex.is_valid(concat("", ["(?i)", b]))]
	comb := [b | some b in ok; regex.is_valid(concat("", ["(?i)(?:", b, ")"]))]
	rest := [concat("", ["(?i)", b]) | some b in ok; regex.is_valid(concat("", ["(?i)(?:", b, ")"])) == false]
	count(comb) > 0
	joined := concat("", ["(?i)", concat("|", [concat("", ["(?:", b, ")"]) | some b in comb])])
	regex.is_valid(joined)
} else := {"combined": "", "single": [concat("", ["(?i)", b]) | some b in bodies; regex.is_valid(concat("", ["(?i)", b]))]}

gb_sensitive_value_regexes := gb_regex_set([p |
	some p in config("sensitiveValues")
	is_string(p)
	p != ""
])

gb_allowed_value_regexes := gb_regex_set([concat("", ["^(?:", a, ")$"]) |
	some a in config("sensitiveValuesAllowed")
	is_string(a)
	a != ""
])

default gb_has_sensitive_value_regexes := false

gb_has_sensitive_value_regexes if gb_sensitive_value_regexes.combined != ""

gb_has_sensitive_value_regexes if count(gb_sensitive_value_regexes.single) > 0

# gb_regex_set_matches(set, value): some expression of the set matches value.
gb_regex_set_matches(set, value) if {
	set.combined != ""
	regex.match(set.combined, value)
}

gb_regex_set_matches(set, value) if {
	some p in set.single
	regex.match(p, value)
}

# gb_sensitive_value(value): a configured expression matches the value or, when the value
# is base64 text, its decoded form ("QmVhcmVyIC4uLg==" -> "Bearer ...").
gb_sensitive_value(value) if {
	gb_regex_set_matches(gb_sensitive_value_regexes, value)
} else if {
	gb_has_sensitive_value_regexes
	count(value) >= 8
	regex.match(`^[A-Za-z0-9+/]+={0,2}$`, value)
	base64.is_valid(value)
	decoded := base64.decode(value)
	gb_regex_set_matches(gb_sensitive_value_regexes, decoded)
}

gb_allowed_value(value) if {
	lv := lower(value)
	some a in gb_allowed_value_names
	contains(lv, a)
}

gb_allowed_value(value) if gb_regex_set_matches(gb_allowed_value_regexes, value)

# An absolute or explicitly relative file path with no whitespace, e.g. /etc/app/token.
gb_looks_like_path(value) if {
	gb_path_start(value)
	regex.match(`^(/|\./|\.\./|~/)[^\s]*$`, value)
}

gb_path_start(value) if startswith(value, "/")

gb_path_start(value) if startswith(value, "./")

gb_path_start(value) if startswith(value, "../")

gb_path_start(value) if startswith(value, "~/")

# ---------------------------------------------------------------------------
# Kinds

# The workload kinds most group-B controls match (ReplicationController is not among them).
gb_workload_kinds := {"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"}

gb_is_workload(obj) if obj.kind in gb_workload_kinds

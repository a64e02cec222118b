# Credentials in configuration (C-0012): sensitive key names and values from config inputs.
package kubescape.lib

import rego.v1

# ---------------------------------------------------------------------------
# Regular expressions from configuration: never evaluate an invalid one.

regex_matches(pattern, value) if {
	is_string(pattern)
	is_string(value)
	p := concat("", ["(?i)", pattern])
	regex.is_valid(p)
	regex.match(p, value)
}

# credential_like(key, value): the key names a credential or the value looks like one,
# and neither the key nor the value is explicitly allowed. Values that are file paths
# point at a credential rather than holding it, so they never count.
# The configured lists are normalised once per evaluation (zero-argument rules are cached)
# and the regular expressions of each list are combined into one alternation.
credential_like(key, value) if {
	is_string(key)
	is_string(value)
	trim_space(value) != ""
	sensitive_key_or_value(key, value)
	not looks_like_path(value)
	not allowed_key(key)
	not allowed_value(value)
}

sensitive_key_or_value(key, value) if {
	sensitive_key(key)
} else if {
	sensitive_value(value)
}

# Lower-cased non-empty string entries of a config list.
lower_entries(name) := [lower(k) |
	some k in config(name)
	is_string(k)
	k != ""
]

sensitive_key_names := lower_entries("sensitiveKeyNames")

allowed_key_names := lower_entries("sensitiveKeyNamesAllowed")

allowed_value_names := lower_entries("sensitiveValuesAllowed")

sensitive_key(key) if {
	lk := lower(key)
	some k in sensitive_key_names
	contains(lk, k)
}

allowed_key(key) if {
	lk := lower(key)
	some k in allowed_key_names
	contains(lk, k)
}

# regex_set(flags, bodies): the valid regular expressions "<flags><body>" as
# {"combined": one alternation of them ("" when there is none), "single": the ones that
# must be matched on their own (flags-prefixed)}. A body goes on its own when wrapping it
# in a group changes its validity; every body does when the alternation is not valid.
# flags is "(?i)" to ignore case or "" to match case as written.
regex_set(flags, bodies) := {"combined": joined, "single": rest} if {
	ok := [b | some b in bodies; regex.is_valid(concat("", [flags, b]))]
	comb := [b | some b in ok; regex.is_valid(concat("", [flags, "(?:", b, ")"]))]
	rest := [concat("", [flags, b]) | some b in ok; regex.is_valid(concat("", [flags, "(?:", b, ")"])) == false]
	count(comb) > 0
	joined := concat("", [flags, concat("|", [concat("", ["(?:", b, ")"]) | some b in comb])])
	regex.is_valid(joined)
} else := {"combined": "", "single": [concat("", [flags, b]) | some b in bodies; regex.is_valid(concat("", [flags, b]))]}

sensitive_value_bodies := [p |
	some p in config("sensitiveValues")
	is_string(p)
	p != ""
]

allowed_value_bodies := [a |
	some a in config("sensitiveValuesAllowed")
	is_string(a)
	a != ""
]

# Environment variables (C-0012, rule-credentials-in-env-var): values compared ignoring case.
sensitive_value_regexes := regex_set("(?i)", sensitive_value_bodies)

allowed_value_regexes := regex_set("(?i)", [concat("", ["^(?:", a, ")$"]) | some a in allowed_value_bodies])

default has_sensitive_value_regexes := false

has_sensitive_value_regexes if sensitive_value_regexes.combined != ""

has_sensitive_value_regexes if count(sensitive_value_regexes.single) > 0

# regex_set_matches(set, value): some expression of the set matches value.
regex_set_matches(set, value) if {
	set.combined != ""
	regex.match(set.combined, value)
}

regex_set_matches(set, value) if {
	some p in set.single
	regex.match(p, value)
}

# sensitive_value(value): a configured expression matches the value or, when the value
# is base64 text, its decoded form ("QmVhcmVyIC4uLg==" -> "Bearer ...").
sensitive_value(value) if {
	regex_set_matches(sensitive_value_regexes, value)
} else if {
	has_sensitive_value_regexes
	count(value) >= 8
	regex.match(`^[A-Za-z0-9+/]+={0,2}$`, value)
	base64.is_valid(value)
	decoded := base64.decode(value)
	regex_set_matches(sensitive_value_regexes, decoded)
}

allowed_value(value) if {
	lv := lower(value)
	some a in allowed_value_names
	contains(lv, a)
}

allowed_value(value) if regex_set_matches(allowed_value_regexes, value)

# ---------------------------------------------------------------------------
# ConfigMaps (C-0012, rule-credentials-configmap), as the reference decides: a key whose
# name contains a sensitive key name (ignoring case) and holds a non-empty value, or a
# value (or its base64 decoding) that a sensitive-value pattern matches with case as
# written: "Bearer" is a token scheme, "bearer_token_file:" in a Prometheus config is not.
# An allowed key name (ignoring case) or an allowed-value pattern found in the value
# (case as written; an invalid pattern is looked for literally) clears the entry.

configmap_value_regexes := regex_set("", sensitive_value_bodies)

default has_configmap_value_regexes := false

has_configmap_value_regexes if configmap_value_regexes.combined != ""

has_configmap_value_regexes if count(configmap_value_regexes.single) > 0

# configmap_credential(key, value): why the entry looks like a credential, "key" (its name)
# or "value" (its content); undefined when it does not. The name is reported first.
configmap_credential(key, value) := why if {
	is_string(key)
	is_string(value)
	value != ""
	not looks_like_path(value)
	not allowed_key(key)
	not configmap_allowed_value(value)
	why := configmap_reason(key, value)
}

configmap_reason(key, value) := "key" if {
	is_string(value)
	sensitive_key(key)
} else := "value" if {
	configmap_sensitive_value(value)
}

configmap_sensitive_value(value) if {
	regex_set_matches(configmap_value_regexes, value)
} else if {
	has_configmap_value_regexes
	base64.is_valid(value)
	decoded := base64.decode(value)
	regex_set_matches(configmap_value_regexes, decoded)
}

configmap_allowed_value(value) if {
	some a in allowed_value_bodies
	regex.is_valid(a)
	regex.match(a, value)
}

configmap_allowed_value(value) if {
	some a in allowed_value_bodies
	not regex.is_valid(a)
	contains(value, a)
}

# An absolute or explicitly relative file path with no whitespace, e.g. /etc/app/token.
looks_like_path(value) if {
	path_start(value)
	regex.match(`^(/|\./|\.\./|~/)[^\s]*$`, value)
}

path_start(value) if startswith(value, "/")

path_start(value) if startswith(value, "./")

path_start(value) if startswith(value, "../")

path_start(value) if startswith(value, "~/")

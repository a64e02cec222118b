package kubescape.lib_test

import rego.v1

import data.kubescape.lib

defaults := {
	"sensitiveKeyNames": ["password", "token"],
	"sensitiveKeyNamesAllowed": [],
	"sensitiveValues": ["Bearer", "JWT"],
	"sensitiveValuesAllowed": [],
}

test_configmap_key_name_ignores_case if {
	lib.configmap_credential("DB_Password", "x") == "key" with data.postureControlInputs as defaults
	not lib.configmap_credential("DB_Password", "") with data.postureControlInputs as defaults
}

test_configmap_value_keeps_case if {
	lib.configmap_credential("header", "Authorization: Bearer abc") == "value" with data.postureControlInputs as defaults
	not lib.configmap_credential("prometheus.yml", "bearer_token_file: /var/run/token") with data.postureControlInputs as defaults
}

test_configmap_base64_value if {
	# "SldU" is base64 of "JWT"
	lib.configmap_credential("hint", "SldU") == "value" with data.postureControlInputs as defaults
}

test_configmap_paths_and_allowed if {
	not lib.configmap_credential("token", "/var/run/secrets/token") with data.postureControlInputs as defaults
	not lib.configmap_credential("token", "abc") with data.postureControlInputs as object.union(defaults, {"sensitiveKeyNamesAllowed": ["TOKEN"]})
	not lib.configmap_credential("h", "Bearer EXAMPLE") with data.postureControlInputs as object.union(defaults, {"sensitiveValuesAllowed": ["EXAMPLE"]})
	lib.configmap_credential("h", "Bearer example") == "value" with data.postureControlInputs as object.union(defaults, {"sensitiveValuesAllowed": ["EXAMPLE"]})
}

test_env_values_ignore_case if {
	lib.credential_like("AUTH", "bearer abc") with data.postureControlInputs as defaults
	not lib.credential_like("AUTH", "./token") with data.postureControlInputs as defaults
}

package kubescape.rules.rule_credentials_configmap

import rego.v1

import data.kubescape.lib

# A ConfigMap entry that holds a credential, by its key name or by its value
# (lib.configmap_credential says which; the message names the one that matched).
deny contains alert if {
	some obj in input.objects
	obj.kind == "ConfigMap"
	is_object(obj.data)
	some key, raw in obj.data
	value := lib.scalar_text(raw)
	why := lib.configmap_credential(key, value)
	path := concat("", ["data[", key, "]"])
	alert := {
		"message": message(lib.obj_name(obj), key, why),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

message(name, key, "key") := concat("", ["ConfigMap ", name, ": key ", key, " is named like a credential and has a value; store it in a Secret"])

message(name, key, "value") := concat("", ["ConfigMap ", name, ": the value of key ", key, " looks like a credential; store it in a Secret"])

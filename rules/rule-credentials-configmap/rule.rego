package kubescape.rules.rule_credentials_configmap

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	obj.kind == "ConfigMap"
	is_object(obj.data)
	some key, raw in obj.data
	value := lib.gb_text(raw)
	lib.gb_credential_like(key, value)
	path := sprintf("data[%s]", [key])
	alert := {
		"message": sprintf("ConfigMap %s: key %s looks like it holds a credential; store it in a Secret", [lib.gb_obj_name(obj), key]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

package kubescape.rules.no_rolling_update_strategy

import rego.v1

import data.kubescape.lib

# A Deployment without a strategy gets RollingUpdate by default; only an explicit
# other type (Recreate) replaces all pods at once.
deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Deployment"
	t := obj.spec.strategy.type
	is_string(t)
	t != "RollingUpdate"
	alert := {
		"message": sprintf("Deployment %s uses the %s update strategy instead of RollingUpdate", [object.get(obj, ["metadata", "name"], ""), t]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["spec.strategy.type"],
		"reviewPaths": ["spec.strategy.type"],
		"fixPaths": [{"path": "spec.strategy.type", "value": "RollingUpdate"}],
	}
}

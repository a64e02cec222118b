package kubescape.rules.rule_secrets_in_env_var

import rego.v1

import data.kubescape.lib

# env[].valueFrom.secretKeyRef: one Secret key exposed as an environment variable.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some e in lib.env_entries(obj)
	is_object(e.env.valueFrom.secretKeyRef)
	path := concat("", [e.path, ".name"])
	alert := {
		"message": sprintf("%s %s: container %s reads Secret %s into environment variable %v; mount it as a file instead", [obj.kind, lib.obj_name(obj), lib.container_name(e.container), object.get(e.env.valueFrom.secretKeyRef, "name", ""), object.get(e.env, "name", "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

# envFrom[].secretRef: every key of a Secret exposed as environment variables.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some c in lib.all_containers(obj)
	some k, src in c.container.envFrom
	is_object(src.secretRef)
	path := concat("", [c.path, ".envFrom[", format_int(k, 10), "].secretRef"])
	alert := {
		"message": sprintf("%s %s: container %s loads Secret %s into its environment; mount it as a file instead", [obj.kind, lib.obj_name(obj), lib.container_name(c), object.get(src.secretRef, "name", "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

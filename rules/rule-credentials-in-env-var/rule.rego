package kubescape.rules.rule_credentials_in_env_var

import rego.v1

import data.kubescape.lib

# The container lists of a pod spec (regular, init, ephemeral), as in lib.all_containers;
# paths are built only for the entries that are reported.
container_fields := ["containers", "initContainers", "ephemeralContainers"]

# A literal env value whose name or content looks like a credential.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	t := lib.pod_template(obj)
	some field in container_fields
	some i, container in t.spec[field]
	is_object(container)
	some j, env in container.env
	is_object(env)
	lib.credential_like(env.name, env.value)
	env_path := concat("", [t.path, ".", field, "[", format_int(i, 10), "].env[", format_int(j, 10), "]"])
	paths := [sprintf("%s.name", [env_path]), sprintf("%s.value", [env_path])]
	alert := {
		"message": sprintf("%s %s: container %s sets environment variable %s to a literal value that looks like a credential", [obj.kind, lib.obj_name(obj), lib.container_name({"container": container, "index": i}), env.name]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
	}
}

# A whole Secret imported into the environment.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	t := lib.pod_template(obj)
	some field in container_fields
	some i, container in t.spec[field]
	is_object(container)
	some k, src in container.envFrom
	is_object(src.secretRef)
	path := concat("", [t.path, ".", field, "[", format_int(i, 10), "].envFrom[", format_int(k, 10), "].secretRef"])
	alert := {
		"message": sprintf("%s %s: container %s loads Secret %s into its environment", [obj.kind, lib.obj_name(obj), lib.container_name({"container": container, "index": i}), object.get(src.secretRef, "name", "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

package kubescape.rules.rule_credentials_in_env_var

import rego.v1

import data.kubescape.lib

# A literal env value whose name or content looks like a credential.
deny contains alert if {
	some obj in input.objects
	lib.gb_is_workload(obj)
	some e in lib.gb_env_entries(obj)
	lib.gb_credential_like(e.env.name, e.env.value)
	paths := [sprintf("%s.name", [e.path]), sprintf("%s.value", [e.path])]
	alert := {
		"message": sprintf("%s %s: container %s sets environment variable %s to a literal value that looks like a credential", [obj.kind, lib.gb_obj_name(obj), lib.gb_container_name(e.container.container), e.env.name]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
	}
}

# A whole Secret imported into the environment.
deny contains alert if {
	some obj in input.objects
	lib.gb_is_workload(obj)
	some c in lib.all_containers(obj)
	some k, src in c.container.envFrom
	is_object(src.secretRef)
	path := sprintf("%s.envFrom[%d].secretRef", [c.path, k])
	alert := {
		"message": sprintf("%s %s: container %s loads Secret %s into its environment", [obj.kind, lib.gb_obj_name(obj), lib.gb_container_name(c.container), object.get(src.secretRef, "name", "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

package kubescape.rules.duplicate_env_var

import rego.v1

import data.kubescape.lib

# An environment variable name defined more than once in one container: only the last
# definition takes effect, and tools that merge or patch env lists disagree about which.
deny contains alert if {
	some obj in input.objects
	obj.kind in lib.workload_kinds
	some e in lib.env_entries(obj)
	name := e.env.name
	is_string(name)
	some j, other in e.container.container.env
	j != e.index
	is_object(other)
	other.name == name
	path := concat("", [e.path, ".name"])
	alert := {
		"message": sprintf("%s %s: container %s defines environment variable %s more than once", [obj.kind, lib.obj_name(obj), lib.container_name(e.container), name]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
	}
}

package kubescape.rules.resource_policies

import rego.v1

import data.kubescape.lib

# A container without CPU and memory limits can use all of its node's capacity.
# One alert per container, with a fix for each limit it lacks.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some c in lib.containers(obj)
	missing := [r | some r in ["cpu", "memory"]; not limit_set(c.container, r)]
	count(missing) > 0
	alert := {
		"message": sprintf("%s %s: container %s has no %s limit", [obj.kind, lib.obj_name(obj), lib.container_name(c), concat(" or ", missing)]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": concat("", [c.path, ".resources.limits.", r]), "value": "YOUR_VALUE"} | some r in missing],
	}
}

limit_set(container, r) if lib.wl_resource_set(container, "limits", r)

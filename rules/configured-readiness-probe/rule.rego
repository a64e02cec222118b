package kubescape.rules.configured_readiness_probe

import rego.v1

import data.kubescape.lib

# Every regular container should define a readinessProbe.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some c in lib.containers(obj)
	not has_probe(c.container)
	alert := {
		"message": sprintf("%s %s: container %s has no readinessProbe", [obj.kind, lib.obj_name(obj), lib.container_name(c)]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": concat("", [c.path, ".readinessProbe"]), "value": "YOUR_VALUE"}],
	}
}

has_probe(container) if is_object(container.readinessProbe)

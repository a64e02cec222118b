package kubescape.rules.rule_can_ssh_to_pod_v1

import rego.v1

import data.kubescape.lib

# The well-known SSH ports (22, and 2222 used by many containerized SSH servers).
ssh_ports := {22, 2222, "22", "2222"}

default ssh_service(_) := false

ssh_service(svc) if {
	some p in svc.spec.ports
	is_object(p)
	some f in ["port", "targetPort"]
	ssh_ports[p[f]]
}

# A Service forwarding an SSH port to a workload's pods means those pods run an SSH
# server reachable over the network.
deny contains alert if {
	some svc in input.objects
	is_object(svc)
	svc.kind == "Service"
	ssh_service(svc)
	some wl in lib.net_service_workloads(svc)
	path := lib.net_pod_labels_path(wl)
	alert := {
		"message": sprintf("%s %s is reachable over SSH through Service %s", [wl.kind, lib.meta_name(wl), lib.meta_name(svc)]),
		"objects": [lib.ref(wl)],
		"relatedObjects": [lib.ref(svc)],
		"failedPaths": [path],
		"reviewPaths": [path],
	}
}

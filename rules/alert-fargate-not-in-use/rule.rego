package kubescape.rules.alert_fargate_not_in_use

import rego.v1

import data.kubescape.lib

nodes contains obj if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Node"
}

# EKS Fargate nodes carry the compute-type label and are named fargate-<ip>.
default fargate(_) := false

fargate(node) if lib.labels(node.metadata)["eks.amazonaws.com/compute-type"] == "fargate"

fargate(node) if startswith(lib.meta_name(node), "fargate-")

default fargate_in_use := false

fargate_in_use if {
	some n in nodes
	fargate(n)
}

# When no node of the cluster is a Fargate node, untrusted workloads share ordinary
# worker nodes: every node is reported.
deny contains alert if {
	not fargate_in_use
	some obj in nodes
	alert := {
		"message": sprintf("Node %s is not a Fargate node and the cluster runs no Fargate nodes for untrusted workloads", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
	}
}

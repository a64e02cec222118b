package kubescape.rules.drop_capability_netraw

import rego.v1

import data.kubescape.lib

# NET_RAW lets a container craft raw packets (spoofing, ARP poisoning inside the node's
# network); every regular container should drop it, by name or with ALL. One alert per
# container that keeps it.

# It does not drop NET_RAW (nor ALL): the fix appends NET_RAW to its drop list.
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	some c in lib.containers(obj)
	drop := list(c.container, "drop")
	not drops_net_raw(drop)
	alert := {
		"message": message(obj, c),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": [{"path": concat("", [c.path, ".securityContext.capabilities.drop[", format_int(count(drop), 10), "]"]), "value": "NET_RAW"}],
	}
}

# It drops ALL but adds NET_RAW back: the added entry is what fails (and what to delete).
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	some c in lib.containers(obj)
	drops_all(list(c.container, "drop"))
	paths := [concat("", [c.path, ".securityContext.capabilities.add[", format_int(i, 10), "]"]) |
		some i, cap in list(c.container, "add")
		cap == "NET_RAW"
	]
	count(paths) > 0
	alert := {
		"message": message(obj, c),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
	}
}

message(obj, c) := sprintf("container %s in %s %s does not drop the NET_RAW capability", [object.get(c.container, "name", ""), obj.kind, object.get(obj, ["metadata", "name"], "")])

# list(container, which): its capabilities.drop or .add list ([] when absent or not a list)
list(container, which) := l if {
	l := container.securityContext.capabilities[which]
	is_array(l)
} else := []

drops_all(drop) if "ALL" in drop

drops_all(drop) if "all" in drop

drops_net_raw(drop) if "NET_RAW" in drop

drops_net_raw(drop) if drops_all(drop)

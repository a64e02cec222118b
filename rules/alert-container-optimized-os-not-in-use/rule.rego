package kubescape.rules.alert_container_optimized_os_not_in_use

import rego.v1

import data.kubescape.lib

# Operating systems built only to run containers: minimal, mostly read-only, updated as
# a whole image.
optimized_markers := [
	"container-optimized os",
	"bottlerocket",
	"flatcar",
	"fedora coreos",
	"coreos",
	"talos",
	"rancheros",
	"k3os",
]

default optimized(_) := false

optimized(image) if {
	some m in optimized_markers
	contains(lower(image), m)
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Node"
	image := obj.status.nodeInfo.osImage
	is_string(image)
	image != ""
	not optimized(image)
	alert := {
		"message": sprintf("Node %s runs %s, not a container-optimized operating system", [lib.meta_name(obj), image]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["status.nodeInfo.osImage"],
	}
}

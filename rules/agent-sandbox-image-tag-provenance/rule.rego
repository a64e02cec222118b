package kubescape.rules.agent_sandbox_image_tag_provenance

import rego.v1

import data.kubescape.lib

# Tags that move to new content over time: "latest" always, plus the configured ones
# (dev, nightly, ...). A missing tag means latest.
floating := {"latest"} | {lower(trim_space(t)) |
	some t in lib.config("floatingImageTags")
	is_string(t)
	trim_space(t) != ""
}

default unpinned(_) := false

unpinned(p) if {
	p.digest == ""
	p.tag == ""
}

unpinned(p) if {
	p.digest == ""
	floating[lower(p.tag)]
}

deny contains alert if {
	some obj in input.objects
	some field in ["containers", "initContainers"]
	some c in lib.net_sandbox_containers(obj, field)
	image := c.container.image
	p := lib.net_image_parts(image)
	unpinned(p)
	alert := {
		"message": sprintf("SandboxTemplate %s: container %v uses image %s with a floating tag instead of a fixed version or digest", [lib.meta_name(obj), object.get(c.container, "name", ""), image]),
		"objects": [lib.ref(obj)],
		"failedPaths": [concat("", [c.path, ".image"])],
	}
}

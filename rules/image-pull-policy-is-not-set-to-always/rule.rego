package kubescape.rules.image_pull_policy_is_not_set_to_always

import rego.v1

import data.kubescape.lib

# A container whose image uses a floating tag (latest, no tag, or a configured floating
# tag) and is not pinned by digest, yet is not always pulled: nodes keep running
# whatever image they cached first under that tag.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some c in lib.pod_containers(obj)
	image := c.container.image
	is_string(image)
	floating_tag(image)
	policy := effective_policy(c.container, image)
	policy != "Always"
	alert := object.union(paths(c), {
		"message": sprintf("%s %s: container %s uses floating image %s with imagePullPolicy %s instead of Always", [obj.kind, lib.obj_name(obj), lib.container_name(c), image, policy]),
		"objects": [lib.ref(obj)],
	})
}

floating_tag(image) if {
	not lib.image_has_digest(image)
	lib.image_tag(image) == ""
}

floating_tag(image) if {
	not lib.image_has_digest(image)
	lib.image_tag(image) == "latest"
}

floating_tag(image) if {
	not lib.image_has_digest(image)
	tag := lib.image_tag(image)
	some t in lib.config("floatingImageTags")
	t == tag
}

# Kubernetes defaults imagePullPolicy to Always for :latest or untagged images and to
# IfNotPresent otherwise.
effective_policy(container, image) := p if {
	p := container.imagePullPolicy
	is_string(p)
} else := "Always" if {
	lib.image_tag(image) == ""
} else := "Always" if {
	lib.image_tag(image) == "latest"
} else := "IfNotPresent"

paths(c) := {"failedPaths": [img, pol], "reviewPaths": [img, pol]} if {
	is_string(c.container.imagePullPolicy)
	img := concat("", [c.path, ".image"])
	pol := concat("", [c.path, ".imagePullPolicy"])
} else := {
	"failedPaths": [img],
	"reviewPaths": [img],
	"fixPaths": [{"path": concat("", [c.path, ".imagePullPolicy"]), "value": "Always"}],
} if {
	img := concat("", [c.path, ".image"])
}

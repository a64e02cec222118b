package kubescape.rules.container_image_repository

import rego.v1

import data.kubescape.lib

# Every container image must come from a registry (or repository prefix) on the
# imageRepositoryAllowList. With an empty list no registry is trusted.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some c in lib.pod_containers(obj)
	image := c.container.image
	is_string(image)
	not allowed(image)
	path := concat("", [c.path, ".image"])
	alert := {
		"message": sprintf("%s %s: container %s uses image %s from a registry that is not on the allowed list", [obj.kind, lib.obj_name(obj), lib.container_name(c), image]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"reviewPaths": [path],
	}
}

allowed(image) if {
	some entry in lib.config("imageRepositoryAllowList")
	allowed_by(entry, image)
}

# The registry host is the entry or a subdomain of it ("gcr.io" allows "eu.gcr.io",
# "amazonaws.com" allows "123.dkr.ecr.us-east-1.amazonaws.com").
allowed_by(entry, image) if {
	is_string(entry)
	e := trim_suffix(lower(trim_space(entry)), "/")
	e != ""
	reg := lib.image_registry(image)
	host_matches(reg, e)
}

# The entry is a prefix of the image reference, as written or with its registry
# spelled out, ending at a path boundary ("docker.io/myorg" allows "myorg/app:1").
allowed_by(entry, image) if {
	is_string(entry)
	e := trim_suffix(lower(trim_space(entry)), "/")
	e != ""
	some name in {lower(image), lower(lib.full_image_name(image))}
	prefix_at_boundary(name, e)
}

# The entry is a regular expression matching the start of the image reference.
allowed_by(entry, image) if {
	is_string(entry)
	trim_space(entry) != ""
	some name in {image, lib.full_image_name(image)}
	lib.regex_matches(concat("", ["^(?:", entry, ")([/:@]|$)"]), name)
}

host_matches(reg, e) if reg == e

host_matches(reg, e) if endswith(reg, concat("", [".", e]))

# "index.docker.io" and "registry-1.docker.io" are Docker Hub too.
host_matches("docker.io", e) if e in {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}

prefix_at_boundary(name, e) if name == e

prefix_at_boundary(name, e) if {
	startswith(name, e)
	substring(name, count(e), 1) in {"/", ":", "@"}
}

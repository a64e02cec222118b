package kubescape.rules.rule_identify_blocklisted_image_registries

import rego.v1

import data.kubescape.lib

# Registries (or registry/path prefixes) that images must not come from: the untrusted
# ones and the public ones, both from configuration.
blocked := {x |
	some key in ["untrustedRegistries", "publicRegistries"]
	some r in lib.config(key)
	is_string(r)
	x := normalize_registry(r)
	x != ""
}

docker_hub_aliases := {"index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com"}

# normalize_registry: lower case, no scheme, no trailing slash, Docker Hub as docker.io.
normalize_registry(r) := n if {
	s := trim_right(trim_prefix(trim_prefix(lower(trim_space(r)), "https://"), "http://"), "/")
	parts := split(s, "/")
	host := docker_host(parts[0])
	n := concat("/", array.concat([host], array.slice(parts, 1, count(parts))))
}

docker_host(h) := "docker.io" if h in docker_hub_aliases

else := h

# image_repos(image): the repository as written and with its registry made explicit.
image_repos(image) := {r, lib.full_image_name(r)} if r := lower(lib.image_repo(image))

deny contains alert if {
	count(blocked) > 0
	some obj in input.objects
	lib.is_workload(obj)
	some img in lib.wl_images(obj)
	is_blocked(img.image)
	alert := {
		"message": sprintf("%s %s: container %s uses image %s from a forbidden registry", [obj.kind, lib.obj_name(obj), lib.container_name(img.container), img.image]),
		"objects": [lib.ref(obj)],
		"failedPaths": [img.path],
		"reviewPaths": [img.path],
	}
}

default is_blocked(_) := false

is_blocked(image) if {
	some reg in blocked
	some repo in image_repos(image)
	lib.wl_repo_under(repo, reg)
}

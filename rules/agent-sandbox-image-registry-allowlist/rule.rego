package kubescape.rules.agent_sandbox_image_registry_allowlist

import rego.v1

import data.kubescape.lib

# Allowed registries or repository prefixes, compared literally (not as patterns), so a
# look-alike host such as "gcrXio" never passes for "gcr.io".
entries := {e |
	some raw in lib.config("imageRepositoryAllowList")
	is_string(raw)
	e0 := trim_suffix(trim_prefix(trim_prefix(lower(trim_space(raw)), "https://"), "http://"), "/")
	e0 != ""
	e := lib.net_registry_alias(e0)
}

# The registry host is an entry, or a subdomain of one ("amazonaws.com" allows
# "123.dkr.ecr.us-east-1.amazonaws.com").
allowed(p) if {
	reg := lib.net_registry_alias(p.registry)
	some e in entries
	host_matches(reg, e)
}

# An entry naming a repository prefix ("gcr.io/my-project", "docker.io/myorg") allows the
# images under it.
allowed(p) if {
	full := lower(concat("/", [lib.net_registry_alias(p.registry), p.repository]))
	some e in entries
	prefix_matches(full, e)
}

host_matches(reg, e) if reg == e

host_matches(reg, e) if endswith(reg, concat("", [".", e]))

prefix_matches(full, e) if full == e

prefix_matches(full, e) if startswith(full, concat("", [e, "/"]))

deny contains alert if {
	some obj in input.objects
	some field in ["containers", "initContainers"]
	some c in lib.net_sandbox_containers(obj, field)
	image := c.container.image
	p := lib.net_image_parts(image)
	not allowed(p)
	alert := {
		"message": sprintf("SandboxTemplate %s: container %v uses image %s from a registry that is not on the allowed list", [lib.meta_name(obj), object.get(c.container, "name", ""), image]),
		"objects": [lib.ref(obj)],
		"failedPaths": [concat("", [c.path, ".image"])],
	}
}

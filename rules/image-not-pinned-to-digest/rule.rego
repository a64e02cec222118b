package kubescape.rules.image_not_pinned_to_digest

import rego.v1

import data.kubescape.lib

# Every container image (regular, init, ephemeral) must be referenced by a valid digest
# (name@algorithm:hex), unless its repository is exempt by configuration.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some img in lib.wl_images(obj)
	not pinned(img.image)
	not exempt(img.image)
	alert := {
		"message": sprintf("%s %s: container %s uses image %s, which is not pinned to a digest", [obj.kind, lib.obj_name(obj), lib.container_name(img.container), img.image]),
		"objects": [lib.ref(obj)],
		"failedPaths": [img.path],
		"reviewPaths": [img.path],
	}
}

# OCI digest grammar: algorithm ":" encoded; registered algorithms have a fixed
# lower-case hex length.
registered := {"sha256": `^[a-f0-9]{64}$`, "sha512": `^[a-f0-9]{128}$`, "blake3": `^[a-f0-9]{64}$`}

default pinned(_) := false

pinned(image) if {
	d := lib.image_digest(trim_space(image))
	i := indexof(d, ":")
	i > 0
	alg := substring(d, 0, i)
	regex.match(`^[a-z0-9]+([+._-][a-z0-9]+)*$`, alg)
	enc := substring(d, i + 1, -1)
	regex.match(`^[a-zA-Z0-9=_-]+$`, enc)
	valid_encoded(alg, enc)
}

valid_encoded(alg, enc) if regex.match(registered[alg], enc)

valid_encoded(alg, _) if not registered[alg]

exempt_repos := {r |
	some x in lib.config("imageDigestExemptRepositories")
	is_string(x)
	r := lower(trim_space(x))
	trim_right(r, "/") != ""
}

default exempt(_) := false

exempt(image) if {
	count(exempt_repos) > 0
	repo := lower(lib.image_repo(trim_space(image)))
	some r in exempt_repos
	some candidate in {repo, lib.full_image_name(repo)}
	lib.wl_repo_under(candidate, r)
}

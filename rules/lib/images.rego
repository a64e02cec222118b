# Image references: [registry/]repository[:tag][@digest].
package kubescape.lib

import rego.v1

# image_name(image): the image without its digest ("nginx:1.25@sha256:..." -> "nginx:1.25").
image_name(image) := split(image, "@")[0]

image_has_digest(image) if contains(image, "@")

# image_last_component(image): the part after the last "/" (holds the tag, if any).
image_last_component(image) := parts[count(parts) - 1] if {
	parts := split(image_name(image), "/")
}

# image_tag(image): the tag, after the first ":" of the last path component ("" when none).
image_tag(image) := tag if {
	last := image_last_component(image)
	contains(last, ":")
	tag := substring(last, indexof(last, ":") + 1, -1)
} else := ""

# image_digest(image): the digest after "@" (undefined when absent).
image_digest(image) := d if {
	contains(image, "@")
	d := substring(image, indexof(image, "@") + 1, -1)
}

# image_repo(image): the repository, without tag and digest ("reg:5000/a/b:1" -> "reg:5000/a/b").
image_repo(image) := repo if {
	parts := split(image_name(image), "/")
	n := count(parts)
	last := split(parts[n - 1], ":")[0]
	repo := concat("/", array.concat(array.slice(parts, 0, n - 1), [last]))
}

# image_registry(image): the registry host; Docker Hub when the first component is
# not a host name.
image_registry(image) := reg if {
	parts := split(image_name(image), "/")
	count(parts) > 1
	is_registry_host(parts[0])
	reg := lower(parts[0])
} else := "docker.io"

is_registry_host(s) if contains(s, ".")

is_registry_host(s) if contains(s, ":")

is_registry_host("localhost")

# full_image_name(image): the image with its registry and, for Docker Hub official
# images, the implicit "library/" ("nginx:1" -> "docker.io/library/nginx:1").
full_image_name(image) := image if {
	parts := split(image_name(image), "/")
	count(parts) > 1
	is_registry_host(parts[0])
} else := concat("", ["docker.io/", image]) if {
	contains(image_name(image), "/")
} else := concat("", ["docker.io/library/", image])

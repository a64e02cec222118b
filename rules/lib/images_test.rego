package kubescape.lib_test

import rego.v1

import data.kubescape.lib

test_image_tag if {
	lib.image_tag("nginx:1.25") == "1.25"
	lib.image_tag("nginx") == ""
	lib.image_tag("registry.example.com:5000/team/app") == ""
	lib.image_tag("registry.example.com:5000/team/app:2.0@sha256:abc") == "2.0"
}

test_image_name_digest_repo if {
	lib.image_name("nginx:1.25@sha256:abc") == "nginx:1.25"
	lib.image_digest("nginx@sha256:abc") == "sha256:abc"
	not lib.image_digest("nginx:1")
	lib.image_has_digest("nginx@sha256:abc")
	lib.image_repo("reg:5000/a/b:1@sha256:abc") == "reg:5000/a/b"
}

test_image_registry if {
	lib.image_registry("nginx") == "docker.io"
	lib.image_registry("library/nginx:1") == "docker.io"
	lib.image_registry("Quay.io/org/app:1") == "quay.io"
	lib.image_registry("localhost/app") == "localhost"
	lib.image_registry("reg:5000/app") == "reg:5000"
}

test_full_image_name if {
	lib.full_image_name("nginx:1") == "docker.io/library/nginx:1"
	lib.full_image_name("bitnami/redis") == "docker.io/bitnami/redis"
	lib.full_image_name("gcr.io/x/y:1") == "gcr.io/x/y:1"
}

package kubescape.rules.rule_identify_old_k8s_registry

import rego.v1

import data.kubescape.lib

# Images pulled from the legacy Kubernetes registries, frozen since April 2023
# (k8s.gcr.io) or long before (gcr.io/google_containers); registry.k8s.io replaces them.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	some c in lib.pod_containers(obj)
	image := c.container.image
	is_string(image)
	deprecated_registry(lower(image))
	path := concat("", [c.path, ".image"])
	alert := {
		"message": sprintf("%s %s: container %s pulls image %s from a deprecated Kubernetes registry; use registry.k8s.io", [obj.kind, lib.obj_name(obj), lib.container_name(c), image]),
		"objects": [lib.ref(obj)],
		"failedPaths": [path],
		"reviewPaths": [path],
	}
}

deprecated_registry(image) if lib.image_registry(image) == "k8s.gcr.io"

deprecated_registry(image) if endswith(lib.image_registry(image), ".k8s.gcr.io")

deprecated_registry(image) if {
	lib.image_registry(image) in {"gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"}
	some p in {"google_containers/", "google-containers/"}
	startswith(lib.full_image_name(image), concat("", [lib.image_registry(image), "/", p]))
}

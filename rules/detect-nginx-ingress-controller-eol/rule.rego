package kubescape.rules.detect_nginx_ingress_controller_eol

import rego.v1

import data.kubescape.lib

# repository(image): the image reference without digest and tag, lower-cased.
repository(image) := repo if {
	no_digest := split(image, "@")[0]
	parts := split(no_digest, "/")
	last := parts[count(parts) - 1]
	name := split(last, ":")[0]
	repo := lower(concat("/", array.concat(array.slice(parts, 0, count(parts) - 1), [name])))
}

# Images of the community ingress-nginx controller (kubernetes/ingress-nginx), which
# the Kubernetes project has retired, and of its re-packagings.
ingress_nginx_image(image) if {
	regex.match(`(^|/)ingress-nginx/controller(-chroot)?$`, repository(image))
}

ingress_nginx_image(image) if {
	regex.match(`(^|/)nginx-ingress-controller$`, repository(image))
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind in {"Deployment", "DaemonSet", "StatefulSet"}
	paths := sort({p |
		some c in lib.all_containers(obj)
		image := c.container.image
		is_string(image)
		ingress_nginx_image(image)
		p := concat("", [c.path, ".image"])
	})
	count(paths) > 0
	alert := {
		"message": sprintf("%s %s runs the ingress-nginx controller, which has reached end of life", [obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"reviewPaths": paths,
	}
}

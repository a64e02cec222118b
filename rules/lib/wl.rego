# Helpers shared by the workload-group rules (registries, resources, credentials paths,
# CVE image versions, mounted secrets/configmaps, digests). Every name starts with wl_.
package kubescape.lib

import rego.v1

# ---------------------------------------------------------------------------
# Objects

# wl_images(obj): the non-empty string images of regular, init and ephemeral containers as
# {"image", "path", "container"} where path is the image field.
wl_images(obj) := [x |
	some c in all_containers(obj)
	img := c.container.image
	is_string(img)
	trim_space(img) != ""
	x := {"image": img, "path": concat("", [c.path, ".image"]), "container": c}
]

# wl_run_images(obj): like wl_images for regular and init containers only.
wl_run_images(obj) := [x |
	some c in array.concat(containers(obj), init_containers(obj))
	img := c.container.image
	is_string(img)
	trim_space(img) != ""
	x := {"image": img, "path": concat("", [c.path, ".image"]), "container": c}
]

# ---------------------------------------------------------------------------
# Image references: [registry/]path[:tag][@digest]

# wl_repo_last(image): the last path component of the repository ("a/b/argocd:v2" -> "argocd").
wl_repo_last(image) := last if {
	parts := split(lower(image_repo(image)), "/")
	last := parts[count(parts) - 1]
}

# wl_repo_under(repo, prefix): repo is prefix itself or lies below it (path-component
# boundary: "internal" covers "internal/app" but not "internal-x/app").
wl_repo_under(repo, prefix) if {
	p := trim_right(prefix, "/")
	p != ""
	repo == p
}

wl_repo_under(repo, prefix) if {
	p := trim_right(prefix, "/")
	p != ""
	startswith(repo, concat("", [p, "/"]))
}

# ---------------------------------------------------------------------------
# Versions taken from image tags. A version is [major, minor, patch, release] where
# release is 0 for a pre-release (alpha, beta, rc, ...) and 1 otherwise, so arrays
# compare in semver order (pre-releases of one version are not told apart).
# Other suffixes ("-debian-11-r3", "-alpine") are build variants and count as releases.

wl_version(tag) := v if {
	is_string(tag)
	m := regex.find_all_string_submatch_n(`^[vV]?([0-9]{1,9})\.([0-9]{1,9})(?:\.([0-9]{1,9}))?(?:[-+_.](.*))?$`, tag, 1)
	count(m) == 1
	g := m[0]
	v := [wl_int(g[1]), wl_int(g[2]), wl_int(g[3]), wl_release_flag(g[4])]
}

wl_int(s) := 0 if {
	trim_left(s, "0") == ""
} else := to_number(trim_left(s, "0"))

default wl_release_flag(_) := 1

wl_release_flag(suffix) := 0 if regex.match(`^(?i)(alpha|beta|rc|pre|preview|dev|snapshot)`, suffix)

# wl_version_in(v, lo, hi): lo <= v < hi; bounds are "X.Y.Z" strings, where a lower bound
# X.Y.Z includes the pre-releases of X.Y.Z and an upper bound X.Y.Z excludes X.Y.Z but
# includes its pre-releases.
wl_version_in(v, lo, hi) if {
	wl_version_ge(v, lo)
	wl_version_lt(v, hi)
}

wl_version_lt(v, bound) if {
	b := wl_version(bound)
	v < [b[0], b[1], b[2], 1]
}

wl_version_ge(v, bound) if {
	b := wl_version(bound)
	v >= [b[0], b[1], b[2], 0]
}

# ---------------------------------------------------------------------------
# Kubernetes quantities. wl_quantity(q) is the numeric value of a quantity string or
# number; undefined when it does not parse (so the SDK builtin never throws).

wl_quantity(q) := q if is_number(q)

wl_quantity(q) := units.parse(s) if {
	is_string(q)
	s := trim_space(q)
	regex.match(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|K|M|G|T|P|E)?$`, s)
}

# wl_config_quantity(key): the first configured value of key as a number (undefined when
# unset, empty or unparseable).
wl_config_quantity(key) := n if {
	vals := config(key)
	count(vals) > 0
	n := wl_quantity(vals[0])
}

# ---------------------------------------------------------------------------
# Volumes

# wl_volumes(obj): the pod volumes as {"volume", "index", "path"}.
wl_volumes(obj) := [x |
	t := pod_template(obj)
	some i, v in t.spec.volumes
	is_object(v)
	is_string(v.name)
	x := {"volume": v, "index": i, "path": concat("", [t.path, ".volumes[", format_int(i, 10), "]"])}
]

# ---------------------------------------------------------------------------
# Resource requests and limits (C-0004, C-0050)

# wl_resource_findings(obj, resource): for each regular container, a finding for a
# missing limits/requests value of resource ("cpu" or "memory"), or for a value outside
# the configured <resource>_<limit|request>_<min|max> bounds. Each finding is
# {"container", "section", "path", "missing"}.
wl_resource_findings(obj, resource) := [x |
	some c in containers(obj)
	some section in ["limits", "requests"]
	path := concat("", [c.path, ".resources.", section, ".", resource])
	wl_resource_problem(c.container, section, resource)
	x := {"container": c.container, "entry": c, "section": section, "path": path, "missing": wl_resource_missing(c.container, section, resource)}
]

default wl_resource_missing(_, _, _) := false

wl_resource_missing(container, section, resource) if not wl_resource_set(container, section, resource)

wl_resource_set(container, section, resource) if {
	q := container.resources[section][resource]
	is_string(q)
	trim_space(q) != ""
}

wl_resource_set(container, section, resource) if is_number(container.resources[section][resource])

wl_resource_problem(container, section, resource) if wl_resource_missing(container, section, resource)

wl_resource_problem(container, section, resource) if {
	v := wl_quantity(container.resources[section][resource])
	low := wl_config_quantity(concat("_", [resource, wl_section_key[section], "min"]))
	v < low
}

wl_resource_problem(container, section, resource) if {
	v := wl_quantity(container.resources[section][resource])
	high := wl_config_quantity(concat("_", [resource, wl_section_key[section], "max"]))
	v > high
}

wl_section_key := {"limits": "limit", "requests": "request"}

# wl_resource_alert(obj, f, what): the alert for one finding of wl_resource_findings.
wl_resource_alert(obj, f, what) := {
	"message": sprintf("%s %s: container %s does not set a %s %s", [obj.kind, obj_name(obj), container_name(f.entry), what, trim_suffix(f.section, "s")]),
	"objects": [ref(obj)],
	"fixPaths": [{"path": f.path, "value": "YOUR_VALUE"}],
} if f.missing

wl_resource_alert(obj, f, what) := {
	"message": sprintf("%s %s: container %s has a %s %s outside the allowed range", [obj.kind, obj_name(obj), container_name(f.entry), what, trim_suffix(f.section, "s")]),
	"objects": [ref(obj)],
	"failedPaths": [f.path],
	"reviewPaths": [f.path],
} if not f.missing

# ---------------------------------------------------------------------------
# Images of known products and their versions (CVE controls)

# wl_image_version(image): the version in the image tag (see wl_version); undefined when
# the tag is missing or is not a version ("latest", "main", a digest only).
wl_image_version(image) := wl_version(image_tag(trim_space(image)))

# wl_product_images(obj, name): the regular and init container images of obj whose
# repository is one of product name's, as {"image", "path", "container", "version"}.
wl_product_images(obj, name) := [x |
	some img in wl_run_images(obj)
	wl_is_product(img.image, name)
	v := wl_image_version(img.image)
	x := object.union(img, {"version": v})
]

wl_product_repo_suffixes := {
	"ingress-nginx": {"ingress-nginx/controller", "ingress-nginx/controller-chroot", "/nginx-ingress-controller", "/ingress-nginx-controller"},
	"argocd": {"argoproj/argocd", "/argo-cd"},
	"grafana": {"grafana/grafana", "grafana/grafana-oss", "grafana/grafana-enterprise", "bitnami/grafana"},
	"kyverno": {"kyverno/kyverno"},
}

wl_is_product(image, name) if {
	repo := lower(image_repo(trim_space(image)))
	full := full_image_name(repo)
	some s in wl_product_repo_suffixes[name]
	wl_repo_ends_with(full, s)
}

# Any image whose last path component names an nginx controller ("nginx-controller",
# "nginx-ingress-controller", …) is an ingress-nginx controller build; NGINX Inc's
# "nginx/nginx-ingress" has no "controller" in its name and is not.
wl_is_product(image, "ingress-nginx") if {
	repo := lower(image_repo(trim_space(image)))
	parts := split(repo, "/")
	last := parts[count(parts) - 1]
	contains(last, "nginx")
	contains(last, "controller")
}

# wl_repo_ends_with(repo, s): repo ends with s on a path-component boundary.
wl_repo_ends_with(repo, s) if {
	startswith(s, "/")
	endswith(repo, s)
}

wl_repo_ends_with(repo, s) if {
	not startswith(s, "/")
	endswith(repo, concat("", ["/", s]))
}

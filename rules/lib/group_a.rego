# Helpers shared by the group-A workload rules (pod security settings, hostPath volumes).
# Every name starts with ga_ so it cannot clash with other helper files in this package.
package kubescape.lib

import rego.v1

# ga_is_ephemeral(c): c (from all_containers) is an ephemeral container. Ephemeral
# containers are added through a subresource and cannot be edited in place.
ga_is_ephemeral(c) if contains(c.path, ".ephemeralContainers[")

# ga_sc(c): the container's securityContext ({} when absent or malformed).
ga_sc(c) := sc if {
	sc := c.container.securityContext
	is_object(sc)
} else := {}

# ga_pod_sc(t): the pod-level securityContext of a pod template ({} when absent or malformed).
ga_pod_sc(t) := sc if {
	sc := t.spec.securityContext
	is_object(sc)
} else := {}

# ga_effective(t, c, field): the container's securityContext value for field, falling back
# to the pod-level securityContext (container settings override the pod's).
ga_effective(t, c, field) := v if {
	v := ga_sc(c)[field]
} else := v if {
	v := ga_pod_sc(t)[field]
}

# ga_host_path_volumes(t): the hostPath volumes of a pod template as
# {"name", "hostPath", "index", "path"}; hostPath is the host path string ("" if malformed).
ga_host_path_volumes(t) := [x |
	some i, v in t.spec.volumes
	is_object(v)
	is_object(v.hostPath)
	name := object.get(v, "name", "")
	hp := ga_string_or_empty(object.get(v.hostPath, "path", ""))
	x := {"name": name, "hostPath": hp, "index": i, "path": concat("", [t.path, ".volumes[", format_int(i, 10), "]"])}
]

ga_string_or_empty(s) := s if is_string(s)

ga_string_or_empty(s) := "" if not is_string(s)

# ga_mounts_of(obj, name): the volumeMounts (of any container of obj) that mount the volume
# called name, as {"mount", "container", "path"}.
ga_mounts_of(obj, name) := [x |
	some c in all_containers(obj)
	some j, m in c.container.volumeMounts
	is_object(m)
	m.name == name
	x := {"mount": m, "container": c, "path": concat("", [c.path, ".volumeMounts[", format_int(j, 10), "]"])}
]

# ga_volume_alert_paths(obj, vol): the volume's path followed by the paths of every mount of it.
ga_volume_alert_paths(obj, vol) := array.concat([vol.path], [m.path | some m in ga_mounts_of(obj, vol.name)])

# ga_norm_cap(c): a capability name upper-cased without the CAP_ prefix.
ga_norm_cap(c) := n if {
	is_string(c)
	u := upper(trim_space(c))
	n := trim_prefix(u, "CAP_")
}

# ga_obj_name(obj): metadata.name as a string, for messages.
ga_obj_name(obj) := n if {
	n := obj.metadata.name
	is_string(n)
} else := "<unnamed>"

# ga_container_name(c): the container's name for messages.
ga_container_name(c) := n if {
	n := c.container.name
	is_string(n)
} else := sprintf("#%d", [c.index])

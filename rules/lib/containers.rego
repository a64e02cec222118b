# Containers: the containers of a workload, their security contexts, names, environment
# and volume mounts.
package kubescape.lib

import rego.v1

# containers(obj): the regular containers of a workload, an array of
# {"container", "index", "path"} where path is e.g. "spec.template.spec.containers[0]".
# Arrays, not sets: a set would hash every container object on insertion. Input objects
# are looked up in an index made once per evaluation, like pod_template.
containers(obj) := container_index[id] if {
	id := object.get(obj, "__ksid", -1)
	id != -1
} else := containers_of(obj)

container_index := {id: cs |
	some o in input.objects
	id := object.get(o, "__ksid", -1)
	cs := containers_of(o)
}

containers_of(obj) := [x |
	t := pod_template(obj)
	some i, c in t.spec.containers
	is_object(c)
	x := {"container": c, "index": i, "path": concat("", [t.path, ".containers[", format_int(i, 10), "]"])}
]

# init_containers(obj): like containers(obj) for spec.initContainers.
init_containers(obj) := [x |
	t := pod_template(obj)
	some i, c in t.spec.initContainers
	is_object(c)
	x := {"container": c, "index": i, "path": concat("", [t.path, ".initContainers[", format_int(i, 10), "]"])}
]

# all_containers(obj): regular, init and ephemeral containers (indexed like containers).
all_containers(obj) := all_container_index[id] if {
	id := object.get(obj, "__ksid", -1)
	id != -1
} else := all_containers_of(obj)

all_container_index := {id: cs |
	some o in input.objects
	id := object.get(o, "__ksid", -1)
	cs := all_containers_of(o)
}

all_containers_of(obj) := array.concat(array.concat(containers(obj), init_containers(obj)), ephemeral_containers(obj))

ephemeral_containers(obj) := [x |
	t := pod_template(obj)
	some i, c in t.spec.ephemeralContainers
	is_object(c)
	x := {"container": c, "index": i, "path": concat("", [t.path, ".ephemeralContainers[", format_int(i, 10), "]"])}
]

# pod_containers(obj): regular and init containers ({container, index, path}).
pod_containers(obj) := array.concat(containers(obj), init_containers(obj))

# env_entries(obj): every env entry of every container (regular, init, ephemeral) as
# {"env", "index", "path", "container"}; path is e.g. "spec.containers[0].env[1]".
env_entries(obj) := [x |
	some c in all_containers(obj)
	some j, e in c.container.env
	is_object(e)
	x := {"env": e, "index": j, "path": concat("", [c.path, ".env[", format_int(j, 10), "]"]), "container": c}
]

# is_ephemeral(c): c (from all_containers) is an ephemeral container. Ephemeral
# containers are added through a subresource and cannot be edited in place.
is_ephemeral(c) if contains(c.path, ".ephemeralContainers[")

# container_sc(c): the container's securityContext ({} when absent or malformed).
container_sc(c) := sc if {
	sc := c.container.securityContext
	is_object(sc)
} else := {}

# pod_sc(t): the pod-level securityContext of a pod template ({} when absent or malformed).
pod_sc(t) := sc if {
	sc := t.spec.securityContext
	is_object(sc)
} else := {}

# effective_sc(t, c, field): the container's securityContext value for field, falling back
# to the pod-level securityContext (container settings override the pod's).
effective_sc(t, c, field) := v if {
	v := container_sc(c)[field]
} else := v if {
	v := pod_sc(t)[field]
}

# host_path_volumes(t): the hostPath volumes of a pod template as
# {"name", "hostPath", "index", "path"}; hostPath is the host path string ("" if malformed).
host_path_volumes(t) := [x |
	some i, v in t.spec.volumes
	is_object(v)
	is_object(v.hostPath)
	name := object.get(v, "name", "")
	hp := string_or_empty(object.get(v.hostPath, "path", ""))
	x := {"name": name, "hostPath": hp, "index": i, "path": concat("", [t.path, ".volumes[", format_int(i, 10), "]"])}
]

# mounts_of(obj, name): the volumeMounts (of any container of obj) that mount the volume
# called name, as {"mount", "container", "path"}.
mounts_of(obj, name) := [x |
	some c in all_containers(obj)
	some j, m in c.container.volumeMounts
	is_object(m)
	m.name == name
	x := {"mount": m, "container": c, "path": concat("", [c.path, ".volumeMounts[", format_int(j, 10), "]"])}
]

# volume_alert_paths(obj, vol): the volume's path followed by the paths of every mount of it.
volume_alert_paths(obj, vol) := array.concat([vol.path], [m.path | some m in mounts_of(obj, vol.name)])

# mount_paths(obj, name): the paths of the volumeMounts that mount the volume called name.
mount_paths(obj, name) := {m.path | some m in mounts_of(obj, name)}

# norm_cap(c): a capability name upper-cased without the CAP_ prefix.
norm_cap(c) := n if {
	is_string(c)
	u := upper(trim_space(c))
	n := trim_prefix(u, "CAP_")
}

# container_name(c): the name of a container entry ({container, index, path}) for messages,
# "#<index>" when it has none.
container_name(c) := n if {
	n := c.container.name
	is_string(n)
} else := concat("", ["#", format_int(c.index, 10)])

package kubescape.rules.containers_mounting_docker_socket

import rego.v1

import data.kubescape.lib

# A hostPath volume pointing at a container runtime's socket (Docker, containerd, CRI-O,
# Podman, cri-dockerd) or at its socket directory gives the pod control of the node's
# runtime. One alert per such volume, pointing at the volume and every mount of it.
deny contains alert if {
	some obj in input.objects
	t := lib.pod_template(obj)
	some vol in lib.host_path_volumes(t)
	runtime_socket_path(normalize(vol.hostPath))
	paths := lib.volume_alert_paths(obj, vol)
	alert := {
		"message": sprintf("%s %s mounts the container runtime socket %s (volume %v)", [obj.kind, lib.obj_name(obj), vol.hostPath, vol.name]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
	}
}

# normalize(p): /var/run is a symlink to /run on current distributions; drop trailing and
# doubled slashes so "/var/run//docker.sock/" and "/run/docker.sock" compare equal.
normalize(p) := n if {
	clean := sprintf("/%s", [concat("/", [s | some s in split(p, "/"); s != ""; s != "."])])
	n := var_run_to_run(clean)
}

var_run_to_run(p) := trim_prefix(p, "/var") if {
	under_var_run(p)
}

var_run_to_run(p) := p if not under_var_run(p)

under_var_run("/var/run")

under_var_run(p) if startswith(p, "/var/run/")

# Runtime socket directories (the socket and everything below them) and single sockets,
# after normalize. /run itself holds all of them.
runtime_dirs := {
	"/run/docker", # docker.sock lives in /run, plugins and the containerd shim here
	"/run/containerd",
	"/run/crio",
	"/run/podman",
	"/run/cri-dockerd",
	"/run/k3s/containerd",
	"/run/user/0/podman",
	"/run/user/0/docker",
}

runtime_sockets := {
	"/run",
	"/run/docker.sock",
	"/run/dockershim.sock",
	"/run/cri-dockerd.sock",
	"/run/containerd.sock",
	"/run/crio.sock",
	"/run/podman.sock",
	"/run/user/0/docker.sock",
}

runtime_socket_path(p) if p in runtime_sockets

runtime_socket_path(p) if p in runtime_dirs

runtime_socket_path(p) if {
	some dir in runtime_dirs
	startswith(p, concat("", [dir, "/"]))
}

# A runtime socket mounted from an unusual location.
runtime_socket_path(p) if {
	some name in {"docker.sock", "containerd.sock", "crio.sock", "podman.sock", "dockershim.sock", "cri-dockerd.sock"}
	endswith(p, concat("", ["/", name]))
}

package kubescape.lib_test

import rego.v1

import data.kubescape.lib

deployment := {
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {
		"metadata": {"labels": {"app": "web"}},
		"spec": {
			"initContainers": [{"name": "init"}],
			"containers": [
				{"name": "app", "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
				"not a container",
				{"image": "x"},
			],
			"ephemeralContainers": [{"name": "debug", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}],
		},
	}},
}

test_pod_template_paths if {
	lib.pod_template(deployment).path == "spec.template.spec"
	lib.pod_template({"kind": "Pod", "spec": {}}).path == "spec"
	lib.pod_template({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}}).path == "spec.jobTemplate.spec.template.spec"
	not lib.pod_template({"kind": "Deployment", "spec": {"template": {"spec": "x"}}})
	not lib.pod_template({"kind": "Service", "spec": {}})
}

test_is_workload if {
	lib.is_workload(deployment)
	lib.is_workload({"kind": "CronJob"})
	not lib.is_workload({"kind": "ReplicationController"})
	not lib.is_workload("Deployment")
}

test_pod_labels if {
	lib.pod_labels(deployment) == {"app": "web"}
	lib.pod_labels({"kind": "Pod", "metadata": {"labels": 5}, "spec": {}}) == {}
}

test_containers_skip_non_objects if {
	[c.path | some c in lib.containers(deployment)] == ["spec.template.spec.containers[0]", "spec.template.spec.containers[2]"]
	[c.path | some c in lib.pod_containers(deployment)] == ["spec.template.spec.containers[0]", "spec.template.spec.containers[2]", "spec.template.spec.initContainers[0]"]
	count(lib.all_containers(deployment)) == 4
}

test_container_name if {
	names := [lib.container_name(c) | some c in lib.containers(deployment)]
	names == ["app", "#2"]
}

test_mounts_of_all_containers if {
	[m.path | some m in lib.mounts_of(deployment, "data")] == ["spec.template.spec.containers[0].volumeMounts[0]", "spec.template.spec.ephemeralContainers[0].volumeMounts[0]"]
	lib.mount_paths(deployment, "data") == {"spec.template.spec.containers[0].volumeMounts[0]", "spec.template.spec.ephemeralContainers[0].volumeMounts[0]"}
	lib.mounts_of(deployment, "other") == []
}

test_effective_security_context if {
	t := {"spec": {"securityContext": {"runAsUser": 1000, "runAsNonRoot": true}}}
	c := {"container": {"securityContext": {"runAsUser": 0}}}
	lib.effective_sc(t, c, "runAsUser") == 0
	lib.effective_sc(t, c, "runAsNonRoot") == true
	lib.container_sc({"container": {"securityContext": "x"}}) == {}
	lib.pod_sc({"spec": {}}) == {}
}

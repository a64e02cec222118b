package kubescape.rules.set_fsgroupchangepolicy_value

import rego.v1

import data.kubescape.lib

# securityContext.fsGroupChangePolicy says when the kubelet re-owns a volume's files for
# fsGroup; a pod should choose (Always or OnRootMismatch) rather than leave it unset.
deny contains alert if {
	some obj in input.objects
	obj.kind in {"Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob"}
	t := lib.pod_template(obj)
	not policy_set(t.spec)
	alert := {
		"message": sprintf("%s %s does not set securityContext.fsGroupChangePolicy to Always or OnRootMismatch", [obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": [],
		"fixPaths": [{"path": concat("", [t.path, ".securityContext.fsGroupChangePolicy"]), "value": "Always"}],
	}
}

policy_set(spec) if spec.securityContext.fsGroupChangePolicy in {"Always", "OnRootMismatch"}

package kubescape.rules.hpa_has_target

import rego.v1

import data.kubescape.lib

# Kinds an HPA can scale that this scan can see; other (custom) targets are not judged.
scalable_kinds := {"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"}

targets contains lib.index_key([obj.kind, lib.namespace(obj), obj.metadata.name]) if {
	some obj in input.objects
	is_object(obj)
	obj.kind in scalable_kinds
	is_string(obj.metadata.name)
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "HorizontalPodAutoscaler"
	ref := obj.spec.scaleTargetRef
	is_object(ref)
	ref.kind in scalable_kinds
	is_string(ref.name)
	not lib.index_key([ref.kind, lib.namespace(obj), ref.name]) in targets
	alert := {
		"message": sprintf("HorizontalPodAutoscaler %s targets %s %s, which does not exist in namespace %s", [object.get(obj, ["metadata", "name"], ""), ref.kind, ref.name, lib.namespace(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["spec.scaleTargetRef.name"],
	}
}

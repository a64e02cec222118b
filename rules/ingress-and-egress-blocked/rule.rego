package kubescape.rules.ingress_and_egress_blocked

import rego.v1

import data.kubescape.lib

policed_kinds := {"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"}

# The policy types a NetworkPolicy enforces: spec.policyTypes when given, otherwise
# Ingress, plus Egress when the policy has egress rules (the Kubernetes default).
np_types(spec) := {t | some t in spec.policyTypes; is_string(t)} if {
	is_array(spec.policyTypes)
	count(spec.policyTypes) > 0
} else := {"Ingress", "Egress"} if {
	not is_null(object.get(spec, "egress", null))
} else := {"Ingress"}

# A Cilium rule selecting an endpoint makes the reference treat it as policed in both
# directions.
cilium_types := {"Ingress", "Egress"}

# Every policy rule as [flavor, namespace, selector, types]; clusterwide Cilium rules use
# the namespace "*". A NetworkPolicy without podSelector selects every pod.
entries contains ["k8s", lib.namespace(obj), sel, np_types(obj.spec)] if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "NetworkPolicy"
	is_object(obj.spec)
	sel := lib.net_selector(object.get(obj.spec, "podSelector", {}), false)
}

entries contains ["k8s", lib.namespace(obj), sel, np_types(obj.spec)] if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "NetworkPolicy"
	is_object(obj.spec)
	is_null(object.get(obj.spec, "podSelector", {}))
	sel := {"matchLabels": {}, "matchExpressions": []}
}

entries contains ["cilium", lib.namespace(obj), sel, cilium_types] if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "CiliumNetworkPolicy"
	some r in lib.net_cilium_rules(obj)
	sel := lib.net_cilium_selector(r.endpointSelector)
}

entries contains ["cilium", "*", sel, cilium_types] if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "CiliumClusterwideNetworkPolicy"
	some r in lib.net_cilium_rules(obj)
	sel := lib.net_cilium_selector(r.endpointSelector)
}

# Index: a selector is filed under one label it requires, so a workload is compared only
# with the selectors that could select it: the smallest matchLabels key, or else every
# value of its first "In" expression. Selectors requiring no label are filed under their
# namespace only.
keyed[lib.index_key([flavor, ns, k, v])] contains [sel, types] if {
	some [flavor, ns, sel, types] in entries
	some [k, v] in index_pairs(sel)
}

unkeyed[lib.index_key([flavor, ns])] contains [sel, types] if {
	some [flavor, ns, sel, types] in entries
	count(index_pairs(sel)) == 0
}

index_pairs(sel) := [[k0, v0]] if {
	count(sel.matchLabels) > 0
	k0 := min(object.keys(sel.matchLabels))
	v0 := sel.matchLabels[k0]
	is_string(v0)
} else := [[e.key, v] | some v in e.values; is_string(v)] if {
	ins := [x | some x in sel.matchExpressions; x.operator == "In"; is_array(x.values); count(x.values) > 0]
	count(ins) > 0
	e := ins[0]
} else := []

keyed_index := keyed

unkeyed_index := unkeyed

# The policy types enforced on pods with these labels by policies of one flavor.
types_for(flavor, ns, labels) := {t |
	some k, v in labels
	is_string(v)
	some [sel, types] in keyed_index[lib.index_key([flavor, ns, k, v])]
	lib.selector_matches(sel, labels)
	some t in types
} | {t |
	some [sel, types] in unkeyed_index[lib.index_key([flavor, ns])]
	lib.selector_matches(sel, labels)
	some t in types
}

default any_cilium := false

any_cilium if {
	some [flavor, _, _, _] in entries
	flavor == "cilium"
}

# Cilium matches endpoint labels: the pod labels plus its namespace and service account.
cilium_labels(obj, t) := object.union(lib.labels(t.metadata), {
	"io.kubernetes.pod.namespace": lib.namespace(obj),
	"io.cilium.k8s.policy.serviceaccount": object.get(t.spec, "serviceAccountName", "default"),
})

enforced(obj, t) := types_for("k8s", lib.namespace(obj), lib.labels(t.metadata)) if {
	not any_cilium
} else := (types_for("k8s", ns, labels) | types_for("cilium", ns, cl)) | types_for("cilium", "*", cl) if {
	ns := lib.namespace(obj)
	labels := lib.labels(t.metadata)
	cl := cilium_labels(obj, t)
}

# A workload passes when some policy that selects its pods restricts at least one direction:
# since Feb 2025 the reference accepts a policy covering ingress only or egress only.
# A NetworkPolicy without policyTypes restricts ingress (and egress when it has egress
# rules), as Kubernetes applies it.
deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind in policed_kinds
	t := lib.pod_template(obj)
	count(enforced(obj, t)) == 0
	alert := {
		"message": concat("", [obj.kind, " ", lib.obj_name(obj), " is not selected by any network policy restricting its ingress or egress"]),
		"objects": [lib.ref(obj)],
	}
}

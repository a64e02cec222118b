package kubescape.rules.internal_networking

import rego.v1

import data.kubescape.lib

# Namespaces that hold a NetworkPolicy, or a CiliumNetworkPolicy with at least one rule.
# Any such policy puts the pods it selects under network policy control.
policed_namespaces contains lib.namespace(obj) if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "NetworkPolicy"
	is_object(obj.spec)
}

policed_namespaces contains lib.namespace(obj) if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "CiliumNetworkPolicy"
	count(lib.net_cilium_rules(obj)) > 0
}

# Endpoint selectors of the clusterwide Cilium policies (source prefixes removed).
clusterwide_selectors contains sel if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "CiliumClusterwideNetworkPolicy"
	some r in lib.net_cilium_rules(obj)
	sel := lib.net_cilium_selector(r.endpointSelector)
}

# Label keys through which a Cilium selector can pick whole namespaces.
namespace_key("io.kubernetes.pod.namespace")

namespace_key(k) if startswith(k, "io.cilium.k8s.namespace.labels.")

default namespace_only(_) := false

namespace_only(sel) if {
	every k, _ in sel.matchLabels {
		namespace_key(k)
	}
	every e in sel.matchExpressions {
		namespace_key(e.key)
	}
}

# A clusterwide policy covers a namespace when its selector constrains nothing but the
# namespace and picks this one (an empty selector picks every namespace).
covered_by_clusterwide(ns) if {
	some sel in clusterwide_selectors
	namespace_only(sel)
	ns_labels := object.union(
		{concat("", ["io.cilium.k8s.namespace.labels.", k]): v | some k, v in lib.labels(ns.metadata)},
		{"io.kubernetes.pod.namespace": lib.meta_name(ns)},
	)
	lib.selector_matches(sel, ns_labels)
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Namespace"
	name := lib.meta_name(obj)
	name != ""
	not policed_namespaces[name]
	not covered_by_clusterwide(obj)
	alert := {
		"message": sprintf("Namespace %s has no network policy: its pods accept and send traffic to any pod of the cluster", [name]),
		"objects": [lib.ref(obj)],
	}
}

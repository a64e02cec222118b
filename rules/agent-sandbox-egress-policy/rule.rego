package kubescape.rules.agent_sandbox_egress_policy

import rego.v1

import data.kubescape.lib

sandbox(obj) if {
	is_object(obj)
	obj.kind in lib.net_sandbox_kinds
	is_object(obj.spec)
}

# The controller must manage the sandbox network policy ("Managed", the default when
# networkPolicyManagement is omitted or null); anything else leaves egress uncontrolled.
default unmanaged(_) := false

unmanaged(spec) if {
	m := object.get(spec, "networkPolicyManagement", "Managed")
	not is_null(m)
	m != "Managed"
}

# A managed template must carry a networkPolicy; with no egress rules it denies all egress.
default missing_policy(_) := false

missing_policy(spec) if not is_object(object.get(spec, "networkPolicy", null))

# An egress rule list that allows traffic to arbitrary destinations: not a list, a rule
# without destinations (to absent or empty), or a destination that matches everything.
default open_egress(_) := false

open_egress(policy) if {
	e := object.get(policy, "egress", [])
	not is_null(e)
	not is_array(e)
}

open_egress(policy) if {
	some rule in policy.egress
	open_rule(rule)
}

open_rule(rule) if not is_object(rule)

open_rule(rule) if {
	is_object(rule)
	to := object.get(rule, "to", [])
	not is_array(to)
}

open_rule(rule) if {
	to := object.get(rule, "to", [])
	is_array(to)
	count(to) == 0
}

open_rule(rule) if {
	some peer in rule.to
	open_peer(peer)
}

open_peer(peer) if not is_object(peer)

# An ipBlock without a CIDR, or with a /0 CIDR (0.0.0.0/0, ::/0), reaches the whole
# internet; "except" only carves out holes.
open_peer(peer) if {
	is_object(peer)
	b := peer.ipBlock
	not scoped_cidr(b)
}

# A peer without ipBlock whose selectors all select everything (an empty peer, an empty
# podSelector or namespaceSelector) reaches every pod.
open_peer(peer) if {
	is_object(peer)
	not has_key(peer, "ipBlock")
	every f in ["podSelector", "namespaceSelector"] {
		empty_or_absent(peer, f)
	}
}

has_key(o, k) if k in object.keys(o)

empty_or_absent(peer, f) if not has_key(peer, f)

empty_or_absent(peer, f) if {
	s := peer[f]
	is_null(s)
}

empty_or_absent(peer, f) if lib.empty_selector(peer[f])

scoped_cidr(b) if {
	is_object(b)
	cidr := b.cidr
	is_string(cidr)
	parts := split(trim_space(cidr), "/")
	count(parts) == 2
	parts[0] != ""
	parts[1] != "0"
}

deny contains alert if {
	some obj in input.objects
	sandbox(obj)
	unmanaged(obj.spec)
	alert := {
		"message": sprintf("SandboxTemplate %s does not let the controller manage its network policy (networkPolicyManagement: %v)", [lib.meta_name(obj), obj.spec.networkPolicyManagement]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["spec.networkPolicyManagement"],
	}
}

deny contains alert if {
	some obj in input.objects
	sandbox(obj)
	not unmanaged(obj.spec)
	missing_policy(obj.spec)
	alert := {
		"message": sprintf("SandboxTemplate %s defines no network policy, so its sandboxes have unrestricted egress", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["spec.networkPolicy"],
	}
}

deny contains alert if {
	some obj in input.objects
	sandbox(obj)
	not unmanaged(obj.spec)
	policy := obj.spec.networkPolicy
	is_object(policy)
	open_egress(policy)
	alert := {
		"message": sprintf("SandboxTemplate %s allows egress to arbitrary destinations", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
		"failedPaths": ["spec.networkPolicy.egress"],
	}
}

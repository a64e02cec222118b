# Helpers for the admission-control rules: Pod Security Admission namespace labels,
# admission webhooks, PodSecurityPolicies and objects placed in the default namespace.
# Every name starts with adm_ so it cannot clash with other helper files in this package.
package kubescape.lib

import rego.v1

# ---------------------------------------------------------------------------
# Objects in the default namespace

# adm_namespace_unset(obj): the object's metadata leaves the namespace out (absent,
# null or ""). A namespace of the wrong type is malformed rather than unset.
adm_namespace_unset(obj) if {
	is_object(obj.metadata)
	not adm_has_namespace_key(obj.metadata)
}

adm_namespace_unset(obj) if obj.metadata.namespace in {"", null}

adm_has_namespace_key(meta) if _ = meta.namespace

# Objects Kubernetes itself creates in the default namespace; they cannot be moved.
adm_system_default_objects := {
	"Service": {"kubernetes"},
	"Endpoints": {"kubernetes"},
	"EndpointSlice": {"kubernetes"},
	"ServiceAccount": {"default"},
	"ConfigMap": {"kube-root-ca.crt"},
}

adm_is_system_default_object(obj) if adm_system_default_objects[obj.kind][meta_name(obj)]

# The legacy token Secret of the default service account.
adm_is_system_default_object(obj) if {
	obj.kind == "Secret"
	obj.type == "kubernetes.io/service-account-token"
	obj.metadata.annotations["kubernetes.io/service-account.name"] == "default"
}

# adm_default_namespace_alert(obj): the alert for an object that sits in the default
# namespace, explicitly or by leaving the namespace out; undefined otherwise.
adm_default_namespace_alert(obj) := alert if {
	obj.metadata.namespace == "default"
	not adm_is_system_default_object(obj)
	alert := {
		"message": sprintf("%s %s is in the default namespace", [obj.kind, meta_name(obj)]),
		"objects": [ref(obj)],
		"failedPaths": ["metadata.namespace"],
		"reviewPaths": ["metadata.namespace"],
	}
} else := alert if {
	adm_namespace_unset(obj)
	not adm_is_system_default_object(obj)
	alert := {
		"message": sprintf("%s %s sets no namespace and so lands in the default namespace", [obj.kind, meta_name(obj)]),
		"objects": [ref(obj)],
		"fixPaths": [{"path": "metadata.namespace", "value": "YOUR_NAMESPACE"}],
	}
}

# adm_default_namespace_alerts(kinds): alerts for every input object of the given kinds
# that is in the default namespace.
adm_default_namespace_alerts(kinds) := {alert |
	some obj in input.objects
	is_object(obj)
	kinds[obj.kind]
	alert := adm_default_namespace_alert(obj)
}

# ---------------------------------------------------------------------------
# Pod Security Admission

adm_psa_enforce_label := "pod-security.kubernetes.io/enforce"

adm_psa_rank := {"privileged": 0, "baseline": 1, "restricted": 2}

# adm_psa_enforces(ns, level): the namespace enforces the given Pod Security level or a
# stricter one.
adm_psa_enforces(ns, level) if {
	v := ns.metadata.labels[adm_psa_enforce_label]
	is_string(v)
	adm_psa_rank[v] >= adm_psa_rank[level]
}

adm_namespaces contains ns if {
	some ns in input.objects
	is_object(ns)
	ns.kind == "Namespace"
}

# adm_psa_alert(ns, level, fix): the alert for a namespace that does not enforce level.
adm_psa_alert(ns, level, fix) := {
	"message": sprintf("Namespace %s does not enforce the %s Pod Security Standard (label %s)", [meta_name(ns), level, adm_psa_enforce_label]),
	"objects": [ref(ns)],
	"fixPaths": [{"path": sprintf("metadata.labels[%s]", [adm_psa_enforce_label]), "value": fix}],
}

# adm_psa_level_alerts(level): alerts for input namespaces that do not enforce level.
adm_psa_level_alerts(level) := {alert |
	some ns in adm_namespaces
	not adm_psa_enforces(ns, level)
	alert := adm_psa_alert(ns, level, level)
}

# Resources a pod policy webhook would watch.
adm_pod_resources := {
	"*", "*/*", "pods", "pods/*", "deployments", "daemonsets", "statefulsets",
	"replicasets", "jobs", "cronjobs", "replicationcontrollers",
}

# adm_webhook_rule_applies(r): an admission webhook rule that covers namespaced pod
# resources (scope "Namespaced" or "*"; an unset scope means "*").
adm_webhook_rule_applies(r) if {
	is_object(r)
	adm_webhook_rule_namespaced(r)
	some res in r.resources
	adm_pod_resources[res]
}

adm_webhook_rule_namespaced(r) if not r.scope

adm_webhook_rule_namespaced(r) if r.scope in {"Namespaced", "*"}

# adm_policy_webhooks: admission webhook configurations that can enforce pod policy
# (a policy engine such as Gatekeeper or Kyverno).
adm_policy_webhooks contains obj if {
	some obj in input.objects
	is_object(obj)
	obj.kind in {"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}
	some w in obj.webhooks
	is_object(w)
	some r in w.rules
	adm_webhook_rule_applies(r)
}

default adm_has_policy_webhook := false

adm_has_policy_webhook if count(adm_policy_webhooks) > 0

# adm_policy_mechanism_alerts: with no policy webhook, every namespace without any Pod
# Security enforce label lacks a policy control mechanism.
adm_policy_mechanism_alerts := {alert |
	not adm_has_policy_webhook
	some ns in adm_namespaces
	not adm_psa_enforces(ns, "privileged")
	alert := {
		"message": sprintf("Namespace %s has no Pod Security enforce label and the cluster has no policy admission webhook", [meta_name(ns)]),
		"objects": [ref(ns)],
		"fixPaths": [{"path": sprintf("metadata.labels[%s]", [adm_psa_enforce_label]), "value": "YOUR_VALUE"}],
	}
}

# ---------------------------------------------------------------------------
# PodSecurityPolicy

adm_psps contains p if {
	some p in input.objects
	is_object(p)
	p.kind == "PodSecurityPolicy"
}

# adm_psp_spec(p): the policy's spec ({} when absent or malformed).
adm_psp_spec(p) := s if {
	s := p.spec
	is_object(s)
} else := {}

# adm_psp_alerts(found, what): found is the set of [psp, paths] pairs for the policies that
# allow what (paths holds failedPaths/deletePaths/fixPaths). Admission picks any policy
# that lets a pod in, so only when every policy allows it is it admitted cluster-wide:
# then each of them is flagged.
adm_psp_alerts(found, what) := {alert |
	count(found) == count(adm_psps)
	some pair in found
	p := pair[0]
	alert := {
		"message": sprintf("PodSecurityPolicy %s allows %s and no policy denies it", [meta_name(p), what]),
		"objects": [ref(p)],
		"failedPaths": object.get(pair[1], "failedPaths", []),
		"deletePaths": object.get(pair[1], "deletePaths", []),
		"fixPaths": object.get(pair[1], "fixPaths", []),
	}
}

# adm_psp_flag_true(field): [psp, paths] pairs for policies whose spec.<field> is true.
adm_psp_flag_true(field) := {[p, paths] |
	some p in adm_psps
	adm_psp_spec(p)[field] == true
	path := sprintf("spec.%s", [field])
	paths := {"failedPaths": [path], "deletePaths": [path]}
}

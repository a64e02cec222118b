package kubescape.rules.k8s_audit_logs_enabled_native_cis

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	not lib.cp_has_nonempty(ct, "audit-policy-file")
	msg := sprintf("kube-apiserver Pod %s has no audit policy (--audit-policy-file is not set), so no audit events are recorded", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, [lib.cp_append_path(ct, 0)], [])
}

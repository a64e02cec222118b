package kubescape.rules.ensure_that_the_api_server_audit_log_maxsize_argument_is_set_to_100_or_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_review(ct, "audit-log-maxsize", "YOUR_VALUE")
	msg := sprintf("kube-apiserver Pod %s: the audit log rotation size (--audit-log-maxsize) needs review", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

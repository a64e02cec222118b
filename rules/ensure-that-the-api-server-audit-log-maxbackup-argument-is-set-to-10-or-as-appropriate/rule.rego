package kubescape.rules.ensure_that_the_api_server_audit_log_maxbackup_argument_is_set_to_10_or_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_review(ct, "audit-log-maxbackup", "YOUR_VALUE")
	msg := sprintf("kube-apiserver Pod %s: the number of retained audit log files (--audit-log-maxbackup) needs review", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

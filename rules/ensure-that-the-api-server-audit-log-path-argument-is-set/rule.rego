package kubescape.rules.ensure_that_the_api_server_audit_log_path_argument_is_set

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_require_files(ct, [["audit-log-path", "/var/log/apiserver/audit.log"]])
	msg := sprintf("kube-apiserver Pod %s: audit logging is off (--audit-log-path is not set)", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

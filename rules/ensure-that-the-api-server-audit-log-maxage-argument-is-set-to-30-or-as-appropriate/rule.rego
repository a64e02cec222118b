package kubescape.rules.ensure_that_the_api_server_audit_log_maxage_argument_is_set_to_30_or_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := check(ct)
	msg := sprintf("kube-apiserver Pod %s keeps audit logs for less than 30 days (--audit-log-maxage)", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

check(ct) := r if {
	bad := {o | some o in lib.cp_flag(ct, "audit-log-maxage"); not at_least_30(o)}
	count(bad) > 0
	r := {"failed": lib.cp_paths(bad), "fixes": [lib.cp_set_fix(o, "30") | some o in bad]}
} else := r if {
	not lib.cp_has_flag(ct, "audit-log-maxage")
	r := {"failed": [], "fixes": lib.cp_missing_fixes(ct, [["audit-log-maxage", "30"]])}
}

at_least_30(o) if {
	regex.match(`^[0-9]+$`, o.value)
	to_number(o.value) >= 30
}

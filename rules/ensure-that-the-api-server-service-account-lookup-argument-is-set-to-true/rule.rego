package kubescape.rules.ensure_that_the_api_server_service_account_lookup_argument_is_set_to_true

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	bad := {o | some o in lib.cp_flag(ct, "service-account-lookup"); lib.cp_is_false(o)}
	count(bad) > 0
	fixes := [lib.cp_set_fix(o, "true") | some o in bad; count(o.tokens) > 1]
	msg := sprintf("kube-apiserver Pod %s does not check that service account tokens still exist (--service-account-lookup=false)", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, lib.cp_paths(bad), fixes)
}

package kubescape.rules.ensure_that_the_api_server_service_account_extend_token_expiration_is_set_to_false

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_require(ct, "service-account-extend-token-expiration", "false", lib.cp_false_values, false)
	msg := sprintf("kube-apiserver Pod %s: --service-account-extend-token-expiration is not false", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

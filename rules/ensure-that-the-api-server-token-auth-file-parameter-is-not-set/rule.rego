package kubescape.rules.ensure_that_the_api_server_token_auth_file_parameter_is_not_set

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_forbid(ct, "token-auth-file")
	msg := sprintf("kube-apiserver Pod %s: static token authentication is enabled with --token-auth-file", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

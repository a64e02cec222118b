package kubescape.rules.ensure_that_the_api_server_request_timeout_argument_is_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	occs := lib.cp_flag(ct, "request-timeout")
	count(occs) > 0
	msg := sprintf("kube-apiserver Pod %s overrides the default --request-timeout; check the value is appropriate", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, lib.cp_paths(occs), [])
}

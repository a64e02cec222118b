package kubescape.rules.ensure_that_the_api_server_service_account_key_file_argument_is_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_require_files(ct, [["service-account-key-file", "<path/to/key.pub>"]])
	msg := sprintf("kube-apiserver Pod %s: --service-account-key-file is not set", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

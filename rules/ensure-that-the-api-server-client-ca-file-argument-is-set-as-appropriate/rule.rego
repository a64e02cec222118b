package kubescape.rules.ensure_that_the_api_server_client_ca_file_argument_is_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_require_files(ct, [["client-ca-file", "<path/to/client-ca.crt>"]])
	msg := sprintf("kube-apiserver Pod %s: --client-ca-file is not set, client certificates cannot be verified", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

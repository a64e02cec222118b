package kubescape.rules.ensure_that_the_api_server_tls_cert_file_and_tls_private_key_file_arguments_are_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_require_files(ct, [["tls-cert-file", "<path/to/tls-certificate-file.crt>"], ["tls-private-key-file", "<path/to/tls-key-file.key>"]])
	msg := sprintf("kube-apiserver Pod %s: --tls-cert-file and --tls-private-key-file must both be set", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

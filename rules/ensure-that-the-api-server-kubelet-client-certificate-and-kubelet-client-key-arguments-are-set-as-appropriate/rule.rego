package kubescape.rules.ensure_that_the_api_server_kubelet_client_certificate_and_kubelet_client_key_arguments_are_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_require_files(ct, [["kubelet-client-certificate", "<path/to/appropriate/file>"], ["kubelet-client-key", "<path/to/appropriate/file>"]])
	msg := sprintf("kube-apiserver Pod %s: --kubelet-client-certificate and --kubelet-client-key must both be set so the API server authenticates to kubelets", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

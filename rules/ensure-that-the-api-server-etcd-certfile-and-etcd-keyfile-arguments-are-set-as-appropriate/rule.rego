package kubescape.rules.ensure_that_the_api_server_etcd_certfile_and_etcd_keyfile_arguments_are_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_require_files(ct, [["etcd-certfile", "<path/to/client-certificate-file.crt>"], ["etcd-keyfile", "<path/to/client-key-file.key>"]])
	msg := sprintf("kube-apiserver Pod %s: --etcd-certfile and --etcd-keyfile must both be set so the API server authenticates to etcd with a client certificate", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

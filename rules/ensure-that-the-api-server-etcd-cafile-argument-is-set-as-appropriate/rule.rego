package kubescape.rules.ensure_that_the_api_server_etcd_cafile_argument_is_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_require_files(ct, [["etcd-cafile", "<path/to/ca-file.crt>"]])
	msg := sprintf("kube-apiserver Pod %s: --etcd-cafile is not set, the etcd server certificate is not verified", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

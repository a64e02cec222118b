package kubescape.rules.etcd_tls_enabled

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_etcd(obj)
	r := lib.cp_require_files(ct, [["cert-file", "<path/to/tls-certificate-file.crt>"], ["key-file", "<path/to/tls-key-file.key>"]])
	msg := sprintf("etcd Pod %s: client connections are not served over TLS (--cert-file and --key-file must both be set)", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

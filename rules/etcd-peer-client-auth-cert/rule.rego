package kubescape.rules.etcd_peer_client_auth_cert

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_etcd(obj)
	r := lib.cp_require(ct, "peer-client-cert-auth", "true", lib.cp_true_values, false)
	msg := sprintf("etcd Pod %s: peers are not required to present a certificate (--peer-client-cert-auth is not true)", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

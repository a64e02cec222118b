package kubescape.rules.etcd_peer_auto_tls_disabled

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_etcd(obj)
	r := lib.cp_require(ct, "peer-auto-tls", "false", lib.cp_false_values, true)
	msg := sprintf("etcd Pod %s: --peer-auto-tls=true makes etcd use self-signed certificates between peers", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

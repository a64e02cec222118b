package kubescape.rules.etcd_peer_tls_enabled

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_etcd(obj)
	fixes := lib.cp_missing_fixes(ct, [
		["peer-cert-file", "<path/to/tls-certificate-file.crt>"],
		["peer-key-file", "<path/to/tls-key-file.key>"],
	])
	count(fixes) > 0
	msg := sprintf("etcd Pod %s: peer connections are not served over TLS (--peer-cert-file and --peer-key-file must both be set)", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, [flags_path(ct)], fixes)
}

# The list the flags are read from: args when the container has any, else command.
flags_path(ct) := concat("", [ct.path, ".args"]) if {
	is_array(ct.container.args)
	count(ct.container.args) > 0
} else := concat("", [ct.path, ".command"])

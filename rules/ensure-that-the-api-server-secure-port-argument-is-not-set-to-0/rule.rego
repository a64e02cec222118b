package kubescape.rules.ensure_that_the_api_server_secure_port_argument_is_not_set_to_0

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	bad := {o | some o in lib.cp_flag(ct, "secure-port"); lib.cp_value(o) == "0"}
	count(bad) > 0
	msg := sprintf("kube-apiserver Pod %s sets --secure-port=0, turning off the HTTPS port", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, lib.cp_paths(bad), [])
}

package kubescape.rules.insecure_port_flag

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	bad := {o | some o in lib.cp_flag(ct, "insecure-port"); lib.cp_value(o) != "0"}
	count(bad) > 0
	msg := sprintf("kube-apiserver Pod %s serves the API on an insecure (plain HTTP, unauthenticated) port", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, lib.cp_paths(bad), [])
}

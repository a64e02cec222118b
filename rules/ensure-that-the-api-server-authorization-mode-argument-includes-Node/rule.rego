package kubescape.rules.ensure_that_the_api_server_authorization_mode_argument_includes_Node

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	not lib.cp_has_flag(ct, "authorization-config")
	r := lib.cp_list_require(ct, ["authorization-mode"], "Node", {"Node"})
	msg := sprintf("kube-apiserver Pod %s: --authorization-mode does not include Node", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

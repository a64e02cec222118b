package kubescape.rules.ensure_that_the_api_server_authorization_mode_argument_is_not_set_to_AlwaysAllow

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_list_forbid(ct, ["authorization-mode"], "AlwaysAllow", "RBAC")
	msg := sprintf("kube-apiserver Pod %s: --authorization-mode includes AlwaysAllow", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	not lib.cp_has_flag(ct, "authorization-mode")
	not lib.cp_has_flag(ct, "authorization-config")
	r := {"failed": [], "fixes": [{"path": lib.cp_append_path(ct, 0), "value": "--authorization-mode=RBAC"}]}
	msg := sprintf("kube-apiserver Pod %s: --authorization-mode is not set, so it defaults to AlwaysAllow", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

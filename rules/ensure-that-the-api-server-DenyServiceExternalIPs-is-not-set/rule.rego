package kubescape.rules.ensure_that_the_api_server_DenyServiceExternalIPs_is_not_set

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_list_forbid(ct, ["enable-admission-plugins", "admission-control"], "DenyServiceExternalIPs", "")
	msg := sprintf("kube-apiserver Pod %s: the DenyServiceExternalIPs admission plugin is enabled", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

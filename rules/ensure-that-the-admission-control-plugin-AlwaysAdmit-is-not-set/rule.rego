package kubescape.rules.ensure_that_the_admission_control_plugin_AlwaysAdmit_is_not_set

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_list_forbid(ct, ["enable-admission-plugins", "admission-control"], "AlwaysAdmit", "")
	msg := sprintf("kube-apiserver Pod %s: the AlwaysAdmit admission plugin is enabled", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

package kubescape.rules.ensure_that_the_admission_control_plugin_SecurityContextDeny_is_set_if_PodSecurityPolicy_is_not_used

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_list_require(ct, ["enable-admission-plugins", "admission-control"], "SecurityContextDeny", {"SecurityContextDeny", "PodSecurityPolicy"})
	msg := sprintf("kube-apiserver Pod %s: neither the SecurityContextDeny nor the PodSecurityPolicy admission plugin is enabled", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

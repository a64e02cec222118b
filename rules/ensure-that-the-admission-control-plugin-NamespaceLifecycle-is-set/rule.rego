package kubescape.rules.ensure_that_the_admission_control_plugin_NamespaceLifecycle_is_set

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	r := lib.cp_list_forbid(ct, ["disable-admission-plugins"], "NamespaceLifecycle", "")
	msg := sprintf("kube-apiserver Pod %s: the NamespaceLifecycle admission plugin is disabled", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

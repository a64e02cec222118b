package kubescape.rules.ensure_that_the_controller_manager_bind_address_argument_is_set_to_127_0_0_1

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_controller_manager(obj)
	r := lib.cp_require(ct, "bind-address", "127.0.0.1", {"127.0.0.1"}, false)
	msg := sprintf("kube-controller-manager Pod %s: --bind-address is not 127.0.0.1, the metrics and health port listens on every interface", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

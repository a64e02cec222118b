package kubescape.rules.ensure_that_the_controller_manager_use_service_account_credentials_argument_is_set_to_true

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_controller_manager(obj)
	r := lib.cp_require(ct, "use-service-account-credentials", "true", lib.cp_true_values, false)
	msg := sprintf("kube-controller-manager Pod %s: controllers share one identity (--use-service-account-credentials is not true)", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

package kubescape.rules.ensure_that_the_controller_manager_service_account_private_key_file_argument_is_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_controller_manager(obj)
	r := lib.cp_require_files(ct, [["service-account-private-key-file", "<path/to/key/filename.key>"]])
	msg := sprintf("kube-controller-manager Pod %s: --service-account-private-key-file is not set", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

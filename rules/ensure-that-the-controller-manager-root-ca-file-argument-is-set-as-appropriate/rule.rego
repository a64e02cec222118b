package kubescape.rules.ensure_that_the_controller_manager_root_ca_file_argument_is_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_controller_manager(obj)
	r := lib.cp_require_files(ct, [["root-ca-file", "<path/to/key/ca.crt>"]])
	msg := sprintf("kube-controller-manager Pod %s: --root-ca-file is not set, Pods cannot verify the API server certificate", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

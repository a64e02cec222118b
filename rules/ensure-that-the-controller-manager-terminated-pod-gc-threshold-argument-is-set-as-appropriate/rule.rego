package kubescape.rules.ensure_that_the_controller_manager_terminated_pod_gc_threshold_argument_is_set_as_appropriate

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_controller_manager(obj)
	r := lib.cp_review(ct, "terminated-pod-gc-threshold", "YOUR_VALUE")
	msg := sprintf("kube-controller-manager Pod %s: the terminated Pod garbage-collection threshold (--terminated-pod-gc-threshold) needs review", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, r.failed, r.fixes)
}

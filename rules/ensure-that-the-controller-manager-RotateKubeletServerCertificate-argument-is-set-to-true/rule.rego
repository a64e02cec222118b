package kubescape.rules.ensure_that_the_controller_manager_RotateKubeletServerCertificate_argument_is_set_to_true

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_controller_manager(obj)
	bad := {o | some o in lib.cp_flag(ct, "feature-gates"); disabled(o)}
	count(bad) > 0
	msg := sprintf("kube-controller-manager Pod %s turns off the RotateKubeletServerCertificate feature gate", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, lib.cp_paths(bad), [lib.cp_set_fix(o, enabled(o)) | some o in bad])
}

gate := "RotateKubeletServerCertificate"

disabled(o) if {
	some item in lib.cp_list(o)
	is_gate(item)
	parts := split(item, "=")
	count(parts) == 2
	not trim_space(parts[1]) in lib.cp_true_values
}

is_gate(item) if trim_space(split(item, "=")[0]) == gate

# The gate list with this gate set to true.
enabled(o) := concat(",", [x |
	some item in lib.cp_list(o)
	x := set_true(item)
])

set_true(item) := sprintf("%s=true", [gate]) if is_gate(item)

else := item

# The rule judges kube-controller-manager Pods only: other Pods are not counted in its controls.
package kubescape.rules.ensure_that_the_controller_manager_profiling_argument_is_set_to_false

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-controller-manager")

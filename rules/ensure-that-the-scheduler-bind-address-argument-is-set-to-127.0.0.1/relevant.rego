# The rule judges kube-scheduler Pods only: other Pods are not counted in its controls.
package kubescape.rules.ensure_that_the_scheduler_bind_address_argument_is_set_to_127_0_0_1

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-scheduler")

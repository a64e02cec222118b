# The rule judges kube-apiserver Pods only: other Pods are not counted in its controls.
package kubescape.rules.ensure_that_the_admission_control_plugin_ServiceAccount_is_set

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-apiserver")

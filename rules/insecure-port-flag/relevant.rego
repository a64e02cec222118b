# The rule judges kube-apiserver Pods only: other Pods are not counted in its controls.
package kubescape.rules.insecure_port_flag

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-apiserver")

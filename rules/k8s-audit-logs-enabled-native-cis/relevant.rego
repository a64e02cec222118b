# The rule judges kube-apiserver Pods only: other Pods are not counted in its controls.
package kubescape.rules.k8s_audit_logs_enabled_native_cis

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-apiserver")

# The rule judges kube-apiserver Pods only: other Pods are not counted in its controls.
package kubescape.rules.ensure_that_the_api_server_audit_log_maxbackup_argument_is_set_to_10_or_as_appropriate

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-apiserver")

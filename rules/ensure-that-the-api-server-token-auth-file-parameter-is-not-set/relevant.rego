# The rule judges kube-apiserver Pods only: other Pods are not counted in its controls.
package kubescape.rules.ensure_that_the_api_server_token_auth_file_parameter_is_not_set

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-apiserver")

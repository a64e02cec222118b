# The rule judges kube-apiserver Pods only: other Pods are not counted in its controls.
package kubescape.rules.ensure_that_the_api_server_service_account_extend_token_expiration_is_set_to_false

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-apiserver")

# The rule judges kube-apiserver Pods only: other Pods are not counted in its controls.
package kubescape.rules.ensure_that_the_api_server_authorization_mode_argument_includes_RBAC

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-apiserver")

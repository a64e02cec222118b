# The rule judges etcd Pods only: other Pods are not counted in its controls.
package kubescape.rules.etcd_peer_tls_enabled

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("etcd")

# The rule judges kube-apiserver and etcd Pods only: other Pods are not counted in its controls.
package kubescape.rules.etcd_unique_ca

import rego.v1

import data.kubescape.lib

relevant := array.concat(lib.rel_component("kube-apiserver"), lib.rel_component("etcd"))

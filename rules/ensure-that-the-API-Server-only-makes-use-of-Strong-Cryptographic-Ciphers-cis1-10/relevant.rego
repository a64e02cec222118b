# The rule judges kube-apiserver Pods only: other Pods are not counted in its controls.
package kubescape.rules.ensure_that_the_API_Server_only_makes_use_of_Strong_Cryptographic_Ciphers_cis1_10

import rego.v1

import data.kubescape.lib

relevant := lib.rel_component("kube-apiserver")

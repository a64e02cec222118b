# The rule judges Namespaces (whether a network policy covers them): the policies are context.
package kubescape.rules.internal_networking

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Namespace"})

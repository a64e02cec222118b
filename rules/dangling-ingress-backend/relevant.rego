# The rule judges Ingresses (whether their backends exist): Services are context.
package kubescape.rules.dangling_ingress_backend

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Ingress"})

# The rule judges Gateway API routes (whether their backends exist): Services are context.
package kubescape.rules.dangling_gateway_backend

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"})

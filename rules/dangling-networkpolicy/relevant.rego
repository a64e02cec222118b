# The rule judges NetworkPolicies (whether they select any workload's pods): workloads are context.
package kubescape.rules.dangling_networkpolicy

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"NetworkPolicy"})

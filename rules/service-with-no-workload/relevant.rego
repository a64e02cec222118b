# The rule judges Services (whether they select any workload's pods): workloads are context.
package kubescape.rules.service_with_no_workload

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Service"})

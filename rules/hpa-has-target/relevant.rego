# The rule judges HorizontalPodAutoscalers (whether their target exists): workloads are context.
package kubescape.rules.hpa_has_target

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"HorizontalPodAutoscaler"})

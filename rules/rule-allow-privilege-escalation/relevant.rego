# The rule judges workloads: PodSecurityPolicies are context (what a cluster would admit),
# not resources counted in its controls.
package kubescape.rules.rule_allow_privilege_escalation

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"})

# The rule judges workloads (whether network policies select them): the policies and
# ConfigMaps are context, not counted in its control.
package kubescape.rules.ensure_network_policy_configured_in_labels

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"})

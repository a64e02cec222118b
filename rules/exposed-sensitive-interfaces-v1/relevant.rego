# The rule judges workloads (what they run, behind which Service ports): the Services
# are context, not counted in its control.
package kubescape.rules.exposed_sensitive_interfaces_v1

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"})

# The rule judges workloads (whether they mount a Secret): the Secrets are context.
package kubescape.rules.workload_mounted_secrets

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"})

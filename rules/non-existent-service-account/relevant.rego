# The rule judges workloads (whether their ServiceAccount exists): the ServiceAccounts are context.
package kubescape.rules.non_existent_service_account

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"})

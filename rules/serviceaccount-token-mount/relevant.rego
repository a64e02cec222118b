# The rule judges workloads (the token they mount and what it is bound to): the
# ServiceAccounts, bindings and roles are context, not counted in its control.
package kubescape.rules.serviceaccount_token_mount

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"})

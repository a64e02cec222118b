# The rule judges workloads (whether they mount a PersistentVolumeClaim): the claims and
# ConfigMaps are context.
package kubescape.rules.workload_mounted_pvc

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"})

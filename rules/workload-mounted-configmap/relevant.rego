# The rule judges workloads (whether they mount a ConfigMap): the ConfigMaps are context.
package kubescape.rules.workload_mounted_configmap

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"})

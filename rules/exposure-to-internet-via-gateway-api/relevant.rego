# The rule judges workloads (reachable from outside or not): the Services, Ingresses,
# routes and gateways it follows to them are context, not counted in its control.
package kubescape.rules.exposure_to_internet_via_gateway_api

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"})

# RoleBinding objects placed in the default namespace, explicitly or by leaving
# metadata.namespace out. Objects Kubernetes creates there itself are not flagged.
package kubescape.rules.rolebinding_in_default_namespace

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some alert in lib.adm_default_namespace_alerts({"RoleBinding"})
}

# Secrets (and ConfigMaps, the other objects that carry configuration data; the reference
# flags them under this rule too) placed in the default namespace, explicitly or by leaving
# metadata.namespace out. The default service account's legacy token Secret is not flagged.
package kubescape.rules.resources_secret_in_default_namespace

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some alert in lib.adm_default_namespace_alerts({"Secret", "ConfigMap"})
}

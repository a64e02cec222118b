# The rule judges Namespaces (whether they have a ServiceAccount): ServiceAccounts are context.
package kubescape.rules.namespace_without_service_account

import rego.v1

import data.kubescape.lib

relevant := lib.rel_kinds({"Namespace"})

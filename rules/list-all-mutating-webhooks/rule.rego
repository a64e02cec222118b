# Lists every mutating admission webhook configuration for review: a webhook can rewrite
# the objects sent to the API server, e.g. inject containers into pods.
package kubescape.rules.list_all_mutating_webhooks

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "MutatingWebhookConfiguration"
	alert := {
		"message": sprintf("MutatingWebhookConfiguration %s: review that this mutating admission webhook is known and trusted", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
	}
}

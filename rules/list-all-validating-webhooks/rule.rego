# Lists every validating admission webhook configuration for review: a webhook sees, and
# can reject, the objects sent to the API server.
package kubescape.rules.list_all_validating_webhooks

import rego.v1

import data.kubescape.lib

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "ValidatingWebhookConfiguration"
	alert := {
		"message": sprintf("ValidatingWebhookConfiguration %s: review that this validating admission webhook is known and trusted", [lib.meta_name(obj)]),
		"objects": [lib.ref(obj)],
	}
}

package kubescape.lib_test

import rego.v1

import data.kubescape.lib

test_selector_match_labels if {
	lib.selector_matches({"matchLabels": {"app": "web"}}, {"app": "web", "tier": "front"})
	not lib.selector_matches({"matchLabels": {"app": "web"}}, {"app": "api"})
}

test_selector_null_parts_are_empty if {
	lib.selector_matches({"matchLabels": null, "matchExpressions": null}, {"app": "web"})
	lib.selector_matches({}, {})
}

test_selector_not_an_object_never_matches if {
	not lib.selector_matches("app=web", {"app": "web"})
	not lib.selector_matches(null, {"app": "web"})
}

test_selector_expressions if {
	lbls := {"app": "web", "tier": "front"}
	lib.selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]}, lbls)
	not lib.selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}, lbls)
	lib.selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["back"]}]}, lbls)
	lib.selector_matches({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, lbls)
	lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, lbls)
	not lib.selector_matches({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, lbls)
	lib.selector_matches({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, lbls)
}

test_selector_expression_values_must_be_a_list if {
	not lib.selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": {"x": "front"}}]}, {"tier": "front"})
}

test_map_selector if {
	lib.map_selector_matches({"app": "web"}, {"app": "web", "x": "y"})
	not lib.map_selector_matches({}, {"app": "web"})
	not lib.map_selector_matches({"app": "web"}, {"app": "api"})
}

test_empty_and_valid_selector if {
	lib.empty_selector({})
	lib.empty_selector({"matchLabels": null})
	not lib.empty_selector({"matchLabels": {"a": "b"}})
	not lib.empty_selector("x")
	lib.valid_selector({"matchLabels": null, "matchExpressions": [{"key": "a", "operator": "Exists"}]})
	not lib.valid_selector({"matchExpressions": ["x"]})
	not lib.valid_selector({"matchLabels": "a=b"})
}

package kubescape.lib_test

import rego.v1

import data.kubescape.lib

test_names if {
	lib.meta_name({"metadata": {"name": "a"}}) == "a"
	lib.meta_name({"metadata": {"name": 5}}) == ""
	lib.obj_name({"metadata": {}}) == "<unnamed>"
	lib.obj_name({"metadata": {"name": "a"}}) == "a"
}

test_namespace_defaults if {
	lib.namespace({"metadata": {}}) == "default"
	lib.namespace({"metadata": {"namespace": ""}}) == "default"
	lib.namespace({"metadata": {"namespace": "shop"}}) == "shop"
}

test_ref_keeps_ksid if {
	lib.ref({"kind": "Pod", "metadata": {"name": "p"}, "__ksid": 3}) == {"apiVersion": "", "kind": "Pod", "name": "p", "namespace": "", "__ksid": 3}
}

test_config if {
	lib.config("k") == ["a"] with data.postureControlInputs as {"k": ["a"]}
	lib.config("k") == [] with data.postureControlInputs as {"k": "a"}
	lib.config("missing") == [] with data.postureControlInputs as {}
}

test_index_key_and_text if {
	lib.index_key(["a", "b"]) != lib.index_key(["a\u0000", "b"])
	lib.index_key(["ns", "name"]) == "ns\u0000name"
	lib.scalar_text(5) == "5"
	lib.scalar_text(true) == "true"
	not lib.scalar_text(null)
}

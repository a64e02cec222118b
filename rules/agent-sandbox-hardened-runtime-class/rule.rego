package kubescape.rules.agent_sandbox_hardened_runtime_class

import rego.v1

import data.kubescape.lib

hardened := {c | some c in lib.config("hardenedSandboxRuntimeClasses"); is_string(c)}

default hardened_runtime(_) := false

hardened_runtime(spec) if {
	rc := spec.runtimeClassName
	is_string(rc)
	hardened[rc]
}

# Agent sandboxes run untrusted, model-generated code: their pods must use a runtime
# class with a stronger isolation boundary (gVisor, Kata...) than the shared host kernel.
deny contains alert if {
	some obj in input.objects
	spec := lib.net_sandbox_spec(obj)
	not hardened_runtime(spec)
	alert := {
		"message": sprintf("SandboxTemplate %s does not run its pods with a hardened runtime class (allowed: %s)", [lib.meta_name(obj), concat(", ", sort(hardened))]),
		"objects": [lib.ref(obj)],
		"failedPaths": [sprintf("%s.runtimeClassName", [lib.net_sandbox_path])],
	}
}

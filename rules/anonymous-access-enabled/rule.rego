package kubescape.rules.anonymous_access_enabled

import rego.v1

import data.kubescape.lib

# Bindings that give a role to anonymous requests: the user system:anonymous or the group
# system:unauthenticated. One alert per such subject; removing the subject fixes it.
anonymous := {"User": "system:anonymous", "Group": "system:unauthenticated"}

deny contains alert if {
	some b in input.objects
	is_object(b)
	b.kind in lib.rbac_binding_kinds
	some s in lib.rbac_subjects(b)
	anonymous[s.kind] == s.name
	path := sprintf("subjects[%d]", [s.index])
	alert := {
		"message": sprintf("%s %s gives %s to anonymous requests (%s %s)", [b.kind, lib.meta_name(b), lib.rbac_ref_text(b), s.kind, s.name]),
		"objects": [lib.ref(b)],
		"failedPaths": [path],
		"deletePaths": [path],
	}
}

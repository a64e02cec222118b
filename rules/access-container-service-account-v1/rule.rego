package kubescape.rules.access_container_service_account_v1

import rego.v1

import data.kubescape.lib

# Service accounts that hold RBAC permissions: whoever gets into a container running as one
# of them (its token is mounted by default) gets those permissions. One alert per service
# account subject of every binding whose role is in the input; the binding and role are the
# related objects.
deny contains alert if {
	some g in lib.rbac_grants
	some s in lib.rbac_subjects(g.binding)
	s.kind == "ServiceAccount"
	alert := {
		"message": sprintf("ServiceAccount %s/%s holds the permissions of %s %s through %s %s", [s.namespace, s.name, g.role.kind, lib.meta_name(g.role), g.binding.kind, lib.meta_name(g.binding)]),
		"objects": [s.ref],
		"relatedObjects": [lib.ref(g.binding), lib.ref(g.role)],
		"failedPaths": [],
		"reviewPaths": [],
		"deletePaths": [],
		"fixPaths": [],
	}
}

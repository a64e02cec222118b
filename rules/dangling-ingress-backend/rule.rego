package kubescape.rules.dangling_ingress_backend

import rego.v1

import data.kubescape.lib

services := lib.named_keys("Service")

# backends(spec): {path of the service name: service name} for every Service backend,
# in the networking.k8s.io/v1 shape (backend.service.name) and the older
# extensions/v1beta1 shape (backend.serviceName).
backends(spec) := {p: name |
	some b in backend_objects(spec)
	some field in [["service", "name"], ["serviceName"]]
	name := object.get(b.backend, field, null)
	is_string(name)
	p := concat(".", array.concat([b.path], field))
}

backend_objects(spec) := {b |
	some key in ["defaultBackend", "backend"]
	be := spec[key]
	is_object(be)
	b := {"backend": be, "path": sprintf("spec.%s", [key])}
} | {b |
	some i, rule in spec.rules
	some j, pth in rule.http.paths
	be := pth.backend
	is_object(be)
	b := {"backend": be, "path": sprintf("spec.rules[%d].http.paths[%d].backend", [i, j])}
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "Ingress"
	is_object(obj.spec)
	ns := lib.namespace(obj)
	paths := sort({p |
		some p, name in backends(obj.spec)
		not lib.index_key([ns, name]) in services
	})
	count(paths) > 0
	alert := {
		"message": sprintf("Ingress %s routes to Services that do not exist in namespace %s", [object.get(obj, ["metadata", "name"], ""), ns]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
	}
}

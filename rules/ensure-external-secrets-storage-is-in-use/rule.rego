package kubescape.rules.ensure_external_secrets_storage_is_in_use

import rego.v1

import data.kubescape.lib

# Workloads should read their secrets from an external store through the Secrets Store
# CSI driver (a csi volume naming a SecretProviderClass) rather than from Kubernetes
# Secrets. A workload with no such volume is reported; the fix appends one.
deny contains alert if {
	some obj in input.objects
	lib.is_workload(obj)
	t := lib.pod_template(obj)
	not uses_secrets_store(t)
	alert := {
		"message": sprintf("%s %s does not mount secrets from an external secret store (Secrets Store CSI driver)", [obj.kind, lib.obj_name(obj)]),
		"objects": [lib.ref(obj)],
		"fixPaths": [{"path": concat("", [t.path, ".volumes[", format_int(volume_count(t), 10), "].csi.volumeAttributes.secretProviderClass"]), "value": "YOUR_VALUE"}],
	}
}

default uses_secrets_store(_) := false

uses_secrets_store(t) if {
	some v in t.spec.volumes
	v.csi.driver == "secrets-store.csi.k8s.io"
}

uses_secrets_store(t) if {
	some v in t.spec.volumes
	spc := v.csi.volumeAttributes.secretProviderClass
	is_string(spc)
	spc != ""
}

volume_count(t) := count(t.spec.volumes) if is_array(t.spec.volumes)

else := 0

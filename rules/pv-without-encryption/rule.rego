package kubescape.rules.pv_without_encryption

import rego.v1

import data.kubescape.lib

# A StorageClass encrypts its disks when its parameters ask for it: EBS / Ceph / Longhorn
# ("encrypted": "true"), Azure Disk (a disk encryption set), GCE PD
# ("disk-encryption-kms-key"), or when its provisioner always encrypts at rest (Azure
# disks and files, GKE persistent disks: with a platform key unless one is chosen).
default encrypted(_) := false

encrypted(sc) if {
	p := sc.provisioner
	is_string(p)
	some always in ["azure", "csi.storage.gke.io"]
	contains(p, always)
}

encrypted(sc) if lower(sprintf("%v", [sc.parameters.encrypted])) == "true"

encrypted(sc) if {
	some k in ["diskEncryptionSetID", "diskEncryptionSetId", "disk-encryption-kms-key", "kmsKeyId", "kmsKeyID"]
	v := sc.parameters[k]
	is_string(v)
	trim_space(v) != ""
}

# StorageClasses by name (several objects may share a name in a file set).
classes[name] contains sc if {
	some sc in input.objects
	is_object(sc)
	sc.kind == "StorageClass"
	name := lib.meta_name(sc)
	name != ""
}

class_index := classes

# A PersistentVolume provisioned from a StorageClass that does not encrypt its disks.
deny contains alert if {
	some pv in input.objects
	is_object(pv)
	pv.kind == "PersistentVolume"
	name := pv.spec.storageClassName
	is_string(name)
	scs := class_index[name]
	every sc in scs {
		not encrypted(sc)
	}
	alert := {
		"message": sprintf("PersistentVolume %s uses StorageClass %s, which does not encrypt its volumes", [lib.meta_name(pv), name]),
		"objects": [lib.ref(pv)],
		"relatedObjects": [lib.ref(sc) | some sc in scs],
		"fixPaths": [{"path": "spec.storageClassName", "value": "<your encrypted storage class>"}],
	}
}

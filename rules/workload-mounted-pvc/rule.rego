package kubescape.rules.workload_mounted_pvc

import rego.v1

import data.kubescape.lib

# pvcs[ns\0name]: the PersistentVolumeClaims in the input, by namespace and name.
# Looked up through pvc_index (the whole value, built once) so lookups stay cheap.
pvc_index := pvcs

pvcs[k] contains lib.ref(obj) if {
	some obj in input.objects
	is_object(obj)
	obj.kind == "PersistentVolumeClaim"
	name := obj.metadata.name
	is_string(name)
	k := lib.index_key([lib.namespace(obj), name])
}

# claim_volumes(obj): {volume name: claim key} for volumes backed by an existing PVC.
claim_volumes(obj, t) := {vname: k |
	some vol in t.spec.volumes
	is_object(vol)
	vname := vol.name
	is_string(vname)
	claim := vol.persistentVolumeClaim.claimName
	is_string(claim)
	k := lib.index_key([lib.namespace(obj), claim])
	count(pvc_index[k]) > 0
}

deny contains alert if {
	some obj in input.objects
	is_object(obj)
	obj.kind in lib.workload_kinds
	t := lib.pod_template(obj)
	vols := claim_volumes(obj, t)
	count(vols) > 0
	mounts := {[path, vols[m.name]] |
		some c in lib.all_containers(obj)
		some j, m in c.container.volumeMounts
		is_object(m)
		vols[m.name]
		path := concat("", [c.path, ".volumeMounts[", format_int(j, 10), "]"])
	}
	count(mounts) > 0
	paths := sort({p | some [p, _] in mounts})
	related := sort({r | some [_, k] in mounts; some r in pvc_index[k]})
	alert := {
		"message": sprintf("%s %s mounts a PersistentVolumeClaim", [obj.kind, object.get(obj, ["metadata", "name"], "")]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
		"relatedObjects": related,
	}
}

package kubescape.rules.etcd_unique_ca

import rego.v1

import data.kubescape.lib

# Index (in input.objects) of every kube-apiserver Pod, keyed by its --client-ca-file.
api_by_ca[ca] contains i if {
	some i, obj in input.objects
	some ct in lib.cp_apiserver(obj)
	some o in lib.cp_flag(ct, "client-ca-file")
	ca := o.value
	ca != ""
}

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_etcd(obj)
	cas := {o.value | some o in lib.cp_flag(ct, "trusted-ca-file")}
	some i in {i | some ca in cas; some i in api_by_ca[ca]}
	api := input.objects[i]
	shared := {ca | some ca in cas; api_by_ca[ca][i]}
	etcd_occs := {o | some o in lib.cp_flag(ct, "trusted-ca-file"); shared[o.value]}
	api_paths := {o.path |
		some act in lib.cp_apiserver(api)
		some o in lib.cp_flag(act, "client-ca-file")
		shared[o.value]
	}
	paths := array.concat(lib.cp_paths(etcd_occs), sort([p | some p in api_paths]))
	msg := sprintf("etcd Pod %s trusts the same CA (%s) as kube-apiserver Pod %s, so every client certificate of the cluster CA is accepted by etcd", [lib.meta_name(obj), concat(", ", sort([c | some c in shared])), lib.meta_name(api)])
	alert := {
		"message": msg,
		"objects": [lib.ref(obj), lib.ref(api)],
		"failedPaths": paths,
		"reviewPaths": paths,
		"deletePaths": [],
		"fixPaths": [lib.cp_set_fix(o, "<path/to/different-tls-certificate-file.crt>") | some o in etcd_occs],
	}
}

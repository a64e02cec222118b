package kubescape.rules.alert_mount_potential_credentials_paths

import rego.v1

import data.kubescape.lib

# Where each managed Kubernetes offering keeps cloud credentials on its nodes.
# "home" paths may sit under any home directory (/root/.aws/credentials, /home/x/.aws/...);
# "absolute" paths are fixed node locations.
credential_paths := {
	"eks": {"home": ["/.aws/credentials", "/.aws/config"], "absolute": []},
	"gke": {"home": ["/.config/gcloud/application_default_credentials.json", "/.config/gcloud/credentials.db", "/.config/gcloud/legacy_credentials"], "absolute": []},
	"aks": {"home": ["/.azure/accessTokens.json", "/.azure/azureProfile.json", "/.azure/msal_token_cache.json"], "absolute": ["/etc/kubernetes/azure.json"]},
}

provider_aliases := {"eks": "eks", "aws": "eks", "gke": "gke", "gcp": "gke", "gce": "gke", "aks": "aks", "azure": "aks"}

# provider: the cluster's cloud, from data.dataControlInputs.cloudProvider. Without a
# known provider nothing is reported.
provider := p if {
	# set by the engine with policy.setData, not by a rule:
	# regal ignore:unresolved-reference
	cp := data.dataControlInputs.cloudProvider
	is_string(cp)
	p := provider_aliases[lower(trim_space(cp))]
}

# exposes(host_path): the host path is, or contains, a credentials file of the provider.
default exposes(_) := false

exposes(hp) if {
	p := trim_right(hp, "/")
	p == ""
	startswith(hp, "/")
}

exposes(hp) if {
	p := trim_right(hp, "/")
	p != ""
	some k in credential_paths[provider].absolute
	covers(p, k)
}

exposes(hp) if {
	p := trim_right(hp, "/")
	p != ""
	some k in credential_paths[provider].home
	some suffix in home_suffixes(k)
	endswith(p, suffix)
}

# covers(p, k): p is k or one of its ancestor directories.
covers(p, k) if p == k

covers(p, k) if startswith(k, concat("", [p, "/"]))

# home_suffixes("/.aws/credentials") = {"/.aws/credentials", "/.aws"}: the file and the
# directories between the home directory and it.
home_suffixes(k) := {s |
	parts := split(trim_left(k, "/"), "/")
	some n in numbers.range(1, count(parts))
	s := concat("", ["/", concat("/", array.slice(parts, 0, n))])
}

deny contains alert if {
	provider
	some obj in input.objects
	lib.is_workload(obj)
	some v in lib.wl_volumes(obj)
	hp := v.volume.hostPath.path
	is_string(hp)
	exposes(hp)
	mounts := lib.mount_paths(obj, v.volume.name)
	count(mounts) > 0
	paths := array.concat([v.path], sort(mounts))
	alert := {
		"message": sprintf("%s %s mounts host path %s, which holds %s cloud credentials", [obj.kind, lib.obj_name(obj), hp, upper(provider)]),
		"objects": [lib.ref(obj)],
		"failedPaths": paths,
		"deletePaths": paths,
	}
}

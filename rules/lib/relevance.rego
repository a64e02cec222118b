# Relevance: which of the objects a rule matches it judges. A rule folder may hold a
# relevant.rego with a `relevant` rule in the rule's package: the ids (__ksid) of the
# objects it is about. Only those (and any object it flags) count in its controls' scores;
# the others of its kinds are neither passed nor failed. Every name starts with rel_.
package kubescape.lib

import rego.v1

# rel_component(comp): the Pods running the control-plane component comp (kube-apiserver,
# kube-controller-manager, kube-scheduler, etcd), found as the component rules find them.
rel_component(comp) := [object.get(obj, "__ksid", -1) |
	some obj in input.objects
	count(cp_containers(obj, comp)) > 0
]

# rel_kinds(kinds): the objects of the given kinds (a rule whose other matched kinds are
# only context, e.g. the Services beside the workloads it judges).
rel_kinds(kinds) := [object.get(obj, "__ksid", -1) |
	some obj in input.objects
	kinds[obj.kind]
]

# rel_product_deployments(name): the Deployments running an image of product name (a key of
# wl_product_repo_suffixes), whatever its version: a CVE rule is about these only.
rel_product_deployments(name) := [object.get(obj, "__ksid", -1) |
	some obj in input.objects
	obj.kind == "Deployment"
	some img in wl_run_images(obj)
	wl_is_product(img.image, name)
]

# rel_rbac_subjects: the subjects (as the RBAC rules' alerts name them) of every binding whose
# role is in the input: an RBAC rule judges these, not the Roles and bindings themselves.
rel_rbac_subjects := [s.ref |
	some g in rbac_grants
	some s in rbac_subjects(g.binding)
]

package kubescape.rules.ensure_that_the_API_Server_only_makes_use_of_Strong_Cryptographic_Ciphers

import rego.v1

import data.kubescape.lib

# The cipher suite list the benchmark asks --tls-cipher-suites to be set to.
recommended := [
	"TLS_AES_128_GCM_SHA256",
	"TLS_AES_256_GCM_SHA384",
	"TLS_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
	"TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	"TLS_RSA_WITH_AES_128_CBC_SHA",
	"TLS_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_RSA_WITH_AES_256_CBC_SHA",
	"TLS_RSA_WITH_AES_256_GCM_SHA384",
]

recommended_set := {x | some x in recommended}

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	bad := {o | some o in lib.cp_flag(ct, "tls-cipher-suites"); differs(o)}
	count(bad) > 0
	msg := sprintf("kube-apiserver Pod %s: --tls-cipher-suites is not the recommended list of cipher suites", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, lib.cp_paths(bad), [lib.cp_set_fix(o, fixed(o)) | some o in bad])
}

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	not lib.cp_has_flag(ct, "tls-cipher-suites")
	msg := sprintf("kube-apiserver Pod %s: --tls-cipher-suites is not set, so Go's default cipher suites are accepted", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, [], lib.cp_missing_fixes(ct, [["tls-cipher-suites", concat(",", recommended)]]))
}

# An unknown suite is configured, or a recommended one is missing.
differs(o) if {
	some x in lib.cp_list(o)
	not recommended_set[x]
}

differs(o) if {
	have := {x | some x in lib.cp_list(o)}
	some r in recommended
	not have[r]
}

# The configured recommended suites, in their order, then the missing ones.
fixed(o) := concat(",", array.concat(kept, missing)) if {
	kept := [x | some x in lib.cp_list(o); recommended_set[x]]
	have := {x | some x in kept}
	missing := [r | some r in recommended; not have[r]]
}

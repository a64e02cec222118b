package kubescape.rules.ensure_that_the_API_Server_only_makes_use_of_Strong_Cryptographic_Ciphers_cis1_10

import rego.v1

import data.kubescape.lib

# Strong suites to configure when the flag is missing.
strong := [
	"TLS_AES_128_GCM_SHA256",
	"TLS_AES_256_GCM_SHA384",
	"TLS_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
	"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
]

# Suites the benchmark rules out (CBC with SHA-256, RC4, 3DES and static RSA key exchange).
weak := {
	"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
	"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
	"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
	"TLS_ECDHE_RSA_WITH_RC4_128_SHA",
	"TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	"TLS_RSA_WITH_AES_128_CBC_SHA",
	"TLS_RSA_WITH_AES_128_CBC_SHA256",
	"TLS_RSA_WITH_AES_128_GCM_SHA256",
	"TLS_RSA_WITH_AES_256_CBC_SHA",
	"TLS_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_RSA_WITH_RC4_128_SHA",
}

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	bad := {o | some o in lib.cp_flag(ct, "tls-cipher-suites"); has_weak(o)}
	count(bad) > 0
	msg := sprintf("kube-apiserver Pod %s: --tls-cipher-suites allows weak cipher suites", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, lib.cp_paths(bad), [lib.cp_set_fix(o, without_weak(o)) | some o in bad])
}

deny contains alert if {
	some obj in input.objects
	some ct in lib.cp_apiserver(obj)
	not lib.cp_has_flag(ct, "tls-cipher-suites")
	msg := sprintf("kube-apiserver Pod %s: --tls-cipher-suites is not set, so weak cipher suites are accepted", [lib.meta_name(obj)])
	alert := lib.cp_alert(obj, msg, [], lib.cp_missing_fixes(ct, [["tls-cipher-suites", concat(",", strong)]]))
}

has_weak(o) if {
	some x in lib.cp_list(o)
	weak[x]
}

without_weak(o) := concat(",", kept) if {
	kept := [x | some x in lib.cp_list(o); not weak[x]]
	count(kept) > 0
} else := concat(",", strong)

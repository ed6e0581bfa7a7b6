/* mbedTLS 3.6 LTS configuration for slink firmware: exactly the primitives
 * the crypto port's device backends use (src/backends/p256m/: AES-GCM and
 * SHA-256 from mbedTLS, ECC from p256-m; src/backends/mbedtls/, the
 * comparison build: also P-256 ECDH/ECDSA, with HMAC-DRBG and MD only
 * inside RFC 6979 signing) and nothing else.  The linker keeps only what a
 * backend reaches, so the p256-m image carries no bignum or ECP code.
 * HMAC, HKDF and the session DRBG are slink's own code over SHA-256
 * (src/crypto/kdf.c, src/crypto/rng.c).  Selected with
 * -DMBEDTLS_CONFIG_FILE='"slink_mbedtls_config.h"' (not "mbedtls_config.h":
 * mbedTLS 3's own default file has that name and would be found first);
 * it replaces mbedTLS's default configuration entirely, so every option
 * not listed here is off.
 *
 * With -DSLINK_FW_DTLS_REFERENCE the same crypto set is extended with
 * mbedTLS's DTLS 1.2 client for one suite
 * (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) and the X.509 parsing it needs:
 * the size reference that `make firmware-size` prints beside slink.
 * Nothing else differs. */
#ifndef SLINK_FW_MBEDTLS_CONFIG_H
#define SLINK_FW_MBEDTLS_CONFIG_H

#include "slink_mbedtls_common.h"

/* ---- bignum / elliptic curves: P-256 only ---- */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_MPI_WINDOW_SIZE         1   /* only RSA/DH use exp_mod */
#define MBEDTLS_MPI_MAX_SIZE            32  /* largest number: a P-256 scalar */
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM              /* fast reduction mod p256 */
#define MBEDTLS_ECP_MAX_BITS            256
/* Small comb window and no precomputed table of the base point: slower
 * signatures, much less RAM (the table would be 2^(w-1) points in heap). */
#define MBEDTLS_ECP_WINDOW_SIZE         2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM   0
/* mbedTLS 3 has no internal RNG for blinding: every multiplication by a
 * secret gets slink's DRBG (ECDH, key generation, signing) or, for the
 * key-pair check at load, a DRBG seeded from the key (src/cert/cert.c); the ones
 * without an RNG are signature verifications, which see only public
 * values. */
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC         /* RFC 6979 */

/* ---- hashes, MAC, KDF, DRBG (SHA-256 itself: slink_mbedtls_common.h) ---- */
#define MBEDTLS_MD_C                        /* RFC 6979 nonces (HMAC-DRBG) */
#define MBEDTLS_HMAC_DRBG_C

/* ---- keys and certificates ---- */
/* The core decodes certificates and keys itself (src/cert/crt.c: strict DER,
 * slink's profile), so mbedTLS's X.509, PK, OID and PEM modules are not
 * built.  ECDSA_C still requires the ASN.1 modules; nothing reaches them,
 * so the linker drops them. */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

#if defined(SLINK_FW_DTLS_REFERENCE)
/* mbedTLS's own DTLS 1.2 client with the one suite that matches slink's
 * primitives (ECDHE-ECDSA, AES-128-GCM, SHA-256): the comparison build. */
#define MBEDTLS_CIPHER_C                    /* the TLS record layer's cipher API */
#define MBEDTLS_OID_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_REMOVE_INFO            /* no human-readable dumps */
#define MBEDTLS_X509_CHECK_KEY_USAGE        /* as slink: keyUsage is checked when present */
#define MBEDTLS_X509_MAX_INTERMEDIATE_CA 0  /* leaf signed directly by the root */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_DTLS
#define MBEDTLS_SSL_DTLS_ANTI_REPLAY
#define MBEDTLS_SSL_DTLS_HELLO_VERIFY
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_CIPHERSUITES MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
/* Buffers sized for the same frame budget as the slink firmware would be
 * unfair to DTLS (a certificate flight must fit); 1 KiB each way is the
 * smallest that carries a P-256 certificate chain of one. */
#define MBEDTLS_SSL_IN_CONTENT_LEN      1024
#define MBEDTLS_SSL_OUT_CONTENT_LEN     1024
#endif

/* mbedTLS's build_info.h checks the configuration (check_config.h) after
 * including this file. */

#endif

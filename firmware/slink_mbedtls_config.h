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

/* ---- system support ---- */
/* Inline assembly for the bignum multiply loops (Thumb-1 and Thumb-2
 * variants exist in bn_mul.h): the ECC hot path. */
#define MBEDTLS_HAVE_ASM
/* No MBEDTLS_HAVE_TIME / MBEDTLS_HAVE_TIME_DATE: the board has no real-time
 * clock.  mbedTLS then treats every certificate as current; slink checks
 * dates itself under its time policy (a build-time floor here). */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_DEPRECATED_REMOVED

/* ---- platform: no system heap ---- */
/* All mbedTLS allocations (bignums, parsed certificates) come from a static
 * pool through the port's allocator (firmware/port/fw_alloc.c), called
 * directly; naming it also keeps newlib's malloc, free and sbrk out of the
 * image, so nothing can grow a heap into the stack. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_CALLOC_MACRO   fw_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO     fw_free
#include <stddef.h>
void *fw_calloc(size_t n, size_t size);
void fw_free(void *p);

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

/* ---- symmetric ---- */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES              /* tables in flash, not built in RAM */
#define MBEDTLS_AES_FEWER_TABLES            /* 2 KiB of tables instead of 8 KiB */
/* slink's records and the reference's one suite use AES-128 only: the
 * key schedule buffer shrinks from 68 to 44 words, 96 bytes less in every
 * GCM context (slink sets one up on the stack per record). */
#define MBEDTLS_AES_ONLY_128_BIT_KEY_LENGTH
/* Without MBEDTLS_CIPHER_C, GCM drives AES through the small block-cipher
 * layer (block_cipher.c) rather than the generic cipher layer and its
 * table of every mode; the DTLS reference needs the cipher layer and
 * enables it below.  GCM only ever encrypts with AES: no decryption
 * tables or code. */
#define MBEDTLS_GCM_C
#define MBEDTLS_BLOCK_CIPHER_NO_DECRYPT

/* ---- hashes, MAC, KDF, DRBG ---- */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
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

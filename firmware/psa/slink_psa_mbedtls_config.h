/* mbedTLS 3.6 LTS configuration for the PSA variant of the slink firmware
 * (device-psa.elf, mk/fw_psa.mk): the crypto port's PSA backend
 * (src/backends/psa/) over mbedTLS's PSA Crypto core, with the identity key
 * a persistent PSA key in internal trusted storage (firmware/psa/fw_its.c)
 * and P-256 done by p256-m as the core's transparent driver
 * (MBEDTLS_PSA_P256M_DRIVER_ENABLED: mbedTLS then declares ECDH, ECDSA and
 * P-256 keys accelerated and builds none of its own bignum or ECP code).
 * AES-GCM, SHA-256 and HMAC are mbedTLS's built-in PSA implementations.
 * Selected with -DMBEDTLS_CONFIG_FILE='"slink_psa_mbedtls_config.h"'; the
 * PSA_WANT_ set is in slink_psa_crypto_config.h.  Everything not listed is
 * off. */
#ifndef SLINK_PSA_MBEDTLS_CONFIG_H
#define SLINK_PSA_MBEDTLS_CONFIG_H

#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_DEPRECATED_REMOVED

/* Heap (key slots, loaded key material, operation buffers) from the port's
 * static pool, as in the raw build (firmware/port/fw_alloc.c). */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_CALLOC_MACRO   fw_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO     fw_free
#include <stddef.h>
void *fw_calloc(size_t n, size_t size);
void fw_free(void *p);

/* ---- PSA Crypto core ---- */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_CRYPTO_CONFIG
#define MBEDTLS_PSA_CRYPTO_CONFIG_FILE "slink_psa_crypto_config.h"
/* Persistent keys in internal trusted storage: psa_its_* are ours
 * (firmware/psa/fw_its.c, over a reserved flash region), not mbedTLS's
 * file-backed ITS. */
#define MBEDTLS_PSA_CRYPTO_STORAGE_C
/* No CTR-DRBG and entropy module: the core's random bytes come from the
 * port (firmware/psa/fw_psa_rng.c: slink's HMAC-DRBG over the board's
 * health-tested entropy). */
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
/* p256-m as the PSA driver for ECDH, ECDSA and P-256 key handling. */
#define MBEDTLS_PSA_P256M_DRIVER_ENABLED
/* Key slots in use at once: the identity key, one operation's volatile key
 * (an ECDH scalar, a peer public key, an AEAD or HMAC key), margin. */
#define MBEDTLS_PSA_KEY_SLOT_COUNT      4

/* ---- symmetric: as the raw build ---- */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_AES_ONLY_128_BIT_KEY_LENGTH
#define MBEDTLS_GCM_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_MD_C                        /* PSA's built-in HMAC */

#endif

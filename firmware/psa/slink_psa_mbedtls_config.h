/* mbedTLS 3.6 LTS configuration for the PSA variant of the slink firmware
 * (device-psa.elf, mk/fw_psa.mk).  The variant is a hybrid: the device's
 * crypto is the raw device build's (src/backends/p256m/: p256-m for ECDH,
 * verification and ephemeral keys, mbedTLS's AES-GCM and SHA-256 through
 * src/backends/mbedtls/'s AEAD and hash files), and only the identity key
 * lives in mbedTLS's PSA Crypto core: a persistent key in internal trusted
 * storage (firmware/psa/fw_its.c), used by id through the PSA backend's
 * signer (src/backends/psa/psa_key.c) for the one signature of each
 * handshake.  The core signs through p256-m as its transparent driver
 * (MBEDTLS_PSA_P256M_DRIVER_ENABLED: mbedTLS then builds none of its own
 * bignum or ECP code); the driver's entry points link against the p256-m
 * the device backend already carries (p256m_lib.o), so the image has one
 * copy of it.  Selected with
 * -DMBEDTLS_CONFIG_FILE='"slink_psa_mbedtls_config.h"'; the PSA_WANT_ set
 * is in slink_psa_crypto_config.h.  Everything not listed is off. */
#ifndef SLINK_PSA_MBEDTLS_CONFIG_H
#define SLINK_PSA_MBEDTLS_CONFIG_H

/* System support, the heap (the loaded key's material while it signs,
 * from the port's static pool) and the symmetric set, used directly by
 * src/backends/mbedtls/mbedtls_aead.c and mbedtls_hash.c, not through
 * PSA: the raw device build's own (firmware/slink_mbedtls_common.h). */
#include "../slink_mbedtls_common.h"

/* ---- PSA Crypto core: the identity key's store ---- */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_CRYPTO_CONFIG
#define MBEDTLS_PSA_CRYPTO_CONFIG_FILE "slink_psa_crypto_config.h"
/* Persistent keys in internal trusted storage: psa_its_* are ours
 * (firmware/psa/fw_its.c, over a reserved flash region), not mbedTLS's
 * file-backed ITS. */
#define MBEDTLS_PSA_CRYPTO_STORAGE_C
/* No CTR-DRBG and entropy module: the core's random bytes come from the
 * port (firmware/psa/fw_psa_rng.c: the slink DRBG the signer lends for
 * each signature). */
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
/* p256-m as the PSA driver for the identity key (import, sign). */
#define MBEDTLS_PSA_P256M_DRIVER_ENABLED
/* One key in use at a time: the identity key while it signs (it is
 * purged after each signature). */
#define MBEDTLS_PSA_KEY_SLOT_COUNT      1

#endif

/* PSA_WANT_ set of the PSA firmware variant (slink_psa_mbedtls_config.h):
 * what the identity key needs and nothing else, since every other
 * primitive goes through the device backend directly.  A P-256 key pair
 * read from storage (import) that signs with randomised ECDSA: p256-m (the
 * driver) does not do RFC 6979, and the key is provisioned with
 * PSA_ALG_ECDSA(PSA_ALG_SHA_256) (firmware/tools/gen_its.py).  mbedTLS
 * adds PSA_WANT_ALG_SHA_256 itself because MBEDTLS_SHA256_C is on
 * (config_adjust_psa_superset_legacy.h); the PSA hash code it enables is
 * not reached, so the linker drops it. */
#ifndef SLINK_PSA_CRYPTO_CONFIG_H
#define SLINK_PSA_CRYPTO_CONFIG_H

#define PSA_WANT_ALG_ECDSA                      1
#define PSA_WANT_ECC_SECP_R1_256                1
#define PSA_WANT_KEY_TYPE_ECC_PUBLIC_KEY        1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_BASIC    1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_IMPORT   1

#endif

/* PSA_WANT_ set of the PSA firmware variant (slink_psa_mbedtls_config.h):
 * what src/backends/psa/ calls, nothing else.  ECDSA is the randomised kind
 * only: p256-m (the driver) does not do RFC 6979, and the only key the
 * device signs with is the persistent identity key, provisioned with
 * PSA_ALG_ECDSA(PSA_ALG_SHA_256) (firmware/tools/gen_its.py). */
#ifndef SLINK_PSA_CRYPTO_CONFIG_H
#define SLINK_PSA_CRYPTO_CONFIG_H

#define PSA_WANT_ALG_ECDH                       1
#define PSA_WANT_ALG_ECDSA                      1
#define PSA_WANT_ECC_SECP_R1_256                1
#define PSA_WANT_KEY_TYPE_ECC_PUBLIC_KEY        1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_BASIC    1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_IMPORT   1
#define PSA_WANT_KEY_TYPE_ECC_KEY_PAIR_EXPORT   1

#define PSA_WANT_ALG_GCM                        1
#define PSA_WANT_KEY_TYPE_AES                   1
#define PSA_WANT_ALG_SHA_256                    1
#define PSA_WANT_ALG_HMAC                       1
#define PSA_WANT_KEY_TYPE_HMAC                  1

#endif

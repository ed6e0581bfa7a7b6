/* Private to the PSA Crypto backend. */
#ifndef SLINK_CRYPTO_PSA_BACKEND_H
#define SLINK_CRYPTO_PSA_BACKEND_H

#include "slink/crypto.h"
#include <psa/crypto.h>

/* psa_crypto_init() once (it is idempotent, this skips the call);
 * psa_ready.c, apart so that psa_key.c links without the rest. */
slink_err slink_psa_ready(void);

/* A volatile key holding bytes for one operation; destroy it after. */
slink_err slink_psa_import(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                           psa_algorithm_t alg, const uint8_t *key, size_t len,
                           psa_key_id_t *id);

/* y for x on P-256 (either root; x-only ECDH does not care), public
 * values only: SLINK_ERR_HS_BAD_KEY when x is not the x of a point. */
slink_err slink_p256_decompress(const uint8_t x[32], uint8_t y[32]);

#endif

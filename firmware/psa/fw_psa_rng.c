/* The PSA core's random generator (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG): a
 * DRBG of slink's own (HMAC-DRBG, src/crypto/rng.c) seeded and reseeded from the
 * platform's health-tested entropy, kept apart from the sessions' DRBGs.
 * p256-m draws the identity key's ECDSA nonces from it too
 * (fw_psa_signer.c).  mbedTLS passes a context it zeroes once; it has no
 * room for a DRBG, so the state is this file's. */
#include <psa/crypto.h>
#include "fw_psa.h"

static slink_rng psa_rng;
static const slink_platform *psa_plat;

void fw_psa_rng_init(const slink_platform *plat)
{
    psa_plat = plat;
}

slink_rng *fw_psa_drbg(void)
{
    if (psa_plat == NULL)
        return NULL;
    if (!psa_rng.seeded &&
        slink_rng_init(&psa_rng, psa_plat, (const uint8_t *)"psa core", 8) != SLINK_OK)
        return NULL;
    return &psa_rng;
}

psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *context,
                                             uint8_t *output, size_t output_size,
                                             size_t *output_length)
{
    slink_rng *r = fw_psa_drbg();

    (void)context;
    *output_length = 0;
    if (r == NULL || slink_rng_bytes(r, output, output_size) != SLINK_OK)
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    *output_length = output_size;
    return PSA_SUCCESS;
}

/* The PSA core's random generator (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG) and
 * the DRBG behind p256-m's ECDSA nonces when the PSA core signs.  No DRBG
 * state of its own (112 bytes of RAM it used to hold for good): the only
 * random draws in this image's PSA core are the identity key's signature
 * nonces, and fw_psa_signer.c lends the DRBG for the length of each
 * signature (the connection's, which the handshake passes to the signer,
 * or one on the stack for the credential check at boot), so the core's
 * RNG draws from the lent DRBG and refuses while none is lent.  mbedTLS
 * passes a context it zeroes once; it has no room for a DRBG. */
#include <psa/crypto.h>
#include "fw_psa.h"

static const slink_platform *psa_plat;
static slink_rng *lent;

void fw_psa_rng_init(const slink_platform *plat)
{
    psa_plat = plat;
}

const slink_platform *fw_psa_platform(void)
{
    return psa_plat;
}

void fw_psa_lend_drbg(slink_rng *r)
{
    lent = r;
}

psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *context,
                                             uint8_t *output, size_t output_size,
                                             size_t *output_length)
{
    (void)context;
    *output_length = 0;
    if (lent == NULL || slink_rng_bytes(lent, output, output_size) != SLINK_OK)
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    *output_length = output_size;
    return PSA_SUCCESS;
}

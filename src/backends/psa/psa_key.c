/* An identity key kept in the PSA key store (volatile, persistent, or in a
 * secure element behind a PSA driver), used by id: the scalar never enters
 * slink's memory. */
#include "psa_backend.h"
#include "slink/crypto_psa.h"

static slink_err psa_id_sign_hash(void *ctx, const uint8_t hash[32],
                                  uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    const slink_psa_key *k = ctx;
    psa_key_attributes_t at = PSA_KEY_ATTRIBUTES_INIT;
    psa_algorithm_t alg;
    size_t olen = 0;
    psa_status_t st;

    (void)rng;
    SLINK_TRY(slink_psa_ready());
    /* sign with the algorithm the key is allowed (deterministic or not) */
    if (psa_get_key_attributes((psa_key_id_t)k->key_id, &at) != PSA_SUCCESS)
        return SLINK_ERR_CRYPTO;
    alg = psa_get_key_algorithm(&at);
    psa_reset_key_attributes(&at);
    if (alg != PSA_ALG_ECDSA(PSA_ALG_SHA_256) && alg != PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256))
        return SLINK_ERR_CONFIG;
    st = psa_sign_hash((psa_key_id_t)k->key_id, alg, hash, 32, sig, SLINK_SIG_LEN, &olen);
    /* A persistent key is read from storage into a key slot of the PSA
     * core to be used; drop that copy now rather than keep the scalar in
     * RAM between handshakes (one signature each: the reload is cheap).
     * Volatile keys are not affected. */
    (void)psa_purge_key((psa_key_id_t)k->key_id);
    return st == PSA_SUCCESS && olen == SLINK_SIG_LEN ? SLINK_OK : SLINK_ERR_CRYPTO;
}

slink_signer slink_psa_key_signer(slink_psa_key *k)
{
    slink_signer s;
    s.sign_hash = psa_id_sign_hash;
    s.ctx = k;
    return s;
}

/* The identity key's signer in the hybrid PSA image: the PSA backend's key
 * id signer (src/backends/psa/psa_key.c, psa_sign_hash on the persistent
 * key), with p256-m's random source pointed at the PSA core's DRBG while
 * it runs.  The PSA core signs through p256-m as its driver, and the only
 * p256-m in the image is the device backend's (src/backends/p256m/
 * p256m_lib.c), whose random hook draws from the DRBG the backend sets
 * around each call rather than from psa_generate_random; the nonce of a
 * signature made through PSA must come from somewhere, so this sets it:
 * the DRBG that also serves psa_generate_random (fw_psa_rng.c), apart
 * from the sessions' own.  The backend's private header is included on
 * purpose: this file is the glue between the two backends the image
 * links, and exists only in this image. */
#include "fw_psa.h"
#include "backends/p256m/p256m_backend.h"

static slink_signer psa_signer;

static slink_err sign_via_psa(void *ctx, const uint8_t hash[32],
                              uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    slink_rng *drbg = fw_psa_drbg();
    slink_err e;
    int rng_failed;

    (void)ctx;
    if (drbg == NULL)
        return SLINK_ERR_RNG;
    slink_p256m_set_rng(drbg);
    e = psa_signer.sign_hash(psa_signer.ctx, hash, sig, rng);
    rng_failed = slink_p256m_rng_failed();
    slink_p256m_set_rng(NULL);
    if (e != SLINK_OK && rng_failed)
        return SLINK_ERR_RNG;
    return e;
}

slink_signer fw_psa_identity_signer(slink_psa_key *k)
{
    slink_signer s;

    psa_signer = slink_psa_key_signer(k);
    s.sign_hash = sign_via_psa;
    s.ctx = k;
    return s;
}

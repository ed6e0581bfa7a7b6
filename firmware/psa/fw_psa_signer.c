/* The identity key's signer in the hybrid PSA image: the PSA backend's key
 * id signer (src/backends/psa/psa_key.c, psa_sign_hash on the persistent
 * key), with p256-m's random bytes supplied while it runs.  The
 * PSA core signs through p256-m as its driver, and the only p256-m in the
 * image is the device backend's (src/backends/p256m/p256m_lib.c), whose
 * random hook draws from the DRBG the backend sets around each call rather
 * than from psa_generate_random; the nonce of a signature made through PSA
 * must come from somewhere, so this supplies it.  The DRBG is the caller's:
 * the handshake passes its connection's (slink_hs_cfg.rng: HMAC-DRBG over
 * the board's health-tested entropy, reseeded, the one that draws the
 * ephemeral keys), and a randomised ECDSA nonce drawn from it is as good
 * as one from a second instance of the same construction, which this
 * image kept for good before (112 bytes).  Only the credential check at
 * boot signs without a DRBG; it gets one seeded from the platform for that
 * call, on the stack of the boot path (whose depth the painted stack
 * figure of `make firmware-size` includes).  The backend's
 * private header is included on purpose: this
 * file is the glue between the two backends the image links, and exists
 * only in this image. */
#include "fw_psa.h"
#include "backends/p256m/p256m_backend.h"

static slink_signer psa_signer;

/* The nonce's random bytes are drawn here, before the PSA core is
 * entered, and p256-m takes them from this buffer: the DRBG's hashing then
 * runs at this depth instead of under the PSA core's and p256-m's frames,
 * which made this image's deepest stack path.  p256-m never asks for more
 * than SLINK_P256M_SIGN_RANDOM bytes (four candidates for k, each kept with
 * probability about 1 - 2^-32); the PSA core's own RNG, which nothing in
 * this image calls while it signs, draws from the lent DRBG. */
static slink_err sign_with(slink_rng *drbg, const uint8_t hash[32], uint8_t sig[SLINK_SIG_LEN])
{
    uint8_t k_bytes[SLINK_P256M_SIGN_RANDOM];
    slink_err e;
    int rng_failed;

    if (slink_rng_bytes(drbg, k_bytes, sizeof k_bytes) != SLINK_OK)
        return SLINK_ERR_RNG;
    fw_psa_lend_drbg(drbg);
    slink_p256m_set_random_bytes(k_bytes, sizeof k_bytes);
    e = psa_signer.sign_hash(psa_signer.ctx, hash, sig, drbg);
    rng_failed = slink_p256m_rng_failed();
    slink_p256m_set_random_bytes(NULL, 0);
    fw_psa_lend_drbg(NULL);
    slink_memzero(k_bytes, sizeof k_bytes);
    if (e != SLINK_OK && rng_failed)
        return SLINK_ERR_RNG;
    return e;
}

/* Its own frame: the DRBG's state is on the stack only on this path. */
static __attribute__((noinline)) slink_err sign_seeded_here(const uint8_t hash[32],
                                                            uint8_t sig[SLINK_SIG_LEN])
{
    slink_rng local;
    slink_err e;

    if (fw_psa_platform() == NULL)
        return SLINK_ERR_RNG;
    e = slink_rng_init(&local, fw_psa_platform(), (const uint8_t *)"psa sign", 8);
    if (e == SLINK_OK)
        e = sign_with(&local, hash, sig);
    slink_rng_free(&local);
    return e;
}

static slink_err sign_via_psa(void *ctx, const uint8_t hash[32],
                              uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    (void)ctx;
    if (rng == NULL)
        return sign_seeded_here(hash, sig);
    return sign_with(rng, hash, sig);
}

slink_signer fw_psa_identity_signer(slink_psa_key *k)
{
    slink_signer s;

    psa_signer = slink_psa_key_signer(k);
    s.sign_hash = sign_via_psa;
    s.ctx = k;
    return s;
}

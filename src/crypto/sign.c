/* ECDSA P-256 around the port: the one encoding of a signature both ways,
 * signing through a handle, and the software key as one kind of handle.
 * The range checks live here, not in the backends, so every backend
 * refuses and produces exactly the same set of signatures. */
#include "slink/crypto.h"
#include <string.h>

const uint8_t slink_p256_n[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51
};

/* 1 if 0 < s < n: s - n borrows exactly when s < n.  Constant-time: s
 * may be a private scalar. */
int slink_p256_scalar_ok(const uint8_t s[32])
{
    unsigned borrow = 0, nz = 0;
    for (size_t i = 32; i-- > 0;) {
        borrow = ((unsigned)s[i] - slink_p256_n[i] - borrow) >> 8 & 1u;
        nz |= s[i];
    }
    return (int)(borrow & (nz != 0));
}

slink_err slink_ecdsa_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                  const uint8_t sig[SLINK_SIG_LEN])
{
    slink_err e;

    SLINK_CHECK(pub != NULL && hash != NULL && sig != NULL, SLINK_ERR_ARG);
    /* Exactly one encoding per signature: r, s in [1, n-1].  (Raw fixed
     * width means no DER/BER leniency; s is not normalised, both s and n-s
     * are valid, as in plain ECDSA.)  Uncompressed points only: the point
     * comes from a certificate of the profile. */
    if (!slink_p256_scalar_ok(sig) || !slink_p256_scalar_ok(sig + 32) || pub[0] != 0x04)
        return SLINK_ERR_HS_BAD_SIG;
    e = slink_p256_verify_hash(pub, hash, sig);
    return e == SLINK_OK || e == SLINK_ERR_ARG ? e : SLINK_ERR_HS_BAD_SIG;
}

slink_err slink_ecdsa_verify(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t *msg, size_t len,
                             const uint8_t sig[SLINK_SIG_LEN])
{
    uint8_t h[32];
    slink_err e = slink_sha256(msg, len, h);
    if (e == SLINK_OK)
        e = slink_ecdsa_verify_hash(pub, h, sig);
    return e;
}

slink_err slink_sign_hash(const slink_signer *s, const uint8_t hash[32],
                          uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    slink_err e;

    SLINK_CHECK(s != NULL && s->sign_hash != NULL && hash != NULL && sig != NULL, SLINK_ERR_ARG);
    e = s->sign_hash(s->ctx, hash, sig, rng);
    /* A key store that hands back something outside the one encoding
     * would make the peer refuse us: say so here instead. */
    if (e == SLINK_OK && (!slink_p256_scalar_ok(sig) || !slink_p256_scalar_ok(sig + 32)))
        e = SLINK_ERR_CRYPTO;
    if (e != SLINK_OK)
        slink_memzero(sig, SLINK_SIG_LEN);
    return e;
}

slink_err slink_sign(const slink_signer *s, const uint8_t *msg, size_t len,
                     uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    uint8_t h[32];
    slink_err e = slink_sha256(msg, len, h);
    if (e == SLINK_OK)
        e = slink_sign_hash(s, h, sig, rng);
    slink_memzero(h, sizeof h);
    return e;
}

/* ---- software key ---- */

slink_err slink_soft_key_set(slink_soft_key *k, const uint8_t d[32])
{
    SLINK_CHECK(k != NULL && d != NULL, SLINK_ERR_ARG);
    if (!slink_p256_scalar_ok(d)) {
        slink_memzero(k, sizeof *k);
        return SLINK_ERR_ARG;
    }
    memcpy(k->d, d, sizeof k->d);
    return SLINK_OK;
}

static slink_err soft_sign_hash(void *ctx, const uint8_t hash[32],
                                uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    const slink_soft_key *k = ctx;
    return slink_p256_sign_hash(k->d, hash, sig, rng);
}

slink_signer slink_soft_key_signer(slink_soft_key *k)
{
    slink_signer s;
    s.sign_hash = soft_sign_hash;
    s.ctx = k;
    return s;
}

void slink_soft_key_wipe(slink_soft_key *k)
{
    if (k != NULL)
        slink_memzero(k, sizeof *k);
}

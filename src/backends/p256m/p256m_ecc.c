/* P-256 for the port on p256-m (ECDH with x-only public keys, ECDSA with
 * raw r||s): about 3 KB of code and under 1 KB of stack on a Cortex-M
 * instead of mbedTLS's bignum and ECP modules.  p256-m takes raw 64-byte
 * public keys (X || Y, no 0x04 prefix), 32-byte big-endian scalars and
 * signatures as r || s; every secret copy made here is wiped before
 * return. */
#include "p256m_backend.h"
#include <string.h>
#include "p256-m.h"
#include "../../cc.h"

#define ECC_LEN 32u

const char slink_crypto_backend[] = "p256m";

/* A p256-m failure where the hook drew from a DRBG: the DRBG's own failure
 * (it is then unseeded) is SLINK_ERR_RNG, anything else a crypto error. */
static slink_err rng_err(void)
{
    return slink_p256m_rng_failed() ? SLINK_ERR_RNG : SLINK_ERR_CRYPTO;
}

slink_err slink_ecdh_keygen(slink_ecdh_key *k, slink_rng *rng)
{
    uint8_t pub[64];
    int ret;

    SLINK_CHECK(k != NULL && rng != NULL, SLINK_ERR_ARG);
    /* p256-m draws the scalar from the hook (rejection sampling into
     * [1, n-1]) and computes d*G in constant time */
    slink_p256m_set_rng(rng);
    ret = p256_gen_keypair(k->d, pub);
    slink_err e = ret == P256_SUCCESS ? SLINK_OK : rng_err();
    slink_p256m_set_rng(NULL);
    if (e == SLINK_OK)
        memcpy(k->x, pub, ECC_LEN);
    else
        slink_memzero(k, sizeof *k);
    slink_memzero(pub, sizeof pub);
    return e;
}

void slink_ecdh_wipe(slink_ecdh_key *k)
{
    if (k != NULL)
        slink_memzero(k, sizeof *k);
}

slink_err slink_ecdh_shared(const slink_ecdh_key *k, const uint8_t peer_x[32],
                            uint8_t shared[32], slink_rng *rng)
{
    static const uint8_t zero[ECC_LEN] = { 0 };
    uint8_t peer[64];
    slink_err e;
    int ret;

    /* rng is not used: p256-m's scalar multiplication is constant-time
     * without randomised coordinates */
    SLINK_CHECK(k != NULL && peer_x != NULL && shared != NULL && rng != NULL, SLINK_ERR_ARG);
    /* A peer echoing our own key back (reflection) is refused outright. */
    if (slink_ct_equal(peer_x, k->x, ECC_LEN)) {
        e = SLINK_ERR_HS_BAD_KEY;
        goto out;
    }
    memcpy(peer, peer_x, ECC_LEN);
    e = slink_p256m_decompress(peer_x, peer + ECC_LEN);
    if (e != SLINK_OK)
        goto out;
    /* p256-m checks again that the point is on the curve */
    ret = p256_ecdh_shared_secret(shared, k->d, peer);
    if (ret == P256_INVALID_PUBKEY)
        e = SLINK_ERR_HS_BAD_KEY;
    else if (ret == P256_INVALID_PRIVKEY)
        e = SLINK_ERR_ARG;
    else if (ret != P256_SUCCESS)
        e = SLINK_ERR_CRYPTO;
    else if (slink_ct_equal(shared, zero, ECC_LEN))
        e = SLINK_ERR_HS_BAD_KEY;
out:
    if (e != SLINK_OK)
        slink_memzero(shared, ECC_LEN);
    return e;
}


/* The RFC 6979 DRBG for (d, h): seeded with int2octets(d) ||
 * bits2octets(h), the two parts handed to the DRBG as they are (no
 * 64-byte copy of the key to assemble and wipe).  bits2octets for a
 * 256-bit digest is h mod n (h < 2^256 < 2n, so one subtraction at most);
 * the digest and so the reduced one are public.  Its own frame, so that
 * the reduced digest is off the stack while p256-m signs (the device's
 * deepest path runs through the signature). */
static SLINK_NOINLINE slink_err nonce_drbg(slink_rng *local, const uint8_t d[32],
                                           const uint8_t hash[32])
{
    uint8_t t[32];
    slink_cbuf seed[2];
    unsigned borrow = 0;

    for (size_t i = 32; i-- > 0;) {
        unsigned v = (unsigned)hash[i] - slink_p256_n[i] - borrow;
        t[i] = (uint8_t)v;
        borrow = (v >> 8) & 1u;
    }
    seed[0].p = d;
    seed[0].n = ECC_LEN;
    seed[1].p = borrow ? hash : t;   /* borrow: h < n, kept as it is */
    seed[1].n = ECC_LEN;
    return slink_rng_init_seed_v(local, seed, 2);
}

slink_err slink_p256_sign_hash(const uint8_t d[32], const uint8_t hash[32],
                               uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    /* The nonce is RFC 6979's: p256-m draws k from the hook, and the hook
     * here is slink's HMAC-DRBG (SP 800-90A, no personalisation)
     * instantiated with int2octets(d) || bits2octets(h), which is exactly
     * RFC 6979 §3.2 steps b-h, including the retry when a candidate is
     * out of range (the DRBG's update after each output is step h.3).  So
     * signatures are the same bytes as the other backends' and the
     * RFC 6979 vectors hold.  rng is not needed: p256-m's arithmetic is
     * constant-time without blinding. */
    slink_rng local;
    slink_err e;
    int ret;

    (void)rng;
    SLINK_CHECK(d != NULL && hash != NULL && sig != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(slink_p256_scalar_ok(d), SLINK_ERR_ARG);
    memset(&local, 0, sizeof local);
    e = nonce_drbg(&local, d, hash);
    if (e == SLINK_OK) {
        slink_p256m_set_rng(&local);
        ret = p256_ecdsa_sign(sig, d, hash, ECC_LEN);
        if (ret != P256_SUCCESS)
            e = ret == P256_INVALID_PRIVKEY ? SLINK_ERR_ARG : SLINK_ERR_CRYPTO;
        slink_p256m_set_rng(NULL);
    }
    if (e != SLINK_OK)
        slink_memzero(sig, SLINK_SIG_LEN);
    slink_rng_free(&local);
    return e;
}

slink_err slink_p256_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                 const uint8_t sig[SLINK_SIG_LEN])
{
    SLINK_CHECK(pub != NULL && hash != NULL && sig != NULL, SLINK_ERR_ARG);
    /* uncompressed only: the point comes from a certificate of the
     * profile; the joint verification (p256m_lib.c) checks r, s in
     * [1, n-1] and the point on the curve */
    if (pub[0] != 0x04 || slink_p256m_verify(sig, pub + 1, hash) != P256_SUCCESS)
        return SLINK_ERR_HS_BAD_SIG;
    return SLINK_OK;
}

slink_err slink_p256_public(const uint8_t d[32], uint8_t pub[SLINK_ECPUB_LEN], slink_rng *rng)
{
    (void)rng;   /* p256-m's d*G is constant-time without blinding */
    SLINK_CHECK(d != NULL && pub != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(slink_p256_scalar_ok(d), SLINK_ERR_ARG);
    if (p256_public_from_private(pub + 1, d) != P256_SUCCESS) {
        slink_memzero(pub, SLINK_ECPUB_LEN);
        return SLINK_ERR_CRYPTO;
    }
    pub[0] = 0x04;
    return SLINK_OK;
}

/* P-256 for the port through the PSA Crypto API: ECDH with x-only public
 * keys and ECDSA with raw r||s (PSA's own signature format).  Scalars that
 * slink holds in memory (ephemeral keys, a software identity key) are
 * imported as volatile keys for one operation and destroyed after it; an
 * identity key that lives in the key store is used by id (crypto_psa.h). */
#include "psa_backend.h"
#include <string.h>

#define P256_PAIR  PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1)
#define P256_PUB   PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1)
#define SIGN_ALG   PSA_ALG_DETERMINISTIC_ECDSA(PSA_ALG_SHA_256)   /* RFC 6979 */
#define VERIFY_ALG PSA_ALG_ECDSA(PSA_ALG_SHA_256)                 /* either kind verifies */

/* d*G, uncompressed. */
static slink_err public_of(const uint8_t d[32], uint8_t pub[SLINK_ECPUB_LEN])
{
    psa_key_id_t id = 0;
    size_t olen = 0;
    psa_status_t st;
    slink_err e = slink_psa_import(P256_PAIR, 256, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, d, 32, &id);
    if (e != SLINK_OK)
        return e;
    st = psa_export_public_key(id, pub, SLINK_ECPUB_LEN, &olen);
    psa_destroy_key(id);
    return st == PSA_SUCCESS && olen == SLINK_ECPUB_LEN ? SLINK_OK : SLINK_ERR_CRYPTO;
}

slink_err slink_ecdh_keygen(slink_ecdh_key *k, slink_rng *rng)
{
    uint8_t pub[SLINK_ECPUB_LEN];
    slink_err e;
    int tries = 0;

    SLINK_CHECK(k != NULL && rng != NULL, SLINK_ERR_ARG);
    /* The scalar comes from slink's DRBG, so key generation draws from the
     * platform's health-tested entropy as on every backend.  Rejection
     * sampling: a 32-byte draw is out of [1, n-1] with probability 2^-32. */
    do {
        e = slink_rng_bytes(rng, k->d, sizeof k->d);
    } while (e == SLINK_OK && !slink_p256_scalar_ok(k->d) && ++tries < 16);
    if (e == SLINK_OK && !slink_p256_scalar_ok(k->d))
        e = SLINK_ERR_RNG;
    if (e == SLINK_OK)
        e = public_of(k->d, pub);
    if (e == SLINK_OK)
        memcpy(k->x, pub + 1, SLINK_ECX_LEN);
    else
        slink_memzero(k, sizeof *k);
    return e == SLINK_OK || e == SLINK_ERR_RNG ? e : SLINK_ERR_CRYPTO;
}

void slink_ecdh_wipe(slink_ecdh_key *k)
{
    if (k != NULL)
        slink_memzero(k, sizeof *k);
}

static slink_err ecdh_shared(const slink_ecdh_key *k, const uint8_t peer_x[32],
                             uint8_t shared[32]);

/* On any failure the output is wiped: nothing half-computed leaves. */
slink_err slink_ecdh_shared(const slink_ecdh_key *k, const uint8_t peer_x[32],
                            uint8_t shared[32], slink_rng *rng)
{
    slink_err e;
    SLINK_CHECK(k != NULL && peer_x != NULL && shared != NULL && rng != NULL, SLINK_ERR_ARG);
    e = ecdh_shared(k, peer_x, shared);
    if (e != SLINK_OK)
        slink_memzero(shared, 32);
    return e;
}

static slink_err ecdh_shared(const slink_ecdh_key *k, const uint8_t peer_x[32],
                             uint8_t shared[32])
{
    static const uint8_t zero[32] = { 0 };
    uint8_t peer[SLINK_ECPUB_LEN];
    psa_key_id_t id = 0;
    size_t olen = 0;
    psa_status_t st;
    slink_err e;

    /* A peer echoing our own key back (reflection) is refused outright. */
    if (slink_ct_equal(peer_x, k->x, 32))
        return SLINK_ERR_HS_BAD_KEY;
    peer[0] = 0x04;
    memcpy(peer + 1, peer_x, 32);
    e = slink_p256_decompress(peer_x, peer + 33);
    if (e != SLINK_OK)
        return e;
    if (!slink_p256_scalar_ok(k->d))
        return SLINK_ERR_ARG;
    e = slink_psa_import(P256_PAIR, 256, PSA_KEY_USAGE_DERIVE, PSA_ALG_ECDH, k->d, 32, &id);
    if (e != SLINK_OK)
        return SLINK_ERR_CRYPTO;
    /* PSA checks the point is on the curve and blinds with its own RNG */
    st = psa_raw_key_agreement(PSA_ALG_ECDH, id, peer, sizeof peer, shared, 32, &olen);
    psa_destroy_key(id);
    if (st != PSA_SUCCESS || olen != 32) {
        slink_memzero(shared, 32);
        return st == PSA_ERROR_INVALID_ARGUMENT ? SLINK_ERR_HS_BAD_KEY : SLINK_ERR_CRYPTO;
    }
    if (slink_ct_equal(shared, zero, 32)) {
        slink_memzero(shared, 32);
        return SLINK_ERR_HS_BAD_KEY;
    }
    return SLINK_OK;
}

slink_err slink_p256_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                 const uint8_t sig[SLINK_SIG_LEN])
{
    psa_key_id_t id = 0;
    psa_status_t st;

    SLINK_CHECK(pub != NULL && hash != NULL && sig != NULL, SLINK_ERR_ARG);
    /* import checks the point is on the curve */
    if (slink_psa_import(P256_PUB, 256, PSA_KEY_USAGE_VERIFY_HASH, VERIFY_ALG, pub,
                         SLINK_ECPUB_LEN, &id) != SLINK_OK)
        return SLINK_ERR_HS_BAD_SIG;
    st = psa_verify_hash(id, VERIFY_ALG, hash, 32, sig, SLINK_SIG_LEN);
    psa_destroy_key(id);
    return st == PSA_SUCCESS ? SLINK_OK : SLINK_ERR_HS_BAD_SIG;
}

slink_err slink_p256_sign_hash(const uint8_t d[32], const uint8_t hash[32],
                               uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    psa_key_id_t id = 0;
    size_t olen = 0;
    psa_status_t st;
    slink_err e;

    (void)rng;   /* PSA blinds with its own RNG; RFC 6979 needs none */
    SLINK_CHECK(d != NULL && hash != NULL && sig != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(slink_p256_scalar_ok(d), SLINK_ERR_ARG);
    e = slink_psa_import(P256_PAIR, 256, PSA_KEY_USAGE_SIGN_HASH, SIGN_ALG, d, 32, &id);
    if (e != SLINK_OK)
        return SLINK_ERR_CRYPTO;
    st = psa_sign_hash(id, SIGN_ALG, hash, 32, sig, SLINK_SIG_LEN, &olen);
    psa_destroy_key(id);
    if (st != PSA_SUCCESS || olen != SLINK_SIG_LEN) {
        slink_memzero(sig, SLINK_SIG_LEN);
        return SLINK_ERR_CRYPTO;
    }
    return SLINK_OK;
}

slink_err slink_p256_public(const uint8_t d[32], uint8_t pub[SLINK_ECPUB_LEN], slink_rng *rng)
{
    slink_err e;
    (void)rng;
    SLINK_CHECK(d != NULL && pub != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(slink_p256_scalar_ok(d), SLINK_ERR_ARG);
    e = public_of(d, pub);
    if (e != SLINK_OK)
        slink_memzero(pub, SLINK_ECPUB_LEN);
    return e == SLINK_OK ? e : SLINK_ERR_CRYPTO;
}

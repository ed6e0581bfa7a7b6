/* P-256: ephemeral ECDH with x-only public keys and ECDSA with fixed-size
 * raw r||s signatures (suite 1, §4.1).  Every scalar and shared value that
 * passes through an mbedTLS bignum is freed (mbedtls_mpi_free wipes) and
 * every byte copy is zeroized before return. */
#include "mbedtls_backend.h"
#include <string.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/platform_util.h>

#define ECC_LEN 32u

/* Here rather than in the hash or AEAD file: the p256-m backend links
 * those two and names itself. */
const char slink_crypto_backend[] = "mbedtls";

int slink_mbedtls_rng(void *p_rng, unsigned char *out, size_t len)
{
    return slink_rng_bytes((slink_rng *)p_rng, out, len) == SLINK_OK ? 0 : MBEDTLS_ERR_ECP_RANDOM_FAILED;
}

/* An mbedTLS failure while the DRBG was drawn from: the DRBG's own failure
 * (it is then unseeded) is SLINK_ERR_RNG, anything else a crypto error. */
static slink_err rng_err(const slink_rng *rng)
{
    return rng != NULL && rng->seeded != 1 ? SLINK_ERR_RNG : SLINK_ERR_CRYPTO;
}

/* Where no session DRBG is given, blinding draws from a DRBG seeded from
 * the secret and the message, as RFC 6979 derives its nonce: deterministic,
 * and unpredictable to anyone without the key. */
static slink_err blind_rng(slink_rng **rng, slink_rng *local, const uint8_t d[32],
                           const uint8_t *extra, size_t extra_len)
{
    uint8_t seed[64];
    slink_err e;
    if (*rng != NULL)
        return SLINK_OK;
    memcpy(seed, d, 32);
    memset(seed + 32, 0, 32);
    if (extra != NULL)
        memcpy(seed + 32, extra, extra_len < 32u ? extra_len : 32u);
    e = slink_rng_init_seed(local, seed, sizeof seed);
    mbedtls_platform_zeroize(seed, sizeof seed);
    *rng = local;
    return e;
}

#define ECC_TRY(expr) do { if ((expr) != 0) { e = SLINK_ERR_CRYPTO; goto out; } } while (0)

slink_err slink_ecdh_keygen(slink_ecdh_key *k, slink_rng *rng)
{
    mbedtls_ecp_group grp;
    mbedtls_mpi d;
    mbedtls_ecp_point q;
    slink_err e = SLINK_OK;
    int ret;

    SLINK_CHECK(k != NULL && rng != NULL, SLINK_ERR_ARG);
    mbedtls_ecp_group_init(&grp);
    mbedtls_mpi_init(&d);
    mbedtls_ecp_point_init(&q);

    ECC_TRY(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1));
    ret = mbedtls_ecp_gen_keypair(&grp, &d, &q, slink_mbedtls_rng, rng);
    if (ret != 0) {
        e = rng_err(rng);
        goto out;
    }
    ECC_TRY(mbedtls_mpi_write_binary(&d, k->d, ECC_LEN));
    ECC_TRY(mbedtls_mpi_write_binary(&q.X, k->x, ECC_LEN));
out:
    if (e != SLINK_OK)
        mbedtls_platform_zeroize(k, sizeof *k);
    mbedtls_mpi_free(&d);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return e;
}

void slink_ecdh_wipe(slink_ecdh_key *k)
{
    if (k != NULL)
        mbedtls_platform_zeroize(k, sizeof *k);
}

/* Recover a point from its x-coordinate: y^2 = x^3 - 3x + b (mod p).
 * Since p = 3 (mod 4) a square root is rhs^((p+1)/4); which of the two roots
 * we get does not matter because x(d*P) = x(d*(-P)).  Returns
 * SLINK_ERR_HS_BAD_KEY when x is out of range or rhs is not a square. */
static slink_err decompress(const mbedtls_ecp_group *grp, const uint8_t x[32],
                            mbedtls_ecp_point *pt)
{
    mbedtls_mpi rhs, t, ex, y2;
    slink_err e = SLINK_OK;

    mbedtls_mpi_init(&rhs);
    mbedtls_mpi_init(&t);
    mbedtls_mpi_init(&ex);
    mbedtls_mpi_init(&y2);

    ECC_TRY(mbedtls_mpi_read_binary(&pt->X, x, ECC_LEN));
    if (mbedtls_mpi_cmp_mpi(&pt->X, &grp->P) >= 0) {
        e = SLINK_ERR_HS_BAD_KEY;
        goto out;
    }
    /* rhs = x^3 - 3x + b mod p (the NIST curves store A = -3 implicitly) */
    ECC_TRY(mbedtls_mpi_mul_mpi(&t, &pt->X, &pt->X));
    ECC_TRY(mbedtls_mpi_mod_mpi(&t, &t, &grp->P));
    ECC_TRY(mbedtls_mpi_mul_mpi(&t, &t, &pt->X));
    ECC_TRY(mbedtls_mpi_mod_mpi(&rhs, &t, &grp->P));
    ECC_TRY(mbedtls_mpi_mul_int(&t, &pt->X, 3));
    ECC_TRY(mbedtls_mpi_sub_mpi(&rhs, &rhs, &t));
    ECC_TRY(mbedtls_mpi_add_mpi(&rhs, &rhs, &grp->B));
    ECC_TRY(mbedtls_mpi_mod_mpi(&rhs, &rhs, &grp->P));
    /* y = rhs^((p+1)/4) mod p, left-to-right square-and-multiply with the
     * multiply and reduce ECDSA links anyway: mbedtls_mpi_exp_mod would add
     * its Montgomery code (about 1 KiB on a Cortex-M) for this one use, on
     * public values. */
    ECC_TRY(mbedtls_mpi_add_int(&ex, &grp->P, 1));
    ECC_TRY(mbedtls_mpi_shift_r(&ex, 2));
    ECC_TRY(mbedtls_mpi_lset(&pt->Y, 1));
    for (size_t i = mbedtls_mpi_bitlen(&ex); i-- > 0;) {
        ECC_TRY(mbedtls_mpi_mul_mpi(&t, &pt->Y, &pt->Y));
        ECC_TRY(mbedtls_mpi_mod_mpi(&pt->Y, &t, &grp->P));
        if (mbedtls_mpi_get_bit(&ex, i) == 1) {
            ECC_TRY(mbedtls_mpi_mul_mpi(&t, &pt->Y, &rhs));
            ECC_TRY(mbedtls_mpi_mod_mpi(&pt->Y, &t, &grp->P));
        }
    }
    /* rhs may be a non-residue: then the "root" squares to -rhs */
    ECC_TRY(mbedtls_mpi_mul_mpi(&y2, &pt->Y, &pt->Y));
    ECC_TRY(mbedtls_mpi_mod_mpi(&y2, &y2, &grp->P));
    if (mbedtls_mpi_cmp_mpi(&y2, &rhs) != 0) {
        e = SLINK_ERR_HS_BAD_KEY;
        goto out;
    }
    ECC_TRY(mbedtls_mpi_lset(&pt->Z, 1));
out:
    mbedtls_mpi_free(&rhs);
    mbedtls_mpi_free(&t);
    mbedtls_mpi_free(&ex);
    mbedtls_mpi_free(&y2);
    return e;
}

slink_err slink_ecdh_shared(const slink_ecdh_key *k, const uint8_t peer_x[32],
                            uint8_t shared[32], slink_rng *rng)
{
    static const uint8_t zero[ECC_LEN] = { 0 };
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q, res;
    mbedtls_mpi d;
    slink_err e = SLINK_OK;

    SLINK_CHECK(k != NULL && peer_x != NULL && shared != NULL && rng != NULL, SLINK_ERR_ARG);
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_ecp_point_init(&res);
    mbedtls_mpi_init(&d);

    /* A peer echoing our own key back (reflection) is refused outright. */
    if (slink_ct_equal(peer_x, k->x, ECC_LEN)) {
        e = SLINK_ERR_HS_BAD_KEY;
        goto out;
    }
    ECC_TRY(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1));
    e = decompress(&grp, peer_x, &q);
    if (e != SLINK_OK)
        goto out;
    if (mbedtls_ecp_check_pubkey(&grp, &q) != 0) {
        e = SLINK_ERR_HS_BAD_KEY;
        goto out;
    }
    ECC_TRY(mbedtls_mpi_read_binary(&d, k->d, ECC_LEN));
    if (mbedtls_ecp_check_privkey(&grp, &d) != 0) {
        e = SLINK_ERR_ARG;
        goto out;
    }
    /* rng randomises the projective coordinates (side-channel blinding) */
    if (mbedtls_ecp_mul(&grp, &res, &d, &q, slink_mbedtls_rng, rng) != 0) {
        e = rng_err(rng);
        goto out;
    }
    ECC_TRY(mbedtls_mpi_write_binary(&res.X, shared, ECC_LEN));
    if (slink_ct_equal(shared, zero, ECC_LEN))
        e = SLINK_ERR_HS_BAD_KEY;
out:
    if (e != SLINK_OK)
        mbedtls_platform_zeroize(shared, ECC_LEN);
    mbedtls_mpi_free(&d);
    mbedtls_ecp_point_free(&res);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return e;
}

slink_err slink_p256_sign_hash(const uint8_t d[32], const uint8_t hash[32],
                               uint8_t sig[SLINK_SIG_LEN], slink_rng *rng)
{
    mbedtls_ecp_group grp;
    mbedtls_mpi k, r, s;
    slink_rng local;
    slink_err e = SLINK_OK;
    int ret;

    SLINK_CHECK(d != NULL && hash != NULL && sig != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(slink_p256_scalar_ok(d), SLINK_ERR_ARG);
    memset(&local, 0, sizeof local);
    SLINK_TRY(blind_rng(&rng, &local, d, hash, 32));
    mbedtls_ecp_group_init(&grp);
    mbedtls_mpi_init(&k);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    ECC_TRY(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1));
    ECC_TRY(mbedtls_mpi_read_binary(&k, d, ECC_LEN));
    if (mbedtls_ecp_check_privkey(&grp, &k) != 0) {
        e = SLINK_ERR_ARG;
        goto out;
    }
    /* RFC 6979 nonce: no dependence on the DRBG for k; the DRBG only blinds */
    ret = mbedtls_ecdsa_sign_det_ext(&grp, &r, &s, &k, hash, ECC_LEN,
                                     MBEDTLS_MD_SHA256, slink_mbedtls_rng, rng);
    if (ret != 0) {
        e = rng_err(rng);
        goto out;
    }
    ECC_TRY(mbedtls_mpi_write_binary(&r, sig, ECC_LEN));
    ECC_TRY(mbedtls_mpi_write_binary(&s, sig + ECC_LEN, ECC_LEN));
out:
    if (e != SLINK_OK)
        mbedtls_platform_zeroize(sig, SLINK_SIG_LEN);
    mbedtls_mpi_free(&k);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_ecp_group_free(&grp);
    slink_rng_free(&local);
    return e;
}

slink_err slink_p256_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                  const uint8_t sig[SLINK_SIG_LEN])
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi r, s;
    slink_err e = SLINK_OK;

    SLINK_CHECK(pub != NULL && hash != NULL && sig != NULL, SLINK_ERR_ARG);
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    ECC_TRY(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1));
    ECC_TRY(mbedtls_mpi_read_binary(&r, sig, ECC_LEN));
    ECC_TRY(mbedtls_mpi_read_binary(&s, sig + ECC_LEN, ECC_LEN));
    /* Exactly one encoding per signature: r, s in [1, n-1].  (Raw fixed
     * width means no DER/BER leniency; s is not normalised, both s and n-s
     * are valid, as in plain ECDSA.) */
    if (mbedtls_mpi_cmp_int(&r, 1) < 0 || mbedtls_mpi_cmp_mpi(&r, &grp.N) >= 0 ||
        mbedtls_mpi_cmp_int(&s, 1) < 0 || mbedtls_mpi_cmp_mpi(&s, &grp.N) >= 0) {
        e = SLINK_ERR_HS_BAD_SIG;
        goto out;
    }
    /* uncompressed only: the point comes from a certificate of the profile */
    if (pub[0] != 0x04 ||
        mbedtls_ecp_point_read_binary(&grp, &q, pub, SLINK_ECPUB_LEN) != 0 ||
        mbedtls_ecp_check_pubkey(&grp, &q) != 0 ||
        mbedtls_ecdsa_verify(&grp, hash, ECC_LEN, &q, &r, &s) != 0)
        e = SLINK_ERR_HS_BAD_SIG;
out:
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return e;
}

slink_err slink_p256_public(const uint8_t d[32], uint8_t pub[SLINK_ECPUB_LEN], slink_rng *rng)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi k;
    slink_rng local;
    size_t olen = 0;
    slink_err e = SLINK_OK;

    SLINK_CHECK(d != NULL && pub != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(slink_p256_scalar_ok(d), SLINK_ERR_ARG);
    memset(&local, 0, sizeof local);
    SLINK_TRY(blind_rng(&rng, &local, d, NULL, 0));
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&k);
    ECC_TRY(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1));
    ECC_TRY(mbedtls_mpi_read_binary(&k, d, ECC_LEN));
    /* blinded: d is the long-term key (device builds have no internal RNG) */
    if (mbedtls_ecp_mul(&grp, &q, &k, &grp.G, slink_mbedtls_rng, rng) != 0) {
        e = rng_err(rng);
        goto out;
    }
    ECC_TRY(mbedtls_ecp_point_write_binary(&grp, &q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, pub,
                                           SLINK_ECPUB_LEN));
    if (olen != SLINK_ECPUB_LEN)
        e = SLINK_ERR_CRYPTO;
out:
    if (e != SLINK_OK)
        mbedtls_platform_zeroize(pub, SLINK_ECPUB_LEN);
    mbedtls_mpi_free(&k);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    slink_rng_free(&local);
    return e;
}

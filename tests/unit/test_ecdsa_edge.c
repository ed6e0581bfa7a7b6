/* ECDSA P-256 verification at the edges of the joint multiplication
 * u1*G + u2*Q: public keys Q = G, -G, 2G, -2G, scalars u1 = u2, u1 = 0,
 * n-1, and sums that pass through the point at infinity or through
 * adding a point to itself.  Each signature is built from the chosen
 * (u1, u2) with mbedTLS's bignum (never this code's arithmetic): with
 * k = u1 + u2*d (mod n) and R = k*G, r = x(R) mod n, s = r / u2 and the
 * hash e = u1 * s, so that the verifier's e/s and r/s are exactly u1 and
 * u2.  When k = 0 the sum is the point at infinity and every signature
 * must be refused.  Runs on every backend. */
#include "testutil.h"
#include <string.h>
#include <mbedtls/bignum.h>

#define P256_N "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"

static slink_platform plat;
static fake_plat_ctx pctx;
static slink_rng rng;
static mbedtls_mpi N;

static void setup(void)
{
    fake_platform_init(&plat, &pctx, 0xEd6e);
    ck_assert_int_eq(slink_rng_init(&rng, &plat, NULL, 0), SLINK_OK);
    mbedtls_mpi_init(&N);
    ck_assert_int_eq(mbedtls_mpi_read_string(&N, 16, P256_N), 0);
}

static void teardown(void)
{
    mbedtls_mpi_free(&N);
    slink_rng_free(&rng);
}

static void mpi_out(const mbedtls_mpi *x, uint8_t out[32])
{
    ck_assert_int_eq(mbedtls_mpi_write_binary(x, out, 32), 0);
}

/* x = v mod n for a small signed v (v = -2 gives n-2) */
static void mpi_small(mbedtls_mpi *x, int v)
{
    ck_assert_int_eq(mbedtls_mpi_lset(x, v), 0);
    ck_assert_int_eq(mbedtls_mpi_mod_mpi(x, x, &N), 0);
}

static void mpi_random(mbedtls_mpi *x)
{
    uint8_t b[32];
    ck_assert_int_eq(slink_rng_bytes(&rng, b, sizeof b), SLINK_OK);
    ck_assert_int_eq(mbedtls_mpi_read_binary(x, b, sizeof b), 0);
    ck_assert_int_eq(mbedtls_mpi_mod_mpi(x, x, &N), 0);
}

/* Checks verification for key d (in [1, n-1]) and scalars u1 in [0, n-1],
 * u2 in [1, n-1]: a valid signature for them verifies and variants of it
 * do not; if u1 + u2*d = 0 (mod n), signatures with those scalars are
 * refused. */
static void check_case(const mbedtls_mpi *d, const mbedtls_mpi *u1, const mbedtls_mpi *u2)
{
    mbedtls_mpi k, r, s, e, t;
    uint8_t db[32], kb[32], pub[65], R[65], h[32], sig[64];

    mbedtls_mpi_init(&k); mbedtls_mpi_init(&r); mbedtls_mpi_init(&s);
    mbedtls_mpi_init(&e); mbedtls_mpi_init(&t);
    mpi_out(d, db);
    ck_assert_int_eq(slink_p256_public(db, pub, &rng), SLINK_OK);

    /* k = u1 + u2 d mod n */
    ck_assert_int_eq(mbedtls_mpi_mul_mpi(&k, u2, d), 0);
    ck_assert_int_eq(mbedtls_mpi_add_mpi(&k, &k, u1), 0);
    ck_assert_int_eq(mbedtls_mpi_mod_mpi(&k, &k, &N), 0);
    if (mbedtls_mpi_cmp_int(&k, 0) == 0) {
        /* R would be infinity: pick r, derive s and e that give these
         * u1, u2, and expect a refusal for several r */
        for (int rv = 1; rv <= 3; rv++) {
            ck_assert_int_eq(mbedtls_mpi_lset(&r, rv), 0);
            ck_assert_int_eq(mbedtls_mpi_inv_mod(&t, u2, &N), 0);
            ck_assert_int_eq(mbedtls_mpi_mul_mpi(&s, &r, &t), 0);
            ck_assert_int_eq(mbedtls_mpi_mod_mpi(&s, &s, &N), 0);
            ck_assert_int_eq(mbedtls_mpi_mul_mpi(&e, u1, &s), 0);
            ck_assert_int_eq(mbedtls_mpi_mod_mpi(&e, &e, &N), 0);
            mpi_out(&r, sig);
            mpi_out(&s, sig + 32);
            mpi_out(&e, h);
            ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_ERR_HS_BAD_SIG);
        }
        goto out;
    }
    mpi_out(&k, kb);
    ck_assert_int_eq(slink_p256_public(kb, R, &rng), SLINK_OK);
    ck_assert_int_eq(mbedtls_mpi_read_binary(&r, R + 1, 32), 0);
    ck_assert_int_eq(mbedtls_mpi_mod_mpi(&r, &r, &N), 0);
    ck_assert_int_ne(mbedtls_mpi_cmp_int(&r, 0), 0);
    ck_assert_int_eq(mbedtls_mpi_inv_mod(&t, u2, &N), 0);
    ck_assert_int_eq(mbedtls_mpi_mul_mpi(&s, &r, &t), 0);      /* s = r / u2 */
    ck_assert_int_eq(mbedtls_mpi_mod_mpi(&s, &s, &N), 0);
    ck_assert_int_eq(mbedtls_mpi_mul_mpi(&e, u1, &s), 0);      /* e = u1 s */
    ck_assert_int_eq(mbedtls_mpi_mod_mpi(&e, &e, &N), 0);
    mpi_out(&r, sig);
    mpi_out(&s, sig + 32);
    mpi_out(&e, h);
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_OK);

    /* the hash, r and s each changed: refused */
    h[31] ^= 1;
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    h[31] ^= 1;
    sig[31] ^= 1;
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    sig[31] ^= 1;
    sig[63] ^= 1;
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    sig[63] ^= 1;
    /* the negated key (d -> n - d) gives R' = (u1 - u2 d) G: refused
     * unless that has the same x, i.e. u1 = 0 (R' = -R) */
    ck_assert_int_eq(mbedtls_mpi_sub_mpi(&t, &N, d), 0);
    mpi_out(&t, db);
    ck_assert_int_eq(slink_p256_public(db, pub, &rng), SLINK_OK);
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig),
                     mbedtls_mpi_cmp_int(u1, 0) == 0 ? SLINK_OK : SLINK_ERR_HS_BAD_SIG);
out:
    mbedtls_mpi_free(&k); mbedtls_mpi_free(&r); mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&e); mbedtls_mpi_free(&t);
}

/* Small scalars so that the accumulator's path is known: with d = 2,
 * u1 = 2, u2 = 1 the sum is G, doubled to 2G, plus Q = 2G (a doubling
 * inside the addition); with d = -2 and u1 = 4, u2 = 2 it is G, 2G,
 * 2G + Q = infinity, doubled (still infinity) and u1 = 5 then adds G back. */
static const struct { int d, u1, u2; } small_cases[] = {
    { 1, 1, 1 },   { 1, 2, 1 },  { 1, 0, 1 },   { 1, 1, 3 },   { 1, -1, -1 },
    { -1, 1, 1 },  { -1, 2, 1 }, { -1, 3, 3 },  { -1, -1, -1 }, { -1, 0, 5 },
    { 2, 2, 1 },   { 2, 4, 2 },  { 2, 1, 2 },   { -2, 2, 1 },  { -2, 4, 2 },
    { -2, 5, 2 },  { -2, 9, 4 }, { 3, 3, 1 },   { -3, 3, 1 },  { -3, 7, 2 },
    { 1, -1, 1 },  { 1, 1, -1 }, { -1, -1, 1 }, { 2, -2, 1 },  { -2, -2, -1 },
};

START_TEST(small_keys_and_scalars)
{
    mbedtls_mpi d, u1, u2;
    mbedtls_mpi_init(&d); mbedtls_mpi_init(&u1); mbedtls_mpi_init(&u2);
    for (size_t i = 0; i < sizeof small_cases / sizeof small_cases[0]; i++) {
        mpi_small(&d, small_cases[i].d);
        mpi_small(&u1, small_cases[i].u1);
        mpi_small(&u2, small_cases[i].u2);
        check_case(&d, &u1, &u2);
    }
    mbedtls_mpi_free(&d); mbedtls_mpi_free(&u1); mbedtls_mpi_free(&u2);
}
END_TEST

/* Q = G and Q = -G with full-size u1 = u2 (every bit pair equal: G + Q
 * is added at each set bit, or is infinity and adds nothing) and with
 * random distinct scalars (all four bit pairs). */
START_TEST(q_is_plus_or_minus_g)
{
    mbedtls_mpi d, u1, u2;
    mbedtls_mpi_init(&d); mbedtls_mpi_init(&u1); mbedtls_mpi_init(&u2);
    for (int sign = 1; sign >= -1; sign -= 2) {
        mpi_small(&d, sign);
        for (int i = 0; i < 8; i++) {
            mpi_random(&u1);
            if (mbedtls_mpi_cmp_int(&u1, 0) == 0)
                continue;
            ck_assert_int_eq(mbedtls_mpi_copy(&u2, &u1), 0);
            check_case(&d, &u1, &u2);           /* u1 = u2 */
            mpi_random(&u2);
            if (mbedtls_mpi_cmp_int(&u2, 0) != 0)
                check_case(&d, &u1, &u2);
        }
    }
    mbedtls_mpi_free(&d); mbedtls_mpi_free(&u1); mbedtls_mpi_free(&u2);
}
END_TEST

/* u2 = -u1 / d: the sum is infinity with full-size random scalars and a
 * random key, reached at the last step; and random keys with u1 = u2. */
START_TEST(random_keys_sum_to_infinity_or_equal_scalars)
{
    mbedtls_mpi d, u1, u2, t;
    mbedtls_mpi_init(&d); mbedtls_mpi_init(&u1); mbedtls_mpi_init(&u2); mbedtls_mpi_init(&t);
    for (int i = 0; i < 8; i++) {
        do mpi_random(&d); while (mbedtls_mpi_cmp_int(&d, 0) == 0);
        do mpi_random(&u1); while (mbedtls_mpi_cmp_int(&u1, 0) == 0);
        ck_assert_int_eq(mbedtls_mpi_inv_mod(&t, &d, &N), 0);
        ck_assert_int_eq(mbedtls_mpi_mul_mpi(&u2, &u1, &t), 0);
        ck_assert_int_eq(mbedtls_mpi_mod_mpi(&u2, &u2, &N), 0);
        ck_assert_int_eq(mbedtls_mpi_sub_mpi(&u2, &N, &u2), 0);   /* -u1/d */
        check_case(&d, &u1, &u2);
        ck_assert_int_eq(mbedtls_mpi_copy(&u2, &u1), 0);
        check_case(&d, &u1, &u2);
    }
    mbedtls_mpi_free(&d); mbedtls_mpi_free(&u1); mbedtls_mpi_free(&u2); mbedtls_mpi_free(&t);
}
END_TEST

/* Public keys the verifier must refuse before any arithmetic: not on the
 * curve, a coordinate >= p, and the all-zero encoding (no affine form of
 * infinity). */
/* The range check every signature and private key goes through: 0 < s <
 * n, decided at every byte position (n's bytes one up and one down, each
 * alone), and at the ends of the range. */
START_TEST(scalar_range_boundaries)
{
    uint8_t s[32];
    memset(s, 0, sizeof s);
    ck_assert(!slink_p256_scalar_ok(s));                   /* 0 */
    s[31] = 1;
    ck_assert(slink_p256_scalar_ok(s));                    /* 1 */
    memset(s, 0xFF, sizeof s);
    ck_assert(!slink_p256_scalar_ok(s));                   /* 2^256 - 1 */
    memcpy(s, slink_p256_n, 32);
    ck_assert(!slink_p256_scalar_ok(s));                   /* n */
    s[31]--;
    ck_assert(slink_p256_scalar_ok(s));                    /* n - 1 */
    for (size_t i = 0; i < 32; i++) {
        memcpy(s, slink_p256_n, 32);
        if (s[i] != 0xFF) {
            s[i]++;
            ck_assert_msg(!slink_p256_scalar_ok(s), "n with byte %zu one up", i);
        }
        memcpy(s, slink_p256_n, 32);
        if (s[i] != 0x00) {
            s[i]--;
            ck_assert_msg(slink_p256_scalar_ok(s), "n with byte %zu one down", i);
        }
    }
}
END_TEST

START_TEST(bad_public_keys)
{
    uint8_t d[32] = { 0 }, pub[65], h[32], sig[64];
    static const uint8_t p_be[32] = {
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF
    };
    d[31] = 7;
    memset(h, 0x5a, sizeof h);
    ck_assert_int_eq(slink_p256_public(d, pub, &rng), SLINK_OK);
    ck_assert_int_eq(slink_p256_sign_hash(d, h, sig, &rng), SLINK_OK);
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_OK);
    pub[64] ^= 1;                                   /* off the curve */
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    pub[64] ^= 1;
    memcpy(pub + 1, p_be, 32);                      /* x = p */
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    memset(pub + 1, 0, 64);                         /* (0, 0) */
    ck_assert_int_eq(slink_p256_verify_hash(pub, h, sig), SLINK_ERR_HS_BAD_SIG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ecdsa_edge");
    TCase *tc = tcase_create("verify");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, small_keys_and_scalars);
    tcase_add_test(tc, q_is_plus_or_minus_g);
    tcase_add_test(tc, random_keys_sum_to_infinity_or_equal_scalars);
    tcase_add_test(tc, bad_public_keys);
    tcase_add_test(tc, scalar_range_boundaries);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

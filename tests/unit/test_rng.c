/* HMAC-DRBG seeding and the entropy repetition health test. */
#include "testutil.h"
#include <string.h>
#include <mbedtls/hmac_drbg.h>

/* The DRBG is slink's own (src/crypto/rng.c, over the crypto port's HMAC), so it
 * is checked against an independent implementation of SP 800-90A
 * HMAC-DRBG: mbedTLS's, fed the same entropy blocks (32 bytes, then the
 * 16-byte nonce cut from the next block, then 32 at each reseed). */
static int blocks_entropy(void *v, unsigned char *out, size_t len)
{
    slink_platform *p = v;
    uint8_t b[32];
    if (len > sizeof b || p->entropy(p->entropy_ctx, b, sizeof b) != 0) return -1;
    memcpy(out, b, len);
    return 0;
}

START_TEST(stream_matches_mbedtls_hmac_drbg)
{
    slink_platform p1, p2;
    fake_plat_ctx c1, c2;
    slink_rng r;
    mbedtls_hmac_drbg_context m;
    uint8_t a[100], b[100];
    fake_platform_init(&p1, &c1, 31);
    fake_platform_init(&p2, &c2, 31);
    ck_assert_int_eq(slink_rng_init(&r, &p1, (const uint8_t *)"pers", 4), SLINK_OK);
    slink_rng_set_reseed_interval(&r, 3);
    mbedtls_hmac_drbg_init(&m);
    ck_assert_int_eq(mbedtls_hmac_drbg_seed(&m, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                                            blocks_entropy, &p2, (const unsigned char *)"pers", 4), 0);
    mbedtls_hmac_drbg_set_reseed_interval(&m, 3);
    for (size_t len = 1; len <= sizeof a; len += 11) {
        ck_assert_int_eq(slink_rng_bytes(&r, a, len), SLINK_OK);
        ck_assert_int_eq(mbedtls_hmac_drbg_random(&m, b, len), 0);
        ck_assert_mem_eq(a, b, len);
    }
    mbedtls_hmac_drbg_free(&m);
    slink_rng_free(&r);
}
END_TEST

/* Seeded from a buffer: deterministic, and different seeds differ. */
START_TEST(seeded_from_buffer)
{
    slink_rng r1, r2;
    uint8_t seed[48], a[40], b[40];
    memset(seed, 7, sizeof seed);
    ck_assert_int_eq(slink_rng_init_seed(&r1, seed, sizeof seed), SLINK_OK);
    ck_assert_int_eq(slink_rng_init_seed(&r2, seed, sizeof seed), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r1, a, sizeof a), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r2, b, sizeof b), SLINK_OK);
    ck_assert_mem_eq(a, b, sizeof a);
    seed[47] ^= 1;
    ck_assert_int_eq(slink_rng_init_seed(&r2, seed, sizeof seed), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r2, b, sizeof b), SLINK_OK);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
    ck_assert_int_eq(slink_rng_init_seed(&r2, seed, 16), SLINK_ERR_ARG);
    slink_rng_free(&r1);
    slink_rng_free(&r2);
}
END_TEST

/* A seed in parts is their concatenation (RFC 6979's d || h mod n for the
 * p256-m signer); too short in total, a NULL part with bytes, or more than
 * two parts is refused. */
START_TEST(seeded_from_parts)
{
    slink_rng r1, r2;
    uint8_t seed[64], a[40], b[40];
    slink_cbuf part[3];
    for (unsigned i = 0; i < sizeof seed; i++) seed[i] = (uint8_t)(i * 37u + 1u);
    ck_assert_int_eq(slink_rng_init_seed(&r1, seed, sizeof seed), SLINK_OK);
    part[0].p = seed;      part[0].n = 20;
    part[1].p = seed + 20; part[1].n = 44;
    ck_assert_int_eq(slink_rng_init_seed_v(&r2, part, 2), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r1, a, sizeof a), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r2, b, sizeof b), SLINK_OK);
    ck_assert_mem_eq(a, b, sizeof a);
    part[1].n = 43;
    ck_assert_int_eq(slink_rng_init_seed_v(&r2, part, 2), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r2, b, sizeof b), SLINK_OK);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
    part[0].n = 32;
    part[1].p = NULL;
    part[1].n = 0;
    ck_assert_int_eq(slink_rng_init_seed_v(&r2, part, 2), SLINK_OK);
    part[1].n = 1;
    ck_assert_int_eq(slink_rng_init_seed_v(&r2, part, 2), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_rng_init_seed_v(&r2, part, 1), SLINK_OK);
    part[2] = part[0];
    part[1] = part[0];
    ck_assert_int_eq(slink_rng_init_seed_v(&r2, part, 3), SLINK_ERR_ARG);
    part[0].n = 31;
    ck_assert_int_eq(slink_rng_init_seed_v(&r2, part, 1), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_rng_init_seed_v(&r2, NULL, 0), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_rng_init_seed(&r2, NULL, 48), SLINK_ERR_ARG);
    slink_rng_free(&r1);
    slink_rng_free(&r2);
}
END_TEST

START_TEST(same_seed_same_stream_different_seed_distinct)
{
    slink_platform p1, p2, p3;
    fake_plat_ctx c1, c2, c3;
    slink_rng r1, r2, r3;
    uint8_t a[64], b[64], c[64];
    fake_platform_init(&p1, &c1, 11);
    fake_platform_init(&p2, &c2, 11);
    fake_platform_init(&p3, &c3, 12);
    ck_assert_int_eq(slink_rng_init(&r1, &p1, NULL, 0), SLINK_OK);
    ck_assert_int_eq(slink_rng_init(&r2, &p2, NULL, 0), SLINK_OK);
    ck_assert_int_eq(slink_rng_init(&r3, &p3, NULL, 0), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r1, a, sizeof a), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r2, b, sizeof b), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r3, c, sizeof c), SLINK_OK);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert_int_ne(memcmp(a, c, sizeof a), 0);
    /* successive outputs of one instance differ */
    ck_assert_int_eq(slink_rng_bytes(&r1, b, sizeof b), SLINK_OK);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
    slink_rng_free(&r1);
    slink_rng_free(&r2);
    slink_rng_free(&r3);
}
END_TEST

START_TEST(personalization_changes_the_stream)
{
    slink_platform p1, p2;
    fake_plat_ctx c1, c2;
    slink_rng r1, r2;
    uint8_t a[32], b[32];
    fake_platform_init(&p1, &c1, 5);
    fake_platform_init(&p2, &c2, 5);
    ck_assert_int_eq(slink_rng_init(&r1, &p1, (const uint8_t *)"node-a", 6), SLINK_OK);
    ck_assert_int_eq(slink_rng_init(&r2, &p2, (const uint8_t *)"node-b", 6), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r1, a, sizeof a), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r2, b, sizeof b), SLINK_OK);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
    slink_rng_free(&r1);
    slink_rng_free(&r2);
}
END_TEST

START_TEST(constant_source_is_refused)
{
    slink_platform p;
    fake_plat_ctx c;
    slink_rng r;
    uint8_t out[16];
    fake_platform_init(&p, &c, 3);
    c.constant = 1;
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_ERR_RNG);
    ck_assert_int_eq(slink_rng_bytes(&r, out, sizeof out), SLINK_ERR_RNG);
    ck_assert_int_ne(slink_rng_cb(&r, out, sizeof out), 0);
}
END_TEST

START_TEST(failing_source_is_refused)
{
    slink_platform p;
    fake_plat_ctx c;
    slink_rng r;
    fake_platform_init(&p, &c, 3);
    c.fail = 1;
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_ERR_RNG);
}
END_TEST

/* A source that breaks after seeding is caught at the next reseed, and the
 * generator then stays refused. */
START_TEST(source_stuck_at_reseed_fails_and_sticks)
{
    slink_platform p;
    fake_plat_ctx c;
    slink_rng r;
    uint8_t out[16];
    fake_platform_init(&p, &c, 9);
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_OK);
    slink_rng_set_reseed_interval(&r, 1);
    ck_assert_int_eq(slink_rng_bytes(&r, out, sizeof out), SLINK_OK);
    c.constant = 1;
    ck_assert_int_eq(slink_rng_bytes(&r, out, sizeof out), SLINK_ERR_RNG);
    for (size_t i = 0; i < sizeof out; i++)
        ck_assert_uint_eq(out[i], 0);
    c.constant = 0;
    ck_assert_int_eq(slink_rng_bytes(&r, out, sizeof out), SLINK_ERR_RNG);
    ck_assert_int_ne(slink_rng_cb(&r, out, sizeof out), 0);
    slink_rng_free(&r);
}
END_TEST

typedef struct {
    uint64_t state;
    unsigned calls;
    unsigned odd_sizes;
} counting_src;

static int counting_entropy(void *vctx, uint8_t *out, size_t len)
{
    counting_src *s = vctx;
    s->calls++;
    if (len != 32)
        s->odd_sizes++;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(test_rand(&s->state) >> 56);
    return 0;
}

START_TEST(entropy_is_pulled_in_32_byte_blocks)
{
    slink_platform p;
    counting_src s = { 77, 0, 0 };
    slink_rng r;
    memset(&p, 0, sizeof p);
    p.entropy = counting_entropy;
    p.entropy_ctx = &s;
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_OK);
    /* HMAC-DRBG(SHA-256) seeds with 32 bytes of entropy and a 16-byte nonce */
    ck_assert_uint_eq(s.calls, 2);
    ck_assert_uint_eq(s.odd_sizes, 0);
    slink_rng_free(&r);
}
END_TEST

/* Varying bytes, but every block the same: only the comparison with the
 * previous block's hash catches this. */
static int repeating_entropy(void *vctx, uint8_t *out, size_t len)
{
    (void)vctx;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(i * 37u + 1u);
    return 0;
}

START_TEST(repeated_block_is_refused)
{
    slink_platform p;
    slink_rng r;
    memset(&p, 0, sizeof p);
    p.entropy = repeating_entropy;
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_ERR_RNG);
}
END_TEST

START_TEST(large_requests_and_callback)
{
    slink_platform p;
    fake_plat_ctx c;
    slink_rng r;
    static uint8_t big[5000];
    fake_platform_init(&p, &c, 21);
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_OK);
    memset(big, 0, sizeof big);
    ck_assert_int_eq(slink_rng_bytes(&r, big, sizeof big), SLINK_OK);
    /* the tail past mbedTLS's 1024-byte request limit was filled too */
    unsigned nz = 0;
    for (size_t i = 4000; i < sizeof big; i++) nz += big[i] != 0;
    ck_assert_uint_gt(nz, 900);
    ck_assert_int_eq(slink_rng_cb(&r, big, 64), 0);
    slink_rng_free(&r);
    ck_assert_int_eq(r.seeded, 0);
    ck_assert_int_eq(slink_rng_bytes(&r, big, 8), SLINK_ERR_RNG);
}
END_TEST

START_TEST(bad_arguments)
{
    slink_platform p;
    fake_plat_ctx c;
    slink_rng r;
    static uint8_t pers[257];
    fake_platform_init(&p, &c, 1);
    ck_assert_int_eq(slink_rng_init(&r, &p, pers, sizeof pers), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_rng_init(&r, NULL, NULL, 0), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 4), SLINK_ERR_ARG);
    p.entropy = NULL;
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_ERR_CONFIG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, seeded_from_parts);
    tcase_add_test(tc, same_seed_same_stream_different_seed_distinct);
    tcase_add_test(tc, personalization_changes_the_stream);
    tcase_add_test(tc, constant_source_is_refused);
    tcase_add_test(tc, failing_source_is_refused);
    tcase_add_test(tc, source_stuck_at_reseed_fails_and_sticks);
    tcase_add_test(tc, entropy_is_pulled_in_32_byte_blocks);
    tcase_add_test(tc, repeated_block_is_refused);
    tcase_add_test(tc, large_requests_and_callback);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, stream_matches_mbedtls_hmac_drbg);
    tcase_add_test(tc, seeded_from_buffer);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

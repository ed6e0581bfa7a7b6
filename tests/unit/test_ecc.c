/* P-256 x-only ECDH and raw r||s ECDSA.  Expected values come from Python's
 * `cryptography` (OpenSSL) and RFC 6979 A.2.5, never from this code. */
#include "testutil.h"
#include <string.h>

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    while (h[0] && h[1]) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

#define P256_P "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
#define P256_N "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"

static slink_platform plat;
static fake_plat_ctx pctx;
static slink_rng rng;

static void setup(void)
{
    fake_platform_init(&plat, &pctx, 0xECC);
    ck_assert_int_eq(slink_rng_init(&rng, &plat, NULL, 0), SLINK_OK);
}

static void teardown(void)
{
    slink_rng_free(&rng);
}

/* A key as the core takes it: private scalar and uncompressed point. */
typedef struct {
    uint8_t d[32];
    uint8_t pub[65];
} tkey;

/* Public key from uncompressed coordinates, private d optional. */
static void load_key(tkey *k, const char *qx, const char *qy, const char *d)
{
    memset(k, 0, sizeof *k);
    k->pub[0] = 0x04;
    unhex(qx, k->pub + 1);
    unhex(qy, k->pub + 33);
    if (d) unhex(d, k->d);
}

/* A key drawn through the port alone, so this suite runs on every
 * backend: a scalar in [1, n-1] from the DRBG, its point from the port. */
static void gen_key(tkey *k)
{
    do {
        ck_assert_int_eq(slink_rng_bytes(&rng, k->d, sizeof k->d), SLINK_OK);
    } while (!slink_p256_scalar_ok(k->d));
    ck_assert_int_eq(slink_p256_public(k->d, k->pub, &rng), SLINK_OK);
    ck_assert_uint_eq(k->pub[0], 0x04);
}

/* Signing goes through a handle: a software key's signer. */
static slink_err sign_msg(const uint8_t d[32], const uint8_t *msg, size_t len,
                          uint8_t sig[64], slink_rng *r)
{
    slink_soft_key k;
    slink_signer s;
    slink_err e = slink_soft_key_set(&k, d);
    if (e != SLINK_OK) return e;
    s = slink_soft_key_signer(&k);
    e = slink_sign(&s, msg, len, sig, r);
    slink_soft_key_wipe(&k);
    return e;
}

START_TEST(ecdh_agrees_both_ways)
{
    slink_ecdh_key a, b;
    uint8_t sa[32], sb[32];
    ck_assert_int_eq(slink_ecdh_keygen(&a, &rng), SLINK_OK);
    ck_assert_int_eq(slink_ecdh_keygen(&b, &rng), SLINK_OK);
    ck_assert_int_ne(memcmp(a.x, b.x, 32), 0);
    ck_assert_int_eq(slink_ecdh_shared(&a, b.x, sa, &rng), SLINK_OK);
    ck_assert_int_eq(slink_ecdh_shared(&b, a.x, sb, &rng), SLINK_OK);
    ck_assert_mem_eq(sa, sb, 32);
    slink_ecdh_wipe(&a);
    for (size_t i = 0; i < sizeof a.d; i++)
        ck_assert_uint_eq(a.d[i], 0);
    slink_ecdh_wipe(&b);
}
END_TEST

/* Independent answer (Python cryptography): fixed scalars, both directions. */
START_TEST(ecdh_known_answer)
{
    slink_ecdh_key a, b;
    uint8_t s[32], want[32];
    unhex("1f2e3d4c5b6a798897a6b5c4d3e2f1000112233445566778899aabbccddeeff0", a.d);
    unhex("f87cfddcb8d7434d2f23210c28675a4a278e3318b43bafe30a57de683c0a28e2", a.x);
    unhex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20", b.d);
    unhex("515c3d6eb9e396b904d3feca7f54fdcd0cc1e997bf375dca515ad0a6c3b4035f", b.x);
    unhex("2453131e605fbb650f9ee95a98d8a12eced31698f45d6585f83e8370a428a2c1", want);
    ck_assert_int_eq(slink_ecdh_shared(&a, b.x, s, &rng), SLINK_OK);
    ck_assert_mem_eq(s, want, 32);
    ck_assert_int_eq(slink_ecdh_shared(&b, a.x, s, &rng), SLINK_OK);
    ck_assert_mem_eq(s, want, 32);
}
END_TEST

START_TEST(ecdh_rejects_invalid_x)
{
    slink_ecdh_key a;
    uint8_t x[32], s[32];
    ck_assert_int_eq(slink_ecdh_keygen(&a, &rng), SLINK_OK);
    /* x = 1: x^3 - 3x + b is not a square mod p, no point has it */
    memset(x, 0, 32);
    x[31] = 1;
    memset(s, 0x55, 32);
    ck_assert_int_eq(slink_ecdh_shared(&a, x, s, &rng), SLINK_ERR_HS_BAD_KEY);
    for (size_t i = 0; i < 32; i++)
        ck_assert_uint_eq(s[i], 0);
    /* x = p, x = p + 5 (which would alias the valid x = 5), 2^256-1 */
    unhex(P256_P, x);
    ck_assert_int_eq(slink_ecdh_shared(&a, x, s, &rng), SLINK_ERR_HS_BAD_KEY);
    unhex("ffffffff00000001000000000000000000000001000000000000000000000004", x);
    ck_assert_int_eq(slink_ecdh_shared(&a, x, s, &rng), SLINK_ERR_HS_BAD_KEY);
    memset(x, 0xff, 32);
    ck_assert_int_eq(slink_ecdh_shared(&a, x, s, &rng), SLINK_ERR_HS_BAD_KEY);
    /* our own key reflected back */
    ck_assert_int_eq(slink_ecdh_shared(&a, a.x, s, &rng), SLINK_ERR_HS_BAD_KEY);
    slink_ecdh_wipe(&a);
}
END_TEST

START_TEST(ecdh_accepts_small_valid_x)
{
    /* x = 0 and x = 5 are on P-256: legal, if odd, public keys */
    slink_ecdh_key a;
    uint8_t x[32] = { 0 }, s[32];
    ck_assert_int_eq(slink_ecdh_keygen(&a, &rng), SLINK_OK);
    ck_assert_int_eq(slink_ecdh_shared(&a, x, s, &rng), SLINK_OK);
    x[31] = 5;
    ck_assert_int_eq(slink_ecdh_shared(&a, x, s, &rng), SLINK_OK);
    slink_ecdh_wipe(&a);
}
END_TEST

START_TEST(sign_verify_round_trip_and_bit_flip)
{
    tkey kp;
    uint8_t sig[64], sig2[64], msg[100];
    gen_key(&kp);
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)i;
    ck_assert_int_eq(sign_msg(kp.d, msg, sizeof msg, sig, &rng), SLINK_OK);
    ck_assert_int_eq(slink_ecdsa_verify(kp.pub, msg, sizeof msg, sig), SLINK_OK);
    /* deterministic (RFC 6979): the blinding RNG does not change the result */
    ck_assert_int_eq(sign_msg(kp.d, msg, sizeof msg, sig2, &rng), SLINK_OK);
    ck_assert_mem_eq(sig, sig2, 64);
    msg[50] ^= 0x04;
    ck_assert_int_eq(slink_ecdsa_verify(kp.pub, msg, sizeof msg, sig), SLINK_ERR_HS_BAD_SIG);
    msg[50] ^= 0x04;
    sig[63] ^= 0x01;
    ck_assert_int_eq(slink_ecdsa_verify(kp.pub, msg, sizeof msg, sig), SLINK_ERR_HS_BAD_SIG);
    sig[63] ^= 0x01;
    sig[0] ^= 0x80;
    ck_assert_int_eq(slink_ecdsa_verify(kp.pub, msg, sizeof msg, sig), SLINK_ERR_HS_BAD_SIG);
}
END_TEST

START_TEST(rfc6979_p256_sha256_sample)
{
    tkey kp;
    uint8_t sig[64], want[64];
    load_key(&kp, "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
             "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
             "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    unhex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
          "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8", want);
    ck_assert_int_eq(sign_msg(kp.d, (const uint8_t *)"sample", 6, sig, &rng), SLINK_OK);
    ck_assert_mem_eq(sig, want, 64);
    ck_assert_int_eq(slink_ecdsa_verify(kp.pub, (const uint8_t *)"sample", 6, sig), SLINK_OK);
}
END_TEST

/* A signature crafted in Python with s = 0x1234567, small enough that s + n
 * still fits in 32 bytes: the non-canonical twin must be refused before
 * mbedTLS could reduce it. */
#define CR_QX "c5a12eb0d6a81766ec925bf736a53e407cea3cd46198e7f3ca4b517f010870d5"
#define CR_QY "b019338a88a228fa258861d98010839922ac543be550e1b6ae0aa5f01401227a"
#define CR_H  "9332e74ae6f44762ccd2f79209b328a27287c7c3fb86f12459be3d3889720174"
#define CR_R  "236ed131bdf6d882de4afb99f0d2d8c3616def6680907912c81bd429f3f501a8"
#define CR_S  "0000000000000000000000000000000000000000000000000000000001234567"
#define CR_SN "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fd866ab8"

START_TEST(verify_range_checks)
{
    tkey kp;
    uint8_t h[32], sig[64];
    load_key(&kp, CR_QX, CR_QY, NULL);
    unhex(CR_H, h);
    unhex(CR_R, sig);
    unhex(CR_S, sig + 32);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_OK);
    unhex(CR_SN, sig + 32);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    unhex(P256_N, sig + 32);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    memset(sig + 32, 0, 32);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    unhex(CR_S, sig + 32);
    memset(sig, 0, 32);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    unhex(P256_N, sig);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    memset(sig, 0xff, 64);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
}
END_TEST

START_TEST(sign_hash_verify_hash_and_wrong_key)
{
    tkey k1, k2;
    uint8_t h[32], sig[64];
    gen_key(&k1);
    gen_key(&k2);
    memset(h, 0x3c, sizeof h);
    ck_assert_int_eq(slink_p256_sign_hash(k1.d, h, sig, &rng), SLINK_OK);
    ck_assert_int_eq(slink_ecdsa_verify_hash(k1.pub, h, sig), SLINK_OK);
    ck_assert_int_eq(slink_ecdsa_verify_hash(k2.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
}
END_TEST

/* A scalar outside [1, n-1] is not a key; a point that is not an
 * uncompressed point of P-256 verifies nothing. */
START_TEST(bad_keys_are_refused)
{
    tkey kp;
    uint8_t h[32] = { 0 }, sig[64], d[32];
    gen_key(&kp);
    ck_assert_int_eq(slink_p256_sign_hash(kp.d, h, sig, &rng), SLINK_OK);
    memset(d, 0, sizeof d);
    ck_assert_int_eq(slink_p256_sign_hash(d, h, sig, &rng), SLINK_ERR_ARG);
    unhex(P256_N, d);
    ck_assert_int_eq(slink_p256_sign_hash(d, h, sig, &rng), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_p256_sign_hash(kp.d, h, sig, &rng), SLINK_OK);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_OK);
    kp.pub[0] = 0x02;   /* compressed-point prefix */
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
    kp.pub[0] = 0x04;
    kp.pub[64] ^= 0x01; /* off the curve */
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_ERR_HS_BAD_SIG);
}
END_TEST

/* The public point from the port matches a known pair (RFC 6979 A.2.5). */
START_TEST(public_from_scalar_known_answer)
{
    tkey kp;
    uint8_t pub[65];
    load_key(&kp, "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
             "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
             "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    ck_assert_int_eq(slink_p256_public(kp.d, pub, &rng), SLINK_OK);
    ck_assert_mem_eq(pub, kp.pub, 65);
    ck_assert_int_eq(slink_p256_public(kp.d, pub, NULL), SLINK_OK);
    ck_assert_mem_eq(pub, kp.pub, 65);
    memset(kp.d, 0, 32);
    ck_assert_int_eq(slink_p256_public(kp.d, pub, NULL), SLINK_ERR_ARG);
}
END_TEST

/* A signer is any function behind a handle: without a DRBG the software
 * key still signs the same (deterministic) signature, and a key store
 * handing back a non-canonical signature is caught before it is sent. */
typedef struct { int calls; int zero_r; } fake_store;

static slink_err fake_sign(void *ctx, const uint8_t hash[32], uint8_t sig[64], slink_rng *r)
{
    fake_store *f = ctx;
    (void)hash;
    (void)r;
    f->calls++;
    memset(sig, 0x11, 64);
    if (f->zero_r) memset(sig, 0, 32);
    return SLINK_OK;
}

START_TEST(signer_handles)
{
    tkey kp;
    slink_soft_key sk;
    slink_signer s;
    fake_store fs = { 0, 0 };
    uint8_t h[32], sig[64], sig2[64];
    gen_key(&kp);
    memset(h, 0x5a, sizeof h);
    ck_assert_int_eq(slink_soft_key_set(&sk, kp.d), SLINK_OK);
    s = slink_soft_key_signer(&sk);
    ck_assert_int_eq(slink_sign_hash(&s, h, sig, &rng), SLINK_OK);
    ck_assert_int_eq(slink_sign_hash(&s, h, sig2, NULL), SLINK_OK);
    ck_assert_mem_eq(sig, sig2, 64);
    ck_assert_int_eq(slink_ecdsa_verify_hash(kp.pub, h, sig), SLINK_OK);
    slink_soft_key_wipe(&sk);
    for (size_t i = 0; i < sizeof sk.d; i++) ck_assert_uint_eq(sk.d[i], 0);

    s.sign_hash = fake_sign;
    s.ctx = &fs;
    ck_assert_int_eq(slink_sign_hash(&s, h, sig, &rng), SLINK_OK);
    fs.zero_r = 1;
    ck_assert_int_eq(slink_sign_hash(&s, h, sig, &rng), SLINK_ERR_CRYPTO);
    for (size_t i = 0; i < sizeof sig; i++) ck_assert_uint_eq(sig[i], 0);
    ck_assert_int_eq(fs.calls, 2);
    s.sign_hash = NULL;
    ck_assert_int_eq(slink_sign_hash(&s, h, sig, &rng), SLINK_ERR_ARG);
    memset(kp.d, 0xff, 32);
    ck_assert_int_eq(slink_soft_key_set(&sk, kp.d), SLINK_ERR_ARG);
}
END_TEST

START_TEST(keygen_with_broken_rng_fails)
{
    slink_rng dead;
    slink_ecdh_key k;
    memset(&dead, 0, sizeof dead);
    ck_assert_int_eq(slink_ecdh_keygen(&k, &dead), SLINK_ERR_RNG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ecc");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ecdh_agrees_both_ways);
    tcase_add_test(tc, ecdh_known_answer);
    tcase_add_test(tc, ecdh_rejects_invalid_x);
    tcase_add_test(tc, ecdh_accepts_small_valid_x);
    tcase_add_test(tc, sign_verify_round_trip_and_bit_flip);
    tcase_add_test(tc, rfc6979_p256_sha256_sample);
    tcase_add_test(tc, verify_range_checks);
    tcase_add_test(tc, sign_hash_verify_hash_and_wrong_key);
    tcase_add_test(tc, bad_keys_are_refused);
    tcase_add_test(tc, keygen_with_broken_rng_fails);
    tcase_add_test(tc, public_from_scalar_known_answer);
    tcase_add_test(tc, signer_handles);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

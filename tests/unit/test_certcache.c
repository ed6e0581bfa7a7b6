/* The verified-certificate cache (include/slink/cert.h, src/cert/cert_cache.c):
 * a second handshake with the same peer does one ECDSA verification less,
 * and nothing but the CA signature is ever skipped.  Verifications are
 * counted at the crypto port: this binary is linked with
 * --wrap=slink_p256_verify_hash (mk/certcache.mk), so every call the core
 * makes to the backend goes through wrapped_verify below. */
#include "testutil.h"
#include "test_pki.h"
#include <string.h>
#include "slink/handshake.h"
#include "cert/cert_cache.h"

slink_err __real_slink_p256_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                        const uint8_t sig[SLINK_SIG_LEN]);
slink_err __wrap_slink_p256_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                        const uint8_t sig[SLINK_SIG_LEN]);

static unsigned verifies;

slink_err __wrap_slink_p256_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                        const uint8_t sig[SLINK_SIG_LEN])
{
    verifies++;
    return __real_slink_p256_verify_hash(pub, hash, sig);
}

#define ADDR_HOST 1
#define ADDR_DEV  7

typedef struct {
    slink_platform plat;
    fake_plat_ctx pctx;
    slink_rng rng;
    slink_creds creds;
    slink_peer_policy pol;
    slink_hs_cfg cfg;
    slink_hs hs;
} side;

static side I, R;
static slink_cert_cache cache;

static void side_setup(side *s, uint64_t seed, const test_cred *ca, const test_cred *own,
                       const char *peer_name, uint8_t local, uint8_t peer)
{
    memset(s, 0, sizeof *s);
    fake_platform_init(&s->plat, &s->pctx, seed);
    s->pctx.quiet = 1;
    ck_assert_int_eq(slink_rng_init(&s->rng, &s->plat, NULL, 0), SLINK_OK);
    ck_assert_int_eq(test_pki_load_creds(&s->creds, ca, own), SLINK_OK);
    s->pol = test_pki_policy(peer_name);
    s->cfg.creds = &s->creds;
    s->cfg.policy = &s->pol;
    s->cfg.plat = &s->plat;
    s->cfg.rng = &s->rng;
    s->cfg.local_addr = local;
    s->cfg.peer_addr = peer;
    s->cfg.local_mtu = 256;
}

/* The initiator (host-1) keeps the cache; the responder (dev-7) has none. */
static void setup(void)
{
    side_setup(&I, 11, test_pki_default_ca(), test_pki_default_host(), TEST_PKI_DEVICE_NAME,
               ADDR_HOST, ADDR_DEV);
    side_setup(&R, 77, test_pki_default_ca(), test_pki_default_device(), TEST_PKI_HOST_NAME,
               ADDR_DEV, ADDR_HOST);
    slink_cert_cache_clear(&cache);
    I.pol.cache = &cache;
}

static void teardown(void)
{
    slink_creds_free(&I.creds);
    slink_creds_free(&R.creds);
    slink_rng_free(&I.rng);
    slink_rng_free(&R.rng);
}

/* One handshake from scratch; returns the verifications the initiator
 * made (the responder's two are run with the count stopped), or fails
 * the test with the initiator's error on msg2 when expect is not OK. */
static unsigned handshake(slink_err expect)
{
    uint8_t m1[SLINK_HS_MSG_MAX], m2[SLINK_HS_MSG_MAX];
    size_t n1, n2;
    unsigned before;
    slink_hs_init(&I.hs, &I.cfg);
    slink_hs_init(&R.hs, &R.cfg);
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    n1 = I.hs.out_len;
    memcpy(m1, I.hs.out, n1);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, n1), SLINK_OK);
    n2 = R.hs.out_len;
    memcpy(m2, R.hs.out, n2);
    before = verifies;
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, m2, n2), expect);
    if (expect == SLINK_OK) ck_assert_int_eq(I.hs.state, SLINK_HS_DONE);
    return verifies - before;
}

START_TEST(second_handshake_does_one_verify_fewer)
{
    setup();
    /* first: the CA signature of dev-7's certificate and msg2's signature */
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    ck_assert_uint_eq(cache.misses, 1);
    ck_assert_uint_eq(cache.hits, 0);
    ck_assert_uint_eq(cache.used, 1);
    /* second and third: msg2's signature only */
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    ck_assert_uint_eq(cache.hits, 2);
    ck_assert_uint_eq(cache.used, 1);
    /* the certificate named by reference instead of sent: the same entry */
    I.cfg.peer_cert = test_pki_default_device()->der;
    I.cfg.peer_cert_len = test_pki_default_device()->der_len;
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    ck_assert_uint_eq(cache.hits, 3);
    /* without a cache, every handshake verifies both */
    I.pol.cache = NULL;
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    teardown();
}
END_TEST

START_TEST(clear_after_reload_verifies_again)
{
    setup();
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    slink_cert_cache_clear(&cache);
    ck_assert_uint_eq(cache.used, 0);
    ck_assert_uint_eq(cache.hits, 0);
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    teardown();
}
END_TEST

START_TEST(changed_anchor_misses_without_a_clear)
{
    /* The root re-issued with the same key and subject (so dev-7's
     * certificate still chains to it) is another anchor: the entry made
     * under the old one does not count, even if nobody clears the cache. */
    test_cred ca2;
    setup();
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    ck_assert_int_eq(test_pki_ca_reissue(test_pki_default_ca(), &ca2, "20340101000000"), 0);
    ck_assert(ca2.der_len != test_pki_default_ca()->der_len ||
              memcmp(ca2.der, test_pki_default_ca()->der, ca2.der_len) != 0);
    slink_creds_free(&I.creds);
    ck_assert_int_eq(test_pki_load_creds(&I.creds, &ca2, test_pki_default_host()), SLINK_OK);
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    ck_assert_uint_eq(cache.used, 2);
    /* a different root altogether: dev-7's certificate fails the chain
     * whatever the cache holds */
    slink_creds_free(&I.creds);
    ck_assert_int_eq(test_pki_load_creds(&I.creds, test_pki_other_ca(), test_pki_default_host()),
                     SLINK_ERR_CONFIG);   /* host-1 is not of that CA either */
    ck_assert_int_eq(slink_creds_set_ca(&I.creds, test_pki_other_ca()->der,
                                        test_pki_other_ca()->der_len, NULL), SLINK_OK);
    {
        const test_cred *d = test_pki_default_device();
        unsigned before = verifies;
        ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, d->der, d->der_len, NULL),
                         SLINK_ERR_CERT_CHAIN);
        ck_assert_uint_eq(verifies - before, 0);   /* issuer differs: refused before any verify */
    }
    teardown();
}
END_TEST

/* A certificate for the same name, from the same CA, but another body
 * (another key, serial, signature): a miss, verified in full. */
START_TEST(same_subject_other_body_is_verified_again)
{
    test_cred twin;
    test_leaf_opts o;
    unsigned before;
    setup();
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    memset(&o, 0, sizeof o);
    o.name = TEST_PKI_DEVICE_NAME;
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &twin, &o, 0x7A7A), 0);
    before = verifies;
    ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, twin.der, twin.der_len, NULL),
                     SLINK_OK);
    ck_assert_uint_eq(verifies - before, 1);
    ck_assert_uint_eq(cache.used, 2);
    teardown();
}
END_TEST

/* A copy of the cached certificate with one byte of its signed part
 * changed: same subject and issuer, a signature that no longer verifies.
 * Refused with CERT_CHAIN although the genuine certificate is cached. */
START_TEST(forged_body_of_cached_certificate_is_refused)
{
    const test_cred *d = test_pki_default_device();
    uint8_t forged[SLINK_CERT_MAX];
    slink_crt crt;
    size_t off;
    unsigned before;
    setup();
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    memcpy(forged, d->der, d->der_len);
    ck_assert_int_eq(slink_crt_parse(&crt, forged, d->der_len), SLINK_OK);
    /* the last byte of the subject key's y, inside the signed part: the
     * certificate still parses (any x, y is accepted by the decoder's
     * length checks; the curve check is the verifier's) */
    {
        const uint8_t *k = NULL;
        for (size_t i = 0; i + SLINK_ECPUB_LEN <= d->der_len; i++)
            if (memcmp(d->der + i, crt.pub, SLINK_ECPUB_LEN) == 0) { k = d->der + i; break; }
        ck_assert_ptr_nonnull(k);
        off = (size_t)(k - d->der) + SLINK_ECPUB_LEN - 1;
    }
    forged[off] ^= 0x01;
    before = verifies;
    for (int round = 0; round < 2; round++)
        ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, forged, d->der_len, NULL),
                         SLINK_ERR_CERT_CHAIN);
    /* both attempts were verified (and failed): a failure is never cached */
    ck_assert_uint_eq(verifies - before, 2);
    ck_assert_uint_eq(cache.used, 1);
    teardown();
}
END_TEST

START_TEST(tampered_entry_cannot_be_abused)
{
    const test_cred *d = test_pki_default_device();
    uint8_t forged[SLINK_CERT_MAX], key[SLINK_CERT_FP_LEN];
    slink_crt crt;
    unsigned before;
    setup();
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    /* a flipped bit in the entry: the genuine certificate is verified in
     * full again, and still accepted */
    cache.entry[0][5] ^= 0x10;
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    /* a forged certificate (the genuine one with a byte of its signature
     * part changed) whose fingerprint, the value operators handle in
     * deny-lists and pins, is written into the cache: not an entry for it */
    memcpy(forged, d->der, d->der_len);
    forged[d->der_len - 1] ^= 0x01;   /* last byte of s */
    ck_assert_int_eq(slink_cert_fingerprint(forged, d->der_len, cache.entry[0]), SLINK_OK);
    before = verifies;
    ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, forged, d->der_len, NULL),
                     SLINK_ERR_CERT_CHAIN);
    ck_assert_uint_eq(verifies - before, 1);
    /* the forged certificate's entry computed under another anchor: a miss */
    ck_assert_int_eq(slink_crt_parse(&crt, forged, d->der_len), SLINK_OK);
    {
        slink_crt other;
        ck_assert_int_eq(slink_crt_parse(&other, test_pki_other_ca()->der,
                                         test_pki_other_ca()->der_len), SLINK_OK);
        ck_assert_int_eq(slink_cert_cache_key(&other, &crt, key), SLINK_OK);
    }
    memcpy(cache.entry[0], key, sizeof key);
    before = verifies;
    ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, forged, d->der_len, NULL),
                     SLINK_ERR_CERT_CHAIN);
    ck_assert_uint_eq(verifies - before, 1);
    /* a count beyond the array is read as a full cache, never past it
     * (the sanitizer build would see an overrun) */
    cache.used = 255;
    ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, forged, d->der_len, NULL),
                     SLINK_ERR_CERT_CHAIN);
    teardown();
}
END_TEST

/* A cache hit skips the CA signature and nothing else. */
START_TEST(hit_still_checks_deny_pin_name_and_dates)
{
    const test_cred *d = test_pki_default_device();
    uint8_t fp[2][SLINK_CERT_FP_LEN], other[SLINK_CERT_FP_LEN];
    unsigned hits;
    setup();
    ck_assert_uint_eq(handshake(SLINK_OK), 2);
    hits = cache.hits;
    ck_assert_int_eq(slink_cert_fingerprint(d->der, d->der_len, fp[1]), SLINK_OK);
    memset(fp[0], 0x5A, sizeof fp[0]);
    I.pol.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])fp;
    I.pol.deny_count = 2;
    ck_assert_uint_eq(handshake(SLINK_ERR_CERT_REVOKED), 0);
    I.pol.deny_count = 0;
    memset(other, 0x33, sizeof other);
    I.pol.pin = other;
    ck_assert_uint_eq(handshake(SLINK_ERR_CERT_PIN), 0);
    I.pol.pin = fp[1];
    ck_assert_uint_eq(handshake(SLINK_OK), 1);
    I.pol.pin = NULL;
    I.pol.name = TEST_PKI_DEVICE2_NAME;
    ck_assert_uint_eq(handshake(SLINK_ERR_CERT_NAME), 0);
    I.pol.name = TEST_PKI_DEVICE_NAME;
    I.pctx.wall = 2200000000;   /* 2039: after the certificate's notAfter */
    ck_assert_uint_eq(handshake(SLINK_ERR_CERT_EXPIRED), 0);
    /* the pin and name checks ran on cache hits: the hits counted them */
    ck_assert_uint_gt(cache.hits, hits);
    teardown();
}
END_TEST

START_TEST(full_cache_replaces_the_oldest)
{
    test_cred leaves[SLINK_CERT_CACHE_ENTRIES + 1];
    test_leaf_opts o;
    unsigned before;
    setup();
    memset(&o, 0, sizeof o);
    o.name = TEST_PKI_DEVICE_NAME;
    I.pol.name = "*";
    for (size_t i = 0; i <= SLINK_CERT_CACHE_ENTRIES; i++) {
        ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &leaves[i], &o, 0x100 + i), 0);
        ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, leaves[i].der,
                                                leaves[i].der_len, NULL), SLINK_OK);
    }
    ck_assert_uint_eq(cache.used, SLINK_CERT_CACHE_ENTRIES);
    before = verifies;
    /* the newest ones hit, the first was replaced */
    for (size_t i = 1; i <= SLINK_CERT_CACHE_ENTRIES; i++)
        ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, leaves[i].der,
                                                leaves[i].der_len, NULL), SLINK_OK);
    ck_assert_uint_eq(verifies - before, 0);
    ck_assert_int_eq(slink_cert_verify_peer(&I.creds, &I.pol, &I.plat, leaves[0].der,
                                            leaves[0].der_len, NULL), SLINK_OK);
    ck_assert_uint_eq(verifies - before, 1);
    teardown();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("certcache");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, second_handshake_does_one_verify_fewer);
    tcase_add_test(t, clear_after_reload_verifies_again);
    tcase_add_test(t, changed_anchor_misses_without_a_clear);
    tcase_add_test(t, same_subject_other_body_is_verified_again);
    tcase_add_test(t, forged_body_of_cached_certificate_is_refused);
    tcase_add_test(t, tampered_entry_cannot_be_abused);
    tcase_add_test(t, hit_still_checks_deny_pin_name_and_dates);
    tcase_add_test(t, full_cache_replaces_the_oldest);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite());
}

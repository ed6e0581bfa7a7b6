/* In-memory test PKI over tools/pki/pki_lib (see test_pki.h). */
#include "test_pki.h"

#include <stdio.h>
#include <string.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include "../../tools/pki/pki_lib.h"

/* Seeded xorshift64*: deterministic keys, serials and signatures. */
static int seeded_rng(void *ctx, unsigned char *out, size_t len)
{
    uint64_t *s = ctx;
    for (size_t i = 0; i < len; i++) {
        uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
        x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
        *s = x;
        out[i] = (unsigned char)((x * 0x2545F4914F6CDD1Dull) >> 56);
    }
    return 0;
}

static int finish(test_cred *out, mbedtls_pk_context *key, const uint8_t *der, size_t der_len)
{
    if (der_len > sizeof out->der) return -1;
    memcpy(out->der, der, der_len);
    out->der_len = der_len;
    return pki_key_write(key, PKI_KEY_SEC1_DER, out->key, sizeof out->key, &out->key_len);
}

int test_pki_ca(test_cred *ca, const char *cn, uint64_t seed)
{
    mbedtls_pk_context key;
    pki_cert_opts o;
    uint8_t der[2048];
    size_t len = 0;
    uint64_t st = seed ? seed : 1;
    int r;

    memset(ca, 0, sizeof *ca);
    mbedtls_pk_init(&key);
    pki_ca_defaults(&o, cn ? cn : TEST_PKI_CA_NAME, TEST_PKI_NOT_BEFORE, TEST_PKI_NOT_AFTER);
    r = pki_key_generate(&key, seeded_rng, &st);
    if (r == 0) r = pki_cert_issue(&o, &key, NULL, NULL, seeded_rng, &st, der, sizeof der, &len);
    if (r == 0) r = finish(ca, &key, der, len);
    mbedtls_pk_free(&key);
    return r;
}

int test_pki_ca_reissue(const test_cred *from, test_cred *ca, const char *not_after)
{
    mbedtls_pk_context key;
    pki_cert_opts o;
    uint8_t der[2048];
    size_t len = 0;
    uint64_t st = 0x2EC1;
    int r;

    memset(ca, 0, sizeof *ca);
    mbedtls_pk_init(&key);
    pki_ca_defaults(&o, TEST_PKI_CA_NAME, TEST_PKI_NOT_BEFORE, not_after);
    r = mbedtls_pk_parse_key(&key, from->key, from->key_len, NULL, 0);
    if (r == 0) r = pki_cert_issue(&o, &key, NULL, NULL, seeded_rng, &st, der, sizeof der, &len);
    if (r == 0) r = finish(ca, &key, der, len);
    mbedtls_pk_free(&key);
    return r;
}

int test_pki_leaf(const test_cred *ca, test_cred *leaf, const test_leaf_opts *lo, uint64_t seed)
{
    mbedtls_pk_context key, ca_key;
    mbedtls_x509_crt ca_crt;
    pki_cert_opts o;
    uint8_t der[2048];
    size_t len = 0;
    uint64_t st = seed ? seed : 1;
    int r;

    memset(leaf, 0, sizeof *leaf);
    mbedtls_pk_init(&key);
    mbedtls_pk_init(&ca_key);
    mbedtls_x509_crt_init(&ca_crt);
    pki_leaf_defaults(&o, "leaf", TEST_PKI_NOT_BEFORE, TEST_PKI_NOT_AFTER);
    if (lo) {
        if (lo->name) o.cn = lo->name;
        o.is_ca = lo->is_ca;
        if (lo->key_usage != 0) o.key_usage = lo->key_usage < 0 ? PKI_KU_OMIT : lo->key_usage;
        if (lo->not_before) o.not_before = lo->not_before;
        if (lo->not_after) o.not_after = lo->not_after;
        o.omit_bc = lo->omit_bc;
        o.san_name = lo->san_name;
        o.san_dns = lo->san_only;
        o.addr = lo->addr;
    }
    r = mbedtls_x509_crt_parse_der(&ca_crt, ca->der, ca->der_len);
    if (r == 0) r = mbedtls_pk_parse_key(&ca_key, ca->key, ca->key_len, NULL, 0);
    if (r == 0) r = pki_key_generate(&key, seeded_rng, &st);
    if (r == 0) r = pki_cert_issue(&o, &key, &ca_crt, &ca_key, seeded_rng, &st, der, sizeof der, &len);
    if (r == 0) r = finish(leaf, &key, der, len);
    mbedtls_x509_crt_free(&ca_crt);
    mbedtls_pk_free(&ca_key);
    mbedtls_pk_free(&key);
    return r;
}

int test_pki_load_creds(slink_creds *c, const test_cred *ca, const test_cred *leaf)
{
    const char *why = NULL;
#if SLINK_CFG_CREDS_COPY
    return (int)slink_creds_load(c, ca->der, ca->der_len, leaf->der, leaf->der_len,
                                 leaf->key, leaf->key_len, &why);
#else
    /* A build without the copying loader (the firmware's configuration,
     * tests/cfg/test_responder_only.c) decodes the DER where it lies, as
     * the device does from flash: ca and leaf must outlive c (the cached
     * fixtures do). */
    return (int)slink_creds_load_static(c, ca->der, ca->der_len, leaf->der, leaf->der_len,
                                        leaf->key, leaf->key_len, &why);
#endif
}

/* Test-only cache: written once on first use, read-only afterwards. */
enum { FX_CA, FX_HOST, FX_DEV, FX_DEV2, FX_OTHER_CA, FX_OTHER_DEV, FX_N };
static test_cred fixtures[FX_N];
static int fixtures_ready;

static const test_cred *fixture(int i)
{
    if (!fixtures_ready) {
        test_leaf_opts o;
        int bad = 0;
        memset(&o, 0, sizeof o);
        bad |= test_pki_ca(&fixtures[FX_CA], TEST_PKI_CA_NAME, 0x5111CA);
        o.name = TEST_PKI_HOST_NAME;
        bad |= test_pki_leaf(&fixtures[FX_CA], &fixtures[FX_HOST], &o, 0x5111001);
        o.name = TEST_PKI_DEVICE_NAME;
        bad |= test_pki_leaf(&fixtures[FX_CA], &fixtures[FX_DEV], &o, 0x5111007);
        o.name = TEST_PKI_DEVICE2_NAME;
        bad |= test_pki_leaf(&fixtures[FX_CA], &fixtures[FX_DEV2], &o, 0x5111009);
        bad |= test_pki_ca(&fixtures[FX_OTHER_CA], "other CA", 0x0BADCA);
        o.name = TEST_PKI_DEVICE_NAME;
        bad |= test_pki_leaf(&fixtures[FX_OTHER_CA], &fixtures[FX_OTHER_DEV], &o, 0x0BAD007);
        if (bad) return NULL;
        fixtures_ready = 1;
    }
    return &fixtures[i];
}

const test_cred *test_pki_default_ca(void) { return fixture(FX_CA); }
const test_cred *test_pki_default_host(void) { return fixture(FX_HOST); }
const test_cred *test_pki_default_device(void) { return fixture(FX_DEV); }
const test_cred *test_pki_default_device2(void) { return fixture(FX_DEV2); }
const test_cred *test_pki_other_ca(void) { return fixture(FX_OTHER_CA); }
const test_cred *test_pki_other_device(void) { return fixture(FX_OTHER_DEV); }

slink_peer_policy test_pki_policy(const char *name)
{
    slink_peer_policy p;
    memset(&p, 0, sizeof p);
    p.name = name;
    p.time_mode = SLINK_TIME_CLOCK_OR_FLOOR;
    return p;
}

static int write_text(const char *dir, const char *name, const uint8_t *b, size_t n)
{
    char path[256];
    FILE *f;
    int ok;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL) return -1;
    ok = fwrite(b, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

int test_pki_write_default_ca_pem(const char *dir)
{
    const test_cred *ca = test_pki_default_ca();
    uint8_t pem[2048];
    size_t n = 0;
    int r;
    mbedtls_pk_context k;
    /* PEM lengths from pki_lib count the NUL; the files do not hold it */
    if (pki_cert_pem(ca->der, ca->der_len, pem, sizeof pem, &n) != 0 ||
        write_text(dir, "ourca.crt", pem, n - 1) != 0)
        return -1;
    mbedtls_pk_init(&k);
    r = (mbedtls_pk_parse_key(&k, ca->key, ca->key_len, NULL, 0) == 0 &&
         pki_key_write(&k, PKI_KEY_SEC1_PEM, pem, sizeof pem, &n) == 0 &&
         write_text(dir, "ourca.key", pem, n - 1) == 0) ? 0 : -1;
    mbedtls_pk_free(&k);
    memset(pem, 0, sizeof pem);
    return r;
}

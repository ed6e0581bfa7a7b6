/* Certificate policy (src/cert/cert.c): every rule with its exact error code,
 * the time policies, identity binding, canonical signature encoding, and
 * interoperability with certificates made by the openssl CLI. */
#include "testutil.h"
#include "test_pki.h"
#include "../../tools/pki/pki_lib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/ecp.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

/* 1800000000 = 2027-01-15 08:00:00 UTC, the fake platform's default. */
#define NOW_2027 1800000000
/* 2028-02-29 12:00:00 UTC: a leap day, to pin the date arithmetic. */
#define LEAP_2028 1835438400

static int test_rand_cb(void *ctx, unsigned char *out, size_t len)
{
    for (size_t i = 0; i < len; i++) out[i] = (unsigned char)(test_rand(ctx) >> 56);
    return 0;
}

static slink_creds creds;
static slink_platform plat;
static fake_plat_ctx pctx;

static void setup(void)
{
    fake_platform_init(&plat, &pctx, 42);
    pctx.quiet = 1;
    ck_assert_ptr_nonnull(test_pki_default_ca());
    ck_assert_int_eq(test_pki_load_creds(&creds, test_pki_default_ca(), test_pki_default_host()), SLINK_OK);
}

static void teardown(void)
{
    slink_creds_free(&creds);
}

static slink_err verify(const char *name, const uint8_t *der, size_t len)
{
    slink_peer_policy p = test_pki_policy(name);
    slink_crt out;
    slink_err e = slink_cert_verify_peer(&creds, &p, &plat, der, len, &out);
    return e;
}

static slink_err verify_pol(const slink_peer_policy *p, const test_cred *leaf)
{
    slink_crt out;
    slink_err e = slink_cert_verify_peer(&creds, p, &plat, leaf->der, leaf->der_len, &out);
    return e;
}

static test_cred leaf;

static void make_leaf(const test_leaf_opts *o)
{
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &leaf, o, 0x1234), 0);
}

/* ---- basic acceptance and the structural rules ---- */

START_TEST(good_peer_ok)
{
    const test_cred *d = test_pki_default_device();
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);
    slink_crt out;
    char cn[32];
    ck_assert_int_eq(slink_cert_verify_peer(&creds, &p, &plat, d->der, d->der_len, &out), SLINK_OK);
    slink_cert_subject_cn(&out, cn, sizeof cn);
    ck_assert_str_eq(cn, TEST_PKI_DEVICE_NAME);
    ck_assert_uint_eq(out.raw.len, d->der_len);
    /* out may be NULL when the caller does not want the parsed certificate. */
    ck_assert_int_eq(slink_cert_verify_peer(&creds, &p, &plat, d->der, d->der_len, NULL), SLINK_OK);
}
END_TEST

START_TEST(other_root_is_chain_error)
{
    const test_cred *o = test_pki_other_device();
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, o->der, o->der_len), SLINK_ERR_CERT_CHAIN);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "not issued by the configured CA"));
}
END_TEST

START_TEST(failure_leaves_out_empty)
{
    const test_cred *o = test_pki_other_device();
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);
    slink_crt out;
    ck_assert_int_eq(slink_cert_verify_peer(&creds, &p, &plat, o->der, o->der_len, &out), SLINK_ERR_CERT_CHAIN);
    ck_assert_uint_eq(out.raw.len, 0);
    ck_assert_ptr_null(out.pub);
}
END_TEST

START_TEST(leaf_ca_true_rejected)
{
    test_leaf_opts o = { .name = "rogue", .is_ca = 1 };
    make_leaf(&o);
    ck_assert_int_eq(verify("rogue", leaf.der, leaf.der_len), SLINK_ERR_CERT_CA_LEAF);
}
END_TEST

START_TEST(ca_cert_as_peer_rejected)
{
    const test_cred *ca = test_pki_default_ca();
    ck_assert_int_eq(verify("*", ca->der, ca->der_len), SLINK_ERR_CERT_CA_LEAF);
}
END_TEST

START_TEST(key_usage_cert_sign_only_rejected)
{
    test_leaf_opts o = { .name = "ku", .key_usage = MBEDTLS_X509_KU_KEY_CERT_SIGN };
    make_leaf(&o);
    ck_assert_int_eq(verify("ku", leaf.der, leaf.der_len), SLINK_ERR_CERT_KEY_USAGE);
}
END_TEST

START_TEST(key_usage_absent_accepted)
{
    test_leaf_opts o = { .name = "noku", .key_usage = -1 };
    make_leaf(&o);
    ck_assert_int_eq(verify("noku", leaf.der, leaf.der_len), SLINK_OK);
}
END_TEST

START_TEST(basic_constraints_absent_accepted)
{
    test_leaf_opts o = { .name = "nobc", .omit_bc = 1 };
    make_leaf(&o);
    ck_assert_int_eq(verify("nobc", leaf.der, leaf.der_len), SLINK_OK);
}
END_TEST

/* ---- dates with a clock ---- */

START_TEST(expired_with_clock)
{
    test_leaf_opts o = { .name = "old", .not_before = "20200101000000", .not_after = "20260101000000" };
    make_leaf(&o);
    ck_assert_int_eq(verify("old", leaf.der, leaf.der_len), SLINK_ERR_CERT_EXPIRED);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "expired"));
}
END_TEST

START_TEST(not_yet_valid_with_clock)
{
    test_leaf_opts o = { .name = "new", .not_before = "20300101000000", .not_after = "20400101000000" };
    make_leaf(&o);
    ck_assert_int_eq(verify("new", leaf.der, leaf.der_len), SLINK_ERR_CERT_NOT_YET_VALID);
}
END_TEST

/* The clock is exactly 2027-01-15 08:00:00: notAfter equal to it is still
 * valid, one second earlier is not; notBefore one second later is not. */
START_TEST(date_boundaries_to_the_second)
{
    test_leaf_opts o = { .name = "edge", .not_after = "20270115080000" };
    make_leaf(&o);
    ck_assert_int_eq(verify("edge", leaf.der, leaf.der_len), SLINK_OK);
    o.not_after = "20270115075959";
    make_leaf(&o);
    ck_assert_int_eq(verify("edge", leaf.der, leaf.der_len), SLINK_ERR_CERT_EXPIRED);
    o.not_after = NULL;
    o.not_before = "20270115080001";
    make_leaf(&o);
    ck_assert_int_eq(verify("edge", leaf.der, leaf.der_len), SLINK_ERR_CERT_NOT_YET_VALID);
    o.not_before = "20270115080000";
    make_leaf(&o);
    ck_assert_int_eq(verify("edge", leaf.der, leaf.der_len), SLINK_OK);
}
END_TEST

START_TEST(leap_day_arithmetic)
{
    pctx.wall = LEAP_2028;
    test_leaf_opts o = { .name = "leap", .not_after = "20280229120000" };
    make_leaf(&o);
    ck_assert_int_eq(verify("leap", leaf.der, leaf.der_len), SLINK_OK);
    o.not_after = "20280229115959";
    make_leaf(&o);
    ck_assert_int_eq(verify("leap", leaf.der, leaf.der_len), SLINK_ERR_CERT_EXPIRED);
}
END_TEST

/* The CA's own dates count too. */
START_TEST(expired_ca_rejected)
{
    mbedtls_pk_context k;
    mbedtls_x509_crt ca_crt;
    pki_cert_opts o;
    test_cred ca, lf;
    uint64_t st = 99;
    size_t len = 0;
    slink_creds c2;
    mbedtls_pk_init(&k);
    mbedtls_x509_crt_init(&ca_crt);
    pki_ca_defaults(&o, "short CA", "20200101000000", "20261231000000");
    ck_assert_int_eq(pki_key_generate(&k, test_rand_cb, &st), 0);
    ck_assert_int_eq(pki_cert_issue(&o, &k, NULL, NULL, test_rand_cb, &st, ca.der, sizeof ca.der, &len), 0);
    ca.der_len = len;
    ck_assert_int_eq(pki_key_write(&k, PKI_KEY_SEC1_DER, ca.key, sizeof ca.key, &ca.key_len), 0);
    test_leaf_opts lo = { .name = "x" };
    ck_assert_int_eq(test_pki_leaf(&ca, &lf, &lo, 5), 0);
    ck_assert_int_eq(test_pki_load_creds(&c2, &ca, &lf), SLINK_OK);
    slink_peer_policy p = test_pki_policy("x");
    ck_assert_int_eq(slink_cert_verify_peer(&c2, &p, &plat, lf.der, lf.der_len, NULL), SLINK_ERR_CERT_EXPIRED);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "CA certificate expired"));
    /* Without a clock, a floor after the CA's notAfter catches it too. */
    pctx.has_wall = 0;
    p.time_floor = NOW_2027;
    ck_assert_int_eq(slink_cert_verify_peer(&c2, &p, &plat, lf.der, lf.der_len, NULL), SLINK_ERR_CERT_EXPIRED);
    slink_creds_free(&c2);
    mbedtls_pk_free(&k);
    mbedtls_x509_crt_free(&ca_crt);
}
END_TEST

/* ---- time policies without a clock ---- */

START_TEST(floor_rejects_expired_before_floor)
{
    pctx.has_wall = 0;
    test_leaf_opts o = { .name = "old", .not_before = "20200101000000", .not_after = "20260101000000" };
    make_leaf(&o);
    slink_peer_policy p = test_pki_policy("old");
    p.time_floor = NOW_2027;
    ck_assert_int_eq(verify_pol(&p, &leaf), SLINK_ERR_CERT_EXPIRED);
    ck_assert_str_eq(pctx.last_log, "peer certificate rejected: certificate expired before the time floor");
}
END_TEST

START_TEST(floor_accepts_valid)
{
    pctx.has_wall = 0;
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);
    p.time_floor = NOW_2027;
    ck_assert_int_eq(verify_pol(&p, test_pki_default_device()), SLINK_OK);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "notBefore not checkable"));
}
END_TEST

/* A floor says "it is at least this late"; it cannot say a certificate is
 * not valid yet, so a future notBefore passes (documented in docs/PKI.md). */
START_TEST(floor_cannot_check_not_before)
{
    pctx.has_wall = 0;
    test_leaf_opts o = { .name = "new", .not_before = "20300101000000", .not_after = "20400101000000" };
    make_leaf(&o);
    slink_peer_policy p = test_pki_policy("new");
    p.time_floor = NOW_2027;
    ck_assert_int_eq(verify_pol(&p, &leaf), SLINK_OK);
}
END_TEST

START_TEST(no_clock_no_floor_is_time_policy)
{
    pctx.has_wall = 0;
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);
    ck_assert_int_eq(verify_pol(&p, test_pki_default_device()), SLINK_ERR_CERT_TIME_POLICY);
    /* A platform without a wall_time hook at all is the same. */
    plat.wall_time = NULL;
    ck_assert_int_eq(verify_pol(&p, test_pki_default_device()), SLINK_ERR_CERT_TIME_POLICY);
}
END_TEST

START_TEST(clock_required_without_clock_is_time_policy)
{
    pctx.has_wall = 0;
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);
    p.time_mode = SLINK_TIME_CLOCK_REQUIRED;
    p.time_floor = NOW_2027;   /* a floor does not satisfy CLOCK_REQUIRED */
    ck_assert_int_eq(verify_pol(&p, test_pki_default_device()), SLINK_ERR_CERT_TIME_POLICY);
    pctx.has_wall = 1;
    ck_assert_int_eq(verify_pol(&p, test_pki_default_device()), SLINK_OK);
}
END_TEST

START_TEST(ignore_passes_and_warns)
{
    test_leaf_opts o = { .name = "old", .not_before = "20200101000000", .not_after = "20260101000000" };
    make_leaf(&o);
    slink_peer_policy p = test_pki_policy("old");
    p.time_mode = SLINK_TIME_IGNORE;
    unsigned before = pctx.log_count;
    ck_assert_int_eq(verify_pol(&p, &leaf), SLINK_OK);
    ck_assert_uint_gt(pctx.log_count, before);
    ck_assert_str_eq(pctx.last_log, "certificate dates not checked (time policy: ignore)");
    pctx.has_wall = 0;
    ck_assert_int_eq(verify_pol(&p, &leaf), SLINK_OK);
}
END_TEST

START_TEST(unknown_time_mode_is_config)
{
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);
    p.time_mode = (slink_time_mode)7;
    ck_assert_int_eq(verify_pol(&p, test_pki_default_device()), SLINK_ERR_CONFIG);
}
END_TEST

/* ---- identity ---- */

START_TEST(name_mismatch_logged)
{
    const test_cred *d = test_pki_default_device2();   /* dev-9, same CA */
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, d->der, d->der_len), SLINK_ERR_CERT_NAME);
    ck_assert_str_eq(pctx.last_log, "certificate name 'dev-9' does not match expected 'dev-7'");
}
END_TEST

START_TEST(name_is_exact_match)
{
    const test_cred *d = test_pki_default_device();
    ck_assert_int_eq(verify("dev-", d->der, d->der_len), SLINK_ERR_CERT_NAME);
    ck_assert_int_eq(verify("dev-77", d->der, d->der_len), SLINK_ERR_CERT_NAME);
    ck_assert_int_eq(verify("DEV-7", d->der, d->der_len), SLINK_ERR_CERT_NAME);
    ck_assert_int_eq(verify("", d->der, d->der_len), SLINK_ERR_CERT_NAME);
}
END_TEST

START_TEST(san_dns_name_matches)
{
    test_leaf_opts o = { .name = "pump", .san_only = "pump-7.plant.example" };
    make_leaf(&o);
    ck_assert_int_eq(verify("pump-7.plant.example", leaf.der, leaf.der_len), SLINK_OK);
    ck_assert_int_eq(verify("pump-7", leaf.der, leaf.der_len), SLINK_ERR_CERT_NAME);
}
END_TEST

/* RFC 6125 §6.4.4: a certificate with a dNSName in its subjectAltName is
 * identified by its SAN only; the CN beside it is not matched. */
START_TEST(cn_ignored_when_san_has_a_dns_name)
{
    test_leaf_opts o = { .name = "pump", .san_only = "pump-7.plant.example" };
    make_leaf(&o);
    ck_assert_int_eq(verify("pump", leaf.der, leaf.der_len), SLINK_ERR_CERT_NAME);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "does not match expected 'pump'"));
    /* the address SAN alone hides the CN too ... */
    test_leaf_opts a = { .name = "valve", .addr = 7 };
    make_leaf(&a);
    ck_assert_int_eq(verify("valve", leaf.der, leaf.der_len), SLINK_ERR_CERT_NAME);
    /* ... unless the name is in the SAN as well (what slink-pki writes) */
    test_leaf_opts b = { .name = "valve", .addr = 7, .san_name = 1 };
    make_leaf(&b);
    ck_assert_int_eq(verify("valve", leaf.der, leaf.der_len), SLINK_OK);
    ck_assert_int_eq(verify("addr-7.slink", leaf.der, leaf.der_len), SLINK_OK);
    /* no SAN at all: the CN is the identity */
    const test_cred *d = test_pki_default_device();
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, d->der, d->der_len), SLINK_OK);
}
END_TEST

START_TEST(bus_address_san_matches)
{
    test_leaf_opts o = { .name = "valve", .addr = 7 };
    make_leaf(&o);
    ck_assert_int_eq(verify("addr-7.slink", leaf.der, leaf.der_len), SLINK_OK);
    ck_assert_int_eq(verify("addr-8.slink", leaf.der, leaf.der_len), SLINK_ERR_CERT_NAME);
}
END_TEST

START_TEST(star_accepts_any_ca_signed)
{
    const test_cred *d = test_pki_default_device2();
    ck_assert_int_eq(verify("*", d->der, d->der_len), SLINK_OK);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "'*' accepts any CA-signed peer"));
    /* "*" does not relax the chain. */
    const test_cred *o = test_pki_other_device();
    ck_assert_int_eq(verify("*", o->der, o->der_len), SLINK_ERR_CERT_CHAIN);
}
END_TEST

/* ---- revocation and pinning ---- */

static void hex_of(const uint8_t *p, size_t n, char *out)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[p[i] >> 4];
        out[2 * i + 1] = hx[p[i] & 15];
    }
    out[2 * n] = 0;
}

START_TEST(fingerprint_is_sha256_of_der)
{
    const test_cred *d = test_pki_default_device();
    uint8_t fp[SLINK_CERT_FP_LEN], want[32], ref[SLINK_CERT_REF_LEN];
    ck_assert_int_eq(slink_cert_fingerprint(d->der, d->der_len, fp), SLINK_OK);
    ck_assert_int_eq(mbedtls_sha256_ret(d->der, d->der_len, want, 0), 0);
    ck_assert_mem_eq(fp, want, 32);
    /* the reference is its first 8 bytes */
    ck_assert_int_eq(slink_cert_ref(d->der, d->der_len, ref), SLINK_OK);
    ck_assert_mem_eq(ref, fp, SLINK_CERT_REF_LEN);
    ck_assert_int_eq(slink_cert_fingerprint(NULL, 1, fp), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_cert_fingerprint(d->der, 0, fp), SLINK_ERR_ARG);
}
END_TEST

START_TEST(revoked_is_cert_revoked_and_logs_the_hash)
{
    const test_cred *d = test_pki_default_device();
    uint8_t deny[3][SLINK_CERT_FP_LEN];
    char hex[2 * SLINK_CERT_FP_LEN + 1];
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);
    slink_crt out;
    memset(deny, 0x11, sizeof deny);
    ck_assert_int_eq(slink_cert_fingerprint(d->der, d->der_len, deny[2]), SLINK_OK);
    p.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])deny;
    p.deny_count = 2;   /* the device's hash is the third entry: not counted */
    ck_assert_int_eq(verify_pol(&p, d), SLINK_OK);
    p.deny_count = 3;
    ck_assert_int_eq(slink_cert_verify_peer(&creds, &p, &plat, d->der, d->der_len, &out),
                     SLINK_ERR_CERT_REVOKED);
    ck_assert_ptr_null(out.raw.p);   /* *out is zeroed on failure */
    hex_of(deny[2], SLINK_CERT_FP_LEN, hex);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "revoked"));
    ck_assert_ptr_nonnull(strstr(pctx.last_log, hex));
    /* revoked wins over every other fault: here, the wrong name */
    p.name = "dev-9";
    ck_assert_int_eq(verify_pol(&p, d), SLINK_ERR_CERT_REVOKED);
    /* a count without a list is a configuration error, not a pass */
    p.deny = NULL;
    ck_assert_int_eq(verify_pol(&p, d), SLINK_ERR_CONFIG);
}
END_TEST

/* The twin of a certificate: the same TBS and r with s' = n - s, written
 * with mbedTLS's DER writer.  Anyone holding a certificate can make it. */
static size_t make_twin(const uint8_t *der, size_t len, uint8_t *out, size_t cap)
{
    slink_crt c;
    uint8_t rs[64];
    mbedtls_ecp_group g;
    mbedtls_mpi r, sv;
    unsigned char *p = out + cap;
    size_t n = 0, seq;
    ck_assert_int_eq(slink_crt_parse(&c, der, len), SLINK_OK);
    ck_assert_int_eq(slink_crt_sig_rs(&c, rs), SLINK_OK);
    mbedtls_ecp_group_init(&g);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&sv);
    ck_assert_int_eq(mbedtls_ecp_group_load(&g, MBEDTLS_ECP_DP_SECP256R1), 0);
    ck_assert_int_eq(mbedtls_mpi_read_binary(&r, rs, 32), 0);
    ck_assert_int_eq(mbedtls_mpi_read_binary(&sv, rs + 32, 32), 0);
    ck_assert_int_eq(mbedtls_mpi_sub_mpi(&sv, &g.N, &sv), 0);
    n += (size_t)mbedtls_asn1_write_mpi(&p, out, &sv);
    n += (size_t)mbedtls_asn1_write_mpi(&p, out, &r);
    n += (size_t)mbedtls_asn1_write_len(&p, out, n);
    n += (size_t)mbedtls_asn1_write_tag(&p, out, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
    seq = n;
    *--p = 0;   /* unused bits */
    n++;
    n += (size_t)mbedtls_asn1_write_len(&p, out, seq + 1);
    n += (size_t)mbedtls_asn1_write_tag(&p, out, MBEDTLS_ASN1_BIT_STRING);
    {
        const uint8_t *alg = c.tbs.p + c.tbs.len, *bits = c.sig.p - 3;
        n += (size_t)mbedtls_asn1_write_raw_buffer(&p, out, alg, (size_t)(bits - alg));
    }
    n += (size_t)mbedtls_asn1_write_raw_buffer(&p, out, c.tbs.p, c.tbs.len);
    n += (size_t)mbedtls_asn1_write_len(&p, out, n);
    n += (size_t)mbedtls_asn1_write_tag(&p, out, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
    memmove(out, p, n);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&sv);
    mbedtls_ecp_group_free(&g);
    return n;
}

/* ECDSA malleability: a certificate has two valid DER encodings, so its
 * SHA-256 is not unique.  The twin of a revoked certificate is refused as
 * revoked, and the twin of a pinned one is accepted as the pinned one. */
START_TEST(revocation_and_pin_cover_the_twin_encoding)
{
    const test_cred *d = test_pki_default_device();
    static uint8_t twin[SLINK_CERT_MAX + 8];
    uint8_t deny[1][SLINK_CERT_FP_LEN], fp[SLINK_CERT_FP_LEN], fpt[SLINK_CERT_FP_LEN];
    char hex[2 * SLINK_CERT_FP_LEN + 1];
    size_t tn = make_twin(d->der, d->der_len, twin, sizeof twin);
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);
    /* the twin is a valid certificate with another fingerprint */
    ck_assert_int_eq(slink_cert_verify_peer(&creds, &p, &plat, twin, tn, NULL), SLINK_OK);
    ck_assert_int_eq(slink_cert_fingerprint(d->der, d->der_len, fp), SLINK_OK);
    ck_assert_int_eq(slink_cert_fingerprint(twin, tn, fpt), SLINK_OK);
    ck_assert_mem_ne(fp, fpt, SLINK_CERT_FP_LEN);
    /* revoking the original refuses the twin, and the other way round */
    memcpy(deny[0], fp, SLINK_CERT_FP_LEN);
    p.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])deny;
    p.deny_count = 1;
    ck_assert_int_eq(slink_cert_verify_peer(&creds, &p, &plat, twin, tn, NULL), SLINK_ERR_CERT_REVOKED);
    hex_of(fp, SLINK_CERT_FP_LEN, hex);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, hex));
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "other ECDSA s"));
    memcpy(deny[0], fpt, SLINK_CERT_FP_LEN);
    ck_assert_int_eq(verify_pol(&p, d), SLINK_ERR_CERT_REVOKED);
    /* a pin on the original accepts the twin (same signed content) */
    p.deny_count = 0;
    p.pin = fp;
    ck_assert_int_eq(slink_cert_verify_peer(&creds, &p, &plat, twin, tn, NULL), SLINK_OK);
    p.pin = fpt;
    ck_assert_int_eq(verify_pol(&p, d), SLINK_OK);
    ck_assert_int_eq(verify_pol(&p, test_pki_default_device2()), SLINK_ERR_CERT_NAME);
}
END_TEST

START_TEST(pin_accepts_only_that_certificate)
{
    const test_cred *d = test_pki_default_device();
    const test_cred *d2 = test_pki_default_device2();
    uint8_t pin[SLINK_CERT_FP_LEN];
    char hex[2 * SLINK_CERT_FP_LEN + 1];
    slink_peer_policy p = test_pki_policy("*");
    ck_assert_int_eq(slink_cert_fingerprint(d->der, d->der_len, pin), SLINK_OK);
    p.pin = pin;
    ck_assert_int_eq(verify_pol(&p, d), SLINK_OK);
    /* '*' accepts dev-9 by name; the pin does not */
    ck_assert_int_eq(verify_pol(&p, d2), SLINK_ERR_CERT_PIN);
    ck_assert_int_eq(slink_cert_fingerprint(d2->der, d2->der_len, pin), SLINK_OK);
    hex_of(pin, SLINK_CERT_FP_LEN, hex);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, hex));
    ck_assert_int_eq(verify_pol(&p, d2), SLINK_OK);
    /* the pin adds to the other checks: a pinned certificate still needs
     * the configured name */
    p.name = TEST_PKI_DEVICE_NAME;
    ck_assert_int_eq(verify_pol(&p, d2), SLINK_ERR_CERT_NAME);
}
END_TEST

START_TEST(null_name_is_config)
{
    const test_cred *d = test_pki_default_device();
    ck_assert_int_eq(verify(NULL, d->der, d->der_len), SLINK_ERR_CONFIG);
}
END_TEST

START_TEST(unloaded_creds_is_config)
{
    slink_creds empty;
    memset(&empty, 0, sizeof empty);
    slink_peer_policy p = test_pki_policy("*");
    const test_cred *d = test_pki_default_device();
    ck_assert_int_eq(slink_cert_verify_peer(&empty, &p, &plat, d->der, d->der_len, NULL), SLINK_ERR_CONFIG);
    ck_assert_int_eq(slink_cert_verify_peer(NULL, &p, &plat, d->der, d->der_len, NULL), SLINK_ERR_ARG);
}
END_TEST

/* ---- parsing ---- */

START_TEST(garbage_and_truncated_are_parse_errors)
{
    const test_cred *d = test_pki_default_device();
    uint8_t junk[300];
    uint64_t s = 7;
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)test_rand(&s);
    ck_assert_int_eq(verify("*", junk, sizeof junk), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(verify("*", d->der, d->der_len - 1), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(verify("*", d->der, d->der_len / 2), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(verify("*", d->der, 0), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(verify("*", NULL, 10), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(verify("*", d->der, SLINK_CERT_MAX + 1), SLINK_ERR_CERT_PARSE);
}
END_TEST

/* mbedTLS ignores bytes after the outer SEQUENCE; slink must not, or one
 * certificate would have many encodings and references (found by fuzzing
 * when mbedTLS parsed certificates; src/cert/crt.c refuses them itself). */
START_TEST(trailing_bytes_are_parse_error)
{
    const test_cred *d = test_pki_default_device();
    uint8_t buf[SLINK_CERT_MAX];
    memcpy(buf, d->der, d->der_len);
    buf[d->der_len] = 0x00;
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, buf, d->der_len + 1), SLINK_ERR_CERT_PARSE);
    ck_assert_str_eq(pctx.last_log,
                     "peer certificate rejected: not a DER X.509 certificate of the slink profile");
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, buf, d->der_len), SLINK_OK);
}
END_TEST

START_TEST(pem_is_not_accepted_from_peers)
{
    const test_cred *d = test_pki_default_device();
    uint8_t pem[2048];
    size_t n = 0;
    ck_assert_int_eq(pki_cert_pem(d->der, d->der_len, pem, sizeof pem, &n), 0);
    ck_assert_int_eq(verify("*", pem, n), SLINK_ERR_CERT_PARSE);
}
END_TEST

/* ---- canonical signature encoding ---- */

/* Rebuilds cert = SEQUENCE { tbs, algid, BIT STRING { 0x00, sig } } with a
 * replacement sig, fixing the outer lengths. */
static size_t rebuild_with_sig(const uint8_t *der, size_t len, const uint8_t *sig, size_t sig_len,
                               uint8_t *out, size_t cap)
{
    ck_assert_uint_eq(der[0], 0x30);
    ck_assert_uint_eq(der[1], 0x82);
    size_t p = 4;
    ck_assert_uint_eq(der[p], 0x30);             /* tbs: 0x81 or 0x82 length form */
    size_t tbs_end;
    if (der[p + 1] == 0x81) {
        tbs_end = p + 3 + der[p + 2];
    } else {
        ck_assert_uint_eq(der[p + 1], 0x82);
        tbs_end = p + 4 + ((size_t)der[p + 2] << 8 | der[p + 3]);
    }
    ck_assert_uint_eq(der[tbs_end], 0x30);       /* algid, short form */
    size_t alg_end = tbs_end + 2 + der[tbs_end + 1];
    ck_assert_uint_eq(der[alg_end], 0x03);
    ck_assert_uint_lt(alg_end, len);
    size_t body = (alg_end - 4) + 3 + sig_len;
    ck_assert_uint_lt(body + 4, cap);
    ck_assert_uint_lt(sig_len + 1, 128);
    size_t n = 0;
    out[n++] = 0x30; out[n++] = 0x82; out[n++] = (uint8_t)(body >> 8); out[n++] = (uint8_t)body;
    memcpy(out + n, der + 4, alg_end - 4);
    n += alg_end - 4;
    out[n++] = 0x03; out[n++] = (uint8_t)(sig_len + 1); out[n++] = 0x00;
    memcpy(out + n, sig, sig_len);
    return n + sig_len;
}

static void device_sig(const uint8_t **sig, size_t *sig_len)
{
    mbedtls_x509_crt c;
    const test_cred *d = test_pki_default_device();
    mbedtls_x509_crt_init(&c);
    ck_assert_int_eq(mbedtls_x509_crt_parse_der(&c, d->der, d->der_len), 0);
    /* crt.sig points into d->der, which outlives c. */
    *sig = d->der + (c.sig.p - c.raw.p);
    *sig_len = c.sig.len;
    mbedtls_x509_crt_free(&c);
}

/* mbedTLS alone would accept the tampered certificate as validly signed:
 * this is why slink checks the encoding itself. */
static void assert_mbedtls_accepts(const uint8_t *der, size_t len)
{
    mbedtls_x509_crt c, ca;
    uint32_t flags = 0;
    mbedtls_x509_crt_init(&c);
    mbedtls_x509_crt_init(&ca);
    ck_assert_int_eq(mbedtls_x509_crt_parse_der(&c, der, len), 0);
    ck_assert_int_eq(mbedtls_x509_crt_parse_der(&ca, test_pki_default_ca()->der, test_pki_default_ca()->der_len), 0);
    mbedtls_x509_crt_verify(&c, &ca, NULL, NULL, &flags, NULL, NULL);
    ck_assert_uint_eq(flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE), 0);
    mbedtls_x509_crt_free(&c);
    mbedtls_x509_crt_free(&ca);
}

START_TEST(sig_unchanged_rebuild_is_ok)
{
    const uint8_t *sig;
    size_t sl;
    uint8_t out[SLINK_CERT_MAX];
    const test_cred *d = test_pki_default_device();
    device_sig(&sig, &sl);
    size_t n = rebuild_with_sig(d->der, d->der_len, sig, sl, out, sizeof out);
    ck_assert_mem_eq(out, d->der, d->der_len);
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, out, n), SLINK_OK);
}
END_TEST

START_TEST(sig_long_form_length_is_encoding_error)
{
    const uint8_t *sig;
    size_t sl;
    uint8_t s2[80], out[SLINK_CERT_MAX];
    device_sig(&sig, &sl);
    ck_assert_uint_eq(sig[0], 0x30);
    s2[0] = 0x30; s2[1] = 0x81;                  /* same length, long form */
    memcpy(s2 + 2, sig + 1, sl - 1);
    size_t n = rebuild_with_sig(test_pki_default_device()->der, test_pki_default_device()->der_len,
                                s2, sl + 1, out, sizeof out);
    assert_mbedtls_accepts(out, n);
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, out, n), SLINK_ERR_CERT_ENCODING);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "not canonical DER"));
}
END_TEST

START_TEST(sig_integer_zero_padding_is_encoding_error)
{
    const uint8_t *sig;
    size_t sl;
    uint8_t s2[80], out[SLINK_CERT_MAX];
    device_sig(&sig, &sl);
    /* sig = 30 L 02 rl r... 02 sl s...: pad r with one more 0x00. */
    ck_assert_uint_eq(sig[2], 0x02);
    size_t rl = sig[3];
    s2[0] = 0x30; s2[1] = (uint8_t)(sig[1] + 1);
    s2[2] = 0x02; s2[3] = (uint8_t)(rl + 1); s2[4] = 0x00;
    memcpy(s2 + 5, sig + 4, sl - 4);
    size_t n = rebuild_with_sig(test_pki_default_device()->der, test_pki_default_device()->der_len,
                                s2, sl + 1, out, sizeof out);
    assert_mbedtls_accepts(out, n);
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, out, n), SLINK_ERR_CERT_ENCODING);
}
END_TEST

START_TEST(sig_integer_long_form_is_encoding_error)
{
    const uint8_t *sig;
    size_t sl;
    uint8_t s2[80], out[SLINK_CERT_MAX];
    device_sig(&sig, &sl);
    size_t rl = sig[3];
    /* 02 81 rl: INTEGER length in long form. */
    s2[0] = 0x30; s2[1] = (uint8_t)(sig[1] + 1);
    s2[2] = 0x02; s2[3] = 0x81; s2[4] = (uint8_t)rl;
    memcpy(s2 + 5, sig + 4, sl - 4);
    size_t n = rebuild_with_sig(test_pki_default_device()->der, test_pki_default_device()->der_len,
                                s2, sl + 1, out, sizeof out);
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, out, n), SLINK_ERR_CERT_ENCODING);
}
END_TEST

/* ---- the one-level chain check (src/cert/cert.c signed_by_ca) ---- */

/* A trust anchor need not be self-signed, but it must be allowed to sign
 * certificates: CA:TRUE and, when keyUsage is present, keyCertSign. */
static slink_err load_under_anchor(int is_ca, int key_usage, const char **why)
{
    static test_cred anchor, child;
    slink_creds c;
    test_leaf_opts ao = { .name = "anchor", .is_ca = is_ca, .key_usage = key_usage };
    test_leaf_opts co = { .name = "child" };
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &anchor, &ao, 0x51), 0);
    ck_assert_int_eq(test_pki_leaf(&anchor, &child, &co, 0x52), 0);
    slink_err e = slink_creds_load(&c, anchor.der, anchor.der_len, child.der, child.der_len,
                                   child.key, child.key_len, why);
    if (e == SLINK_OK) slink_creds_free(&c);
    return e;
}

START_TEST(anchor_with_cert_sign_accepted)
{
    const char *why = NULL;
    ck_assert_int_eq(load_under_anchor(1, MBEDTLS_X509_KU_KEY_CERT_SIGN, &why), SLINK_OK);
    ck_assert_int_eq(load_under_anchor(1, -1, &why), SLINK_OK);
}
END_TEST

START_TEST(anchor_without_cert_sign_rejected)
{
    const char *why = NULL;
    ck_assert_int_eq(load_under_anchor(1, MBEDTLS_X509_KU_DIGITAL_SIGNATURE, &why), SLINK_ERR_CONFIG);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "does not verify against the CA"));
}
END_TEST

START_TEST(anchor_without_ca_bit_rejected)
{
    const char *why = NULL;
    ck_assert_int_eq(load_under_anchor(0, 0, &why), SLINK_ERR_CONFIG);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "CA:TRUE"));
}
END_TEST

/* Same subject name as the configured CA, another key: the issuer name
 * matches, the signature must not. */
START_TEST(same_name_other_key_is_chain_error)
{
    static test_cred impostor, forged;
    test_leaf_opts o = { .name = TEST_PKI_DEVICE_NAME };
    ck_assert_int_eq(test_pki_ca(&impostor, TEST_PKI_CA_NAME, 0xBAD), 0);
    ck_assert_int_eq(test_pki_leaf(&impostor, &forged, &o, 0xBAD1), 0);
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, forged.der, forged.der_len), SLINK_ERR_CERT_CHAIN);
}
END_TEST

/* One byte of the signed part changed (inside the subject CN): the
 * signature no longer covers it. */
START_TEST(tbs_byte_changed_is_chain_error)
{
    const test_cred *d = test_pki_default_device();
    uint8_t der[SLINK_CERT_MAX];
    memcpy(der, d->der, d->der_len);
    size_t nl = strlen(TEST_PKI_DEVICE_NAME), at = 0;
    while (at + nl <= d->der_len && memcmp(der + at, TEST_PKI_DEVICE_NAME, nl) != 0) at++;
    ck_assert_uint_lt(at + nl, d->der_len);
    der[at + nl - 1] ^= 0x01;                           /* dev-7 -> dev-6 */
    ck_assert_int_eq(verify("dev-6", der, d->der_len), SLINK_ERR_CERT_CHAIN);
}
END_TEST

START_TEST(sig_bit_flip_is_chain_error)
{
    const uint8_t *sig;
    size_t sl;
    uint8_t s2[80], out[SLINK_CERT_MAX];
    device_sig(&sig, &sl);
    memcpy(s2, sig, sl);
    s2[sl - 1] ^= 0x01;                          /* last byte of s */
    size_t n = rebuild_with_sig(test_pki_default_device()->der, test_pki_default_device()->der_len,
                                s2, sl, out, sizeof out);
    ck_assert_int_eq(verify(TEST_PKI_DEVICE_NAME, out, n), SLINK_ERR_CERT_CHAIN);
}
END_TEST

/* ---- credentials ---- */

START_TEST(creds_load_good_and_ref)
{
    uint8_t ref[SLINK_CERT_REF_LEN];
    const test_cred *h = test_pki_default_host();
    ck_assert_int_eq(creds.loaded, 1);
    ck_assert_int_eq(slink_cert_ref(h->der, h->der_len, ref), SLINK_OK);
    ck_assert_mem_eq(creds.cert_ref, ref, sizeof ref);
    slink_creds_free(&creds);
    ck_assert_int_eq(creds.loaded, 0);
    ck_assert_ptr_null(creds.cert.raw.p);
    /* teardown frees again: must be harmless */
}
END_TEST

START_TEST(creds_load_pem_and_pkcs8)
{
    mbedtls_pk_context k;
    uint8_t ca_pem[2048], crt_pem[2048], key_pem[1024];
    size_t a, b, c;
    const test_cred *ca = test_pki_default_ca(), *d = test_pki_default_device();
    slink_creds c2;
    const char *why = "unset";
    ck_assert_int_eq(pki_cert_pem(ca->der, ca->der_len, ca_pem, sizeof ca_pem, &a), 0);
    ck_assert_int_eq(pki_cert_pem(d->der, d->der_len, crt_pem, sizeof crt_pem, &b), 0);
    mbedtls_pk_init(&k);
    ck_assert_int_eq(mbedtls_pk_parse_key(&k, d->key, d->key_len, NULL, 0), 0);
    for (int fmt = PKI_KEY_SEC1_DER; fmt <= PKI_KEY_PKCS8_PEM; fmt++) {
        ck_assert_int_eq(pki_key_write(&k, (pki_key_fmt)fmt, key_pem, sizeof key_pem, &c), 0);
        ck_assert_int_eq(slink_creds_load(&c2, ca_pem, a, crt_pem, b, key_pem, c, &why), SLINK_OK);
        ck_assert_ptr_null(why);
        slink_creds_free(&c2);
    }
    mbedtls_pk_free(&k);
}
END_TEST

/* One PEM file holding the certificate and its key serves as both; two
 * CA certificates in one file are refused (slink trusts one root), and so
 * are two own certificates. */
START_TEST(creds_load_pem_files_with_several_blocks)
{
    mbedtls_pk_context k;
    static uint8_t ca_pem[2048], crt_pem[2048], key_pem[1024], both[4096], two_cas[4096];
    size_t a, b, c, n;
    const test_cred *ca = test_pki_default_ca(), *oca = test_pki_other_ca(), *d = test_pki_default_device();
    slink_creds c2;
    const char *why = NULL;
    ck_assert_int_eq(pki_cert_pem(d->der, d->der_len, crt_pem, sizeof crt_pem, &b), 0);
    mbedtls_pk_init(&k);
    ck_assert_int_eq(mbedtls_pk_parse_key(&k, d->key, d->key_len, NULL, 0), 0);
    ck_assert_int_eq(pki_key_write(&k, PKI_KEY_PKCS8_PEM, key_pem, sizeof key_pem, &c), 0);
    mbedtls_pk_free(&k);
    /* certificate then key, one terminating NUL */
    memcpy(both, crt_pem, b - 1);
    memcpy(both + b - 1, key_pem, c);
    n = b - 1 + c;
    ck_assert_int_eq(pki_cert_pem(ca->der, ca->der_len, ca_pem, sizeof ca_pem, &a), 0);
    ck_assert_msg(slink_creds_load(&c2, ca_pem, a, both, n, both, n, &why) == SLINK_OK, "%s", why);
    slink_creds_free(&c2);
    /* two roots in the CA file */
    memcpy(two_cas, ca_pem, a - 1);
    ck_assert_int_eq(pki_cert_pem(oca->der, oca->der_len, two_cas + a - 1, sizeof two_cas - (a - 1), &n), 0);
    n += a - 1;
    ck_assert_int_eq(slink_creds_load(&c2, two_cas, n, crt_pem, b, key_pem, c, &why), SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "CA input holds more than one certificate (slink trusts one root)");
    /* two certificates as our own */
    ck_assert_int_eq(slink_creds_load(&c2, ca_pem, a, two_cas, n, key_pem, c, &why), SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "own certificate input holds more than one certificate");
}
END_TEST

START_TEST(creds_load_errors_are_config)
{
    const test_cred *ca = test_pki_default_ca(), *h = test_pki_default_host(), *d = test_pki_default_device();
    const test_cred *oca = test_pki_other_ca(), *od = test_pki_other_device();
    slink_creds c2;
    const char *why = NULL;
    /* key of another certificate */
    ck_assert_int_eq(slink_creds_load(&c2, ca->der, ca->der_len, h->der, h->der_len, d->key, d->key_len, &why),
                     SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "private key does not match own certificate");
    ck_assert_int_eq(c2.loaded, 0);
    /* a leaf given as the CA */
    ck_assert_int_eq(slink_creds_load(&c2, d->der, d->der_len, h->der, h->der_len, h->key, h->key_len, &why),
                     SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "CA certificate lacks basicConstraints CA:TRUE");
    /* own certificate from another CA */
    ck_assert_int_eq(slink_creds_load(&c2, oca->der, oca->der_len, h->der, h->der_len, h->key, h->key_len, &why),
                     SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "own certificate does not verify against the CA");
    ck_assert_int_eq(slink_creds_load(&c2, ca->der, ca->der_len, od->der, od->der_len, od->key, od->key_len, &why),
                     SLINK_ERR_CONFIG);
    /* garbage */
    ck_assert_int_eq(slink_creds_load(&c2, ca->der, ca->der_len, h->der, h->der_len, h->der, 40, &why),
                     SLINK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(why, "private key does not parse"));
    ck_assert_int_eq(slink_creds_load(&c2, ca->der, 10, h->der, h->der_len, h->key, h->key_len, &why),
                     SLINK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(why, "CA certificate is not one DER X.509 certificate"));
    ck_assert_int_eq(slink_creds_load(&c2, ca->der, ca->der_len, h->der, 0, h->key, h->key_len, &why),
                     SLINK_ERR_CONFIG);
    /* a CA certificate as our own (with its own key) */
    ck_assert_int_eq(slink_creds_load(&c2, ca->der, ca->der_len, ca->der, ca->der_len, ca->key, ca->key_len, &why),
                     SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "own certificate is a CA certificate");
}
END_TEST

/* In-place load (flash): same checks, certificates parsed where they lie,
 * the unused public keys released, and the key still signs for the cert. */
/* A key behind a handle (as a token or secure element holds it): counted
 * calls to show the credential check and the handshake go through it. */
typedef struct { slink_soft_key k; int calls; } counting_signer;

static slink_err counting_sign(void *ctx, const uint8_t hash[32], uint8_t sig[SLINK_SIG_LEN], slink_rng *r)
{
    counting_signer *c = ctx;
    c->calls++;
    return slink_p256_sign_hash(c->k.d, hash, sig, r);
}

START_TEST(creds_load_with_signer_handle)
{
    const test_cred *ca = test_pki_default_ca(), *d = test_pki_default_device(), *h = test_pki_default_host();
    counting_signer cs;
    slink_signer s;
    slink_creds c;
    slink_rng rng;
    uint8_t dk[32], sig[SLINK_SIG_LEN];
    const char *why = "unset";
    const uint8_t msg[] = "signed through a handle";

    memset(&cs, 0, sizeof cs);
    ck_assert_int_eq(slink_crt_parse_key(d->key, d->key_len, dk), SLINK_OK);
    ck_assert_int_eq(slink_soft_key_set(&cs.k, dk), SLINK_OK);
    s.sign_hash = counting_sign;
    s.ctx = &cs;
    ck_assert_int_eq(slink_creds_load_signer(&c, ca->der, ca->der_len, d->der, d->der_len, &s, &why),
                     SLINK_OK);
    ck_assert_ptr_null(why);
    ck_assert_int_eq(cs.calls, 1);                 /* the credential check */
    for (size_t i = 0; i < sizeof c.soft.d; i++) ck_assert_uint_eq(c.soft.d[i], 0);
    ck_assert_int_eq(slink_rng_init(&rng, &plat, NULL, 0), SLINK_OK);
    ck_assert_int_eq(slink_sign(&c.signer, msg, sizeof msg, sig, &rng), SLINK_OK);
    ck_assert_int_eq(cs.calls, 2);
    ck_assert_int_eq(slink_ecdsa_verify(c.cert.pub, msg, sizeof msg, sig), SLINK_OK);
    slink_creds_free(&c);
    /* the same handle does not sign for another certificate */
    ck_assert_int_eq(slink_creds_load_signer(&c, ca->der, ca->der_len, h->der, h->der_len, &s, &why),
                     SLINK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(why, "does not sign for own certificate"));
    ck_assert_int_eq(slink_creds_load_static_signer(&c, ca->der, ca->der_len, d->der, d->der_len, &s, &why),
                     SLINK_OK);
    ck_assert_ptr_eq(c.cert.raw.p, d->der);
    slink_creds_free(&c);
    ck_assert_int_eq(slink_creds_load_static_signer(&c, ca->der, ca->der_len, d->der, d->der_len, NULL, &why),
                     SLINK_ERR_CONFIG);
    slink_rng_free(&rng);
    slink_soft_key_wipe(&cs.k);
}
END_TEST

/* PEM bodies that are not base64 of the right shape are refused. */
START_TEST(creds_load_refuses_bad_pem_bodies)
{
    const test_cred *ca = test_pki_default_ca(), *d = test_pki_default_device();
    static const char *const bad[] = {
        "-----BEGIN CERTIFICATE-----\nMII*\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMIIB=A==\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nTQ==TQ==\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE----- junk\nTUlJ\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nTUlJ\n",
    };
    slink_creds c;
    const char *why;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(slink_creds_load(&c, (const uint8_t *)bad[i], strlen(bad[i]) + 1,
                                          d->der, d->der_len, d->key, d->key_len, &why),
                         SLINK_ERR_CONFIG);
        ck_assert_ptr_nonnull(strstr(why, "CA certificate does not decode"));
    }
    (void)ca;
}
END_TEST

START_TEST(creds_load_static_in_place)
{
    const test_cred *ca = test_pki_default_ca(), *d = test_pki_default_device(), *h = test_pki_default_host();
    slink_creds st, full;
    slink_rng rng;
    uint8_t ref[SLINK_CERT_REF_LEN], sig[SLINK_SIG_LEN], pem[2048];
    size_t n;
    const char *why = "unset";
    const uint8_t msg[] = "signed with in-place credentials";

    ck_assert_int_eq(slink_creds_load_static(&st, ca->der, ca->der_len, d->der, d->der_len,
                                             d->key, d->key_len, &why), SLINK_OK);
    ck_assert_ptr_null(why);
    ck_assert_int_eq(st.loaded, 1);
    ck_assert_ptr_eq(st.ca.raw.p, ca->der);
    ck_assert_ptr_eq(st.cert.raw.p, d->der);
    ck_assert_uint_eq(st.cert.raw.len, d->der_len);
    ck_assert(st.cert.pub > d->der && st.cert.pub + SLINK_CRT_PUB_LEN <= d->der + d->der_len);
    ck_assert_int_eq(slink_cert_ref(d->der, d->der_len, ref), SLINK_OK);
    ck_assert_mem_eq(st.cert_ref, ref, sizeof ref);

    ck_assert_int_eq(test_pki_load_creds(&full, ca, d), SLINK_OK);
    ck_assert_int_eq(slink_rng_init(&rng, &plat, NULL, 0), SLINK_OK);
    ck_assert_int_eq(slink_sign(&st.signer, msg, sizeof msg, sig, &rng), SLINK_OK);
    ck_assert_int_eq(slink_ecdsa_verify(full.cert.pub, msg, sizeof msg, sig), SLINK_OK);
    slink_rng_free(&rng);
    slink_creds_free(&full);
    slink_creds_free(&st);

    /* the same refusals */
    ck_assert_int_eq(slink_creds_load_static(&st, ca->der, ca->der_len, h->der, h->der_len,
                                             d->key, d->key_len, &why), SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "private key does not match own certificate");
    /* PEM cannot be parsed in place */
    ck_assert_int_eq(pki_cert_pem(ca->der, ca->der_len, pem, sizeof pem, &n), 0);
    ck_assert_int_eq(slink_creds_load_static(&st, pem, n, d->der, d->der_len, d->key, d->key_len, &why),
                     SLINK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(why, "CA certificate is not one DER X.509 certificate"));
}
END_TEST

/* The raw-scalar entry point (a device that provisions the scalar): the
 * same credentials and the same refusals as the DER key. */
START_TEST(creds_load_static_scalar)
{
    const test_cred *ca = test_pki_default_ca(), *d = test_pki_default_device(), *h = test_pki_default_host();
    static const uint8_t zero[32] = { 0 };
    slink_creds st, full;
    slink_rng rng;
    uint8_t scalar[32], sig[SLINK_SIG_LEN];
    const char *why = "unset";
    const uint8_t msg[] = "signed with a provisioned scalar";

    ck_assert_int_eq(slink_crt_parse_key(d->key, d->key_len, scalar), SLINK_OK);
    ck_assert_int_eq(slink_creds_load_static_scalar(&st, ca->der, ca->der_len, d->der, d->der_len,
                                                    scalar, &why), SLINK_OK);
    ck_assert_ptr_null(why);
    ck_assert_int_eq(st.loaded, 1);
    ck_assert_ptr_eq(st.cert.raw.p, d->der);
    ck_assert_int_eq(test_pki_load_creds(&full, ca, d), SLINK_OK);
    ck_assert_mem_eq(st.cert_ref, full.cert_ref, sizeof st.cert_ref);
    ck_assert_int_eq(slink_rng_init(&rng, &plat, NULL, 0), SLINK_OK);
    ck_assert_int_eq(slink_sign(&st.signer, msg, sizeof msg, sig, &rng), SLINK_OK);
    ck_assert_int_eq(slink_ecdsa_verify(full.cert.pub, msg, sizeof msg, sig), SLINK_OK);
    slink_rng_free(&rng);
    slink_creds_free(&full);
    slink_creds_free(&st);

    /* another certificate's key, a scalar out of range, none */
    ck_assert_int_eq(slink_creds_load_static_scalar(&st, ca->der, ca->der_len, h->der, h->der_len,
                                                    scalar, &why), SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "private key does not match own certificate");
    ck_assert_int_eq(st.loaded, 0);
    ck_assert_int_eq(slink_creds_load_static_scalar(&st, ca->der, ca->der_len, d->der, d->der_len,
                                                    zero, &why), SLINK_ERR_CONFIG);
    ck_assert_int_eq(st.loaded, 0);
    ck_assert_int_eq(slink_creds_load_static_scalar(&st, ca->der, ca->der_len, d->der, d->der_len,
                                                    NULL, &why), SLINK_ERR_CONFIG);
    ck_assert_str_eq(why, "missing CA, certificate or key");
    ck_assert_int_eq(slink_creds_load_static_scalar(NULL, ca->der, ca->der_len, d->der, d->der_len,
                                                    scalar, &why), SLINK_ERR_ARG);
    slink_memzero(scalar, sizeof scalar);
}
END_TEST

START_TEST(cert_ref_known_answer)
{
    /* SHA-256("abc") = ba7816bf 8f01cfea ... (FIPS 180-2 appendix B.1) */
    static const uint8_t want[8] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea};
    uint8_t ref[SLINK_CERT_REF_LEN];
    ck_assert_int_eq(slink_cert_ref((const uint8_t *)"abc", 3, ref), SLINK_OK);
    ck_assert_mem_eq(ref, want, 8);
    ck_assert_int_eq(slink_cert_ref(NULL, 3, ref), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_cert_ref((const uint8_t *)"abc", 0, ref), SLINK_ERR_ARG);
}
END_TEST

START_TEST(fixtures_are_deterministic_and_small)
{
    test_cred a, b;
    ck_assert_int_eq(test_pki_ca(&a, "det", 77), 0);
    ck_assert_int_eq(test_pki_ca(&b, "det", 77), 0);
    ck_assert_uint_eq(a.der_len, b.der_len);
    ck_assert_mem_eq(a.der, b.der, a.der_len);
    ck_assert_int_eq(test_pki_ca(&b, "det", 78), 0);
    ck_assert_int_ne(memcmp(a.der, b.der, a.der_len < b.der_len ? a.der_len : b.der_len), 0);
    /* Certificates cross 9600-baud lines: keep them near 320 bytes. */
    ck_assert_uint_lt(test_pki_default_device()->der_len, 400);
    ck_assert_uint_lt(test_pki_default_ca()->der_len, 400);
}
END_TEST

/* ---- openssl CLI interoperability and foreign key types ---- */

static char tmpdir[64];

static void write_buf(const char *name, const uint8_t *b, size_t n)
{
    test_write_file(tmpdir, name, b, n);
}

static size_t read_buf(const char *name, uint8_t *b, size_t cap)
{
    return test_read_file(tmpdir, name, b, cap);
}

static void sh(const char *script)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && { %s ; } >log.txt 2>&1", tmpdir, script);
    ck_assert_msg(system(cmd) == 0, "openssl step failed: %s", script);
}

static void openssl_setup(void)
{
    strcpy(tmpdir, "/tmp/slink-cert-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    /* Our default CA as PEM so openssl can sign foreign leaves with it. */
    ck_assert_int_eq(test_pki_write_default_ca_pem(tmpdir), 0);
    sh("printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\n' > leaf.ext && "
       "printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,keyEncipherment\\n' > badku.ext && "
       "printf 'basicConstraints=critical,CA:TRUE\\n' > ca.ext && "
       /* openssl's own CA and leaves */
       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout oca.key "
       "  -out oca.crt -subj '/CN=openssl CA' -days 3650 "
       "  -addext 'basicConstraints=critical,CA:TRUE,pathlen:0' -addext 'keyUsage=critical,keyCertSign,cRLSign' && "
       "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout od.key -out od.csr "
       "  -subj '/CN=pump-7' && "
       "openssl x509 -req -in od.csr -CA oca.crt -CAkey oca.key -CAcreateserial -out od.crt -days 365 "
       "  -sha256 -extfile leaf.ext && "
       "openssl x509 -in od.crt -outform der -out od.der && "
       "openssl x509 -req -in od.csr -CA oca.crt -CAkey oca.key -CAcreateserial -out odca.der -outform der "
       "  -days 365 -sha256 -extfile ca.ext && "
       "openssl x509 -req -in od.csr -CA oca.crt -CAkey oca.key -CAcreateserial -out odku.der -outform der "
       "  -days 365 -sha256 -extfile badku.ext && "
       /* foreign key types and digests under our CA */
       "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -keyout p384.key -out p384.csr "
       "  -subj '/CN=p384' && "
       "openssl x509 -req -in p384.csr -CA ourca.crt -CAkey ourca.key -CAcreateserial -out p384.der -outform der "
       "  -days 365 -sha256 -extfile leaf.ext && "
       "openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj '/CN=rsa' && "
       "openssl x509 -req -in rsa.csr -CA ourca.crt -CAkey ourca.key -CAcreateserial -out rsa.der -outform der "
       "  -days 365 -sha256 -extfile leaf.ext && "
       "openssl x509 -req -in od.csr -CA ourca.crt -CAkey ourca.key -CAcreateserial -out sha384.der -outform der "
       "  -days 365 -sha384 -extfile leaf.ext");
}

static void openssl_teardown(void)
{
    test_rm_dir(tmpdir);
}

START_TEST(openssl_pki_loads_and_verifies)
{
    static uint8_t ca[4096], crt[4096], key[4096], der[4096];
    size_t a = read_buf("oca.crt", ca, sizeof ca), b = read_buf("od.crt", crt, sizeof crt);
    size_t c = read_buf("od.key", key, sizeof key);
    slink_creds oc;
    const char *why = NULL;
    /* openssl's CA and leaf as our own credentials (PEM, PKCS#8 key) */
    ck_assert_msg(slink_creds_load(&oc, ca, a, crt, b, key, c, &why) == SLINK_OK, "load: %s", why);
    size_t n = read_buf("od.der", der, sizeof der);
    slink_peer_policy p = test_pki_policy("pump-7");
    ck_assert_int_eq(slink_cert_verify_peer(&oc, &p, &plat, der, n, NULL), SLINK_OK);
    p.name = "pump-8";
    ck_assert_int_eq(slink_cert_verify_peer(&oc, &p, &plat, der, n, NULL), SLINK_ERR_CERT_NAME);
    ck_assert_str_eq(pctx.last_log, "certificate name 'pump-7' does not match expected 'pump-8'");
    p.name = "*";
    n = read_buf("odca.der", der, sizeof der);
    ck_assert_int_eq(slink_cert_verify_peer(&oc, &p, &plat, der, n, NULL), SLINK_ERR_CERT_CA_LEAF);
    n = read_buf("odku.der", der, sizeof der);
    ck_assert_int_eq(slink_cert_verify_peer(&oc, &p, &plat, der, n, NULL), SLINK_ERR_CERT_KEY_USAGE);
    /* an openssl leaf is not trusted under our CA, nor ours under theirs */
    n = read_buf("od.der", der, sizeof der);
    ck_assert_int_eq(verify("*", der, n), SLINK_ERR_CERT_CHAIN);
    const test_cred *d = test_pki_default_device();
    ck_assert_int_eq(slink_cert_verify_peer(&oc, &p, &plat, d->der, d->der_len, NULL), SLINK_ERR_CERT_CHAIN);
    slink_creds_free(&oc);
}
END_TEST

START_TEST(pki_lib_leaf_under_openssl_ca)
{
    static uint8_t ca[4096], key[4096];
    size_t a = read_buf("oca.crt", ca, sizeof ca), c = read_buf("oca.key", key, sizeof key);
    mbedtls_x509_crt ca_crt;
    mbedtls_pk_context ca_key, k;
    pki_cert_opts o;
    uint8_t der[1024], kd[256];
    size_t n = 0, kn = 0;
    uint64_t st = 3;
    mbedtls_x509_crt_init(&ca_crt);
    mbedtls_pk_init(&ca_key);
    mbedtls_pk_init(&k);
    ck_assert_int_eq(mbedtls_x509_crt_parse(&ca_crt, ca, a), 0);
    ck_assert_int_eq(mbedtls_pk_parse_key(&ca_key, key, c, NULL, 0), 0);
    ck_assert_int_eq(pki_key_generate(&k, test_rand_cb, &st), 0);
    pki_leaf_defaults(&o, "dev-3", TEST_PKI_NOT_BEFORE, TEST_PKI_NOT_AFTER);
    ck_assert_int_eq(pki_cert_issue(&o, &k, &ca_crt, &ca_key, test_rand_cb, &st, der, sizeof der, &n), 0);
    ck_assert_int_eq(pki_key_write(&k, PKI_KEY_SEC1_DER, kd, sizeof kd, &kn), 0);
    /* issuer name copied byte for byte from openssl's subject */
    slink_creds oc;
    const char *why = NULL;
    ck_assert_msg(slink_creds_load(&oc, ca, a, der, n, kd, kn, &why) == SLINK_OK, "load: %s", why);
    slink_peer_policy p = test_pki_policy("dev-3");
    ck_assert_int_eq(slink_cert_verify_peer(&oc, &p, &plat, der, n, NULL), SLINK_OK);
    write_buf("ours.der", der, n);
    sh("openssl x509 -inform der -in ours.der -out ours.crt && openssl verify -CAfile oca.crt ours.crt");
    slink_creds_free(&oc);
    mbedtls_x509_crt_free(&ca_crt);
    mbedtls_pk_free(&ca_key);
    mbedtls_pk_free(&k);
}
END_TEST

START_TEST(p384_leaf_is_key_type_error)
{
    static uint8_t der[4096];
    size_t n = read_buf("p384.der", der, sizeof der);
    ck_assert_int_eq(verify("p384", der, n), SLINK_ERR_CERT_KEY_TYPE);
}
END_TEST

START_TEST(rsa_leaf_is_key_type_error)
{
    static uint8_t der[4096];
    size_t n = read_buf("rsa.der", der, sizeof der);
    ck_assert_uint_le(n, SLINK_CERT_MAX);
    ck_assert_int_eq(verify("rsa", der, n), SLINK_ERR_CERT_KEY_TYPE);
}
END_TEST

START_TEST(sha384_signature_is_key_type_error)
{
    static uint8_t der[4096];
    size_t n = read_buf("sha384.der", der, sizeof der);
    ck_assert_int_eq(verify("pump-7", der, n), SLINK_ERR_CERT_KEY_TYPE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cert");
    TCase *tc = tcase_create("policy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, good_peer_ok);
    tcase_add_test(tc, other_root_is_chain_error);
    tcase_add_test(tc, failure_leaves_out_empty);
    tcase_add_test(tc, leaf_ca_true_rejected);
    tcase_add_test(tc, ca_cert_as_peer_rejected);
    tcase_add_test(tc, key_usage_cert_sign_only_rejected);
    tcase_add_test(tc, key_usage_absent_accepted);
    tcase_add_test(tc, basic_constraints_absent_accepted);
    tcase_add_test(tc, garbage_and_truncated_are_parse_errors);
    tcase_add_test(tc, trailing_bytes_are_parse_error);
    tcase_add_test(tc, pem_is_not_accepted_from_peers);
    suite_add_tcase(s, tc);

    tc = tcase_create("time");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, expired_with_clock);
    tcase_add_test(tc, not_yet_valid_with_clock);
    tcase_add_test(tc, date_boundaries_to_the_second);
    tcase_add_test(tc, leap_day_arithmetic);
    tcase_add_test(tc, expired_ca_rejected);
    tcase_add_test(tc, floor_rejects_expired_before_floor);
    tcase_add_test(tc, floor_accepts_valid);
    tcase_add_test(tc, floor_cannot_check_not_before);
    tcase_add_test(tc, no_clock_no_floor_is_time_policy);
    tcase_add_test(tc, clock_required_without_clock_is_time_policy);
    tcase_add_test(tc, ignore_passes_and_warns);
    tcase_add_test(tc, unknown_time_mode_is_config);
    suite_add_tcase(s, tc);

    tc = tcase_create("identity");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, name_mismatch_logged);
    tcase_add_test(tc, name_is_exact_match);
    tcase_add_test(tc, san_dns_name_matches);
    tcase_add_test(tc, bus_address_san_matches);
    tcase_add_test(tc, cn_ignored_when_san_has_a_dns_name);
    tcase_add_test(tc, star_accepts_any_ca_signed);
    tcase_add_test(tc, fingerprint_is_sha256_of_der);
    tcase_add_test(tc, revoked_is_cert_revoked_and_logs_the_hash);
    tcase_add_test(tc, pin_accepts_only_that_certificate);
    tcase_add_test(tc, revocation_and_pin_cover_the_twin_encoding);
    tcase_add_test(tc, null_name_is_config);
    tcase_add_test(tc, unloaded_creds_is_config);
    suite_add_tcase(s, tc);

    tc = tcase_create("encoding");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sig_unchanged_rebuild_is_ok);
    tcase_add_test(tc, sig_long_form_length_is_encoding_error);
    tcase_add_test(tc, sig_integer_zero_padding_is_encoding_error);
    tcase_add_test(tc, sig_integer_long_form_is_encoding_error);
    tcase_add_test(tc, sig_bit_flip_is_chain_error);
    tcase_add_test(tc, anchor_with_cert_sign_accepted);
    tcase_add_test(tc, anchor_without_cert_sign_rejected);
    tcase_add_test(tc, anchor_without_ca_bit_rejected);
    tcase_add_test(tc, same_name_other_key_is_chain_error);
    tcase_add_test(tc, tbs_byte_changed_is_chain_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("creds");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, creds_load_good_and_ref);
    tcase_add_test(tc, creds_load_pem_and_pkcs8);
    tcase_add_test(tc, creds_load_pem_files_with_several_blocks);
    tcase_add_test(tc, creds_load_errors_are_config);
    tcase_add_test(tc, creds_load_static_in_place);
    tcase_add_test(tc, creds_load_static_scalar);
    tcase_add_test(tc, creds_load_with_signer_handle);
    tcase_add_test(tc, creds_load_refuses_bad_pem_bodies);
    tcase_add_test(tc, cert_ref_known_answer);
    tcase_add_test(tc, fixtures_are_deterministic_and_small);
    suite_add_tcase(s, tc);

    tc = tcase_create("openssl");
    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, openssl_setup, openssl_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, openssl_pki_loads_and_verifies);
    tcase_add_test(tc, pki_lib_leaf_under_openssl_ca);
    tcase_add_test(tc, p384_leaf_is_key_type_error);
    tcase_add_test(tc, rsa_leaf_is_key_type_error);
    tcase_add_test(tc, sha384_signature_is_key_type_error);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

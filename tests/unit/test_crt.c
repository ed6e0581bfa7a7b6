/* The strict DER certificate decoder (src/cert/crt.c, include/slink/crt.h):
 * known answers for the test PKI's certificates and for one made by the
 * openssl CLI, the date arithmetic, every profile rule broken one at a time
 * with its exact error code, truncation, and a bit-flip sweep; the same
 * for the private-key decoder slink_crt_parse_key (TCase "key").
 *
 * Tampered certificates are rebuilt from a small DER tree (dn_* below), so
 * enclosing lengths stay consistent and each case breaks exactly one rule.
 * Their signatures no longer verify; the decoder never checks signatures,
 * src/cert/cert.c does. */
#include "testutil.h"
#include "test_pki.h"
#include "slink/crt.h"
#include "../../tools/pki/pki_lib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>

/* ---- a DER tree for building tampered certificates ---- */

#define DN_POOL 1024
#define DN_KIDS 16
#define LEN_INDEF (-1)

typedef struct dn {
    uint8_t tag;
    const uint8_t *c;   /* primitive: the contents; open: bytes written before the kids */
    size_t clen;
    struct dn *k[DN_KIDS];
    size_t nk;
    int open;           /* contents are c[0..clen) then the kids */
    int lenform;        /* 0: DER; n > 0: long form with n length octets; LEN_INDEF */
    size_t off, hl;     /* set by dn_encode: header offset and header length */
} dn;

static dn pool[DN_POOL];
static size_t npool;
static uint8_t arena[1 << 16];
static size_t narena;

static void dn_reset(void)
{
    npool = 0;
    narena = 0;
}

static const uint8_t *keep(const void *p, size_t n)
{
    ck_assert_uint_le(narena + n, sizeof arena);
    uint8_t *d = arena + narena;
    if (n) memcpy(d, p, n);
    narena += n;
    return d;
}

static dn *dn_new(uint8_t tag)
{
    ck_assert_uint_lt(npool, DN_POOL);
    dn *n = &pool[npool++];
    memset(n, 0, sizeof *n);
    n->tag = tag;
    return n;
}

static dn *dn_prim(uint8_t tag, const void *c, size_t len)
{
    dn *n = dn_new(tag);
    n->c = keep(c, len);
    n->clen = len;
    return n;
}

static dn *dn_str(uint8_t tag, const char *s)
{
    return dn_prim(tag, s, strlen(s));
}

static void dn_insert(dn *p, size_t at, dn *kid)
{
    ck_assert(p->open);
    ck_assert_uint_lt(p->nk, DN_KIDS);
    ck_assert_uint_le(at, p->nk);
    memmove(&p->k[at + 1], &p->k[at], (p->nk - at) * sizeof p->k[0]);
    p->k[at] = kid;
    p->nk++;
}

static dn *dn_add(dn *p, dn *kid)
{
    dn_insert(p, p->nk, kid);
    return p;
}

static dn *dn_remove(dn *p, size_t at)
{
    ck_assert_uint_lt(at, p->nk);
    dn *old = p->k[at];
    memmove(&p->k[at], &p->k[at + 1], (p->nk - at - 1) * sizeof p->k[0]);
    p->nk--;
    return old;
}

/* A constructed element (or an opened string) with up to three kids. */
static dn *dn_cons(uint8_t tag, dn *a, dn *b, dn *c)
{
    dn *n = dn_new(tag);
    n->open = 1;
    n->c = arena;
    if (a) dn_add(n, a);
    if (b) dn_add(n, b);
    if (c) dn_add(n, c);
    return n;
}

static dn *dn_read(const uint8_t **pp, const uint8_t *end);

static void dn_read_kids(dn *n, const uint8_t *p, size_t len)
{
    const uint8_t *end = p + len;
    while (p < end) dn_add(n, dn_read(&p, end));
}

/* One element of trusted fixture DER: one-byte tags, definite lengths. */
static dn *dn_read(const uint8_t **pp, const uint8_t *end)
{
    const uint8_t *p = *pp;
    ck_assert_int_ge(end - p, 2);
    uint8_t tag = p[0];
    size_t len = p[1], hl = 2;
    if (len & 0x80) {
        size_t n = len & 0x7f;
        ck_assert(n >= 1 && n <= 3);
        len = 0;
        for (size_t i = 0; i < n; i++) len = len << 8 | p[2 + i];
        hl += n;
    }
    ck_assert_uint_le(hl + len, (size_t)(end - p));
    dn *node;
    if (tag & 0x20) {
        node = dn_cons(tag, NULL, NULL, NULL);
        dn_read_kids(node, p + hl, len);
    } else {
        node = dn_prim(tag, p + hl, len);
    }
    *pp = p + hl + len;
    return node;
}

static dn *dn_parse(const uint8_t *der, size_t len)
{
    const uint8_t *p = der;
    dn *n = dn_read(&p, der + len);
    ck_assert_ptr_eq(p, der + len);
    return n;
}

/* An OCTET STRING or BIT STRING whose contents are DER (extnValue, the
 * signature): its contents become kids, after pre leading bytes (the
 * unused-bits octet).  Idempotent. */
static dn *dn_open(dn *n, size_t pre)
{
    if (n->open) return n;
    const uint8_t *c = n->c;
    size_t len = n->clen;
    ck_assert_uint_le(pre, len);
    n->open = 1;
    n->clen = pre;
    dn_read_kids(n, c + pre, len - pre);
    return n;
}

static size_t dn_size(const dn *n);

static size_t dn_content_len(const dn *n)
{
    size_t s = n->clen;
    if (n->open)
        for (size_t i = 0; i < n->nk; i++) s += dn_size(n->k[i]);
    return s;
}

static size_t min_len_octets(size_t len)
{
    return len < 0x80 ? 0 : len < 0x100 ? 1 : len < 0x10000 ? 2 : 3;
}

static size_t dn_hlen(const dn *n, size_t clen)
{
    if (n->lenform == LEN_INDEF) return 2;
    return 2 + (n->lenform > 0 ? (size_t)n->lenform : min_len_octets(clen));
}

static size_t dn_size(const dn *n)
{
    size_t c = dn_content_len(n);
    return dn_hlen(n, c) + c + (n->lenform == LEN_INDEF ? 2 : 0);
}

static size_t dn_write(dn *n, uint8_t *out, size_t off)
{
    size_t c = dn_content_len(n), i = 0;
    n->off = off;
    n->hl = dn_hlen(n, c);
    out[i++] = n->tag;
    if (n->lenform == LEN_INDEF) {
        out[i++] = 0x80;
    } else {
        size_t nl = n->lenform > 0 ? (size_t)n->lenform : min_len_octets(c);
        if (nl == 0) {
            out[i++] = (uint8_t)c;
        } else {
            out[i++] = (uint8_t)(0x80 | nl);
            for (size_t j = nl; j-- > 0;) out[i++] = (uint8_t)(j < sizeof c ? c >> (8 * j) : 0);
        }
    }
    if (n->clen) memcpy(out + i, n->c, n->clen);
    i += n->clen;
    if (n->open)
        for (size_t k = 0; k < n->nk; k++) i += dn_write(n->k[k], out + i, off + i);
    if (n->lenform == LEN_INDEF) {
        out[i++] = 0;
        out[i++] = 0;
    }
    return i;
}

static size_t dn_encode(dn *n, uint8_t *out, size_t cap)
{
    ck_assert_uint_le(dn_size(n), cap);
    return dn_write(n, out, 0);
}

/* Contents of a node as placed by the last dn_encode. */
static size_t dn_cstart(const dn *n) { return n->off + n->hl; }

/* ---- certificate fields in the tree ---- */

enum { F_SERIAL, F_SIGALG, F_ISSUER, F_VALIDITY, F_SUBJECT, F_SPKI };

static dn *tbs_of(dn *cert) { return cert->k[0]; }

static size_t field_index(dn *tbs, int f)
{
    return (size_t)f + (tbs->nk > 0 && tbs->k[0]->tag == 0xa0 ? 1 : 0);
}

static dn *field(dn *cert, int f)
{
    dn *t = tbs_of(cert);
    size_t i = field_index(t, f);
    ck_assert_uint_lt(i, t->nk);
    return t->k[i];
}

static void set_field(dn *cert, int f, dn *v)
{
    dn *t = tbs_of(cert);
    t->k[field_index(t, f)] = v;
}

/* The [3] element, or NULL. */
static dn *ext_wrapper(dn *cert)
{
    dn *t = tbs_of(cert);
    return t->nk > 0 && t->k[t->nk - 1]->tag == 0xa3 ? t->k[t->nk - 1] : NULL;
}

static dn *ext_list(dn *cert)
{
    dn *w = ext_wrapper(cert);
    ck_assert_ptr_nonnull(w);
    return w->k[0];
}

static const uint8_t OID_BC[] = { 0x55, 0x1d, 0x13 };
static const uint8_t OID_KU[] = { 0x55, 0x1d, 0x0f };
static const uint8_t OID_SAN[] = { 0x55, 0x1d, 0x11 };
static const uint8_t OID_SKI[] = { 0x55, 0x1d, 0x0e };
static const uint8_t OID_EKU[] = { 0x55, 0x1d, 0x25 };
static const uint8_t OID_PRIVATE[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xb9, 0x2f, 0x01 };
static const uint8_t OID_CN[] = { 0x55, 0x04, 0x03 };
static const uint8_t OID_O[] = { 0x55, 0x04, 0x0a };
static const uint8_t OID_ECDSA_SHA256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 };
static const uint8_t OID_ECDSA_SHA384[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03 };
static const uint8_t OID_EC_PUBKEY[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t OID_P256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t OID_P384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t OID_RSA[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };

static size_t ext_index(dn *cert, const uint8_t *oid, size_t n)
{
    dn *l = ext_list(cert);
    for (size_t i = 0; i < l->nk; i++) {
        dn *o = l->k[i]->k[0];
        if (o->clen == n && memcmp(o->c, oid, n) == 0) return i;
    }
    ck_abort_msg("extension not in fixture");
    return 0;
}

static dn *ext_find(dn *cert, const uint8_t *oid, size_t n)
{
    return ext_list(cert)->k[ext_index(cert, oid, n)];
}

/* The extension's value, opened so its DER can be edited. */
static dn *ext_value(dn *ext)
{
    return dn_open(ext->k[ext->nk - 1], 0)->k[0];
}

static void ext_set_value(dn *ext, dn *v)
{
    dn_open(ext->k[ext->nk - 1], 0)->k[0] = v;
}

static dn *bool_node(uint8_t v)
{
    return dn_prim(0x01, &v, 1);
}

static dn *mk_ext(const uint8_t *oid, size_t n, int critical, dn *value)
{
    dn *e = dn_cons(0x30, dn_prim(0x06, oid, n), NULL, NULL);
    if (critical) dn_add(e, bool_node(0xff));
    return dn_add(e, dn_cons(0x04, value, NULL, NULL));
}

static dn *alg_node(const uint8_t *oid, size_t n, int with_null)
{
    return dn_cons(0x30, dn_prim(0x06, oid, n), with_null ? dn_prim(0x05, "", 0) : NULL, NULL);
}

/* signatureValue's ECDSA-Sig-Value: cert->k[2] opened after its unused-bits octet. */
static dn *sig_seq(dn *cert)
{
    return dn_open(cert->k[2], 1)->k[0];
}

/* Minimal positive INTEGER of a big-endian magnitude. */
static dn *uint_node(const uint8_t *mag, size_t n)
{
    uint8_t b[80];
    size_t i = 0;
    while (n > 1 && mag[0] == 0) {
        mag++;
        n--;
    }
    ck_assert_uint_lt(n + 1, sizeof b);
    if (mag[0] & 0x80) b[i++] = 0;
    memcpy(b + i, mag, n);
    return dn_prim(0x02, b, i + n);
}

static dn *rdn(const uint8_t *oid, size_t n, uint8_t tag, const void *v, size_t vlen)
{
    return dn_cons(0x31, dn_cons(0x30, dn_prim(0x06, oid, n), dn_prim(tag, v, vlen), NULL), NULL, NULL);
}

/* ---- parsing helpers ---- */

static uint8_t buf[4096];
static size_t blen;

/* slink_crt_parse, plus the contract that a failure leaves *out zeroed. */
static slink_err parse(slink_crt *c, const uint8_t *der, size_t len)
{
    static const slink_crt zero;
    memset(c, 0xA5, sizeof *c);
    slink_err e = slink_crt_parse(c, der, len);
    if (e != SLINK_OK) ck_assert_msg(memcmp(c, &zero, sizeof zero) == 0, "output not zeroed on error %d", e);
    return e;
}

static slink_err parse_tree(dn *cert, slink_crt *c)
{
    slink_crt tmp;
    blen = dn_encode(cert, buf, sizeof buf);
    return parse(c ? c : &tmp, buf, blen);
}

static dn *dev_tree(void)
{
    const test_cred *d = test_pki_default_device();
    ck_assert_ptr_nonnull(d);
    dn_reset();
    return dn_parse(d->der, d->der_len);
}

static int span_in(slink_der_span s, const uint8_t *base, size_t off, size_t len)
{
    return s.p == base + off && s.len == len;
}

static void span_is_node(slink_der_span s, const uint8_t *base, const dn *n)
{
    ck_assert_ptr_eq(s.p, base + n->off);
    ck_assert_uint_eq(s.len, dn_size(n));
}

/* The subject key's point from the private key, through mbedTLS. */
static void key_point(const uint8_t *key, size_t key_len, uint8_t out[65])
{
    mbedtls_pk_context pk;
    size_t olen = 0;
    mbedtls_pk_init(&pk);
    ck_assert_int_eq(mbedtls_pk_parse_key(&pk, key, key_len, NULL, 0), 0);
    ck_assert_int_eq(mbedtls_pk_get_type(&pk), MBEDTLS_PK_ECKEY);
    mbedtls_ecp_keypair *ec = mbedtls_pk_ec(pk);
    ck_assert_int_eq(ec->grp.id, MBEDTLS_ECP_DP_SECP256R1);
    ck_assert_int_eq(mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, out, 65), 0);
    ck_assert_uint_eq(olen, 65);
    mbedtls_pk_free(&pk);
}

/* r || s of an ECDSA-Sig-Value, through mbedTLS's lenient ASN.1 reader. */
static void sig_rs_mbedtls(const uint8_t *sig, size_t len, uint8_t rs[64])
{
    unsigned char *p = (unsigned char *)(uintptr_t)sig;
    const unsigned char *end = sig + len;
    size_t l;
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    ck_assert_int_eq(mbedtls_asn1_get_tag(&p, end, &l, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE), 0);
    ck_assert_int_eq(mbedtls_asn1_get_mpi(&p, end, &r), 0);
    ck_assert_int_eq(mbedtls_asn1_get_mpi(&p, end, &s), 0);
    ck_assert_ptr_eq(p, end);
    ck_assert_int_eq(mbedtls_mpi_write_binary(&r, rs, 32), 0);
    ck_assert_int_eq(mbedtls_mpi_write_binary(&s, rs + 32, 32), 0);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
}

/* 2025-01-01T00:00:00Z and 2035-01-01T00:00:00Z (date -u -d ... +%s). */
#define T_2025 INT64_C(1735689600)
#define T_2035 INT64_C(2051222400)

/* ---- known answers ---- */

/* Every field of a test-PKI certificate against a walk of the same bytes
 * by the tree above, the key from the private key, the signature through
 * mbedTLS, and the dates from date(1). */
static void check_test_pki_cert(const test_cred *cred, const test_cred *issuer, const char *cn, int is_ca,
                                uint8_t ku)
{
    slink_crt c, ic;
    uint8_t out[1024], pt[65], rs[64], rs2[64];
    ck_assert_int_eq(parse(&c, cred->der, cred->der_len), SLINK_OK);
    ck_assert_int_eq(parse(&ic, issuer->der, issuer->der_len), SLINK_OK);

    dn_reset();
    dn *t = dn_parse(cred->der, cred->der_len);
    ck_assert_uint_eq(dn_encode(t, out, sizeof out), cred->der_len);
    ck_assert_mem_eq(out, cred->der, cred->der_len);

    ck_assert_ptr_eq(c.raw.p, cred->der);
    ck_assert_uint_eq(c.raw.len, cred->der_len);
    span_is_node(c.tbs, cred->der, tbs_of(t));
    ck_assert_uint_eq(c.tbs.p[0], 0x30);
    span_is_node(c.issuer, cred->der, field(t, F_ISSUER));
    span_is_node(c.subject, cred->der, field(t, F_SUBJECT));
    /* issuer name byte for byte the CA's subject */
    ck_assert_uint_eq(c.issuer.len, ic.subject.len);
    ck_assert_mem_eq(c.issuer.p, ic.subject.p, ic.subject.len);

    ck_assert_uint_eq(c.cn.len, strlen(cn));
    ck_assert_mem_eq(c.cn.p, cn, strlen(cn));
    ck_assert(c.cn.p > c.subject.p && c.cn.p + c.cn.len <= c.subject.p + c.subject.len);
    ck_assert_uint_eq(c.san.len, 0);

    ck_assert_int_eq(c.not_before, T_2025);
    ck_assert_int_eq(c.not_after, T_2035);
    ck_assert_uint_eq(c.version, 3);
    ck_assert_uint_eq(c.is_ca, is_ca);
    ck_assert_uint_eq(c.has_key_usage, 1);
    ck_assert_uint_eq(c.key_usage, ku);

    key_point(cred->key, cred->key_len, pt);
    dn *bits = field(t, F_SPKI)->k[1];
    ck_assert_ptr_eq(c.pub, cred->der + dn_cstart(bits) + 1);
    ck_assert_mem_eq(c.pub, pt, 65);

    dn *sb = t->k[2];
    ck_assert_uint_eq(sb->tag, 0x03);
    ck_assert(span_in(c.sig, cred->der, dn_cstart(sb) + 1, sb->clen - 1));
    ck_assert_uint_eq(c.sig.p[0], 0x30);
    ck_assert_ptr_eq(c.sig.p + c.sig.len, cred->der + cred->der_len);
    ck_assert_int_eq(slink_crt_sig_rs(&c, rs), SLINK_OK);
    sig_rs_mbedtls(c.sig.p, c.sig.len, rs2);
    ck_assert_mem_eq(rs, rs2, 64);

    ck_assert_int_eq(slink_crt_has_name(&c, cn), 1);
}

START_TEST(kat_test_pki_ca)
{
    const test_cred *ca = test_pki_default_ca();
    check_test_pki_cert(ca, ca, TEST_PKI_CA_NAME, 1, SLINK_KU_KEY_CERT_SIGN | 0x02 /* cRLSign */);
    slink_crt c;
    ck_assert_int_eq(parse(&c, ca->der, ca->der_len), SLINK_OK);
    /* self-signed: issuer and subject are equal bytes at different places */
    ck_assert_uint_eq(c.issuer.len, c.subject.len);
    ck_assert_ptr_ne(c.issuer.p, c.subject.p);
    ck_assert_mem_eq(c.issuer.p, c.subject.p, c.subject.len);
}
END_TEST

START_TEST(kat_test_pki_leaves)
{
    check_test_pki_cert(test_pki_default_device(), test_pki_default_ca(), TEST_PKI_DEVICE_NAME, 0,
                        SLINK_KU_DIGITAL_SIGNATURE);
    check_test_pki_cert(test_pki_default_host(), test_pki_default_ca(), TEST_PKI_HOST_NAME, 0,
                        SLINK_KU_DIGITAL_SIGNATURE);
    check_test_pki_cert(test_pki_other_device(), test_pki_other_ca(), TEST_PKI_DEVICE_NAME, 0,
                        SLINK_KU_DIGITAL_SIGNATURE);
}
END_TEST

/* The test PKI's variants: SAN, no keyUsage, no basicConstraints, CA:TRUE. */
START_TEST(kat_test_pki_variants)
{
    static test_cred leaf;
    slink_crt c;
    test_leaf_opts o = { .name = "pump-3", .addr = 3, .san_name = 1 };
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &leaf, &o, 77), 0);
    ck_assert_int_eq(parse(&c, leaf.der, leaf.der_len), SLINK_OK);
    ck_assert_uint_gt(c.san.len, 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "pump-3"), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "addr-3.slink"), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "addr-3"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "pump-4"), 0);
    /* the SAN span: contents of the GeneralNames SEQUENCE, in the extension */
    dn_reset();
    dn *t = dn_parse(leaf.der, leaf.der_len);
    uint8_t out[1024];
    dn *san = ext_value(ext_find(t, OID_SAN, sizeof OID_SAN));
    dn_encode(t, out, sizeof out);
    ck_assert(span_in(c.san, leaf.der, dn_cstart(san), dn_content_len(san)));
    ck_assert_uint_eq(c.san.p[0], 0x82);

    /* One of the two omitted at a time: with both, mbedTLS's writer emits
     * an empty Extensions SEQUENCE, which DER of RFC 5280 forbids
     * (extension_structure_rules). */
    memset(&o, 0, sizeof o);
    o.name = "no-ku";
    o.key_usage = -1;
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &leaf, &o, 78), 0);
    ck_assert_int_eq(parse(&c, leaf.der, leaf.der_len), SLINK_OK);
    ck_assert_uint_eq(c.has_key_usage, 0);
    ck_assert_uint_eq(c.key_usage, 0);
    ck_assert_uint_eq(c.is_ca, 0);
    memset(&o, 0, sizeof o);
    o.name = "no-bc";
    o.omit_bc = 1;
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &leaf, &o, 80), 0);
    ck_assert_int_eq(parse(&c, leaf.der, leaf.der_len), SLINK_OK);
    ck_assert_uint_eq(c.has_key_usage, 1);
    ck_assert_uint_eq(c.key_usage, SLINK_KU_DIGITAL_SIGNATURE);
    ck_assert_uint_eq(c.is_ca, 0);

    memset(&o, 0, sizeof o);
    o.name = "bad-leaf";
    o.is_ca = 1;
    o.not_before = "20300615120000";  /* 1907755200 */
    o.not_after = "20500101000000";  /* 2050: GeneralizedTime */
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &leaf, &o, 79), 0);
    ck_assert_int_eq(parse(&c, leaf.der, leaf.der_len), SLINK_OK);
    ck_assert_uint_eq(c.is_ca, 1);
    ck_assert_int_eq(c.not_before, INT64_C(1907755200));
    ck_assert_int_eq(c.not_after, INT64_C(2524608000));
}
END_TEST

START_TEST(rebuild_is_identical)
{
    uint8_t out[1024];
    dn *t = dev_tree();
    const test_cred *d = test_pki_default_device();
    ck_assert_uint_eq(dn_encode(t, out, sizeof out), d->der_len);
    ck_assert_mem_eq(out, d->der, d->der_len);
    /* opening the extension values and the signature changes nothing */
    ext_value(ext_find(t, OID_BC, sizeof OID_BC));
    ext_value(ext_find(t, OID_KU, sizeof OID_KU));
    sig_seq(t);
    ck_assert_uint_eq(dn_encode(t, out, sizeof out), d->der_len);
    ck_assert_mem_eq(out, d->der, d->der_len);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
}
END_TEST

START_TEST(unix_time_known_answers)
{
    static const struct { int32_t y, mo, d, h, mi, s; int64_t want; } kat[] = {
        { 1970, 1, 1, 0, 0, 0, 0 },
        { 1970, 1, 1, 0, 0, 1, 1 },
        { 1969, 12, 31, 23, 59, 59, -1 },
        { 2000, 2, 29, 0, 0, 0, INT64_C(951782400) },
        { 2000, 2, 29, 12, 34, 56, INT64_C(951827696) },
        { 2000, 3, 1, 0, 0, 0, INT64_C(951868800) },
        { 2038, 1, 19, 3, 14, 8, INT64_C(2147483648) },
        { 2049, 12, 31, 23, 59, 59, INT64_C(2524607999) },
        { 1950, 1, 1, 0, 0, 0, INT64_C(-631152000) },
        { 1949, 12, 31, 23, 59, 59, INT64_C(-631152001) },
        { 2100, 2, 28, 23, 59, 59, INT64_C(4107542399) },
        { 2100, 3, 1, 0, 0, 0, INT64_C(4107542400) },
        { 2028, 2, 29, 12, 0, 0, INT64_C(1835438400) },
        { 2055, 1, 2, 3, 4, 5, INT64_C(2682471845) },
        { 1, 1, 1, 0, 0, 0, INT64_C(-62135596800) },
        { 0, 1, 1, 0, 0, 0, INT64_C(-62167219200) },
        { 0, 3, 1, 0, 0, 0, INT64_C(-62162035200) },
        { 2400, 2, 29, 0, 0, 0, INT64_C(13574563200) },
        { 9999, 12, 31, 23, 59, 59, INT64_C(253402300799) },
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++)
        ck_assert_msg(slink_crt_unix_time(kat[i].y, kat[i].mo, kat[i].d, kat[i].h, kat[i].mi, kat[i].s) ==
                          kat[i].want,
                      "%04d-%02d-%02d %02d:%02d:%02d", kat[i].y, kat[i].mo, kat[i].d, kat[i].h, kat[i].mi,
                      kat[i].s);
}
END_TEST

/* Against glibc's timegm, one date every 13 days (all months, leap and
 * century years) from 1900 to 2400 with varying time of day. */
START_TEST(unix_time_matches_timegm)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    ck_assert_uint_ge(sizeof(time_t), 8);
    unsigned n = 0;
    for (int y = 1900; y <= 2400; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int dim = mdays[m - 1] + (m == 2 && leap);
            for (int d = 1 + (y + m) % 13; d <= dim; d += 13) {
                struct tm tm;
                memset(&tm, 0, sizeof tm);
                tm.tm_year = y - 1900;
                tm.tm_mon = m - 1;
                tm.tm_mday = d;
                tm.tm_hour = (d * 7) % 24;
                tm.tm_min = (d * 11 + m) % 60;
                tm.tm_sec = (y + d) % 60;
                int64_t want = (int64_t)timegm(&tm);
                ck_assert_int_eq(slink_crt_unix_time(y, m, d, tm.tm_hour, tm.tm_min, tm.tm_sec), want);
                n++;
            }
        }
    }
    ck_assert_uint_gt(n, 13000);
    /* and every last day of February in the range */
    for (int y = 1900; y <= 2400; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        ck_assert_int_eq(slink_crt_unix_time(y, 3, 1, 0, 0, 0) - slink_crt_unix_time(y, 2, 28, 0, 0, 0),
                         leap ? 2 * 86400 : 86400);
    }
}
END_TEST

/* ---- the openssl CLI: SANs, GeneralizedTime, critical basicConstraints ---- */

static char tmpdir[64];
static int have_openssl;

static size_t read_file(const char *name, uint8_t *b, size_t cap)
{
    return test_read_file(tmpdir, name, b, cap);
}

static int sh(const char *script)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd %s && { %s ; } >>log.txt 2>&1", tmpdir, script);
    return system(cmd);
}

/* Runs once in check's parent process; the tests read the files. */
static void openssl_setup(void)
{
    have_openssl = system("command -v openssl >/dev/null 2>&1") == 0;
    if (!have_openssl) return;
    strcpy(tmpdir, "/tmp/slink-crt-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_int_eq(test_pki_write_default_ca_pem(tmpdir), 0);
    /* `openssl ca` because it takes exact dates: notBefore 2025 stays a
     * UTCTime, notAfter 2055 must be a GeneralizedTime (RFC 5280). */
    int r = sh(
        "mkdir -p db && : > db/index.txt && "
        "printf '[ca]\\ndefault_ca = c\\n[c]\\ndatabase = db/index.txt\\nnew_certs_dir = db\\n"
        "serial = db/serial\\ndefault_md = sha256\\npolicy = p\\nunique_subject = no\\npreserve = yes\\n"
        "email_in_dn = no\\n[p]\\ncommonName = supplied\\norganizationName = optional\\n' > ca.cnf && "
        "printf 'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,digitalSignature,keyAgreement\\n"
        "subjectAltName=DNS:dev-7.plant,DNS:addr-7.slink,IP:10.0.0.7,email:dev7@plant.example\\n"
        "subjectKeyIdentifier=hash\\n' > leaf.ext && "
        "printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\n' > plain.ext && "
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout od.key "
        "  -out od.csr -subj '/CN=dev-7/O=plant' && "
        "openssl ca -batch -config ca.cnf -cert ourca.crt -keyfile ourca.key -in od.csr -out od.crt "
        "  -notext -create_serial -startdate 250101000000Z -enddate 20550102030405Z -extfile leaf.ext && "
        "openssl x509 -in od.crt -outform der -out od.der && "
        /* foreign key types under our CA */
        "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -keyout p384.key "
        "  -out p384.csr -subj '/CN=p384' && "
        "openssl x509 -req -in p384.csr -CA ourca.crt -CAkey ourca.key -CAcreateserial -out p384.der "
        "  -outform der -days 365 -sha256 -extfile plain.ext && "
        "openssl req -new -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj '/CN=rsa' && "
        "openssl x509 -req -in rsa.csr -CA ourca.crt -CAkey ourca.key -CAcreateserial -out rsa.der "
        "  -outform der -days 365 -sha256 -extfile plain.ext && "
        "openssl x509 -req -in od.csr -CA ourca.crt -CAkey ourca.key -CAcreateserial -out sha384.der "
        "  -outform der -days 365 -sha384 -extfile plain.ext");
    ck_assert_msg(r == 0, "openssl steps failed, see %s/log.txt", tmpdir);
}

static void openssl_teardown(void)
{
    test_rm_dir(tmpdir);
}

#define NEED_OPENSSL()                                                   \
    do {                                                                 \
        if (!have_openssl) {                                             \
            fprintf(stderr, "%s: skipped, no openssl CLI\n", __func__); \
            return;                                                      \
        }                                                                \
    } while (0)

START_TEST(kat_openssl_leaf)
{
    NEED_OPENSSL();
    static uint8_t der[4096], key[4096];
    size_t n = read_file("od.der", der, sizeof der);
    size_t kn = read_file("od.key", key, sizeof key);
    slink_crt c, ic;
    const test_cred *ca = test_pki_default_ca();
    uint8_t out[4096], pt[65], rs[64], rs2[64];

    ck_assert_int_eq(parse(&c, der, n), SLINK_OK);
    ck_assert_int_eq(parse(&ic, ca->der, ca->der_len), SLINK_OK);
    dn_reset();
    dn *t = dn_parse(der, n);
    dn *san = ext_value(ext_find(t, OID_SAN, sizeof OID_SAN));
    ck_assert_uint_eq(dn_encode(t, out, sizeof out), n);
    ck_assert_mem_eq(out, der, n);

    ck_assert_ptr_eq(c.raw.p, der);
    ck_assert_uint_eq(c.raw.len, n);
    span_is_node(c.tbs, der, tbs_of(t));
    span_is_node(c.issuer, der, field(t, F_ISSUER));
    span_is_node(c.subject, der, field(t, F_SUBJECT));
    ck_assert_uint_eq(c.issuer.len, ic.subject.len);
    ck_assert_mem_eq(c.issuer.p, ic.subject.p, ic.subject.len);
    ck_assert_uint_eq(c.cn.len, 5);
    ck_assert_mem_eq(c.cn.p, "dev-7", 5);

    /* notBefore UTCTime, notAfter GeneralizedTime; dates from date(1) */
    dn *val = field(t, F_VALIDITY);
    ck_assert_uint_eq(val->k[0]->tag, 0x17);
    ck_assert_uint_eq(val->k[1]->tag, 0x18);
    ck_assert_int_eq(c.not_before, T_2025);
    ck_assert_int_eq(c.not_after, INT64_C(2682471845)); /* 2055-01-02T03:04:05Z */

    ck_assert_uint_eq(c.version, 3);
    ck_assert_uint_eq(c.is_ca, 0);
    ck_assert_uint_eq(c.has_key_usage, 1);
    ck_assert_uint_eq(c.key_usage, SLINK_KU_DIGITAL_SIGNATURE | 0x08 /* keyAgreement */);
    /* openssl writes basicConstraints critical (the case under test) and
     * the signature algorithm without parameters */
    ck_assert_uint_eq(ext_find(t, OID_BC, sizeof OID_BC)->nk, 3);
    ck_assert_uint_eq(field(t, F_SIGALG)->nk, 1);

    key_point(key, kn, pt);
    ck_assert_mem_eq(c.pub, pt, 65);
    ck_assert(span_in(c.san, der, dn_cstart(san), dn_content_len(san)));
    dn *sb = t->k[2];
    ck_assert(span_in(c.sig, der, dn_cstart(sb) + 1, sb->clen - 1));
    ck_assert_int_eq(slink_crt_sig_rs(&c, rs), SLINK_OK);
    sig_rs_mbedtls(c.sig.p, c.sig.len, rs2);
    ck_assert_mem_eq(rs, rs2, 64);

    /* names: dNSName entries, byte for byte; the CN is not one, as the
     * SAN holds dNSNames (RFC 6125 §6.4.4) */
    ck_assert_int_eq(slink_crt_has_name(&c, "dev-7"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "dev-7.plant"), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "addr-7.slink"), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "dev-7.plan"), 0);     /* prefix */
    ck_assert_int_eq(slink_crt_has_name(&c, "dev-"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "dev-7.plant."), 0);   /* longer */
    ck_assert_int_eq(slink_crt_has_name(&c, "DEV-7.PLANT"), 0);    /* case */
    ck_assert_int_eq(slink_crt_has_name(&c, "Dev-7"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "10.0.0.7"), 0);       /* iPAddress is not a DNS name */
    ck_assert_int_eq(slink_crt_has_name(&c, "dev7@plant.example"), 0); /* nor rfc822Name */
    ck_assert_int_eq(slink_crt_has_name(&c, "plant"), 0);          /* O, not CN */
    ck_assert_int_eq(slink_crt_has_name(&c, ""), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, NULL), 0);
    ck_assert_int_eq(slink_crt_has_name(NULL, "dev-7"), 0);
}
END_TEST

START_TEST(openssl_foreign_keys_are_key_type)
{
    NEED_OPENSSL();
    static uint8_t der[4096];
    slink_crt c;
    size_t n = read_file("p384.der", der, sizeof der);
    ck_assert_int_eq(parse(&c, der, n), SLINK_ERR_CERT_KEY_TYPE);
    n = read_file("rsa.der", der, sizeof der);
    ck_assert_int_eq(parse(&c, der, n), SLINK_ERR_CERT_KEY_TYPE);
    n = read_file("sha384.der", der, sizeof der);
    ck_assert_int_eq(parse(&c, der, n), SLINK_ERR_CERT_KEY_TYPE);
}
END_TEST

/* ---- names ---- */

static void set_cn(dn *cert, const void *v, size_t n)
{
    dn *subj = field(cert, F_SUBJECT);
    dn *atv = subj->k[0]->k[0];
    ck_assert_uint_eq(atv->k[0]->clen, 3);
    atv->k[1] = dn_prim(atv->k[1]->tag, v, n);
}

/* A NUL inside the certificate's name must not let a C string match a
 * prefix of it. */
START_TEST(has_name_embedded_nul)
{
    slink_crt c;
    dn *t = dev_tree();
    set_cn(t, "dev-7\0evil", 10);
    dn *gn = dn_cons(0x30, dn_prim(0x82, "addr-7.slink\0.x", 15), dn_str(0x82, "ok-7"), NULL);
    dn_add(ext_list(t), mk_ext(OID_SAN, sizeof OID_SAN, 0, gn));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.cn.len, 10);
    ck_assert_int_eq(slink_crt_has_name(&c, "dev-7"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "addr-7.slink"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "ok-7"), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "ok-"), 0);
}
END_TEST

/* SAN entries of other types carrying the same bytes are not DNS names. */
START_TEST(has_name_only_dns_entries)
{
    slink_crt c;
    dn *t = dev_tree();
    dn *gn = dn_cons(0x30, dn_str(0x81, "pump-1"), dn_str(0x86, "pump-2"), dn_str(0x82, "pump-3"));
    dn_add(ext_list(t), mk_ext(OID_SAN, sizeof OID_SAN, 0, gn));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_int_eq(slink_crt_has_name(&c, "pump-1"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "pump-2"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "pump-3"), 1);
    /* a dNSName is present: the CN is no identity (RFC 6125 §6.4.4) */
    ck_assert_int_eq(slink_crt_has_name(&c, TEST_PKI_DEVICE_NAME), 0);
}
END_TEST

/* Which SAN entries hide the CN: a dNSName or a URI does; an rfc822Name or
 * an iPAddress (not identifiers of the type slink checks) does not. */
START_TEST(cn_matched_only_without_dns_or_uri_id)
{
    slink_crt c;
    dn *t = dev_tree();
    dn *gn = dn_cons(0x30, dn_str(0x81, "pump-1"), dn_prim(0x87, "\x0a\x00\x00\x07", 4), NULL);
    dn_add(ext_list(t), mk_ext(OID_SAN, sizeof OID_SAN, 0, gn));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_int_eq(slink_crt_has_name(&c, TEST_PKI_DEVICE_NAME), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "pump-1"), 0);

    t = dev_tree();
    gn = dn_cons(0x30, dn_str(0x86, "urn:slink:pump-2"), NULL, NULL);
    dn_add(ext_list(t), mk_ext(OID_SAN, sizeof OID_SAN, 0, gn));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_int_eq(slink_crt_has_name(&c, TEST_PKI_DEVICE_NAME), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "urn:slink:pump-2"), 0);
}
END_TEST

START_TEST(cn_is_first_and_optional)
{
    slink_crt c;
    dn *t = dev_tree();
    /* O=plant, CN=first, CN=second: cn is the first commonName */
    dn *name = dn_cons(0x30, rdn(OID_O, 3, 0x0c, "plant", 5), rdn(OID_CN, 3, 0x13, "first", 5),
                       rdn(OID_CN, 3, 0x0c, "second", 6));
    set_field(t, F_SUBJECT, name);
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.cn.len, 5);
    ck_assert_mem_eq(c.cn.p, "first", 5);
    ck_assert_int_eq(slink_crt_has_name(&c, "first"), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "plant"), 0);

    /* no commonName at all */
    t = dev_tree();
    set_field(t, F_SUBJECT, dn_cons(0x30, rdn(OID_O, 3, 0x0c, "plant", 5), NULL, NULL));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.cn.len, 0);
    ck_assert_int_eq(slink_crt_has_name(&c, TEST_PKI_DEVICE_NAME), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "plant"), 0);
}
END_TEST

START_TEST(malformed_names_refused)
{
    dn *t = dev_tree();
    dn_add(field(t, F_SUBJECT), dn_cons(0x31, NULL, NULL, NULL));   /* empty RDN */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    field(t, F_ISSUER)->k[0]->tag = 0x30;                            /* RDN as SEQUENCE */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    dn *atv = field(t, F_SUBJECT)->k[0]->k[0];
    atv->k[1] = dn_cons(0x2c, dn_str(0x0c, "dev-7"), NULL, NULL);   /* constructed value */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    atv = field(t, F_SUBJECT)->k[0]->k[0];
    dn_add(atv, dn_str(0x0c, "x"));                                  /* third element */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    atv = field(t, F_SUBJECT)->k[0]->k[0];
    dn_remove(atv, 1);                                               /* no value */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    field(t, F_SUBJECT)->k[0]->k[0]->k[0]->tag = 0x04;               /* type not an OID */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    field(t, F_SUBJECT)->k[0]->k[0]->k[0] = dn_prim(0x06, "", 0);    /* empty OID */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    /* value tags: 0, high-tag-number form, another class */
    static const uint8_t bad_tags[] = { 0x00, 0x1f, 0x4c, 0x8c };
    for (size_t i = 0; i < sizeof bad_tags; i++) {
        t = dev_tree();
        field(t, F_SUBJECT)->k[0]->k[0]->k[1]->tag = bad_tags[i];
        ck_assert_msg(parse_tree(t, NULL) == SLINK_ERR_CERT_PARSE, "tag %02x", bad_tags[i]);
    }
    /* universal but not a string type: BOOLEAN, INTEGER, OCTET STRING, NULL */
    static const uint8_t not_strings[] = { 0x01, 0x02, 0x04, 0x05 };
    for (size_t i = 0; i < sizeof not_strings; i++) {
        t = dev_tree();
        field(t, F_SUBJECT)->k[0]->k[0]->k[1]->tag = not_strings[i];
        ck_assert_msg(parse_tree(t, NULL) == SLINK_ERR_CERT_PARSE, "tag %02x", not_strings[i]);
    }
    /* every string type is taken */
    static const uint8_t strings[] = { 0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a, 0x1c, 0x1e };
    for (size_t i = 0; i < sizeof strings; i++) {
        t = dev_tree();
        field(t, F_SUBJECT)->k[0]->k[0]->k[1]->tag = strings[i];
        ck_assert_msg(parse_tree(t, NULL) == SLINK_OK, "tag %02x", strings[i]);
    }
    /* an empty issuer Name (RFC 5280 4.1.2.4); an empty subject is allowed */
    t = dev_tree();
    set_field(t, F_ISSUER, dn_cons(0x30, NULL, NULL, NULL));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    set_field(t, F_SUBJECT, dn_cons(0x30, NULL, NULL, NULL));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
}
END_TEST

/* ---- truncation, trailing bytes, length forms ---- */

START_TEST(every_truncation_fails)
{
    const test_cred *certs[2] = { test_pki_default_device(), test_pki_default_ca() };
    slink_crt c;
    for (int k = 0; k < 2; k++) {
        const test_cred *d = certs[k];
        /* a heap copy of exactly len bytes, so ASan sees any over-read */
        for (size_t len = 0; len < d->der_len; len++) {
            uint8_t *p = malloc(len ? len : 1);
            ck_assert_ptr_nonnull(p);
            memcpy(p, d->der, len);
            ck_assert_msg(parse(&c, p, len) == SLINK_ERR_CERT_PARSE, "length %zu", len);
            free(p);
        }
        ck_assert_int_eq(parse(&c, d->der, d->der_len), SLINK_OK);
    }
    ck_assert_int_eq(parse(&c, NULL, 0), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(parse(&c, NULL, 300), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(slink_crt_parse(NULL, test_pki_default_ca()->der, test_pki_default_ca()->der_len),
                     SLINK_ERR_ARG);
}
END_TEST

START_TEST(trailing_bytes_fail)
{
    const test_cred *d = test_pki_default_device();
    uint8_t b[2 * SLINK_CERT_MAX];
    slink_crt c;
    memcpy(b, d->der, d->der_len);
    b[d->der_len] = 0x00;
    ck_assert_int_eq(parse(&c, b, d->der_len + 1), SLINK_ERR_CERT_PARSE);
    memcpy(b + d->der_len, d->der, d->der_len);
    ck_assert_int_eq(parse(&c, b, 2 * d->der_len), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(parse(&c, b, d->der_len), SLINK_OK);

    /* bytes after the signature inside the outer SEQUENCE */
    dn *t = dev_tree();
    dn_add(t, dn_prim(0x05, "", 0));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* after the extensions inside the TBS */
    t = dev_tree();
    dn_add(tbs_of(t), dn_prim(0x05, "", 0));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
}
END_TEST

START_TEST(long_form_where_short_fits)
{
    dn *t = dev_tree();
    t->lenform = 3;                              /* 30 83 00 01 3d */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    tbs_of(t)->lenform = 2;                      /* 30 82 00 e3 */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    field(t, F_SERIAL)->lenform = 1;             /* 02 81 08 */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    field(t, F_ISSUER)->lenform = 1;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    field(t, F_VALIDITY)->k[1]->lenform = 1;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    field(t, F_SPKI)->k[1]->lenform = 1;         /* the key BIT STRING: 03 81 42 */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    ext_value(ext_find(t, OID_KU, sizeof OID_KU))->lenform = 1;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    t->k[2]->lenform = 1;                        /* signature BIT STRING */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* long form with 4 octets where 2 are needed */
    t = dev_tree();
    t->lenform = 4;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* and the control: the outer SEQUENCE does need 0x82 */
    t = dev_tree();
    t->lenform = 2;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
}
END_TEST

START_TEST(indefinite_length_fails)
{
    dn *t = dev_tree();
    t->lenform = LEN_INDEF;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    tbs_of(t)->lenform = LEN_INDEF;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    field(t, F_SUBJECT)->lenform = LEN_INDEF;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    ext_wrapper(t)->lenform = LEN_INDEF;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
}
END_TEST

/* ---- version, serial, unique identifiers ---- */

static dn *version_node(uint8_t v)
{
    return dn_cons(0xa0, dn_prim(0x02, &v, 1), NULL, NULL);
}

START_TEST(version_rules)
{
    slink_crt c;
    dn *t = dev_tree();
    tbs_of(t)->k[0] = version_node(0);                /* v1 explicit: DER never encodes a default */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    tbs_of(t)->k[0] = version_node(1);                /* v2 */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    tbs_of(t)->k[0] = version_node(3);                /* "v4" */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    tbs_of(t)->k[0] = dn_cons(0xa0, dn_prim(0x02, "\x00\x02", 2), NULL, NULL); /* padded */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    tbs_of(t)->k[0] = dn_cons(0xa0, dn_prim(0x02, "\x01\x02", 2), NULL, NULL); /* 258 */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    tbs_of(t)->k[0]->tag = 0x80;                      /* [0] primitive */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    /* v1: no version field and no extensions */
    t = dev_tree();
    dn_remove(tbs_of(t), tbs_of(t)->nk - 1);
    dn_remove(tbs_of(t), 0);
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.version, 1);
    ck_assert_uint_eq(c.has_key_usage, 0);
    ck_assert_uint_eq(c.is_ca, 0);
    ck_assert_int_eq(slink_crt_has_name(&c, TEST_PKI_DEVICE_NAME), 1);
    /* v1 with extensions */
    t = dev_tree();
    dn_remove(tbs_of(t), 0);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* v3 without extensions */
    t = dev_tree();
    dn_remove(tbs_of(t), tbs_of(t)->nk - 1);
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.version, 3);
    ck_assert_uint_eq(c.has_key_usage, 0);
}
END_TEST

START_TEST(serial_rules)
{
    uint8_t s[22];
    memset(s, 0x5a, sizeof s);
    dn *t = dev_tree();
    set_field(t, F_SERIAL, dn_prim(0x02, "\x00\x12", 2));          /* padded */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    set_field(t, F_SERIAL, dn_prim(0x02, "\xff\x80", 2));          /* padded negative */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    set_field(t, F_SERIAL, dn_prim(0x02, "", 0));                  /* empty */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    set_field(t, F_SERIAL, dn_prim(0x02, s, 22));                  /* 22 octets */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    set_field(t, F_SERIAL, dn_prim(0x02, s, 20));                  /* 20 octets: RFC 5280's limit */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
    s[0] = 0;
    s[1] = 0x9a;
    t = dev_tree();
    set_field(t, F_SERIAL, dn_prim(0x02, s, 21));                  /* 20 and the sign octet */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
}
END_TEST

START_TEST(unique_ids_refused)
{
    static const uint8_t tags[] = { 0x81, 0x82, 0xa1, 0xa2 };
    for (size_t i = 0; i < sizeof tags; i++) {
        dn *t = dev_tree();
        dn *tbs = tbs_of(t);
        dn *id = (tags[i] & 0x20) ? dn_cons(tags[i], dn_prim(0x03, "\x00\xab", 2), NULL, NULL)
                                  : dn_prim(tags[i], "\x00\xab", 2);
        dn_insert(tbs, tbs->nk - 1, id);                            /* before [3] */
        ck_assert_msg(parse_tree(t, NULL) == SLINK_ERR_CERT_PARSE, "tag %02x", tags[i]);
    }
}
END_TEST

/* ---- algorithms and keys ---- */

/* ecdsa-with-SHA256 with a NULL that has contents, an OID, two NULLs. */
static dn *bad_params_alg(int i)
{
    dn *a = dn_cons(0x30, dn_prim(0x06, OID_ECDSA_SHA256, 8), NULL, NULL);
    if (i == 0) dn_add(a, dn_prim(0x05, "\x00", 1));
    if (i == 1) dn_add(a, dn_prim(0x06, OID_P384, 5));
    if (i == 2) dn_add(dn_add(a, dn_prim(0x05, "", 0)), dn_prim(0x05, "", 0));
    return a;
}

START_TEST(signature_algorithm_rules)
{
    slink_crt c;
    /* parameters absent in both places (RFC 5758, what slink-pki writes): fine */
    dn *t = dev_tree();
    set_field(t, F_SIGALG, alg_node(OID_ECDSA_SHA256, 8, 0));
    t->k[1] = alg_node(OID_ECDSA_SHA256, 8, 0);
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    /* NULL in both places (mbedTLS 2.28's writer, slink-pki before): still taken */
    t = dev_tree();
    set_field(t, F_SIGALG, alg_node(OID_ECDSA_SHA256, 8, 1));
    t->k[1] = alg_node(OID_ECDSA_SHA256, 8, 1);
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    /* outer differs from inner: NULL vs absent, either way round */
    t = dev_tree();
    t->k[1] = alg_node(OID_ECDSA_SHA256, 8, 1);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    set_field(t, F_SIGALG, alg_node(OID_ECDSA_SHA256, 8, 1));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* outer another algorithm */
    t = dev_tree();
    t->k[1] = alg_node(OID_ECDSA_SHA384, 8, 1);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    set_field(t, F_SIGALG, alg_node(OID_ECDSA_SHA384, 8, 1));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* both ecdsa-with-SHA384: well formed, outside the profile */
    t = dev_tree();
    set_field(t, F_SIGALG, alg_node(OID_ECDSA_SHA384, 8, 0));
    t->k[1] = alg_node(OID_ECDSA_SHA384, 8, 0);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_KEY_TYPE);
    /* ecdsa-with-SHA256 with parameters other than NULL, in both places */
    for (int i = 0; i < 3; i++) {
        t = dev_tree();
        set_field(t, F_SIGALG, bad_params_alg(i));
        t->k[1] = bad_params_alg(i);
        ck_assert_msg(parse_tree(t, NULL) == SLINK_ERR_CERT_PARSE, "case %d", i);
    }
}
END_TEST

static dn *spki_node(const uint8_t *alg, size_t alen, const uint8_t *curve, size_t clen, const uint8_t *pt,
                     size_t plen)
{
    uint8_t b[600];
    ck_assert_uint_lt(plen + 1, sizeof b);
    b[0] = 0;
    memcpy(b + 1, pt, plen);
    dn *a = dn_cons(0x30, dn_prim(0x06, alg, alen), curve ? dn_prim(0x06, curve, clen) : NULL, NULL);
    return dn_cons(0x30, a, dn_prim(0x03, b, plen + 1), NULL);
}

START_TEST(key_rules)
{
    slink_crt c;
    uint8_t pt[97];
    dn *t = dev_tree();
    dn *bits = field(t, F_SPKI)->k[1];
    ck_assert_uint_eq(bits->clen, 66);
    memcpy(pt, bits->c + 1, 65);

    /* control: rebuilt from its parts, accepted */
    set_field(t, F_SPKI, spki_node(OID_EC_PUBKEY, 7, OID_P256, 8, pt, 65));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_mem_eq(c.pub, pt, 65);

    /* compressed point: 02/03 || X */
    uint8_t comp[33];
    comp[0] = (uint8_t)(0x02 | (pt[64] & 1));
    memcpy(comp + 1, pt + 1, 32);
    t = dev_tree();
    set_field(t, F_SPKI, spki_node(OID_EC_PUBKEY, 7, OID_P256, 8, comp, 33));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_KEY_TYPE);
    /* 04 with a wrong length; hybrid 06 form */
    t = dev_tree();
    set_field(t, F_SPKI, spki_node(OID_EC_PUBKEY, 7, OID_P256, 8, pt, 64));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_KEY_TYPE);
    pt[0] = 0x06;
    t = dev_tree();
    set_field(t, F_SPKI, spki_node(OID_EC_PUBKEY, 7, OID_P256, 8, pt, 65));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_KEY_TYPE);
    pt[0] = 0x04;
    /* P-384 with a 97-byte point */
    uint8_t p384[97];
    memset(p384, 0x11, sizeof p384);
    p384[0] = 0x04;
    t = dev_tree();
    set_field(t, F_SPKI, spki_node(OID_EC_PUBKEY, 7, OID_P384, 5, p384, 97));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_KEY_TYPE);
    /* P-384's OID with a P-256-sized point */
    t = dev_tree();
    set_field(t, F_SPKI, spki_node(OID_EC_PUBKEY, 7, OID_P384, 5, pt, 65));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_KEY_TYPE);
    /* RSA */
    t = dev_tree();
    dn *rsa = dn_cons(0x30, dn_cons(0x30, dn_prim(0x06, OID_RSA, 9), dn_prim(0x05, "", 0), NULL),
                      dn_prim(0x03, "\x00\x30\x06\x02\x01\x05\x02\x01\x03", 9), NULL);
    set_field(t, F_SPKI, rsa);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_KEY_TYPE);

    /* structural errors are parse errors */
    t = dev_tree();
    set_field(t, F_SPKI, spki_node(OID_EC_PUBKEY, 7, NULL, 0, pt, 65));   /* no curve */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    bits = field(t, F_SPKI)->k[1];
    uint8_t b1[66];
    memcpy(b1, bits->c, 66);
    b1[0] = 1;                                                            /* unused bits */
    field(t, F_SPKI)->k[1] = dn_prim(0x03, b1, 66);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    field(t, F_SPKI)->k[1] = dn_prim(0x03, "", 0);                        /* empty BIT STRING */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    dn_add(field(t, F_SPKI), dn_prim(0x05, "", 0));                       /* extra element */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
}
END_TEST

/* ---- validity ---- */

static dn *set_time(int which, uint8_t tag, const char *s)
{
    dn *t = dev_tree();
    field(t, F_VALIDITY)->k[which] = dn_str(tag, s);
    return t;
}

START_TEST(time_rules)
{
    static const struct { uint8_t tag; const char *s; } bad[] = {
        { 0x17, "250101000000" },        /* no Z */
        { 0x17, "2501010000Z" },         /* no seconds */
        { 0x17, "250101000000.5Z" },     /* fraction */
        { 0x17, "250101000000+0000" },   /* offset */
        { 0x17, "250101000000z" },
        { 0x17, "251301000000Z" },       /* month 13 */
        { 0x17, "250001000000Z" },       /* month 0 */
        { 0x17, "250230000000Z" },       /* Feb 30 */
        { 0x17, "270229000000Z" },       /* Feb 29, 2027 */
        { 0x17, "250431000000Z" },       /* Apr 31 */
        { 0x17, "250100000000Z" },       /* day 0 */
        { 0x17, "250101240000Z" },       /* hour 24 */
        { 0x17, "250101006000Z" },       /* minute 60 */
        { 0x17, "250101000060Z" },       /* second 60 */
        { 0x17, "25010100000 Z" },
        { 0x17, "2501010000-0Z" },
        { 0x17, "20250101000000Z" },     /* GeneralizedTime digits in a UTCTime */
        { 0x17, "A50101000000Z" },
        { 0x18, "20A50101000000Z" },
        { 0x18, "2O250101000000Z" },
        { 0x18, "20250101000000" },
        { 0x18, "20250101000000.5Z" },
        { 0x18, "20250101000000.0Z" },
        { 0x18, "202501010000Z" },
        { 0x18, "250101000000Z" },       /* UTCTime digits in a GeneralizedTime */
        { 0x18, "21000229000000Z" },     /* 2100 is not a leap year */
        { 0x18, "20251301000000Z" },
        { 0x13, "250101000000Z" },       /* PrintableString */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int which = 0; which < 2; which++) {
            dn *t = set_time(which, bad[i].tag, bad[i].s);
            ck_assert_msg(parse_tree(t, NULL) == SLINK_ERR_CERT_PARSE, "%02x '%s' as %s", bad[i].tag,
                          bad[i].s, which ? "notAfter" : "notBefore");
        }
    }
    static const struct { uint8_t tag; const char *s; int64_t want; } good[] = {
        { 0x17, "000229000000Z", INT64_C(951782400) },
        { 0x17, "491231235959Z", INT64_C(2524607999) },
        { 0x17, "500101000000Z", INT64_C(-631152000) },    /* UTCTime 50 is 1950 */
        { 0x17, "700101000000Z", 0 },
        { 0x17, "380119031408Z", INT64_C(2147483648) },
        { 0x18, "19491231235959Z", INT64_C(-631152001) },
        { 0x18, "20280229120000Z", INT64_C(1835438400) },
        { 0x18, "24000229000000Z", INT64_C(13574563200) },  /* divisible by 400 */
        { 0x18, "20550102030405Z", INT64_C(2682471845) },
        { 0x18, "21000301000000Z", INT64_C(4107542400) },
        { 0x18, "99991231235959Z", INT64_C(253402300799) },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        slink_crt c;
        dn *t = set_time(0, good[i].tag, good[i].s);
        ck_assert_msg(parse_tree(t, &c) == SLINK_OK, "notBefore '%s'", good[i].s);
        ck_assert_int_eq(c.not_before, good[i].want);
        ck_assert_int_eq(c.not_after, T_2035);
        t = set_time(1, good[i].tag, good[i].s);
        ck_assert_msg(parse_tree(t, &c) == SLINK_OK, "notAfter '%s'", good[i].s);
        ck_assert_int_eq(c.not_after, good[i].want);
        ck_assert_int_eq(c.not_before, T_2025);
    }
    /* a third time in Validity */
    dn *t = dev_tree();
    dn_add(field(t, F_VALIDITY), dn_str(0x17, "250101000000Z"));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
}
END_TEST

/* Every month's last day is a date and the day after it is not, in a
 * common and a leap year, in both time types (the decoder derives month
 * lengths from the calendar arithmetic, not from a table). */
START_TEST(time_month_lengths)
{
    static const int common[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    static const int years[] = { 2023, 2024, 1900, 2000 };
    for (size_t k = 0; k < sizeof years / sizeof years[0]; k++) {
        int y = years[k];
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int last = common[m - 1] + (m == 2 && leap);
            for (int d = last; d <= last + 1; d++) {
                char s[64];
                slink_crt c;
                uint8_t tag = (y >= 1950 && y < 2050) ? 0x17 : 0x18;
                if (tag == 0x17)
                    snprintf(s, sizeof s, "%02d%02d%02d235959Z", y % 100, m, d);
                else
                    snprintf(s, sizeof s, "%04d%02d%02d235959Z", y, m, d);
                slink_err e = parse_tree(set_time(0, tag, s), &c);
                if (d == last) {
                    ck_assert_msg(e == SLINK_OK, "'%s' refused", s);
                    ck_assert_int_eq(c.not_before, slink_crt_unix_time(y, m, d, 23, 59, 59));
                } else {
                    ck_assert_msg(e == SLINK_ERR_CERT_PARSE, "'%s' accepted", s);
                }
            }
        }
    }
}
END_TEST

/* ---- extensions ---- */

START_TEST(basic_constraints_rules)
{
    slink_crt c;
    dn *t = dev_tree();
    dn *ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext_set_value(ext, dn_cons(0x30, bool_node(0x00), NULL, NULL));   /* cA FALSE encoded */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext_set_value(ext, dn_cons(0x30, bool_node(0x01), NULL, NULL));   /* TRUE not as 0xFF */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext_set_value(ext, dn_cons(0x30, dn_prim(0x01, "\xff\xff", 2), NULL, NULL));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext_set_value(ext, dn_cons(0x30, dn_prim(0x02, "\x01", 1), NULL, NULL)); /* pathLen alone: fine */
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.is_ca, 0);

    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext_set_value(ext, dn_cons(0x30, bool_node(0xff), dn_prim(0x02, "\xff", 1), NULL)); /* negative */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext_set_value(ext, dn_cons(0x30, bool_node(0xff), dn_prim(0x02, "\x00\x01", 2), NULL)); /* padded */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext_set_value(ext, dn_cons(0x30, dn_prim(0x02, "\x00", 1), bool_node(0xff), NULL)); /* order */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    dn_add(dn_open(ext->k[ext->nk - 1], 0), dn_prim(0x05, "", 0));     /* bytes after the SEQUENCE */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    /* CA:TRUE, with and without pathLen, critical or not */
    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext_set_value(ext, dn_cons(0x30, bool_node(0xff), NULL, NULL));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.is_ca, 1);
    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    dn_insert(ext, 1, bool_node(0xff));
    ext_set_value(ext, dn_cons(0x30, bool_node(0xff), dn_prim(0x02, "\x03", 1), NULL));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.is_ca, 1);
}
END_TEST

START_TEST(critical_flag_rules)
{
    static const uint8_t bad[][2] = { { 1, 0x00 }, { 1, 0x01 }, { 1, 0x80 }, { 2, 0xff } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dn *t = dev_tree();
        dn *ext = ext_find(t, OID_KU, sizeof OID_KU);
        ck_assert_uint_eq(ext->nk, 3);
        uint8_t v[2] = { bad[i][1], bad[i][1] };
        ext->k[1] = dn_prim(0x01, v, bad[i][0]);
        ck_assert_msg(parse_tree(t, NULL) == SLINK_ERR_CERT_PARSE, "case %zu", i);
    }
    /* critical FALSE on the non-critical basicConstraints */
    dn *t = dev_tree();
    dn_insert(ext_find(t, OID_BC, sizeof OID_BC), 1, bool_node(0x00));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* critical after the value */
    t = dev_tree();
    dn *ext = ext_find(t, OID_KU, sizeof OID_KU);
    dn *flag = dn_remove(ext, 1);
    dn_add(ext, flag);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* keyUsage not critical: fine */
    t = dev_tree();
    dn_remove(ext_find(t, OID_KU, sizeof OID_KU), 1);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
}
END_TEST

START_TEST(key_usage_rules)
{
    static const struct { const char *v; size_t n; } bad[] = {
        { "\x07\x80\x00", 3 },   /* trailing zero byte */
        { "\x06\x80", 2 },       /* unused count too small: trailing zero bits */
        { "\x00\x80", 2 },
        { "\x07\x81", 2 },       /* a padding bit set */
        { "\x08\x80", 2 },       /* more than 7 unused */
        { "\x07\x00", 2 },       /* no bit set, one byte */
        { "\x00", 1 },           /* empty */
        { "", 0 },
        { "\x07\x80\x80\x80", 4 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dn *t = dev_tree();
        ext_set_value(ext_find(t, OID_KU, sizeof OID_KU), dn_prim(0x03, bad[i].v, bad[i].n));
        ck_assert_msg(parse_tree(t, NULL) == SLINK_ERR_CERT_PARSE, "case %zu", i);
    }
    static const struct { const char *v; size_t n; uint8_t want; } good[] = {
        { "\x07\x80", 2, 0x80 },
        { "\x05\xa0", 2, 0xa0 },     /* digitalSignature, keyEncipherment */
        { "\x02\x04", 2, 0x04 },     /* keyCertSign */
        { "\x01\x06", 2, 0x06 },     /* keyCertSign, cRLSign (the CA's) */
        { "\x00\x01", 2, 0x01 },     /* encipherOnly */
        { "\x07\x80\x80", 3, 0x80 }, /* decipherOnly in the second byte */
        { "\x07\x00\x80", 3, 0x00 },
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        slink_crt c;
        dn *t = dev_tree();
        ext_set_value(ext_find(t, OID_KU, sizeof OID_KU), dn_prim(0x03, good[i].v, good[i].n));
        ck_assert_msg(parse_tree(t, &c) == SLINK_OK, "case %zu", i);
        ck_assert_uint_eq(c.has_key_usage, 1);
        ck_assert_uint_eq(c.key_usage, good[i].want);
    }
}
END_TEST

START_TEST(duplicate_extensions_refused)
{
    const uint8_t *oids[2] = { OID_BC, OID_KU };
    for (int i = 0; i < 2; i++) {
        dn *t = dev_tree();
        dn *l = ext_list(t);
        dn_add(l, l->k[ext_index(t, oids[i], 3)]);                /* the same extension twice */
        ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    }
    /* two subjectAltNames with different contents */
    dn *t = dev_tree();
    dn_add(ext_list(t), mk_ext(OID_SAN, 3, 0, dn_cons(0x30, dn_str(0x82, "a"), NULL, NULL)));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
    dn_add(ext_list(t), mk_ext(OID_SAN, 3, 0, dn_cons(0x30, dn_str(0x82, "b"), NULL, NULL)));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* basicConstraints once critical, once not */
    t = dev_tree();
    dn_add(ext_list(t), mk_ext(OID_BC, 3, 1, dn_cons(0x30, NULL, NULL, NULL)));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    /* an extension the decoder skips, twice: RFC 5280 4.2 forbids every
     * repetition, not only of the ones it reads */
    t = dev_tree();
    dn_add(ext_list(t), mk_ext(OID_SKI, 3, 0, dn_prim(0x04, "\x04\x00", 2)));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
    dn_insert(ext_list(t), 0, mk_ext(OID_SKI, 3, 0, dn_prim(0x04, "\x04\x01", 2)));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
}
END_TEST

START_TEST(unknown_extensions)
{
    slink_crt c, ref;
    const test_cred *d = test_pki_default_device();
    ck_assert_int_eq(parse(&ref, d->der, d->der_len), SLINK_OK);
    /* non-critical, standard or private: skipped, contents never read */
    const uint8_t *oids[3] = { OID_SKI, OID_EKU, OID_PRIVATE };
    const size_t lens[3] = { 3, 3, sizeof OID_PRIVATE };
    for (int i = 0; i < 3; i++) {
        dn *t = dev_tree();
        dn_add(ext_list(t), mk_ext(oids[i], lens[i], 0, dn_prim(0x04, "\x01\x02\x03", 3)));
        ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
        ck_assert_uint_eq(c.is_ca, ref.is_ca);
        ck_assert_uint_eq(c.key_usage, ref.key_usage);
        ck_assert_uint_eq(c.san.len, 0);
        /* contents that are not even DER */
        t = dev_tree();
        dn *e = mk_ext(oids[i], lens[i], 0, NULL);
        e->k[1] = dn_prim(0x04, "\xff\xff", 2);
        dn_insert(ext_list(t), 0, e);
        ck_assert_int_eq(parse_tree(t, NULL), SLINK_OK);
        /* critical: refused */
        t = dev_tree();
        dn_add(ext_list(t), mk_ext(oids[i], lens[i], 1, dn_prim(0x04, "\x01\x02\x03", 3)));
        ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    }
}
END_TEST

START_TEST(extension_structure_rules)
{
    dn *t = dev_tree();
    ext_wrapper(t)->k[0] = dn_cons(0x30, NULL, NULL, NULL);        /* empty Extensions */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    dn_add(ext_wrapper(t), dn_prim(0x05, "", 0));                   /* [3] holds more than the SEQUENCE */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    dn *ext = ext_find(t, OID_BC, sizeof OID_BC);
    dn_add(ext, dn_prim(0x05, "", 0));                               /* element after extnValue */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    ext->k[ext->nk - 1]->tag = 0x03;                                 /* extnValue not an OCTET STRING */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    ext = ext_find(t, OID_BC, sizeof OID_BC);
    dn_remove(ext, ext->nk - 1);                                     /* no extnValue */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    ext_find(t, OID_BC, sizeof OID_BC)->k[0] = dn_prim(0x06, "", 0);  /* empty OID */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    ext_wrapper(t)->tag = 0xa2;                                      /* [2] */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
}
END_TEST

START_TEST(subject_alt_name_rules)
{
    slink_crt c;
    dn *t = dev_tree();
    dn_add(ext_list(t), mk_ext(OID_SAN, 3, 0, dn_cons(0x30, NULL, NULL, NULL)));   /* empty */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    dn_add(ext_list(t), mk_ext(OID_SAN, 3, 0, dn_cons(0x30, dn_str(0x16, "x"), NULL, NULL))); /* universal */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    dn_add(ext_list(t), mk_ext(OID_SAN, 3, 0, dn_cons(0x30, dn_str(0x89, "x"), NULL, NULL))); /* [9] */
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);
    t = dev_tree();
    dn *e = mk_ext(OID_SAN, 3, 0, dn_cons(0x30, dn_str(0x82, "x"), NULL, NULL));
    dn_add(e->k[1], dn_prim(0x05, "", 0));                           /* bytes after GeneralNames */
    dn_add(ext_list(t), e);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    /* every GeneralName type 0..8 */
    t = dev_tree();
    dn *gn = dn_cons(0x30, dn_cons(0xa0, dn_prim(0x06, OID_PRIVATE, sizeof OID_PRIVATE),
                                   dn_cons(0xa0, dn_str(0x0c, "v"), NULL, NULL), NULL),
                     dn_str(0x81, "a@b"), dn_str(0x82, "dns-1"));
    dn_add(gn, dn_cons(0xa4, dn_cons(0x30, rdn(OID_CN, 3, 0x0c, "dir", 3), NULL, NULL), NULL, NULL));
    dn_add(gn, dn_str(0x86, "urn:x"));
    dn_add(gn, dn_prim(0x87, "\x0a\x00\x00\x07", 4));
    dn_add(gn, dn_prim(0x88, OID_PRIVATE, sizeof OID_PRIVATE));
    dn_add(gn, dn_str(0x82, "dns-2"));
    dn_add(ext_list(t), mk_ext(OID_SAN, 3, 1, gn));
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_int_eq(slink_crt_has_name(&c, "dns-1"), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "dns-2"), 1);
    ck_assert_int_eq(slink_crt_has_name(&c, "dir"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "urn:x"), 0);
    ck_assert_int_eq(slink_crt_has_name(&c, "a@b"), 0);
}
END_TEST

/* ---- the signature value ---- */

START_TEST(signature_value_rules)
{
    slink_crt c;
    uint8_t rs[64], r[32], s[32];
    /* r with its top bit clear so a zero pad is not needed, s needing one */
    memset(r, 0x35, sizeof r);
    memset(s, 0xc5, sizeof s);

    dn *t = dev_tree();
    dn *seq = sig_seq(t);
    seq->k[0] = uint_node(r, 32);
    seq->k[1] = uint_node(s, 32);
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_uint_eq(c.sig.len, 2 + 34 + 35);
    ck_assert_int_eq(slink_crt_sig_rs(&c, rs), SLINK_OK);
    ck_assert_mem_eq(rs, r, 32);
    ck_assert_mem_eq(rs + 32, s, 32);

    /* short halves are left-padded to 32 bytes */
    t = dev_tree();
    seq = sig_seq(t);
    seq->k[0] = dn_prim(0x02, "\x01", 1);
    seq->k[1] = dn_prim(0x02, "\x00\x80", 2);
    ck_assert_int_eq(parse_tree(t, &c), SLINK_OK);
    ck_assert_int_eq(slink_crt_sig_rs(&c, rs), SLINK_OK);
    for (int i = 0; i < 31; i++) ck_assert_uint_eq(rs[i] | rs[32 + i], 0);
    ck_assert_uint_eq(rs[31], 1);
    ck_assert_uint_eq(rs[63], 0x80);

    /* r zero-padded where no pad is needed */
    t = dev_tree();
    seq = sig_seq(t);
    uint8_t pad[33] = { 0 };
    memcpy(pad + 1, r, 32);
    seq->k[0] = dn_prim(0x02, pad, 33);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    /* s with its pad removed: negative */
    t = dev_tree();
    seq = sig_seq(t);
    seq->k[1] = dn_prim(0x02, s, 32);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    /* 33 magnitude bytes */
    t = dev_tree();
    seq = sig_seq(t);
    uint8_t big[33];
    memset(big, 0x35, sizeof big);
    seq->k[0] = dn_prim(0x02, big, 33);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    /* long-form lengths: the SEQUENCE, an INTEGER */
    t = dev_tree();
    sig_seq(t)->lenform = 1;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    t = dev_tree();
    sig_seq(t)->k[1]->lenform = 1;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    t = dev_tree();
    sig_seq(t)->lenform = LEN_INDEF;
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    /* a third INTEGER; one missing; empty INTEGER; bytes after the SEQUENCE */
    t = dev_tree();
    dn_add(sig_seq(t), dn_prim(0x02, "\x01", 1));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    t = dev_tree();
    dn_remove(sig_seq(t), 1);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    t = dev_tree();
    sig_seq(t)->k[0] = dn_prim(0x02, "", 0);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    t = dev_tree();
    sig_seq(t);
    dn_add(t->k[2], dn_prim(0x05, "", 0));
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_ENCODING);
    /* the BIT STRING itself: unused bits must be 0 */
    t = dev_tree();
    uint8_t u = 1;
    sig_seq(t);
    t->k[2]->c = keep(&u, 1);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    /* an empty signature BIT STRING */
    t = dev_tree();
    t->k[2] = dn_prim(0x03, "", 0);
    ck_assert_int_eq(parse_tree(t, NULL), SLINK_ERR_CERT_PARSE);

    ck_assert_int_eq(slink_crt_sig_rs(NULL, rs), SLINK_ERR_ARG);
    ck_assert_int_eq(parse(&c, test_pki_default_device()->der, test_pki_default_device()->der_len), SLINK_OK);
    ck_assert_int_eq(slink_crt_sig_rs(&c, NULL), SLINK_ERR_ARG);
    /* sig_rs re-checks the span it is given */
    slink_crt forged = c;
    static const uint8_t padded[] = { 0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01 };
    forged.sig.p = padded;
    forged.sig.len = sizeof padded;
    ck_assert_int_eq(slink_crt_sig_rs(&forged, rs), SLINK_ERR_CERT_ENCODING);
    /* a zeroed (failed) parse */
    slink_crt none;
    ck_assert_int_eq(parse(&none, padded, sizeof padded), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(slink_crt_sig_rs(&none, rs), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_crt_has_name(&none, TEST_PKI_DEVICE_NAME), 0);
}
END_TEST

/* ---- bit flips ---- */

typedef struct {
    size_t lo, hi;
} region;

static void add_region(region *r, size_t *n, size_t lo, size_t len)
{
    ck_assert_uint_lt(*n, 64);
    r[*n].lo = lo;
    r[*n].hi = lo + len;
    (*n)++;
}

/* Names' attribute types and values (with the value's tag: AttributeValue
 * is ANY). */
static void name_regions(const dn *name, region *r, size_t *n)
{
    for (size_t i = 0; i < name->nk; i++)
        for (size_t j = 0; j < name->k[i]->nk; j++) {
            const dn *atv = name->k[i]->k[j];
            add_region(r, n, dn_cstart(atv->k[0]), atv->k[0]->clen);
            add_region(r, n, atv->k[1]->off, 1);
            add_region(r, n, dn_cstart(atv->k[1]), atv->k[1]->clen);
        }
}

/* Flips every bit.  Each result must be refused, or accepted only when the
 * bit carries data the profile leaves free: serial, names, dates' digits,
 * key coordinates, extension identifiers (a changed identifier is an
 * unknown extension), keyUsage bits and pathLen, r and s. */
static void flip_sweep(const test_cred *cred)
{
    uint8_t out[1024], *p;
    region reg[64];
    size_t nreg = 0, accepted = 0, recuts = 0;
    slink_crt ref, c;
    const size_t len = cred->der_len;
    ck_assert_int_eq(parse(&ref, cred->der, len), SLINK_OK);

    dn_reset();
    dn *t = dn_parse(cred->der, len);
    dn *l = ext_list(t);
    for (size_t i = 0; i < l->nk; i++) ext_value(l->k[i]);
    dn *seq = sig_seq(t);
    ck_assert_uint_eq(dn_encode(t, out, sizeof out), len);

    add_region(reg, &nreg, dn_cstart(field(t, F_SERIAL)), field(t, F_SERIAL)->clen);
    name_regions(field(t, F_ISSUER), reg, &nreg);
    name_regions(field(t, F_SUBJECT), reg, &nreg);
    for (int i = 0; i < 2; i++) {
        dn *tm = field(t, F_VALIDITY)->k[i];
        add_region(reg, &nreg, dn_cstart(tm), tm->clen - 1);   /* not the Z */
    }
    add_region(reg, &nreg, dn_cstart(field(t, F_SPKI)->k[1]) + 2, 64);
    for (size_t i = 0; i < l->nk; i++) {
        dn *e = l->k[i], *v = ext_value(e);
        add_region(reg, &nreg, dn_cstart(e->k[0]), e->k[0]->clen);
        if (v->tag == 0x03) add_region(reg, &nreg, dn_cstart(v) + 1, v->clen - 1);
        for (size_t j = 0; v->tag == 0x30 && j < v->nk; j++)
            if (v->k[j]->tag == 0x02) add_region(reg, &nreg, dn_cstart(v->k[j]), v->k[j]->clen);
    }
    for (int i = 0; i < 2; i++) add_region(reg, &nreg, dn_cstart(seq->k[i]), seq->k[i]->clen);

    p = malloc(len);
    ck_assert_ptr_nonnull(p);
    for (size_t bit = 0; bit < 8 * len; bit++) {
        memcpy(p, cred->der, len);
        p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        slink_err e = parse(&c, p, len);
        if (e != SLINK_OK) {
            ck_assert_msg(e == SLINK_ERR_CERT_PARSE || e == SLINK_ERR_CERT_KEY_TYPE ||
                              e == SLINK_ERR_CERT_ENCODING,
                          "byte %zu bit %zu: %d", bit / 8, bit % 8, e);
            continue;
        }
        accepted++;
        int free_data = 0, in_ext = 0;
        for (size_t i = 0; i < nreg; i++) free_data |= bit / 8 >= reg[i].lo && bit / 8 < reg[i].hi;
        for (size_t i = 0; i < l->nk; i++)
            in_ext |= bit / 8 >= l->k[i]->off && bit / 8 < l->k[i]->off + dn_size(l->k[i]);
        /* The one structural change that stays valid: a length inside an
         * extension re-cut so that it reads as another, unknown and
         * non-critical extension (e.g. 06 03 55 1d 0f 01 01 ff 04 04 ...
         * -> 06 07 ...: keyUsage becomes a 7-byte OID and its value), which
         * is skipped; the extension it was is then missing. */
        int recut = in_ext && (c.has_key_usage != ref.has_key_usage || c.is_ca != ref.is_ca ||
                               c.san.len != ref.san.len);
        ck_assert_msg(free_data || recut, "flip of byte %zu (0x%02x) bit %zu accepted outside free data",
                      bit / 8, cred->der[bit / 8], bit % 8);
        if (recut) recuts++;
        /* no length changed, so no span moved */
        ck_assert_ptr_eq(c.raw.p, p);
        ck_assert_uint_eq(c.raw.len, len);
        ck_assert_ptr_eq(c.tbs.p, p + (ref.tbs.p - cred->der));
        ck_assert_uint_eq(c.tbs.len, ref.tbs.len);
        ck_assert_uint_eq(c.issuer.len, ref.issuer.len);
        ck_assert_uint_eq(c.subject.len, ref.subject.len);
        ck_assert_uint_eq(c.sig.len, ref.sig.len);
        ck_assert_ptr_eq(c.pub, p + (ref.pub - cred->der));
    }
    free(p);
    ck_assert_uint_le(recuts, 8);
    /* serial, names and r, s alone hold far more free bits than this */
    ck_assert_uint_gt(accepted, 256);
}

START_TEST(bit_flip_sweep_device)
{
    flip_sweep(test_pki_default_device());
}
END_TEST

START_TEST(bit_flip_sweep_ca)
{
    flip_sweep(test_pki_default_ca());
}
END_TEST

/* ---- private keys: slink_crt_parse_key ----
 *
 * Keys are edited as DER trees like the certificates above: the test PKI's
 * SEC 1 keys (mbedTLS's writer: version 1, 32-byte scalar, [0] prime256v1,
 * [1] the point) and their PKCS#8 form from slink-pki's writer. */

enum { K_VER, K_SCALAR, K_PARAMS, K_PUB };   /* ECPrivateKey fields */
enum { P8_VER, P8_ALG, P8_KEY };             /* PrivateKeyInfo fields */

static const uint8_t OID_SECP256K1[] = { 0x2b, 0x81, 0x04, 0x00, 0x0a };
static const uint8_t OID_ECDH[] = { 0x2b, 0x81, 0x04, 0x01, 0x0c };
static const uint8_t P256_N[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/* slink_crt_parse_key on a heap copy of exactly len (>= 1) bytes, so ASan
 * sees any over-read, plus the contract: a failure is PARSE or KEY_TYPE
 * and leaves d zeroed. */
static slink_err pkey(const uint8_t *der, size_t len, uint8_t d[32])
{
    static const uint8_t zero[32];
    ck_assert_uint_gt(len, 0);
    uint8_t *p = malloc(len);
    ck_assert_ptr_nonnull(p);
    memcpy(p, der, len);
    memset(d, 0xA5, 32);
    slink_err e = slink_crt_parse_key(p, len, d);
    free(p);
    if (e != SLINK_OK) {
        ck_assert_msg(e == SLINK_ERR_CERT_PARSE || e == SLINK_ERR_CERT_KEY_TYPE, "error %d", e);
        ck_assert_msg(memcmp(d, zero, sizeof zero) == 0, "d not zeroed on error %d", e);
    }
    return e;
}

/* Encodes into buf/blen (kept for mbedTLS) and parses. */
static slink_err pkey_tree(dn *k, uint8_t d[32])
{
    blen = dn_encode(k, buf, sizeof buf);
    return pkey(buf, blen, d);
}

/* d as mbedTLS reads the key, which must be EC P-256 to it. */
static void mbedtls_d(const uint8_t *key, size_t len, uint8_t d[32])
{
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    ck_assert_int_eq(mbedtls_pk_parse_key(&pk, key, len, NULL, 0), 0);
    ck_assert_int_eq(mbedtls_pk_get_type(&pk), MBEDTLS_PK_ECKEY);
    ck_assert_int_eq(mbedtls_pk_ec(pk)->grp.id, MBEDTLS_ECP_DP_SECP256R1);
    ck_assert_int_eq(mbedtls_mpi_write_binary(&mbedtls_pk_ec(pk)->d, d, 32), 0);
    mbedtls_pk_free(&pk);
}

static int is_oid(const dn *n, const uint8_t *oid, size_t len)
{
    return n->tag == 0x06 && n->clen == len && memcmp(n->c, oid, len) == 0;
}

/* The ECPrivateKey k has the test PKI's shape. */
static void check_sec1_shape(const dn *k)
{
    ck_assert_uint_eq(k->tag, 0x30);
    ck_assert_uint_eq(k->nk, 4);
    ck_assert(k->k[K_VER]->tag == 0x02 && k->k[K_VER]->clen == 1 && k->k[K_VER]->c[0] == 1);
    ck_assert(k->k[K_SCALAR]->tag == 0x04 && k->k[K_SCALAR]->clen == 32);
    ck_assert(k->k[K_PARAMS]->tag == 0xa0 && k->k[K_PARAMS]->nk == 1);
    ck_assert(is_oid(k->k[K_PARAMS]->k[0], OID_P256, sizeof OID_P256));
    ck_assert(k->k[K_PUB]->tag == 0xa1 && k->k[K_PUB]->nk == 1);
    ck_assert(k->k[K_PUB]->k[0]->tag == 0x03 && k->k[K_PUB]->k[0]->clen == 66);
}

static dn *sec1_tree(const test_cred *cred)
{
    ck_assert_ptr_nonnull(cred);
    dn_reset();
    dn *k = dn_parse(cred->key, cred->key_len);
    check_sec1_shape(k);
    return k;
}

/* The key as PKCS#8 DER from slink-pki's writer (tools/pki). */
static size_t pki_pkcs8(const test_cred *cred, uint8_t *out, size_t cap)
{
    mbedtls_pk_context k;
    size_t n = 0;
    mbedtls_pk_init(&k);
    ck_assert_int_eq(mbedtls_pk_parse_key(&k, cred->key, cred->key_len, NULL, 0), 0);
    ck_assert_int_eq(pki_key_write(&k, PKI_KEY_PKCS8_DER, out, cap, &n), 0);
    mbedtls_pk_free(&k);
    return n;
}

/* A PrivateKeyInfo tree: version 0, {id-ecPublicKey, prime256v1}, the
 * privateKey OCTET STRING opened so that k[P8_KEY]->k[0] is the
 * ECPrivateKey. */
static dn *check_pkcs8_shape(dn *t)
{
    ck_assert_uint_eq(t->tag, 0x30);
    ck_assert_uint_eq(t->nk, 3);
    ck_assert(t->k[P8_VER]->tag == 0x02 && t->k[P8_VER]->clen == 1 && t->k[P8_VER]->c[0] == 0);
    dn *alg = t->k[P8_ALG];
    ck_assert(alg->tag == 0x30 && alg->nk == 2);
    ck_assert(is_oid(alg->k[0], OID_EC_PUBKEY, sizeof OID_EC_PUBKEY));
    ck_assert(is_oid(alg->k[1], OID_P256, sizeof OID_P256));
    ck_assert_uint_eq(t->k[P8_KEY]->tag, 0x04);
    dn_open(t->k[P8_KEY], 0);
    ck_assert_uint_eq(t->k[P8_KEY]->nk, 1);
    dn *in = t->k[P8_KEY]->k[0];
    ck_assert(in->tag == 0x30 && in->nk >= 2);
    ck_assert(in->k[K_VER]->clen == 1 && in->k[K_VER]->c[0] == 1 && in->k[K_SCALAR]->clen == 32);
    return t;
}

static dn *pkcs8_tree(const test_cred *cred)
{
    uint8_t der[1024];
    size_t n = pki_pkcs8(cred, der, sizeof der);
    dn_reset();
    return check_pkcs8_shape(dn_parse(der, n));
}

static dn *inner_key(dn *p8)
{
    return p8->k[P8_KEY]->k[0];
}

static void device_d(uint8_t want[32])
{
    const test_cred *c = test_pki_default_device();
    ck_assert_ptr_nonnull(c);
    mbedtls_d(c->key, c->key_len, want);
}

START_TEST(key_kat_test_pki)
{
    const test_cred *creds[6] = { test_pki_default_ca(), test_pki_default_host(), test_pki_default_device(),
                                  test_pki_default_device2(), test_pki_other_ca(), test_pki_other_device() };
    uint8_t d[32], want[32], first[32], der[1024];
    for (int i = 0; i < 6; i++) {
        const test_cred *c = creds[i];
        dn *k = sec1_tree(c);
        mbedtls_d(c->key, c->key_len, want);
        ck_assert_mem_eq(k->k[K_SCALAR]->c, want, 32);
        ck_assert_int_eq(pkey(c->key, c->key_len, d), SLINK_OK);
        ck_assert_mem_eq(d, want, 32);
        if (i == 0) memcpy(first, want, 32);
        else ck_assert(memcmp(first, want, 32) != 0);   /* six different keys */

        /* the same key as PKCS#8 from slink-pki's writer */
        size_t n = pki_pkcs8(c, der, sizeof der);
        dn_reset();
        check_pkcs8_shape(dn_parse(der, n));
        ck_assert_int_eq(pkey(der, n, d), SLINK_OK);
        ck_assert_mem_eq(d, want, 32);
        mbedtls_d(der, n, d);
        ck_assert_mem_eq(d, want, 32);
    }
}
END_TEST

/* [0] and [1] are optional, in SEC 1 and inside PKCS#8. */
START_TEST(key_optional_fields)
{
    uint8_t want[32], d[32], m[32];
    device_d(want);
    for (int mask = 0; mask < 4; mask++) {   /* bit 0: keep [0]; bit 1: keep [1] */
        dn *k = sec1_tree(test_pki_default_device());
        if (!(mask & 2)) dn_remove(k, K_PUB);
        if (!(mask & 1)) dn_remove(k, K_PARAMS);
        ck_assert_msg(pkey_tree(k, d) == SLINK_OK, "SEC 1 mask %d", mask);
        ck_assert_mem_eq(d, want, 32);
        /* mbedTLS needs the curve in a bare SEC 1 key */
        if (mask & 1) {
            mbedtls_d(buf, blen, m);
            ck_assert_mem_eq(m, want, 32);
        }

        dn *t = pkcs8_tree(test_pki_default_device());
        dn *in = inner_key(t);
        if (in->nk == 4 && !(mask & 2)) dn_remove(in, K_PUB);
        if (in->nk >= 3 && in->k[2]->tag == 0xa0 && !(mask & 1)) dn_remove(in, K_PARAMS);
        if ((mask & 1) && (in->nk < 3 || in->k[2]->tag != 0xa0))
            dn_insert(in, K_PARAMS, dn_cons(0xa0, dn_prim(0x06, OID_P256, sizeof OID_P256), NULL, NULL));
        ck_assert_msg(pkey_tree(t, d) == SLINK_OK, "PKCS#8 mask %d", mask);
        ck_assert_mem_eq(d, want, 32);
        mbedtls_d(buf, blen, m);
        ck_assert_mem_eq(m, want, 32);
    }
}
END_TEST

/* OneAsymmetricKey (RFC 5958): version 1 (v2) and publicKey [1] IMPLICIT
 * BIT STRING after the privateKey; attributes [0] may come before it. */
START_TEST(key_pkcs8_v2)
{
    uint8_t want[32], d[32], m[32], pub[66];
    device_d(want);
    dn *k = sec1_tree(test_pki_default_device());
    memcpy(pub, k->k[K_PUB]->k[0]->c, sizeof pub);

    dn *t = pkcs8_tree(test_pki_default_device());
    t->k[P8_VER] = dn_prim(0x02, "\x01", 1);
    dn_add(t, dn_prim(0x81, pub, sizeof pub));
    ck_assert_int_eq(pkey_tree(t, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);

    /* attributes: one challengePassword-like Attribute {type, SET {value}} */
    dn *attr = dn_cons(0x30, dn_prim(0x06, OID_CN, sizeof OID_CN), dn_cons(0x31, dn_str(0x0c, "x"), NULL, NULL), NULL);
    dn_insert(t, 3, dn_cons(0xa0, attr, NULL, NULL));
    ck_assert_int_eq(pkey_tree(t, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);

    /* v1 with attributes only: mbedTLS reads it the same */
    dn_remove(t, 4);
    t->k[P8_VER] = dn_prim(0x02, "\x00", 1);
    ck_assert_int_eq(pkey_tree(t, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);
    mbedtls_d(buf, blen, m);
    ck_assert_mem_eq(m, want, 32);
}
END_TEST

/* A scalar shorter than 32 bytes is left-padded. */
START_TEST(key_short_scalar)
{
    uint8_t want[32], expect[32], d[32], m[32];
    device_d(want);
    static const size_t lens[] = { 31, 20, 1 };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i];
        memset(expect, 0, 32);
        memcpy(expect + 32 - n, want + 32 - n, n);
        if (expect[32 - n] == 0) expect[32 - n] = 0x5a;   /* the scalar's first byte is significant */

        dn *k = sec1_tree(test_pki_default_device());
        k->k[K_SCALAR] = dn_prim(0x04, expect + 32 - n, n);
        dn_remove(k, K_PUB);   /* no longer the point of d; mbedTLS recomputes it */
        ck_assert_msg(pkey_tree(k, d) == SLINK_OK, "SEC 1, %zu bytes", n);
        ck_assert_mem_eq(d, expect, 32);
        mbedtls_d(buf, blen, m);
        ck_assert_mem_eq(m, expect, 32);

        dn *t = pkcs8_tree(test_pki_default_device());
        dn *in = inner_key(t);
        in->k[K_SCALAR] = dn_prim(0x04, expect + 32 - n, n);
        while (in->nk > 2 && in->k[in->nk - 1]->tag == 0xa1) dn_remove(in, in->nk - 1);
        ck_assert_msg(pkey_tree(t, d) == SLINK_OK, "PKCS#8, %zu bytes", n);
        ck_assert_mem_eq(d, expect, 32);
        mbedtls_d(buf, blen, m);
        ck_assert_mem_eq(m, expect, 32);
    }
    /* leading zero bytes are kept as they are (31 bytes 00 .. 00 01) */
    uint8_t one[31] = { 0 };
    one[30] = 1;
    dn *k = sec1_tree(test_pki_default_device());
    k->k[K_SCALAR] = dn_prim(0x04, one, sizeof one);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_OK);
    memset(expect, 0, 32);
    expect[31] = 1;
    ck_assert_mem_eq(d, expect, 32);
}
END_TEST

/* The decoder checks structure only; the range 1..n-1 is checked where d
 * is used, and creds_load refuses such a key. */
START_TEST(key_range_left_to_users)
{
    static const uint8_t zero[32];
    uint8_t ff[32], d[32];
    const uint8_t *vals[3] = { zero, P256_N, ff };
    static slink_creds cr;
    const test_cred *ca = test_pki_default_ca(), *dev = test_pki_default_device();
    const char *why = NULL;
    memset(ff, 0xff, sizeof ff);
    ck_assert_int_eq(slink_creds_load_static(&cr, ca->der, ca->der_len, dev->der, dev->der_len, dev->key,
                                             dev->key_len, &why), SLINK_OK);
    slink_creds_free(&cr);
    for (int i = 0; i < 3; i++) {
        dn *k = sec1_tree(dev);
        k->k[K_SCALAR] = dn_prim(0x04, vals[i], 32);
        ck_assert_int_eq(pkey_tree(k, d), SLINK_OK);
        ck_assert_mem_eq(d, vals[i], 32);
        ck_assert_int_ne(slink_creds_load_static(&cr, ca->der, ca->der_len, dev->der, dev->der_len, buf, blen,
                                                 &why), SLINK_OK);
        slink_creds_free(&cr);
    }
}
END_TEST

/* Another curve or algorithm, made by editing: KEY_TYPE. */
START_TEST(key_foreign_edited)
{
    uint8_t d[32];
    dn *k = sec1_tree(test_pki_default_device());
    k->k[K_PARAMS]->k[0] = dn_prim(0x06, OID_P384, sizeof OID_P384);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_KEY_TYPE);
    k->k[K_PARAMS]->k[0] = dn_prim(0x06, OID_SECP256K1, sizeof OID_SECP256K1);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_KEY_TYPE);
    /* prime256v1 one arc short and one arc long are other OIDs */
    k->k[K_PARAMS]->k[0] = dn_prim(0x06, OID_P256, sizeof OID_P256 - 1);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_KEY_TYPE);
    k->k[K_PARAMS]->k[0] = dn_prim(0x06, "\x2a\x86\x48\xce\x3d\x03\x01\x07\x01", 9);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_KEY_TYPE);

    dn *t = pkcs8_tree(test_pki_default_device());
    t->k[P8_ALG]->k[1] = dn_prim(0x06, OID_P384, sizeof OID_P384);
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_KEY_TYPE);
    t = pkcs8_tree(test_pki_default_device());
    t->k[P8_ALG] = alg_node(OID_RSA, sizeof OID_RSA, 1);
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_KEY_TYPE);
    t = pkcs8_tree(test_pki_default_device());
    t->k[P8_ALG]->k[0] = dn_prim(0x06, OID_ECDH, sizeof OID_ECDH);   /* id-ecDH, RFC 5480 */
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_KEY_TYPE);
    /* the outer algorithm says P-256, the inner key another curve */
    t = pkcs8_tree(test_pki_default_device());
    dn *in = inner_key(t);
    if (in->nk >= 3 && in->k[2]->tag == 0xa0) dn_remove(in, K_PARAMS);
    dn_insert(in, K_PARAMS, dn_cons(0xa0, dn_prim(0x06, OID_P384, sizeof OID_P384), NULL, NULL));
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_KEY_TYPE);
}
END_TEST

START_TEST(key_version_rules)
{
    static const struct {
        const char *c;
        size_t n;
    } bad[] = { { "\x00", 1 }, { "\x02", 1 }, { "\xff", 1 }, { "\x81", 1 }, { "\x00\x01", 2 },
                { "\x01\x01", 2 }, { "", 0 } };
    uint8_t d[32];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dn *k = sec1_tree(test_pki_default_device());
        k->k[K_VER] = dn_prim(0x02, bad[i].c, bad[i].n);
        ck_assert_msg(pkey_tree(k, d) == SLINK_ERR_CERT_PARSE, "SEC 1 version %zu", i);
        /* the ECPrivateKey inside PKCS#8 too */
        dn *t = pkcs8_tree(test_pki_default_device());
        inner_key(t)->k[K_VER] = dn_prim(0x02, bad[i].c, bad[i].n);
        ck_assert_msg(pkey_tree(t, d) == SLINK_ERR_CERT_PARSE, "inner version %zu", i);
        /* PKCS#8 takes 0 and 1, nothing else */
        if (bad[i].n == 1 && bad[i].c[0] == 0) continue;
        t = pkcs8_tree(test_pki_default_device());
        t->k[P8_VER] = dn_prim(0x02, bad[i].c, bad[i].n);
        ck_assert_msg(pkey_tree(t, d) == SLINK_ERR_CERT_PARSE, "PKCS#8 version %zu", i);
    }
    dn *t = pkcs8_tree(test_pki_default_device());
    t->k[P8_VER] = dn_prim(0x02, "\x01", 1);
    ck_assert_int_eq(pkey_tree(t, d), SLINK_OK);
}
END_TEST

START_TEST(key_scalar_length)
{
    uint8_t want[33], d[32];
    device_d(want + 1);
    want[0] = 0;
    dn *k = sec1_tree(test_pki_default_device());
    k->k[K_SCALAR] = dn_prim(0x04, want, 33);          /* 00 || d */
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    want[0] = 0x01;                                    /* 2^256 + d */
    k->k[K_SCALAR] = dn_prim(0x04, want, 33);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k->k[K_SCALAR] = dn_prim(0x04, "", 0);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    dn *t = pkcs8_tree(test_pki_default_device());
    inner_key(t)->k[K_SCALAR] = dn_prim(0x04, want, 33);
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
    inner_key(t)->k[K_SCALAR] = dn_prim(0x04, "", 0);
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
    /* control: 32 bytes */
    inner_key(t)->k[K_SCALAR] = dn_prim(0x04, want + 1, 32);
    ck_assert_int_eq(pkey_tree(t, d), SLINK_OK);
    ck_assert_mem_eq(d, want + 1, 32);
}
END_TEST

/* Every element of both forms with a long-form length where the short one
 * fits (or one octet more than needed). */
START_TEST(key_long_form_where_short_fits)
{
    uint8_t d[32];
    for (int i = 0; i < 8; i++) {
        dn *k = sec1_tree(test_pki_default_device());
        dn *el[8] = { k, k->k[K_VER], k->k[K_SCALAR], k->k[K_PARAMS], k->k[K_PARAMS]->k[0], k->k[K_PUB], k, NULL };
        if (el[i] == NULL) break;
        el[i]->lenform = i == 6 ? 2 : 1;
        ck_assert_msg(pkey_tree(k, d) == SLINK_ERR_CERT_PARSE, "SEC 1 element %d", i);
    }
    for (int i = 0; i < 9; i++) {
        dn *t = pkcs8_tree(test_pki_default_device());
        dn *in = inner_key(t);
        dn *el[9] = { t, t->k[P8_VER], t->k[P8_ALG], t->k[P8_ALG]->k[0], t->k[P8_ALG]->k[1], t->k[P8_KEY],
                      in, in->k[K_VER], in->k[K_SCALAR] };
        /* the outer SEQUENCE holds more than 127 bytes: 81 is DER there */
        el[i]->lenform = dn_content_len(el[i]) >= 0x80 ? 2 : 1;
        ck_assert_msg(pkey_tree(t, d) == SLINK_ERR_CERT_PARSE, "PKCS#8 element %d", i);
    }
    dn *t = pkcs8_tree(test_pki_default_device());
    ck_assert_uint_ge(dn_content_len(t), 0x80);
    t->lenform = 1;
    ck_assert_int_eq(pkey_tree(t, d), SLINK_OK);
    ck_assert_uint_eq(buf[1], 0x81);
}
END_TEST

START_TEST(key_indefinite_length_fails)
{
    uint8_t d[32];
    dn *k = sec1_tree(test_pki_default_device());
    k->lenform = LEN_INDEF;
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k = sec1_tree(test_pki_default_device());
    k->k[K_PARAMS]->lenform = LEN_INDEF;
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k = sec1_tree(test_pki_default_device());
    k->k[K_PUB]->lenform = LEN_INDEF;
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    dn *t = pkcs8_tree(test_pki_default_device());
    t->lenform = LEN_INDEF;
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
    t = pkcs8_tree(test_pki_default_device());
    t->k[P8_ALG]->lenform = LEN_INDEF;
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
    t = pkcs8_tree(test_pki_default_device());
    inner_key(t)->lenform = LEN_INDEF;
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
    /* a constructed (BER) OCTET STRING around the key */
    t = pkcs8_tree(test_pki_default_device());
    t->k[P8_KEY]->tag = 0x24;
    t->k[P8_KEY]->k[0] = dn_cons(0x04, inner_key(t), NULL, NULL);
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
}
END_TEST

START_TEST(key_trailing_bytes_fail)
{
    uint8_t b[2048], d[32];
    const test_cred *c = test_pki_default_device();
    memcpy(b, c->key, c->key_len);
    b[c->key_len] = 0;
    ck_assert_int_eq(pkey(b, c->key_len + 1, d), SLINK_ERR_CERT_PARSE);
    memcpy(b + c->key_len, c->key, c->key_len);
    ck_assert_int_eq(pkey(b, 2 * c->key_len, d), SLINK_ERR_CERT_PARSE);
    size_t n = pki_pkcs8(c, b, sizeof b);
    b[n] = 0;
    ck_assert_int_eq(pkey(b, n + 1, d), SLINK_ERR_CERT_PARSE);
    ck_assert_int_eq(pkey(b, n, d), SLINK_OK);

    /* inside the ECPrivateKey, after [1] and after [0] */
    dn *k = sec1_tree(c);
    dn_add(k, dn_prim(0x05, "", 0));
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k = sec1_tree(c);
    dn_add(k, dn_cons(0xa2, dn_prim(0x05, "", 0), NULL, NULL));
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k = sec1_tree(c);
    dn_remove(k, K_PUB);
    dn_add(k, dn_prim(0x05, "", 0));
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    /* inside [0] after the OID */
    k = sec1_tree(c);
    dn_add(k->k[K_PARAMS], dn_prim(0x05, "", 0));
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    /* PKCS#8: inside the OCTET STRING after the ECPrivateKey, inside the
     * AlgorithmIdentifier after the curve */
    dn *t = pkcs8_tree(c);
    dn_add(t->k[P8_KEY], dn_prim(0x05, "", 0));
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
    t = pkcs8_tree(c);
    dn_add(t->k[P8_ALG], dn_prim(0x05, "", 0));
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
    t = pkcs8_tree(c);
    dn_add(inner_key(t), dn_prim(0x05, "", 0));
    ck_assert_int_eq(pkey_tree(t, d), SLINK_ERR_CERT_PARSE);
}
END_TEST

/* Documented leniency: what follows the privateKey in PKCS#8 and the
 * contents of [1] are skipped, not decoded (creds_load checks d against
 * the certificate's point instead). */
START_TEST(key_skipped_parts)
{
    uint8_t want[32], d[32];
    device_d(want);
    dn *k = sec1_tree(test_pki_default_device());
    k->k[K_PUB]->k[0] = dn_prim(0x05, "", 0);      /* [1] holding a NULL */
    ck_assert_int_eq(pkey_tree(k, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);
    k->k[K_PUB] = dn_cons(0xa1, NULL, NULL, NULL);  /* an empty [1] */
    ck_assert_int_eq(pkey_tree(k, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);
    dn *t = pkcs8_tree(test_pki_default_device());
    dn_add(t, dn_prim(0x05, "", 0));
    ck_assert_int_eq(pkey_tree(t, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);
}
END_TEST

static void truncations(const uint8_t *der, size_t len)
{
    uint8_t d[32];
    for (size_t n = 1; n < len; n++)
        ck_assert_msg(pkey(der, n, d) == SLINK_ERR_CERT_PARSE, "length %zu of %zu", n, len);
    ck_assert_int_eq(pkey(der, len, d), SLINK_OK);
}

START_TEST(key_every_truncation_fails)
{
    uint8_t der[1024], d[32];
    const test_cred *c = test_pki_default_device();
    truncations(c->key, c->key_len);
    size_t n = pki_pkcs8(c, der, sizeof der);
    truncations(der, n);
    dn *k = sec1_tree(c);
    dn_remove(k, K_PUB);
    dn_remove(k, K_PARAMS);
    n = dn_encode(k, der, sizeof der);
    truncations(der, n);
    /* nothing at all is no key either (PARSE, as slink_crt_parse says of
     * an empty certificate), and d is zeroed as on every failure; only a
     * missing output is an argument error */
    const uint8_t *inputs[3] = { c->key, NULL, NULL };
    const size_t lens[3] = { 0, 0, c->key_len };
    for (int i = 0; i < 3; i++) {
        memset(d, 0xA5, 32);
        ck_assert_int_eq(slink_crt_parse_key(inputs[i], lens[i], d), SLINK_ERR_CERT_PARSE);
        for (int j = 0; j < 32; j++) ck_assert_uint_eq(d[j], 0);
    }
    ck_assert_int_eq(slink_crt_parse_key(c->key, c->key_len, NULL), SLINK_ERR_ARG);
}
END_TEST

START_TEST(key_wrong_tags)
{
    uint8_t d[32];
    const test_cred *c = test_pki_default_device();
    /* SEC 1: {element index or -1 for the key, tag} */
    static const struct {
        int el;
        uint8_t tag;
    } sec1[] = {
        { -1, 0x31 }, { -1, 0x10 }, { -1, 0xa0 }, { K_VER, 0x0a }, { K_VER, 0x04 }, { K_SCALAR, 0x02 },
        { K_SCALAR, 0x03 }, { K_SCALAR, 0x0c }, { K_SCALAR, 0x24 }, { K_PARAMS, 0x80 }, { K_PARAMS, 0xa2 },
        { K_PARAMS, 0x30 }, { K_PUB, 0x81 }, { K_PUB, 0xa2 }, { K_PUB, 0xa0 }, { K_PUB, 0x03 },
    };
    for (size_t i = 0; i < sizeof sec1 / sizeof sec1[0]; i++) {
        dn *k = sec1_tree(c);
        (sec1[i].el < 0 ? k : k->k[sec1[i].el])->tag = sec1[i].tag;
        ck_assert_msg(pkey_tree(k, d) == SLINK_ERR_CERT_PARSE, "SEC 1 case %zu", i);
    }
    /* [0] and [1] swapped, [0] twice, [1] twice */
    dn *k = sec1_tree(c);
    dn *par = dn_remove(k, K_PARAMS);
    dn_add(k, par);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k = sec1_tree(c);
    dn_insert(k, K_PARAMS, k->k[K_PARAMS]);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k = sec1_tree(c);
    dn_add(k, k->k[K_PUB]);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    /* [0]'s contents: empty, NULL, explicit parameters (a SEQUENCE), the
     * OID as a primitive of another tag */
    k = sec1_tree(c);
    dn_remove(k->k[K_PARAMS], 0);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    dn_add(k->k[K_PARAMS], dn_prim(0x05, "", 0));
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k->k[K_PARAMS]->k[0] = dn_cons(0x30, dn_prim(0x02, "\x01", 1), NULL, NULL);
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);
    k->k[K_PARAMS]->k[0] = dn_prim(0x0d, OID_P256, sizeof OID_P256);   /* RELATIVE-OID */
    ck_assert_int_eq(pkey_tree(k, d), SLINK_ERR_CERT_PARSE);

    /* PKCS#8 */
    for (int i = 0; i < 12; i++) {
        dn *t = pkcs8_tree(c);
        dn *alg = t->k[P8_ALG];
        switch (i) {
        case 0: alg->tag = 0x31; break;                          /* read as SEC 1, then refused */
        case 1: alg->k[0]->tag = 0x05; break;
        case 2: alg->k[1]->tag = 0x05; break;
        case 3: dn_remove(alg, 1); break;                        /* no curve */
        case 4: alg->k[1] = dn_prim(0x05, "", 0); break;         /* NULL parameters */
        case 5: alg->k[1] = dn_cons(0x30, dn_prim(0x02, "\x01", 1), NULL, NULL); break;  /* explicit */
        case 6: t->k[P8_KEY]->tag = 0x03; break;                 /* BIT STRING */
        case 7: t->k[P8_KEY] = inner_key(t); break;              /* not wrapped */
        case 8: t->k[P8_KEY] = dn_prim(0x04, "", 0); break;      /* empty */
        case 9: inner_key(t)->tag = 0x31; break;
        case 10: dn_remove(t, P8_KEY); break;                    /* no privateKey */
        case 11: t->k[P8_KEY]->k[0] = dn_prim(0x04, P256_N, 32); break;  /* a bare scalar */
        }
        ck_assert_msg(pkey_tree(t, d) == SLINK_ERR_CERT_PARSE, "PKCS#8 case %d", i);
    }
}
END_TEST

/* Flips every bit of a key.  Accepted only where the bit is data the
 * decoder leaves free (the scalar: then d has exactly that bit flipped;
 * [1]'s contents, which are skipped; PKCS#8's version 0 -> 1). */
static void key_flip_sweep(const uint8_t *der, size_t len, const region *reg, size_t nreg, size_t scalar_at)
{
    uint8_t ref[32], d[32], *p = malloc(len);
    size_t accepted = 0, key_type = 0;
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(pkey(der, len, ref), SLINK_OK);
    for (size_t bit = 0; bit < 8 * len; bit++) {
        size_t at = bit / 8;
        memcpy(p, der, len);
        p[at] ^= (uint8_t)(1u << (bit % 8));
        slink_err e = pkey(p, len, d);
        if (e == SLINK_ERR_CERT_KEY_TYPE) key_type++;
        if (e != SLINK_OK) continue;
        accepted++;
        int free_data = 0;
        for (size_t i = 0; i < nreg; i++) free_data |= at >= reg[i].lo && at < reg[i].hi;
        ck_assert_msg(free_data, "flip of byte %zu (0x%02x) bit %zu accepted", at, der[at], bit % 8);
        if (at >= scalar_at && at < scalar_at + 32) ref[at - scalar_at] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_mem_eq(d, ref, 32);
        if (at >= scalar_at && at < scalar_at + 32) ref[at - scalar_at] ^= (uint8_t)(1u << (bit % 8));
    }
    free(p);
    /* the scalar alone is 256 free bits; the OIDs give KEY_TYPE */
    ck_assert_uint_ge(accepted, 256);
    ck_assert_uint_gt(key_type, 0);
}

START_TEST(key_bit_flip_sweep)
{
    uint8_t der[1024];
    region reg[8];
    size_t nreg = 0;
    const test_cred *c = test_pki_default_device();
    dn *k = sec1_tree(c);
    ck_assert_uint_eq(dn_encode(k, der, sizeof der), c->key_len);
    add_region(reg, &nreg, dn_cstart(k->k[K_SCALAR]), 32);
    add_region(reg, &nreg, dn_cstart(k->k[K_PUB]), dn_content_len(k->k[K_PUB]));
    key_flip_sweep(c->key, c->key_len, reg, nreg, dn_cstart(k->k[K_SCALAR]));

    dn *t = pkcs8_tree(c);
    size_t n = dn_encode(t, der, sizeof der);
    dn *in = inner_key(t);
    nreg = 0;
    add_region(reg, &nreg, dn_cstart(t->k[P8_VER]), 1);
    add_region(reg, &nreg, dn_cstart(in->k[K_SCALAR]), 32);
    if (in->k[in->nk - 1]->tag == 0xa1)
        add_region(reg, &nreg, dn_cstart(in->k[in->nk - 1]), dn_content_len(in->k[in->nk - 1]));
    key_flip_sweep(der, n, reg, nreg, dn_cstart(in->k[K_SCALAR]));
}
END_TEST

/* ---- keys from the openssl CLI ---- */

static void key_openssl_setup(void)
{
    have_openssl = system("command -v openssl >/dev/null 2>&1") == 0;
    if (!have_openssl) return;
    strcpy(tmpdir, "/tmp/slink-crtkey-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    /* genpkey writes PKCS#8 PEM; its base64 body is the DER under test.
     * `openssl ec` writes SEC 1. */
    int r = sh(
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.pem && "
        "sed '1d;$d' ec.pem | openssl base64 -d -out ec8.der && "
        "openssl ec -in ec.pem -outform der -out ec1.der && "
        "openssl ec -in ec.pem -no_public -outform der -out ec1np.der && "
        "openssl pkcs8 -topk8 -in ec.pem -v2 aes-256-cbc -passout pass:slink -outform der -out enc8.der && "
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem && "
        "sed '1d;$d' p384.pem | openssl base64 -d -out p384_8.der && "
        "openssl ec -in p384.pem -outform der -out p384_1.der && "
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem && "
        "sed '1d;$d' rsa.pem | openssl base64 -d -out rsa8.der");
    ck_assert_msg(r == 0, "openssl steps failed, see %s/log.txt", tmpdir);
}

START_TEST(key_openssl_p256)
{
    NEED_OPENSSL();
    static uint8_t der[4096], pem[4096];
    uint8_t want[32], d[32];
    size_t pn = read_file("ec.pem", pem, sizeof pem);
    mbedtls_d(pem, pn, want);

    size_t n = read_file("ec8.der", der, sizeof der);
    dn_reset();
    dn *t = check_pkcs8_shape(dn_parse(der, n));
    /* OpenSSL 3 leaves the curve to the AlgorithmIdentifier */
    ck_assert_uint_eq(inner_key(t)->nk, 3);
    ck_assert_uint_eq(inner_key(t)->k[2]->tag, 0xa1);
    ck_assert_int_eq(pkey(der, n, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);

    n = read_file("ec1.der", der, sizeof der);
    dn_reset();
    check_sec1_shape(dn_parse(der, n));
    ck_assert_int_eq(pkey(der, n, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);

    n = read_file("ec1np.der", der, sizeof der);
    dn_reset();
    ck_assert_uint_eq(dn_parse(der, n)->nk, 3);   /* no [1] */
    ck_assert_int_eq(pkey(der, n, d), SLINK_OK);
    ck_assert_mem_eq(d, want, 32);
}
END_TEST

START_TEST(key_openssl_refused)
{
    NEED_OPENSSL();
    static uint8_t der[4096];
    uint8_t d[32];
    mbedtls_pk_context pk;
    const char *p384[2] = { "p384_1.der", "p384_8.der" };
    for (int i = 0; i < 2; i++) {
        size_t n = read_file(p384[i], der, sizeof der);
        mbedtls_pk_init(&pk);
        ck_assert_int_eq(mbedtls_pk_parse_key(&pk, der, n, NULL, 0), 0);
        ck_assert_int_eq(mbedtls_pk_ec(pk)->grp.id, MBEDTLS_ECP_DP_SECP384R1);
        mbedtls_pk_free(&pk);
        ck_assert_msg(pkey(der, n, d) == SLINK_ERR_CERT_KEY_TYPE, "%s", p384[i]);
    }
    size_t n = read_file("rsa8.der", der, sizeof der);
    mbedtls_pk_init(&pk);
    ck_assert_int_eq(mbedtls_pk_parse_key(&pk, der, n, NULL, 0), 0);
    ck_assert_int_eq(mbedtls_pk_get_type(&pk), MBEDTLS_PK_RSA);
    mbedtls_pk_free(&pk);
    dn_reset();
    ck_assert(is_oid(dn_parse(der, n)->k[P8_ALG]->k[0], OID_RSA, sizeof OID_RSA));
    ck_assert_int_eq(pkey(der, n, d), SLINK_ERR_CERT_KEY_TYPE);

    /* EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING } */
    n = read_file("enc8.der", der, sizeof der);
    dn_reset();
    dn *e = dn_parse(der, n);
    ck_assert(e->nk == 2 && e->k[0]->tag == 0x30 && e->k[1]->tag == 0x04);
    ck_assert_int_eq(pkey(der, n, d), SLINK_ERR_CERT_PARSE);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crt");
    TCase *tc = tcase_create("known answers");
    tcase_add_test(tc, kat_test_pki_ca);
    tcase_add_test(tc, kat_test_pki_leaves);
    tcase_add_test(tc, kat_test_pki_variants);
    tcase_add_test(tc, rebuild_is_identical);
    tcase_add_test(tc, unix_time_known_answers);
    tcase_add_test(tc, unix_time_matches_timegm);
    suite_add_tcase(s, tc);

    tc = tcase_create("openssl");
    tcase_set_timeout(tc, 30);
    tcase_add_unchecked_fixture(tc, openssl_setup, openssl_teardown);
    tcase_add_test(tc, kat_openssl_leaf);
    tcase_add_test(tc, openssl_foreign_keys_are_key_type);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, has_name_embedded_nul);
    tcase_add_test(tc, has_name_only_dns_entries);
    tcase_add_test(tc, cn_matched_only_without_dns_or_uri_id);
    tcase_add_test(tc, cn_is_first_and_optional);
    tcase_add_test(tc, malformed_names_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("tamper");
    tcase_add_test(tc, every_truncation_fails);
    tcase_add_test(tc, trailing_bytes_fail);
    tcase_add_test(tc, long_form_where_short_fits);
    tcase_add_test(tc, indefinite_length_fails);
    tcase_add_test(tc, version_rules);
    tcase_add_test(tc, serial_rules);
    tcase_add_test(tc, unique_ids_refused);
    tcase_add_test(tc, signature_algorithm_rules);
    tcase_add_test(tc, key_rules);
    tcase_add_test(tc, time_rules);
    tcase_add_test(tc, time_month_lengths);
    tcase_add_test(tc, basic_constraints_rules);
    tcase_add_test(tc, critical_flag_rules);
    tcase_add_test(tc, key_usage_rules);
    tcase_add_test(tc, duplicate_extensions_refused);
    tcase_add_test(tc, unknown_extensions);
    tcase_add_test(tc, extension_structure_rules);
    tcase_add_test(tc, subject_alt_name_rules);
    tcase_add_test(tc, signature_value_rules);
    suite_add_tcase(s, tc);

    tc = tcase_create("bit flips");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bit_flip_sweep_device);
    tcase_add_test(tc, bit_flip_sweep_ca);
    suite_add_tcase(s, tc);

    tc = tcase_create("key");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, key_openssl_setup, openssl_teardown);
    tcase_add_test(tc, key_kat_test_pki);
    tcase_add_test(tc, key_optional_fields);
    tcase_add_test(tc, key_pkcs8_v2);
    tcase_add_test(tc, key_short_scalar);
    tcase_add_test(tc, key_range_left_to_users);
    tcase_add_test(tc, key_openssl_p256);
    tcase_add_test(tc, key_openssl_refused);
    tcase_add_test(tc, key_foreign_edited);
    tcase_add_test(tc, key_version_rules);
    tcase_add_test(tc, key_scalar_length);
    tcase_add_test(tc, key_long_form_where_short_fits);
    tcase_add_test(tc, key_indefinite_length_fails);
    tcase_add_test(tc, key_trailing_bytes_fail);
    tcase_add_test(tc, key_skipped_parts);
    tcase_add_test(tc, key_every_truncation_fails);
    tcase_add_test(tc, key_wrong_tags);
    tcase_add_test(tc, key_bit_flip_sweep);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

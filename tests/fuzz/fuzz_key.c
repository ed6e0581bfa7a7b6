/* libFuzzer target for the private-key decoder (slink_crt_parse_key in
 * src/cert/crt.c), differential against mbedTLS 2.28's mbedtls_pk_parse_key.
 *
 * Always: the result is SLINK_OK, SLINK_ERR_CERT_PARSE or
 * SLINK_ERR_CERT_KEY_TYPE, and d is all zero after an error.
 *
 * slink accepts: the input is DER of one ECPrivateKey or PrivateKeyInfo
 * (walked again here), d is its scalar left-padded, and mbedTLS must read
 * an EC P-256 key with the same d.  Where mbedTLS refuses, the input must
 * hold one of the known differences (listed above undo()); they are undone
 * on a copy, which slink must still accept and mbedTLS must then read with
 * the expected d.
 *
 * slink refuses with KEY_TYPE: mbedTLS must not read an id-ecPublicKey
 * P-256 key from it.  PARSE is not compared: slink is the stricter DER
 * reader by design (mbedTLS takes BER lengths, non-minimal INTEGERs,
 * explicit curve parameters, bytes after the key).  Anything else aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include "slink/crt.h"
#include "der_walk.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

/* The copy can grow by a [0] (12 bytes); below this every length stays
 * within the two length octets slink reads. */
#define DIFF_MAX 32768u

static const uint8_t CURVE_P256[] = { 0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const uint8_t P256_N[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/* ---- a DER writer for the copy ---- */

typedef struct {
    uint8_t *b;
    size_t n, cap;
} out;

static void put(out *o, const void *p, size_t n)
{
    REQUIRE(o->n + n <= o->cap);
    if (n) memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put_cur(out *o, const cur *c)
{
    put(o, c->p, (size_t)(c->end - c->p));
}

/* tag, DER length, contents */
static void wrap(out *o, uint8_t tag, const out *content)
{
    uint8_t h[4];
    size_t n = content->n, hl = 0;
    h[hl++] = tag;
    if (n < 0x80) {
        h[hl++] = (uint8_t)n;
    } else if (n < 0x100) {
        h[hl++] = 0x81;
        h[hl++] = (uint8_t)n;
    } else {
        REQUIRE(n < 0x10000);
        h[hl++] = 0x82;
        h[hl++] = (uint8_t)(n >> 8);
        h[hl++] = (uint8_t)n;
    }
    put(o, h, hl);
    put(o, content->b, n);
}

static out buffer(size_t cap)
{
    out o = { malloc(cap), 0, cap };
    REQUIRE(o.b != NULL);
    return o;
}

/* ---- what slink accepted, walked again ---- */

typedef struct {
    int pkcs8;
    int version;             /* PKCS#8: 0 or 1 */
    int has_curve, has_pub;  /* [0], [1] in the ECPrivateKey */
    uint8_t d[32];           /* the scalar, left-padded */
} shape;

static void walk_ec(cur k, shape *s)
{
    cur seq, v;
    uint8_t tag;
    REQUIRE(tlv(&k, &tag, &seq, NULL) == 0 && tag == 0x30 && k.p == k.end);
    REQUIRE(tlv(&seq, &tag, &v, NULL) == 0 && tag == 0x02 && v.end - v.p == 1 && v.p[0] == 1);
    REQUIRE(tlv(&seq, &tag, &v, NULL) == 0 && tag == 0x04);
    size_t n = (size_t)(v.end - v.p);
    REQUIRE(n >= 1 && n <= 32);
    memset(s->d, 0, 32);
    memcpy(s->d + 32 - n, v.p, n);
    while (seq.p < seq.end) {
        REQUIRE(tlv(&seq, &tag, &v, NULL) == 0);
        if (tag == 0xa0) {
            REQUIRE(!s->has_curve && !s->has_pub);
            REQUIRE((size_t)(v.end - v.p) == sizeof CURVE_P256 - 2 &&
                    memcmp(v.p, CURVE_P256 + 2, sizeof CURVE_P256 - 2) == 0);
            s->has_curve = 1;
        } else {
            REQUIRE(tag == 0xa1 && !s->has_pub);
            s->has_pub = 1;
        }
    }
}

static void walk(const uint8_t *data, size_t size, shape *s)
{
    const cur key = { data, data + size };
    cur all = key, seq, v, alg, inner;
    uint8_t tag;
    memset(s, 0, sizeof *s);
    REQUIRE(tlv(&all, &tag, &seq, NULL) == 0 && tag == 0x30 && all.p == all.end);
    REQUIRE(tlv(&seq, &tag, &v, NULL) == 0 && tag == 0x02 && v.end - v.p == 1);
    if (seq.p < seq.end && seq.p[0] == 0x30) {
        s->pkcs8 = 1;
        s->version = v.p[0];
        REQUIRE(s->version == 0 || s->version == 1);
        REQUIRE(tlv(&seq, &tag, &alg, NULL) == 0);
        REQUIRE(tlv(&seq, &tag, &inner, NULL) == 0 && tag == 0x04);
        walk_ec(inner, s);
    } else {
        walk_ec(key, s);
    }
}

/* ---- the documented differences (slink accepts, mbedTLS refuses) ----
 *  - PKCS#8 version 1 (OneAsymmetricKey v2, RFC 5958): mbedTLS 2.28 reads
 *    version 0 only.  -> version 0.
 *  - a bare ECPrivateKey without [0]: slink takes it as P-256 (the only
 *    curve it knows), mbedTLS has no group for it.  -> [0] prime256v1.
 *  - [1] publicKey: slink skips it (creds_load checks d against the
 *    certificate's point), mbedTLS decodes it (a BIT STRING with no unused
 *    bits, a point on the curve or a compressed one).  -> dropped; mbedTLS
 *    then computes the point from d.
 *  - d outside 1..n-1: slink leaves the range to where d is used (cert.c,
 *    ecc.c), mbedTLS checks it.  -> the scalar's bytes become 00 .. 01 and
 *    the expected d is 1.
 * Each is undone only where it occurs; a refusal with none of them aborts.
 * Inputs where mbedTLS may take the PEM path (a NUL at the end and a PEM
 * header inside) are not compared. */

enum { U_VERSION = 1, U_CURVE = 2, U_PUB = 4, U_RANGE = 8 };

static int out_of_range(const uint8_t d[32])
{
    static const uint8_t zero[32];
    return memcmp(d, zero, 32) == 0 || memcmp(d, P256_N, 32) >= 0;
}

static void undo_ec(cur k, int add_curve, int fix_range, out *o, unsigned *undone)
{
    cur seq, v, w;
    uint8_t tag;
    out c = buffer((size_t)(k.end - k.p) + sizeof CURVE_P256);
    REQUIRE(tlv(&k, &tag, &seq, NULL) == 0);
    REQUIRE(tlv(&seq, &tag, &v, &w) == 0);      /* version */
    put_cur(&c, &w);
    REQUIRE(tlv(&seq, &tag, &v, &w) == 0);      /* the scalar */
    if (fix_range) {
        size_t n = (size_t)(v.end - v.p);
        put(&c, w.p, (size_t)(v.p - w.p));
        for (size_t i = 0; i + 1 < n; i++) put(&c, "", 1);
        put(&c, "\x01", 1);
        *undone |= U_RANGE;
    } else {
        put_cur(&c, &w);
    }
    if (add_curve) {
        put(&c, CURVE_P256, sizeof CURVE_P256);
        *undone |= U_CURVE;
    }
    while (seq.p < seq.end) {
        REQUIRE(tlv(&seq, &tag, &v, &w) == 0);
        if (tag == 0xa1) *undone |= U_PUB;
        else put_cur(&c, &w);
    }
    wrap(o, 0x30, &c);
    free(c.b);
}

static unsigned undo(const uint8_t *data, size_t size, const shape *s, int fix_range, out *o)
{
    cur all = { data, data + size }, seq, v, w;
    uint8_t tag;
    unsigned undone = 0;
    if (!s->pkcs8) {
        undo_ec(all, !s->has_curve, fix_range, o, &undone);
        return undone;
    }
    out c = buffer(size), inner = buffer(size);
    REQUIRE(tlv(&all, &tag, &seq, NULL) == 0);
    REQUIRE(tlv(&seq, &tag, &v, &w) == 0);
    if (s->version == 1) {
        put(&c, "\x02\x01\x00", 3);
        undone |= U_VERSION;
    } else {
        put_cur(&c, &w);
    }
    REQUIRE(tlv(&seq, &tag, &v, &w) == 0);      /* AlgorithmIdentifier */
    put_cur(&c, &w);
    REQUIRE(tlv(&seq, &tag, &v, &w) == 0);      /* privateKey */
    undo_ec(v, 0, fix_range, &inner, &undone);
    wrap(&c, 0x04, &inner);
    put_cur(&c, &seq);                          /* attributes, publicKey: as they were */
    wrap(o, 0x30, &c);
    free(c.b);
    free(inner.b);
    return undone;
}

/* ---- mbedTLS ---- */

static int pem_possible(const uint8_t *b, size_t n)
{
    static const char hdr[] = "-----BEGIN";
    if (n == 0 || b[n - 1] != 0) return 0;
    for (size_t i = 0; i + sizeof hdr - 1 <= n; i++)
        if (memcmp(b + i, hdr, sizeof hdr - 1) == 0) return 1;
    return 0;
}

/* 0 and d if mbedTLS reads an id-ecPublicKey P-256 key; 1 if it reads some
 * other key; -1 if it refuses. */
static int mbedtls_key(const uint8_t *b, size_t n, uint8_t d[32])
{
    mbedtls_pk_context pk;
    int r;
    mbedtls_pk_init(&pk);
    if (mbedtls_pk_parse_key(&pk, b, n, NULL, 0) != 0) {
        r = -1;
    } else if (mbedtls_pk_get_type(&pk) != MBEDTLS_PK_ECKEY ||
               mbedtls_pk_ec(pk)->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
        r = 1;
    } else {
        REQUIRE(mbedtls_mpi_write_binary(&mbedtls_pk_ec(pk)->d, d, 32) == 0);
        r = 0;
    }
    mbedtls_pk_free(&pk);
    return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t zero[32];
    uint8_t d[32], m[32], want[32];
    shape s;

    /* An empty input is an argument error (SLINK_ERR_ARG), not a key:
     * test_crt covers it. */
    if (size == 0) return 0;
    memset(d, 0xA5, sizeof d);
    slink_err e = slink_crt_parse_key(data, size, d);
    if (e != SLINK_OK) {
        REQUIRE(e == SLINK_ERR_CERT_PARSE || e == SLINK_ERR_CERT_KEY_TYPE);
        REQUIRE(memcmp(d, zero, sizeof d) == 0);
        if (e == SLINK_ERR_CERT_KEY_TYPE && !pem_possible(data, size)) REQUIRE(mbedtls_key(data, size, m) != 0);
        return 0;
    }

    walk(data, size, &s);
    REQUIRE(memcmp(d, s.d, 32) == 0);
    if (size > DIFF_MAX || pem_possible(data, size)) return 0;

    int r = mbedtls_key(data, size, m);
    REQUIRE(r != 1);
    if (r == 0) {
        REQUIRE(memcmp(m, d, 32) == 0);
        REQUIRE(!out_of_range(d));
        return 0;
    }

    int fix_range = out_of_range(d);
    out copy = buffer(size + sizeof CURVE_P256 + 8);
    unsigned undone = undo(data, size, &s, fix_range, &copy);
    REQUIRE(undone != 0);
    memcpy(want, d, 32);
    if (fix_range) {
        memset(want, 0, 32);
        want[31] = 1;
    }
    memset(d, 0xA5, sizeof d);
    REQUIRE(slink_crt_parse_key(copy.b, copy.n, d) == SLINK_OK);
    REQUIRE(memcmp(d, want, 32) == 0);
    if (!pem_possible(copy.b, copy.n)) {
        REQUIRE(mbedtls_key(copy.b, copy.n, m) == 0);
        REQUIRE(memcmp(m, want, 32) == 0);
    }
    free(copy.b);
    return 0;
}

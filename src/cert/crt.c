/* Strict DER decoder for slink's certificate profile (include/slink/crt.h,
 * docs/PKI.md §3.1).  Replaces mbedTLS's X.509 parser in the core: that one
 * accepts BER in places (long-form lengths, padded INTEGERs), allocates a
 * list entry per name attribute and costs 7 KB of flash on an MCU; this
 * one walks the bytes once, keeps pointers, and refuses every encoding DER
 * does not allow, so no one can re-encode the DER of a certificate.  That
 * is not "one byte string per certificate": ECDSA lets anyone turn the
 * signature (r, s) into (r, n - s), which verifies as well and is just as
 * canonical, and openssl signs with either half, so high s cannot be
 * refused.  A certificate therefore has two encodings (with two
 * references and two SHA-256 fingerprints) over the same signed TBS;
 * src/cert/cert.c checks the deny-list and the pin against both, and a
 * reference that names the other one is only CERT_UNKNOWN_REF
 * (docs/PKI.md §3.1).
 *
 * Every read goes through get(), which checks the tag, the length form and
 * that the contents lie inside the enclosing element. */
#include "slink/crt.h"
#include <string.h>

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} rd;

#define T_BOOLEAN   0x01u
#define T_INTEGER   0x02u
#define T_BITSTR    0x03u
#define T_OCTETSTR  0x04u
#define T_NULL      0x05u
#define T_OID       0x06u
#define T_UTCTIME   0x17u
#define T_GENTIME   0x18u
#define T_SEQ       0x30u
#define T_SET       0x31u
#define T_CTX(n)    (0xA0u | (n))   /* [n] constructed */

/* OIDs (contents only). */
static const uint8_t OID_ECDSA_SHA256[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02 };
static const uint8_t OID_EC_PUBKEY[]    = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01 };
static const uint8_t OID_P256[]         = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07 };
static const uint8_t OID_CN[]           = { 0x55, 0x04, 0x03 };
/* id-ce-* share the prefix 55 1D; the last byte tells them apart. */
#define CE_KEY_USAGE   0x0Fu
#define CE_SAN         0x11u
#define CE_BASIC       0x13u

/* Tag byte, then a DER length: short form below 128, otherwise the
 * shortest long form (at most two bytes: nothing in the profile is larger
 * than 64 KiB).  The contents must fit in r.  whole (optional) gets the
 * element with its header. */
static int get(rd *r, uint8_t tag, slink_der_span *v, slink_der_span *whole)
{
    const uint8_t *p = r->p;
    size_t avail = (size_t)(r->end - p);
    size_t len;
    if (avail < 2 || p[0] != tag) return -1;
    len = p[1];
    p += 2;
    if (len & 0x80u) {
        size_t n = len & 0x7Fu;
        if (n == 0 || n > 2 || avail - 2 < n) return -1;
        len = p[0];
        if (n == 2) len = (len << 8) | p[1];
        if (len < 0x80u || (n == 2 && len < 0x100u)) return -1;
        p += n;
    }
    if ((size_t)(r->end - p) < len) return -1;
    v->p = p;
    v->len = len;
    if (whole != NULL) {
        whole->p = r->p;
        whole->len = (size_t)(p + len - r->p);
    }
    r->p = p + len;
    return 0;
}

/* A constructed element as a nested reader. */
static int sub(rd *r, uint8_t tag, rd *in, slink_der_span *whole)
{
    slink_der_span v;
    if (get(r, tag, &v, whole) != 0) return -1;
    in->p = v.p;
    in->end = v.p + v.len;
    return 0;
}

static int peek(const rd *r, uint8_t tag)
{
    return r->p < r->end && r->p[0] == tag;
}

static int span_eq(const slink_der_span *s, const uint8_t *b, size_t n)
{
    return s->len == n && memcmp(s->p, b, n) == 0;
}

/* INTEGER in its minimal two's-complement form. */
static int get_int(rd *r, slink_der_span *v)
{
    if (get(r, T_INTEGER, v, NULL) != 0 || v->len == 0) return -1;
    if (v->len > 1 && ((v->p[0] == 0x00 && !(v->p[1] & 0x80u)) ||
                       (v->p[0] == 0xFF && (v->p[1] & 0x80u))))
        return -1;
    return 0;
}

/* DER BOOLEAN TRUE.  FALSE is every BOOLEAN's default in the profile, and
 * DER never encodes a default. */
static int get_true(rd *r)
{
    slink_der_span v;
    return (get(r, T_BOOLEAN, &v, NULL) == 0 && v.len == 1 && v.p[0] == 0xFF) ? 0 : -1;
}

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil) for the years DER times can hold, 0 to 9999.  Counted
 * from 0400-03-01 less one era (146097 days), so every quantity is
 * unsigned and 32 bits: a 32-bit MCU needs no signed or 64-bit division. */
static int32_t days_from_civil(int32_t year, int32_t mon, int32_t day)
{
    uint32_t y = (uint32_t)year + 400u - (mon <= 2 ? 1u : 0u);
    uint32_t m = (uint32_t)mon, d = (uint32_t)day;
    uint32_t era = y / 400u;
    uint32_t yoe = y - era * 400u;
    uint32_t doy = (153u * (m > 2u ? m - 3u : m + 9u) + 2u) / 5u + d - 1u;
    uint32_t doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return (int32_t)(era * 146097u + doe) - 146097 - 719468;
}

int64_t slink_crt_unix_time(int32_t year, int32_t mon, int32_t day,
                            int32_t hour, int32_t min, int32_t sec)
{
    return (int64_t)days_from_civil(year, mon, day) * 86400 +
           (int64_t)(hour * 3600 + min * 60 + sec);
}

static int two_digits(const uint8_t *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* UTCTime YYMMDDHHMMSSZ (years 1950-2049, RFC 5280 §4.1.2.5.1) or
 * GeneralizedTime YYYYMMDDHHMMSSZ: the only forms DER and RFC 5280 allow
 * (seconds present, no fraction, Zulu). */
static int get_time(rd *r, int64_t *t)
{
    static const uint8_t mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    slink_der_span v;
    const uint8_t *s;
    int32_t y, f[5];
    if (peek(r, T_UTCTIME)) {
        if (get(r, T_UTCTIME, &v, NULL) != 0 || v.len != 13) return -1;
        y = two_digits(v.p);
        if (y < 0) return -1;
        y += y < 50 ? 2000 : 1900;
        s = v.p + 2;
    } else {
        int hi, lo;
        if (get(r, T_GENTIME, &v, NULL) != 0 || v.len != 15) return -1;
        hi = two_digits(v.p);
        lo = two_digits(v.p + 2);
        if (hi < 0 || lo < 0) return -1;
        y = hi * 100 + lo;
        s = v.p + 4;
    }
    if (s[10] != 'Z') return -1;
    for (int i = 0; i < 5; i++)
        if ((f[i] = two_digits(s + 2 * i)) < 0) return -1;
    if (f[0] < 1 || f[0] > 12 || f[1] < 1 || f[1] > mdays[f[0] - 1] || f[2] > 23 ||
        f[3] > 59 || f[4] > 59)
        return -1;
    if (f[0] == 2 && f[1] == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return -1;
    *t = slink_crt_unix_time(y, f[0], f[1], f[2], f[3], f[4]);
    return 0;
}

/* ---- names ---- */

/* The universal string types a DirectoryString or an IA5String attribute
 * (emailAddress, domainComponent) can take. */
static int is_string_tag(uint8_t tag)
{
    switch (tag) {
    case 0x0C: /* UTF8String */
    case 0x12: /* NumericString */
    case 0x13: /* PrintableString */
    case 0x14: /* TeletexString */
    case 0x16: /* IA5String */
    case 0x1A: /* VisibleString */
    case 0x1C: /* UniversalString */
    case 0x1E: /* BMPString */
        return 1;
    default:
        return 0;
    }
}

/* Walks a Name (SEQUENCE OF SET OF AttributeTypeAndValue), checking its
 * structure.  Each commonName value goes to match(): returns 1 as soon as
 * it returns 1, 0 at the end, -1 if the Name is malformed.  Attribute
 * values are strings; they are compared as bytes, never interpreted. */
typedef int (*cn_fn)(void *ctx, const slink_der_span *val);

static int walk_name(const slink_der_span *name, cn_fn match, void *ctx)
{
    rd r = { name->p, name->p + name->len };
    rd seq, set, atv;
    if (sub(&r, T_SEQ, &seq, NULL) != 0 || r.p != r.end) return -1;
    while (seq.p < seq.end) {
        if (sub(&seq, T_SET, &set, NULL) != 0 || set.p == set.end) return -1;
        while (set.p < set.end) {
            slink_der_span oid, val;
            uint8_t tag;
            if (sub(&set, T_SEQ, &atv, NULL) != 0 || get(&atv, T_OID, &oid, NULL) != 0 ||
                oid.len == 0 || atv.p == atv.end)
                return -1;
            tag = atv.p[0];
            if (!is_string_tag(tag) || get(&atv, tag, &val, NULL) != 0 || atv.p != atv.end)
                return -1;
            if (span_eq(&oid, OID_CN, sizeof OID_CN) && match != NULL && match(ctx, &val) == 1)
                return 1;
        }
    }
    return 0;
}

static int first_cn(void *ctx, const slink_der_span *val)
{
    slink_der_span *cn = ctx;
    if (cn->p == NULL) *cn = *val;
    return 0;
}

typedef struct {
    const uint8_t *s;
    size_t n;
} want_name;

static int cn_equals(void *ctx, const slink_der_span *val)
{
    const want_name *w = ctx;
    return span_eq(val, w->s, w->n) ? 1 : 0;
}

/* ---- extensions ---- */

static int basic_constraints(rd *in, slink_crt *c)
{
    rd bc;
    slink_der_span pathlen;
    if (sub(in, T_SEQ, &bc, NULL) != 0 || in->p != in->end) return -1;
    if (peek(&bc, T_BOOLEAN)) {
        if (get_true(&bc) != 0) return -1;
        c->is_ca = 1;
    }
    if (peek(&bc, T_INTEGER) && (get_int(&bc, &pathlen) != 0 || (pathlen.p[0] & 0x80u)))
        return -1;
    return bc.p == bc.end ? 0 : -1;
}

/* A named-bit BIT STRING in DER: no trailing zero bits, and the unused
 * count says exactly how many bits of the last byte are padding. */
static int key_usage(rd *in, slink_crt *c)
{
    slink_der_span v;
    if (get(in, T_BITSTR, &v, NULL) != 0 || in->p != in->end) return -1;
    if (v.len < 2 || v.len > 3 || v.p[0] > 7) return -1;
    uint8_t last = v.p[v.len - 1];
    if (last == 0 || (last & ((1u << v.p[0]) - 1u)) != 0 || (last & (1u << v.p[0])) == 0) return -1;
    c->has_key_usage = 1;
    c->key_usage = v.p[1];
    return 0;
}

/* GeneralNames: SEQUENCE SIZE (1..MAX) OF context-tagged choices. */
static int subject_alt_name(rd *in, slink_crt *c)
{
    rd gn;
    slink_der_span all, v;
    if (get(in, T_SEQ, &all, NULL) != 0 || in->p != in->end || all.len == 0) return -1;
    gn.p = all.p;
    gn.end = all.p + all.len;
    while (gn.p < gn.end) {
        uint8_t tag = gn.p[0];
        if ((tag & 0xC0u) != 0x80u || (tag & 0x1Fu) > 8 || get(&gn, tag, &v, NULL) != 0) return -1;
    }
    c->san = all;
    return 0;
}

/* 1 if an extension before `until` in the list starting at `from` has
 * this OID (the list was checked up to `until` already). */
static int seen_before(const uint8_t *from, const uint8_t *until, const slink_der_span *oid)
{
    rd prev = { from, until };
    rd ext;
    slink_der_span o;
    while (prev.p < prev.end) {
        if (sub(&prev, T_SEQ, &ext, NULL) != 0 || get(&ext, T_OID, &o, NULL) != 0) return 0;
        if (span_eq(&o, oid->p, oid->len)) return 1;
    }
    return 0;
}

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension.  RFC 5280 §4.2: each
 * at most once; an unrecognised critical one means the certificate must
 * be refused. */
static int extensions(rd *tbs, slink_crt *c)
{
    rd outer, seq, ext, in;
    const uint8_t *first;
    if (sub(tbs, T_CTX(3), &outer, NULL) != 0 || sub(&outer, T_SEQ, &seq, NULL) != 0 ||
        outer.p != outer.end || seq.p == seq.end)
        return -1;
    first = seq.p;
    while (seq.p < seq.end) {
        slink_der_span oid, val;
        const uint8_t *at = seq.p;
        int critical = 0;
        unsigned bit = 0;
        if (sub(&seq, T_SEQ, &ext, NULL) != 0 || get(&ext, T_OID, &oid, NULL) != 0 || oid.len == 0 ||
            seen_before(first, at, &oid))
            return -1;
        if (peek(&ext, T_BOOLEAN)) {
            if (get_true(&ext) != 0) return -1;
            critical = 1;
        }
        if (get(&ext, T_OCTETSTR, &val, NULL) != 0 || ext.p != ext.end) return -1;
        if (oid.len == 3 && oid.p[0] == 0x55 && oid.p[1] == 0x1D) {
            switch (oid.p[2]) {
            case CE_BASIC: bit = 1; break;
            case CE_KEY_USAGE: bit = 2; break;
            case CE_SAN: bit = 4; break;
            default: break;
            }
        }
        in.p = val.p;
        in.end = val.p + val.len;
        switch (bit) {
        case 1: if (basic_constraints(&in, c) != 0) return -1; break;
        case 2: if (key_usage(&in, c) != 0) return -1; break;
        case 4: if (subject_alt_name(&in, c) != 0) return -1; break;
        default: if (critical) return -1; break;
        }
    }
    return 0;
}

/* ---- algorithms, key, signature ---- */

/* AlgorithmIdentifier: 1 if it is ecdsa-with-SHA256 (parameters absent,
 * or NULL as mbedTLS writes them), 0 if it is another well-formed one. */
static int sig_alg(rd *r, slink_der_span *whole)
{
    rd alg;
    slink_der_span oid, null;
    if (sub(r, T_SEQ, &alg, whole) != 0 || get(&alg, T_OID, &oid, NULL) != 0 || oid.len == 0)
        return -1;
    if (!span_eq(&oid, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256)) return 0;
    if (peek(&alg, T_NULL) && (get(&alg, T_NULL, &null, NULL) != 0 || null.len != 0)) return -1;
    return alg.p == alg.end ? 1 : -1;
}

/* SubjectPublicKeyInfo: 1 for an uncompressed P-256 point (*pub set),
 * 0 for another well-formed key. */
static int spki(rd *r, const uint8_t **pub)
{
    rd info, alg;
    slink_der_span oid, curve, bits;
    if (sub(r, T_SEQ, &info, NULL) != 0 || sub(&info, T_SEQ, &alg, NULL) != 0 ||
        get(&alg, T_OID, &oid, NULL) != 0 || get(&info, T_BITSTR, &bits, NULL) != 0 ||
        info.p != info.end || bits.len == 0 || bits.p[0] != 0)
        return -1;
    if (!span_eq(&oid, OID_EC_PUBKEY, sizeof OID_EC_PUBKEY)) return 0;
    if (get(&alg, T_OID, &curve, NULL) != 0 || alg.p != alg.end) return -1;
    if (!span_eq(&curve, OID_P256, sizeof OID_P256) || bits.len != 1 + SLINK_CRT_PUB_LEN ||
        bits.p[1] != 0x04)
        return 0;
    *pub = bits.p + 1;
    return 1;
}

/* One half of ECDSA-Sig-Value: a minimal, positive INTEGER of at most 32
 * magnitude bytes. */
static int sig_half(rd *r, uint8_t out[32])
{
    slink_der_span v;
    if (get_int(r, &v) != 0 || (v.p[0] & 0x80u)) return -1;
    if (v.p[0] == 0x00 && v.len > 1) {
        v.p++;
        v.len--;
    }
    if (v.len > 32) return -1;
    if (out != NULL) {
        memset(out, 0, 32 - v.len);
        memcpy(out + 32 - v.len, v.p, v.len);
    }
    return 0;
}

static int sig_value(const slink_der_span *sig, uint8_t rs[64])
{
    rd r = { sig->p, sig->p + sig->len };
    rd seq;
    if (sub(&r, T_SEQ, &seq, NULL) != 0 || r.p != r.end) return -1;
    if (sig_half(&seq, rs) != 0 || sig_half(&seq, rs != NULL ? rs + 32 : NULL) != 0) return -1;
    return seq.p == seq.end ? 0 : -1;
}

/* ---- the certificate ---- */

static slink_err parse(slink_crt *c, const uint8_t *der, size_t len)
{
    rd all = { der, der + len };
    rd cert, tbs, validity;
    slink_der_span alg_in, alg_out, serial, bits, v;
    int alg_ok, key_ok;

    if (sub(&all, T_SEQ, &cert, &c->raw) != 0 || all.p != all.end) return SLINK_ERR_CERT_PARSE;
    if (sub(&cert, T_SEQ, &tbs, &c->tbs) != 0) return SLINK_ERR_CERT_PARSE;

    c->version = 1;
    if (peek(&tbs, T_CTX(0))) {
        rd ver;
        /* v1 is the default and so never encoded; v2 has no use here */
        if (sub(&tbs, T_CTX(0), &ver, NULL) != 0 || get_int(&ver, &v) != 0 || ver.p != ver.end ||
            v.len != 1 || v.p[0] != 2)
            return SLINK_ERR_CERT_PARSE;
        c->version = 3;
    }
    /* RFC 5280 §4.1.2.2: at most 20 octets, positive (21 with the sign byte) */
    if (get_int(&tbs, &serial) != 0 || serial.len > 21) return SLINK_ERR_CERT_PARSE;
    alg_ok = sig_alg(&tbs, &alg_in);
    if (alg_ok < 0) return SLINK_ERR_CERT_PARSE;
    /* RFC 5280 §4.1.2.4: the issuer is never an empty Name (a subject
     * may be) */
    if (get(&tbs, T_SEQ, &v, &c->issuer) != 0 || v.len == 0 ||
        walk_name(&c->issuer, NULL, NULL) < 0)
        return SLINK_ERR_CERT_PARSE;
    if (sub(&tbs, T_SEQ, &validity, NULL) != 0 || get_time(&validity, &c->not_before) != 0 ||
        get_time(&validity, &c->not_after) != 0 || validity.p != validity.end)
        return SLINK_ERR_CERT_PARSE;
    if (get(&tbs, T_SEQ, &v, &c->subject) != 0 || walk_name(&c->subject, first_cn, &c->cn) < 0)
        return SLINK_ERR_CERT_PARSE;
    key_ok = spki(&tbs, &c->pub);
    if (key_ok < 0) return SLINK_ERR_CERT_PARSE;
    /* issuerUniqueID [1] and subjectUniqueID [2] are outside the profile;
     * extensions [3] need v3 */
    if (c->version == 3 && peek(&tbs, T_CTX(3)) && extensions(&tbs, c) != 0)
        return SLINK_ERR_CERT_PARSE;
    if (tbs.p != tbs.end) return SLINK_ERR_CERT_PARSE;

    if (sig_alg(&cert, &alg_out) < 0 || !span_eq(&alg_out, alg_in.p, alg_in.len) ||
        get(&cert, T_BITSTR, &bits, NULL) != 0 || cert.p != cert.end || bits.len < 1 ||
        bits.p[0] != 0)
        return SLINK_ERR_CERT_PARSE;
    if (!alg_ok || !key_ok) return SLINK_ERR_CERT_KEY_TYPE;
    c->sig.p = bits.p + 1;
    c->sig.len = bits.len - 1;
    /* The signature is the one part of a certificate its issuer did not
     * sign: BER there would give one certificate many encodings (ECDSA's
     * own s / n - s pair remains: see the top of this file). */
    if (sig_value(&c->sig, NULL) != 0) return SLINK_ERR_CERT_ENCODING;
    return SLINK_OK;
}

slink_err slink_crt_parse(slink_crt *out, const uint8_t *der, size_t len)
{
    slink_err e;
    if (out == NULL) return SLINK_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (der == NULL || len == 0) return SLINK_ERR_CERT_PARSE;
    e = parse(out, der, len);
    if (e != SLINK_OK) memset(out, 0, sizeof *out);
    return e;
}

slink_err slink_crt_sig_rs(const slink_crt *c, uint8_t rs[64])
{
    if (c == NULL || rs == NULL || c->sig.p == NULL) return SLINK_ERR_ARG;
    return sig_value(&c->sig, rs) == 0 ? SLINK_OK : SLINK_ERR_CERT_ENCODING;
}

int slink_crt_has_name(const slink_crt *c, const char *name)
{
    want_name w;
    rd gn;
    slink_der_span v;
    int dns_id = 0;
    if (c == NULL || name == NULL || c->subject.p == NULL) return 0;
    w.s = (const uint8_t *)name;
    w.n = strlen(name);
    if (w.n == 0) return 0;
    if (c->san.p != NULL) {
        gn.p = c->san.p;
        gn.end = c->san.p + c->san.len;
        while (gn.p < gn.end) {
            uint8_t tag = gn.p[0];
            if (get(&gn, tag, &v, NULL) != 0) return 0;
            if (tag == 0x82u && span_eq(&v, w.s, w.n)) return 1;  /* [2] dNSName */
            /* RFC 6125 §6.4.4: once the certificate carries a DNS-ID or a
             * URI-ID, its CN is not an identity any more (CAs copy the CN
             * into the SAN; a CN left alone beside one is not vouched for) */
            if (tag == 0x82u || tag == 0x86u) dns_id = 1;  /* [6] URI */
        }
    }
    return !dns_id && walk_name(&c->subject, cn_equals, &w) == 1;
}

/* ---- private keys ---- */

/* ECPrivateKey (SEC 1 / RFC 5915): version 1, the scalar, the curve
 * (optional; must be P-256), the public key (optional; ignored: creds_load
 * checks the scalar against the certificate instead). */
static slink_err ec_private_key(rd *r, uint8_t d[32])
{
    rd key, params;
    slink_der_span ver, scalar, curve;
    if (sub(r, T_SEQ, &key, NULL) != 0 || get_int(&key, &ver) != 0 || ver.len != 1 ||
        ver.p[0] != 1 || get(&key, T_OCTETSTR, &scalar, NULL) != 0)
        return SLINK_ERR_CERT_PARSE;
    if (peek(&key, T_CTX(0))) {
        if (sub(&key, T_CTX(0), &params, NULL) != 0 || get(&params, T_OID, &curve, NULL) != 0 ||
            params.p != params.end)
            return SLINK_ERR_CERT_PARSE;
        if (!span_eq(&curve, OID_P256, sizeof OID_P256)) return SLINK_ERR_CERT_KEY_TYPE;
    }
    if (peek(&key, T_CTX(1)) && sub(&key, T_CTX(1), &params, NULL) != 0) return SLINK_ERR_CERT_PARSE;
    /* after the curve: a P-384 key's 48-byte scalar is KEY_TYPE, not PARSE */
    if (key.p != key.end || scalar.len == 0 || scalar.len > 32) return SLINK_ERR_CERT_PARSE;
    memset(d, 0, 32 - scalar.len);
    memcpy(d + 32 - scalar.len, scalar.p, scalar.len);
    return SLINK_OK;
}

/* PrivateKeyInfo / OneAsymmetricKey (RFC 5208, 5958): version 0 or 1, the
 * id-ecPublicKey algorithm on P-256, an OCTET STRING holding an
 * ECPrivateKey; trailing attributes and public key are skipped. */
static slink_err pkcs8(rd *r, uint8_t d[32])
{
    rd key, alg, inner;
    slink_der_span ver, oid, curve, octets;
    slink_err e;
    if (sub(r, T_SEQ, &key, NULL) != 0 || get_int(&key, &ver) != 0 || ver.len != 1 ||
        ver.p[0] > 1 || sub(&key, T_SEQ, &alg, NULL) != 0 || get(&alg, T_OID, &oid, NULL) != 0)
        return SLINK_ERR_CERT_PARSE;
    if (!span_eq(&oid, OID_EC_PUBKEY, sizeof OID_EC_PUBKEY)) return SLINK_ERR_CERT_KEY_TYPE;
    if (get(&alg, T_OID, &curve, NULL) != 0 || alg.p != alg.end) return SLINK_ERR_CERT_PARSE;
    if (!span_eq(&curve, OID_P256, sizeof OID_P256)) return SLINK_ERR_CERT_KEY_TYPE;
    if (get(&key, T_OCTETSTR, &octets, NULL) != 0) return SLINK_ERR_CERT_PARSE;
    inner.p = octets.p;
    inner.end = octets.p + octets.len;
    e = ec_private_key(&inner, d);
    if (e == SLINK_OK && inner.p != inner.end) e = SLINK_ERR_CERT_PARSE;
    return e;
}

slink_err slink_crt_parse_key(const uint8_t *der, size_t len, uint8_t d[32])
{
    rd r, probe, seq;
    slink_der_span ver;
    slink_err e;
    if (d == NULL) return SLINK_ERR_ARG;
    memset(d, 0, 32);
    /* as slink_crt_parse: no bytes is no key */
    if (der == NULL || len == 0) return SLINK_ERR_CERT_PARSE;
    r.p = der;
    r.end = der + len;
    /* SEC 1 starts with INTEGER 1 then the OCTET STRING; PKCS#8 with
     * INTEGER 0 or 1 then the algorithm SEQUENCE. */
    probe = r;
    if (sub(&probe, T_SEQ, &seq, NULL) != 0 || get_int(&seq, &ver) != 0) e = SLINK_ERR_CERT_PARSE;
    else e = peek(&seq, T_SEQ) ? pkcs8(&r, d) : ec_private_key(&r, d);
    if (e == SLINK_OK && r.p != r.end) e = SLINK_ERR_CERT_PARSE;
    if (e != SLINK_OK) memset(d, 0, 32);
    return e;
}

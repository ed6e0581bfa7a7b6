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
#include "../cc.h"
#include <string.h>

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} rd;

#define T_ANY       0x00u   /* in a step: any tag, which the action checks */
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

/* Tag byte (any, for T_ANY), then a DER length: short form below 128,
 * otherwise the shortest long form (at most two bytes: nothing in the
 * profile is larger than 64 KiB).  The contents must fit in r. */
static int get(rd *r, uint8_t tag, slink_der_span *v)
{
    const uint8_t *p = r->p;
    size_t avail = (size_t)(r->end - p);
    size_t len;
    if (avail < 2 || (tag != T_ANY && p[0] != tag)) return -1;
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
    r->p = p + len;
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

/* INTEGER contents in their minimal two's-complement form. */
static int int_ok(const slink_der_span *v)
{
    return v->len != 0 && !(v->len > 1 && ((v->p[0] == 0x00 && !(v->p[1] & 0x80u)) ||
                                           (v->p[0] == 0xFF && (v->p[1] & 0x80u))));
}

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil) for the years DER times can hold, 0 to 9999; month 13
 * is January of the next year.  Counted from 0400-03-01 less one era
 * (146097 days), so every quantity is unsigned and 32 bits: a 32-bit MCU
 * needs no signed or 64-bit division. */
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
 * (seconds present, no fraction, Zulu).  A day exists in its month when it
 * comes before the first of the next month, which settles the month
 * lengths and 29 February without a table.  Returns whether it is one. */
static SLINK_NOINLINE int der_time(uint8_t tag, const slink_der_span *v, int64_t *t)
{
    int32_t f[7], y, *d;
    size_t n = v->len / 2;   /* digit pairs: 6 for UTCTime, 7 for GeneralizedTime */
    if ((tag == T_UTCTIME ? v->len != 13 : (tag != T_GENTIME || v->len != 15)) ||
        v->p[v->len - 1] != 'Z')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((f[i] = two_digits(v->p + 2 * i)) < 0) return 0;
    y = n == 7 ? f[0] * 100 + f[1] : f[0] + (f[0] < 50 ? 2000 : 1900);
    d = f + n - 5;           /* month, day, hour, minute, second */
    if (d[0] < 1 || d[0] > 12 || d[1] < 1 || d[2] > 23 || d[3] > 59 || d[4] > 59 ||
        days_from_civil(y, d[0], d[1]) >= days_from_civil(y, d[0] + 1, 1))
        return 0;
    *t = slink_crt_unix_time(y, d[0], d[1], d[2], d[3], d[4]);
    return 1;
}

/* ---- the walker ----
 *
 * Each structure of the profile is a table of steps, one per element in
 * the order DER puts them, written like the ASN.1 it follows: the tag the
 * element must have, whether it may be absent (OPT), and an action on its
 * contents.  IN descends: the steps after it, up to their END, read the
 * element's contents, which must then be used up; with MANY they read one
 * item of a SEQUENCE OF / SET OF and repeat to the end of the contents
 * (the first step of an item is never OPT, so each round reads bytes).
 * Every read is get()'s, so every element is checked the same way: its
 * tag, the DER length form, and that it lies inside its parent.  The
 * recursion follows the tables, never the input (at most eight levels, for
 * basicConstraints inside an extension), and every step that succeeds
 * consumes bytes, so the work is linear in the input. */
typedef struct {
    uint8_t tag;
    uint8_t op;   /* flags | action */
} step;

#define OPT   0x80u
#define IN    0x40u
#define MANY  0x20u
#define ACT   0x1Fu

enum {
    A_NONE,
    A_RAW,        /* Certificate: c->raw */
    A_TBS,        /* c->tbs */
    A_VERSION,    /* [0] { INTEGER 2 }: v3 (v1 is the default, never encoded; v2 has no use) */
    A_SERIAL,     /* RFC 5280 §4.1.2.2: at most 20 octets, positive (21 with the sign byte) */
    A_SIG_ALG,    /* AlgorithmIdentifier of the TBS: kept for the outer one */
    A_SIG_OID,    /* ecdsa-with-SHA256, or another algorithm: then the rest is not read */
    A_EMPTY,      /* NULL */
    A_ISSUER,     /* Name, never empty (RFC 5280 §4.1.2.4; a subject may be) */
    A_TIME,       /* notBefore, then notAfter */
    A_SUBJECT,    /* Name, its first commonName kept */
    A_KEY_ALG,    /* id-ecPublicKey and its curve, or another key: then the rest is not read */
    A_PUB,        /* subjectPublicKey: an uncompressed P-256 point */
    A_V3,         /* [3] extensions: v3 only */
    A_EXT_LIST,   /* Extensions: SIZE (1..MAX) */
    A_EXT,        /* one Extension */
    A_EXT_ID,     /* its OID: each at most once (RFC 5280 §4.2) */
    A_CRITICAL,   /* critical TRUE */
    A_EXT_VALUE,  /* extnValue: decoded if known; unknown and critical is refused */
    A_CA,         /* basicConstraints cA TRUE */
    A_PATHLEN,    /* pathLenConstraint: not negative */
    A_KEY_USAGE,  /* keyUsage BIT STRING */
    A_SAN,        /* GeneralNames: SIZE (1..MAX) */
    A_GENERAL_NAME,
    A_RDN,        /* RelativeDistinguishedName: SIZE (1..MAX) */
    A_ATTR_TYPE,
    A_ATTR_VALUE,
    A_ALG_OUT,    /* signatureAlgorithm: the TBS's, byte for byte */
    A_SIG_BITS,   /* signatureValue */
    A_SIG_INT,    /* r or s */
    A_COUNT,
    END = ACT     /* closes the steps of an IN element (no flags) */
};
typedef char actions_fit[A_COUNT <= END ? 1 : -1];
#define STEP_END { 0, END }

typedef struct {
    slink_crt *c;
    slink_der_span v, whole;     /* the element just read: contents, and with its header */
    slink_der_span alg;          /* the TBS's AlgorithmIdentifier */
    slink_der_span *cn;          /* where the first commonName goes, if wanted */
    const uint8_t *want;         /* slink_crt_has_name: the name sought ... */
    size_t want_len;
    const uint8_t *ext_first;    /* the first Extension and the current one */
    const uint8_t *ext_at;
    const struct ext_decoder *ext; /* the current extension, if decoded */
    uint8_t *rs;                 /* where r || s goes, if wanted */
    uint8_t bad;                 /* well-formed but outside the algorithm profile */
    uint8_t skip;                /* the rest of the current element is not read */
    uint8_t critical, is_cn, found, dns_id, count;
} walk;

struct ext_decoder {
    uint8_t oid_last;            /* id-ce-* */
    const step *steps;
};

static int contents(const step *s, uint8_t many, const slink_der_span *v, walk *w);

/* Name ::= SEQUENCE OF RelativeDistinguishedName; an RDN is a SET OF
 * AttributeTypeAndValue ::= SEQUENCE { type OID, value string }. */
static const step NAME[] = {
    { T_SEQ, IN | MANY },
        { T_SET, IN | MANY | A_RDN },
            { T_SEQ, IN },
                { T_OID, A_ATTR_TYPE },
                { T_ANY, A_ATTR_VALUE },
            STEP_END,
        STEP_END,
    STEP_END,
    STEP_END
};

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
 * pathLenConstraint INTEGER OPTIONAL } */
static const step BASIC[] = {
    { T_SEQ, IN },
        { T_BOOLEAN, OPT | A_CA },
        { T_INTEGER, OPT | A_PATHLEN },
    STEP_END,
    STEP_END
};

static const step KEY_USAGE[] = {
    { T_BITSTR, A_KEY_USAGE },
    STEP_END
};

/* GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName (context-tagged
 * choices) */
static const step SAN[] = {
    { T_SEQ, IN | MANY | A_SAN },
        { T_ANY, A_GENERAL_NAME },
    STEP_END,
    STEP_END
};

static const struct ext_decoder EXT_KNOWN[] = {
    { CE_BASIC, BASIC }, { CE_KEY_USAGE, KEY_USAGE }, { CE_SAN, SAN }
};

/* ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } */
static const step SIG_VALUE[] = {
    { T_SEQ, IN },
        { T_INTEGER, A_SIG_INT },
        { T_INTEGER, A_SIG_INT },
    STEP_END,
    STEP_END
};

static const step CERTIFICATE[] = {
    { T_SEQ, IN | A_RAW },
        { T_SEQ, IN | A_TBS },                  /* TBSCertificate */
            { T_CTX(0), OPT | A_VERSION },
            { T_INTEGER, A_SERIAL },
            { T_SEQ, IN | A_SIG_ALG },          /* signature */
                { T_OID, A_SIG_OID },
                { T_NULL, OPT | A_EMPTY },      /* absent, or NULL as mbedTLS writes it */
            STEP_END,
            { T_SEQ, A_ISSUER },
            { T_SEQ, IN },                      /* validity */
                { T_ANY, A_TIME },
                { T_ANY, A_TIME },
            STEP_END,
            { T_SEQ, A_SUBJECT },
            { T_SEQ, IN },                      /* subjectPublicKeyInfo */
                { T_SEQ, IN },
                    { T_OID, A_KEY_ALG },
                STEP_END,
                { T_BITSTR, A_PUB },
            STEP_END,
            /* issuerUniqueID [1] and subjectUniqueID [2] are outside the
             * profile */
            { T_CTX(3), OPT | IN | A_V3 },
                { T_SEQ, IN | MANY | A_EXT_LIST },
                    { T_SEQ, IN | A_EXT },
                        { T_OID, A_EXT_ID },
                        { T_BOOLEAN, OPT | A_CRITICAL },
                        { T_OCTETSTR, A_EXT_VALUE },
                    STEP_END,
                STEP_END,
            STEP_END,
        STEP_END,
        { T_SEQ, A_ALG_OUT },
        { T_BITSTR, A_SIG_BITS },
    STEP_END,
    STEP_END
};

/* DER BOOLEAN TRUE.  FALSE is every BOOLEAN's default in the profile, and
 * DER never encodes a default. */
static int is_true(const slink_der_span *v)
{
    return v->len == 1 && v->p[0] == 0xFF;
}

/* 1 if an extension before `until` in the list starting at `from` has
 * this OID (the list was checked up to `until` already). */
static int seen_before(const uint8_t *from, const uint8_t *until, const slink_der_span *oid)
{
    rd prev = { from, until };
    slink_der_span ext, o;
    while (get(&prev, T_SEQ, &ext) == 0) {
        rd in = { ext.p, ext.p + ext.len };
        if (get(&in, T_OID, &o) == 0 && span_eq(&o, oid->p, oid->len)) return 1;
    }
    return 0;
}

/* The universal string types a DirectoryString or an IA5String attribute
 * (emailAddress, domainComponent) can take: UTF8String, NumericString,
 * PrintableString, TeletexString, IA5String, VisibleString,
 * UniversalString, BMPString.  Values are compared as bytes, never
 * interpreted. */
#define STRING_TAGS ((1u << 0x0C) | (1u << 0x12) | (1u << 0x13) | (1u << 0x14) | \
                     (1u << 0x16) | (1u << 0x1A) | (1u << 0x1C) | (1u << 0x1E))

/* What a step does with the element in w->v / w->whole, r being the
 * reader it came from: returns whether the bytes are acceptable.  An
 * algorithm outside the profile sets w->skip: the rest of r is not read
 * (its parameters are not ours to judge).  Not inlined, nor is der_time:
 * their locals then sit only on the innermost frame, not on each level of
 * run()'s recursion. */
static SLINK_NOINLINE int act(unsigned a, walk *w, rd *r)
{
    slink_crt *c = w->c;
    const slink_der_span *v = &w->v;
    uint8_t tag = w->whole.p[0];
    slink_der_span curve;

    switch (a) {
    case A_RAW: c->raw = w->whole; break;
    case A_TBS: c->tbs = w->whole; break;
    case A_VERSION: {
        static const uint8_t V3[] = { T_INTEGER, 1, 2 };
        if (!span_eq(v, V3, sizeof V3)) return 0;
        c->version = 3;
        break;
    }
    case A_SERIAL: return int_ok(v) && v->len <= 21;
    case A_SIG_ALG: w->alg = w->whole; break;
    case A_SIG_OID:
        if (v->len == 0) return 0;
        if (!span_eq(v, OID_ECDSA_SHA256, sizeof OID_ECDSA_SHA256)) w->bad = w->skip = 1;
        break;
    case A_EMPTY: return v->len == 0;
    case A_ISSUER:
        if (v->len == 0) return 0;
        c->issuer = w->whole;
        w->cn = NULL;
        return !contents(NAME, 0, &c->issuer, w);
    case A_SUBJECT:
        c->subject = w->whole;
        w->cn = &c->cn;
        return !contents(NAME, 0, &c->subject, w);
    case A_TIME: return der_time(tag, v, w->count++ ? &c->not_after : &c->not_before);
    case A_KEY_ALG:
        if (!span_eq(v, OID_EC_PUBKEY, sizeof OID_EC_PUBKEY)) {
            w->bad = w->skip = 1;
            break;
        }
        if (get(r, T_OID, &curve) != 0) return 0;
        if (!span_eq(&curve, OID_P256, sizeof OID_P256)) w->bad = 1;
        break;
    case A_PUB:
        if (v->len == 0 || v->p[0] != 0) return 0;
        if (v->len != 1 + SLINK_CRT_PUB_LEN || v->p[1] != 0x04) w->bad = 1;
        c->pub = v->p + 1;
        break;
    case A_V3: return c->version == 3;
    case A_EXT_LIST:
        w->ext_first = v->p;
        return v->len != 0;
    case A_EXT:
        w->ext_at = w->whole.p;
        w->critical = 0;
        w->ext = NULL;
        break;
    case A_EXT_ID:
        if (v->len == 0 || seen_before(w->ext_first, w->ext_at, v)) return 0;
        if (v->len == 3 && v->p[0] == 0x55 && v->p[1] == 0x1D)
            for (size_t i = 0; i < sizeof EXT_KNOWN / sizeof EXT_KNOWN[0]; i++)
                if (v->p[2] == EXT_KNOWN[i].oid_last) w->ext = &EXT_KNOWN[i];
        break;
    case A_CRITICAL:
        w->critical = 1;
        return is_true(v);
    case A_EXT_VALUE:
        if (w->ext != NULL) return !contents(w->ext->steps, 0, v, w);
        return !w->critical;
    case A_CA:
        c->is_ca = 1;
        return is_true(v);
    case A_PATHLEN: return int_ok(v) && !(v->p[0] & 0x80u);
    case A_KEY_USAGE: {
        /* A named-bit BIT STRING in DER: no trailing zero bits, and the
         * unused count says exactly how many bits of the last byte are
         * padding. */
        uint8_t last;
        if (v->len < 2 || v->len > 3 || v->p[0] > 7) return 0;
        last = v->p[v->len - 1];
        if ((last & ((1u << v->p[0]) - 1u)) != 0 || (last & (1u << v->p[0])) == 0) return 0;
        c->has_key_usage = 1;
        c->key_usage = v->p[1];
        break;
    }
    case A_SAN:
        c->san = *v;
        return v->len != 0;
    case A_GENERAL_NAME:
        if ((tag & 0xC0u) != 0x80u || (tag & 0x1Fu) > 8) return 0;
        if (tag == 0x82u && w->want != NULL && span_eq(v, w->want, w->want_len))  /* [2] dNSName */
            w->found = 1;
        if (tag == 0x82u || tag == 0x86u) w->dns_id = 1;                          /* [6] URI */
        break;
    case A_RDN: return v->len != 0;
    case A_ATTR_TYPE:
        w->is_cn = (uint8_t)span_eq(v, OID_CN, sizeof OID_CN);
        return v->len != 0;
    case A_ATTR_VALUE:
        if (tag >= 32 || !((STRING_TAGS >> tag) & 1u)) return 0;
        if (w->is_cn) {
            if (w->cn != NULL && w->cn->p == NULL) *w->cn = *v;
            if (w->want != NULL && span_eq(v, w->want, w->want_len)) w->found = 1;
        }
        break;
    case A_ALG_OUT: return span_eq(&w->whole, w->alg.p, w->alg.len);
    case A_SIG_BITS:
        if (v->len < 1 || v->p[0] != 0) return 0;
        c->sig.p = v->p + 1;
        c->sig.len = v->len - 1;
        break;
    case A_SIG_INT: {
        /* a minimal, positive INTEGER of at most 32 magnitude bytes */
        slink_der_span m = *v;
        if (!int_ok(&m) || (m.p[0] & 0x80u)) return 0;
        if (m.p[0] == 0x00 && m.len > 1) {
            m.p++;
            m.len--;
        }
        if (m.len > 32) return 0;
        if (w->rs != NULL) {
            uint8_t *out = w->rs + 32 * w->count++;
            memset(out, 0, 32 - m.len);
            memcpy(out + 32 - m.len, m.p, m.len);
        }
        break;
    }
    default: break;
    }
    return 1;
}

/* The step after s and, when s has children, after them and their END. */
static const step *next_step(const step *s)
{
    int depth = 0;
    do {
        if (s->op == END) depth--;
        else if (s->op & IN) depth++;
        s++;
    } while (depth > 0);
    return s;
}

/* Reads r by the steps from s up to their END (r may have more). */
static int run(const step *s, rd *r, walk *w)
{
    for (; s->op != END && !w->skip; s = next_step(s)) {
        uint8_t op = s->op;
        slink_der_span v;
        if ((op & OPT) && !peek(r, s->tag)) continue;
        w->whole.p = r->p;
        if (get(r, s->tag, &v) != 0) return -1;
        w->whole.len = (size_t)(r->p - w->whole.p);
        w->v = v;
        if (!act(op & ACT, w, r) || ((op & IN) && contents(s + 1, op & MANY, &v, w) != 0))
            return -1;
    }
    if (w->skip) r->p = r->end;
    w->skip = 0;
    return 0;
}

/* Exactly the bytes of v by the steps from s: once, or with many once per
 * item. */
static int contents(const step *s, uint8_t many, const slink_der_span *v, walk *w)
{
    rd in = { v->p, v->p + v->len };
    do {
        if (many && in.p == in.end) break;
        if (run(s, &in, w) != 0) return -1;
    } while (many);
    return in.p == in.end ? 0 : -1;
}

static int sig_value(const slink_der_span *sig, uint8_t rs[64])
{
    walk w;
    memset(&w, 0, sizeof w);
    w.rs = rs;
    return contents(SIG_VALUE, 0, sig, &w);
}

/* ---- the certificate ---- */

slink_err slink_crt_parse(slink_crt *out, const uint8_t *der, size_t len)
{
    walk w;
    slink_der_span all;
    slink_err e = SLINK_ERR_CERT_PARSE;
    if (out == NULL) return SLINK_ERR_ARG;
    memset(out, 0, sizeof *out);
    memset(&w, 0, sizeof w);
    w.c = out;
    out->version = 1;
    all.p = der;
    all.len = len;
    if (der != NULL && len != 0 && contents(CERTIFICATE, 0, &all, &w) == 0) {
        e = SLINK_ERR_CERT_KEY_TYPE;
        /* The signature is the one part of a certificate its issuer did
         * not sign: BER there would give one certificate many encodings
         * (ECDSA's own s / n - s pair remains: see the top of this
         * file). */
        if (!w.bad) e = sig_value(&out->sig, NULL) == 0 ? SLINK_OK : SLINK_ERR_CERT_ENCODING;
    }
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
    walk w;
    if (c == NULL || name == NULL || c->subject.p == NULL || name[0] == '\0') return 0;
    memset(&w, 0, sizeof w);
    w.want = (const uint8_t *)name;
    w.want_len = strlen(name);
    /* c->san holds the GeneralNames' items */
    if (c->san.p != NULL && contents(SAN + 1, MANY, &c->san, &w) != 0) return 0;
    if (w.found) return 1;
    /* RFC 6125 §6.4.4: once the certificate carries a DNS-ID or a URI-ID,
     * its CN is not an identity any more (CAs copy the CN into the SAN; a
     * CN left alone beside one is not vouched for) */
    return !w.dns_id && contents(NAME, 0, &c->subject, &w) == 0 && w.found;
}

/* ---- private keys ---- */

/* Keys are read by open code (their error codes depend on where they
 * fail); the same checked get() underneath. */
static int sub(rd *r, uint8_t tag, rd *in)
{
    slink_der_span v;
    if (get(r, tag, &v) != 0) return -1;
    in->p = v.p;
    in->end = v.p + v.len;
    return 0;
}

static int get_int(rd *r, slink_der_span *v)
{
    return get(r, T_INTEGER, v) == 0 && int_ok(v) ? 0 : -1;
}

/* ECPrivateKey (SEC 1 / RFC 5915): version 1, the scalar, the curve
 * (optional; must be P-256), the public key (optional; ignored: creds_load
 * checks the scalar against the certificate instead). */
static slink_err ec_private_key(rd *r, uint8_t d[32])
{
    rd key, params;
    slink_der_span ver, scalar, curve;
    if (sub(r, T_SEQ, &key) != 0 || get_int(&key, &ver) != 0 || ver.len != 1 ||
        ver.p[0] != 1 || get(&key, T_OCTETSTR, &scalar) != 0)
        return SLINK_ERR_CERT_PARSE;
    if (peek(&key, T_CTX(0))) {
        if (sub(&key, T_CTX(0), &params) != 0 || get(&params, T_OID, &curve) != 0 ||
            params.p != params.end)
            return SLINK_ERR_CERT_PARSE;
        if (!span_eq(&curve, OID_P256, sizeof OID_P256)) return SLINK_ERR_CERT_KEY_TYPE;
    }
    if (peek(&key, T_CTX(1)) && sub(&key, T_CTX(1), &params) != 0) return SLINK_ERR_CERT_PARSE;
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
    if (sub(r, T_SEQ, &key) != 0 || get_int(&key, &ver) != 0 || ver.len != 1 ||
        ver.p[0] > 1 || sub(&key, T_SEQ, &alg) != 0 || get(&alg, T_OID, &oid) != 0)
        return SLINK_ERR_CERT_PARSE;
    if (!span_eq(&oid, OID_EC_PUBKEY, sizeof OID_EC_PUBKEY)) return SLINK_ERR_CERT_KEY_TYPE;
    if (get(&alg, T_OID, &curve) != 0 || alg.p != alg.end) return SLINK_ERR_CERT_PARSE;
    if (!span_eq(&curve, OID_P256, sizeof OID_P256)) return SLINK_ERR_CERT_KEY_TYPE;
    if (get(&key, T_OCTETSTR, &octets) != 0) return SLINK_ERR_CERT_PARSE;
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
    if (sub(&probe, T_SEQ, &seq) != 0 || get_int(&seq, &ver) != 0) e = SLINK_ERR_CERT_PARSE;
    else e = peek(&seq, T_SEQ) ? pkcs8(&r, d) : ec_private_key(&r, d);
    if (e == SLINK_OK && r.p != r.end) e = SLINK_ERR_CERT_PARSE;
    if (e != SLINK_OK) memset(d, 0, 32);
    return e;
}

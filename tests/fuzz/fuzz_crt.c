/* libFuzzer target for the strict DER certificate decoder (src/cert/crt.c),
 * differential against mbedTLS 2.28's X.509 parser: every certificate
 * slink_crt_parse accepts, mbedTLS must accept too and read the same way
 * (raw length, TBS span, issuer and subject bytes, dates, version, cA,
 * keyUsage, key point, signature, first CN, SAN entries).  slink is the
 * stricter of the two, so the other direction is only checked where the
 * profile names a reason: KEY_TYPE must be a key or algorithm mbedTLS
 * also sees as outside P-256/ECDSA-SHA256, ENCODING must be a signature
 * whose r, s re-encode differently.
 *
 * Where slink accepts what mbedTLS refuses, the input must hold one of the
 * known differences (listed above undo_differences()); they are undone in
 * place on a copy, which mbedTLS must then accept and read as slink read
 * the input.  Anything else aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <mbedtls/asn1.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include "slink/crt.h"
#include "der_walk.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

/* ---- a minimal TLV walker over input slink already accepted ---- */

/* ---- the documented differences (slink accepts, mbedTLS refuses) ----
 *
 * Each is undone in place, on a copy, without changing any length, so
 * mbedTLS must then accept the copy and read it as slink read the input:
 *  - the key point is not on P-256: slink_crt_parse is a pure decoder and
 *    leaves that to the key's user (slink_ecdsa_verify_hash, creds_load);
 *    mbedTLS checks while parsing.  The copy gets the generator G.
 *  - a Name value with a tag mbedTLS does not allow (slink takes any
 *    primitive universal tag: values are compared as bytes).  -> UTF8String.
 *  - extKeyUsage, certificatePolicies, netscape-cert-type: mbedTLS decodes
 *    them, slink skips them (non-critical).  -> OID 2.5.29.127 / ...1.127,
 *    which neither knows.
 *  - subjectAltName otherName [0]: mbedTLS decodes it, slink checks only
 *    tag and length.  -> [3].
 *  - basicConstraints pathLen beyond an int, or INT_MAX: mbedTLS's int
 *    cannot hold it, slink ignores pathLen.  -> 1.
 * One cannot be undone in place: an empty issuer Name (30 00), which
 * mbedTLS refuses (RFC 5280 §4.1.2.4) and slink accepts. */

static uint8_t P256_G[SLINK_CRT_PUB_LEN];

static int mbedtls_name_tag(uint8_t t)
{
    return t == MBEDTLS_ASN1_BMP_STRING || t == MBEDTLS_ASN1_UTF8_STRING || t == MBEDTLS_ASN1_T61_STRING ||
           t == MBEDTLS_ASN1_PRINTABLE_STRING || t == MBEDTLS_ASN1_IA5_STRING ||
           t == MBEDTLS_ASN1_UNIVERSAL_STRING || t == MBEDTLS_ASN1_BIT_STRING;
}

static int point_off_curve(const uint8_t pub[SLINK_CRT_PUB_LEN])
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    int off;
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    REQUIRE(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0);
    off = mbedtls_ecp_point_read_binary(&grp, &q, pub, SLINK_CRT_PUB_LEN) != 0 ||
          mbedtls_ecp_check_pubkey(&grp, &q) != 0;
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return off;
}

/* w is the writable copy at the same offsets as the cursor's bytes. */
#define AT(ptr) (w + ((ptr) - base))

static void undo_name(uint8_t *w, const uint8_t *base, const slink_der_span *name, int *changed)
{
    cur n = { name->p, name->p + name->len }, seq, set, atv, v;
    uint8_t tag;
    REQUIRE(tlv(&n, &tag, &seq, NULL) == 0);
    while (seq.p < seq.end) {
        REQUIRE(tlv(&seq, &tag, &set, NULL) == 0);
        while (set.p < set.end) {
            REQUIRE(tlv(&set, &tag, &atv, NULL) == 0);
            REQUIRE(tlv(&atv, &tag, &v, NULL) == 0);          /* the type */
            REQUIRE(atv.p < atv.end);
            if (!mbedtls_name_tag(atv.p[0])) {
                *AT(atv.p) = MBEDTLS_ASN1_UTF8_STRING;
                *changed = 1;
            }
        }
    }
}

/* A value for the last byte of the OID at oid (n bytes) that no extension
 * OID in the list all has in the writable copy w. */
static uint8_t free_last_byte(const uint8_t *w, const uint8_t *base, const cur *all,
                              const uint8_t *oid, size_t n)
{
    for (unsigned b = 0x7f; b > 0; b--) {
        cur l = *all, ext, o;
        uint8_t tag;
        int taken = 0;
        while (l.p < l.end) {
            REQUIRE(tlv(&l, &tag, &ext, NULL) == 0);
            REQUIRE(tlv(&ext, &tag, &o, NULL) == 0);
            const uint8_t *ow = w + (o.p - base);
            if ((size_t)(o.end - o.p) == n && memcmp(ow, w + (oid - base), n - 1) == 0 &&
                ow[n - 1] == b)
                taken = 1;
        }
        if (!taken) return (uint8_t)b;
    }
    abort();
}

static void undo_extensions(uint8_t *w, const uint8_t *base, const slink_crt *c, int *changed)
{
    cur t = { c->tbs.p, c->tbs.p + c->tbs.len }, tbs, f, wr, seq, ext, oid, v, in, x, y;
    uint8_t tag;
    REQUIRE(tlv(&t, &tag, &tbs, NULL) == 0);
    while (tbs.p < tbs.end) {
        REQUIRE(tlv(&tbs, &tag, &f, NULL) == 0);
        if (tag != 0xa3) continue;
        wr = f;
        REQUIRE(tlv(&wr, &tag, &seq, NULL) == 0);
        cur seq_all = seq;
        while (seq.p < seq.end) {
            REQUIRE(tlv(&seq, &tag, &ext, NULL) == 0);
            REQUIRE(tlv(&ext, &tag, &oid, NULL) == 0);
            if (ext.p < ext.end && ext.p[0] == 0x01) REQUIRE(tlv(&ext, &tag, &v, NULL) == 0);
            REQUIRE(tlv(&ext, &tag, &v, NULL) == 0);
            size_t ol = (size_t)(oid.end - oid.p);
            int ce = ol == 3 && oid.p[0] == 0x55 && oid.p[1] == 0x1d;
            if ((ce && (oid.p[2] == 0x25 || oid.p[2] == 0x20)) ||
                (ol == 9 && memcmp(oid.p, "\x60\x86\x48\x01\x86\xf8\x42\x01\x01", 9) == 0)) {
                /* a last byte no other extension of the copy ends its OID
                 * with: slink refuses repeated OIDs, so the renamed
                 * extension must stay unique */
                *AT(oid.end - 1) = free_last_byte(w, base, &seq_all, oid.p, ol);
                *changed = 1;
            }
            if (ce && oid.p[2] == 0x13) {
                in = v;
                REQUIRE(tlv(&in, &tag, &x, NULL) == 0);
                while (x.p < x.end) {
                    REQUIRE(tlv(&x, &tag, &y, NULL) == 0);
                    size_t il = (size_t)(y.end - y.p);
                    if (tag == 0x02 && (il > 4 || (il == 4 && memcmp(y.p, "\x7f\xff\xff\xff", 4) == 0))) {
                        memset(AT(y.p), 0, il);
                        *AT(y.end - 1) = 1;
                        *changed = 1;
                    }
                }
            }
            if (ce && oid.p[2] == 0x11) {
                in = v;
                REQUIRE(tlv(&in, &tag, &x, NULL) == 0);
                while (x.p < x.end) {
                    const uint8_t *at = x.p;
                    REQUIRE(tlv(&x, &tag, &y, NULL) == 0);
                    if ((tag & 0x1f) == 0) {
                        *AT(at) = (uint8_t)((tag & 0xe0) | 3);
                        *changed = 1;
                    }
                }
            }
        }
    }
}

/* Undoes the differences on w (a copy of the input c was parsed from);
 * returns 1 if it changed anything.  *g is set if the key became G. */
static int undo_differences(uint8_t *w, const uint8_t *base, const slink_crt *c, int *g)
{
    int changed = 0;
    *g = 0;
    if (point_off_curve(c->pub)) {
        memcpy(AT(c->pub), P256_G, sizeof P256_G);
        *g = changed = 1;
    }
    undo_name(w, base, &c->issuer, &changed);
    undo_name(w, base, &c->subject, &changed);
    undo_extensions(w, base, c, &changed);
    return changed;
}

/* ---- agreement ---- */

static int64_t unix_of(const mbedtls_x509_time *t)
{
    return slink_crt_unix_time(t->year, t->mon, t->day, t->hour, t->min, t->sec);
}

/* r || s as mbedTLS reads them (leniently); -1 if it cannot. */
static int mbedtls_rs(const unsigned char *sig, size_t len, uint8_t rs[64], int *canonical)
{
    unsigned char *p = (unsigned char *)(uintptr_t)sig;
    const unsigned char *end = sig + len;
    unsigned char der[80], *w = der + sizeof der;
    size_t l;
    int ret = -1, n = 0;
    mbedtls_mpi r, s;
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    if (mbedtls_asn1_get_tag(&p, end, &l, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) == 0 &&
        p + l == end && mbedtls_asn1_get_mpi(&p, end, &r) == 0 && mbedtls_asn1_get_mpi(&p, end, &s) == 0 &&
        p == end && mbedtls_mpi_bitlen(&r) <= 256 && mbedtls_mpi_bitlen(&s) <= 256) {
        REQUIRE(mbedtls_mpi_write_binary(&r, rs, 32) == 0);
        REQUIRE(mbedtls_mpi_write_binary(&s, rs + 32, 32) == 0);
        /* canonical: equal to the minimal re-encoding */
        int a = mbedtls_asn1_write_mpi(&w, der, &s);
        int b = a > 0 ? mbedtls_asn1_write_mpi(&w, der, &r) : -1;
        if (a > 0 && b > 0) {
            n = a + b;
            int c1 = mbedtls_asn1_write_len(&w, der, (size_t)n);
            int c2 = c1 > 0 ? mbedtls_asn1_write_tag(&w, der, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) : -1;
            if (c2 > 0) {
                n += c1 + c2;
                *canonical = (size_t)n == len && memcmp(w, sig, len) == 0;
                ret = 0;
            }
        }
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return ret;
}

/* m parsed the copy: same offsets and lengths; bytes differ only where a
 * difference was undone, and the key is G if it was off the curve. */
static void agree(const slink_crt *c, const mbedtls_x509_crt *m, const uint8_t *data, size_t size,
                  const uint8_t *want_pub, int changed)
{
    uint8_t pt[SLINK_CRT_PUB_LEN], rs[64], rs2[64];
    size_t olen = 0;
    int canonical = 0;

    REQUIRE(c->raw.p == data && c->raw.len == size && m->raw.len == size);
    REQUIRE(c->tbs.p - data == m->tbs.p - m->raw.p && c->tbs.len == m->tbs.len);
    REQUIRE(c->issuer.p - data == m->issuer_raw.p - m->raw.p && c->issuer.len == m->issuer_raw.len);
    REQUIRE(c->subject.p - data == m->subject_raw.p - m->raw.p && c->subject.len == m->subject_raw.len);
    if (!changed) {
        REQUIRE(memcmp(c->issuer.p, m->issuer_raw.p, c->issuer.len) == 0);
        REQUIRE(memcmp(c->subject.p, m->subject_raw.p, c->subject.len) == 0);
    }
    REQUIRE(c->not_before == unix_of(&m->valid_from));
    REQUIRE(c->not_after == unix_of(&m->valid_to));
    REQUIRE(c->version == m->version);
    REQUIRE(c->is_ca == (m->ca_istrue != 0));
    REQUIRE(c->has_key_usage == ((m->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) != 0));
    if (c->has_key_usage) REQUIRE(c->key_usage == (m->key_usage & 0xffu));
    REQUIRE((c->san.len != 0) == ((m->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME) != 0));

    /* the key */
    REQUIRE(mbedtls_pk_get_type(&m->pk) == MBEDTLS_PK_ECKEY);
    const mbedtls_ecp_keypair *ec = mbedtls_pk_ec(m->pk);
    REQUIRE(ec->grp.id == MBEDTLS_ECP_DP_SECP256R1);
    REQUIRE(mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, pt, sizeof pt) == 0);
    REQUIRE(olen == SLINK_CRT_PUB_LEN && memcmp(pt, want_pub, olen) == 0);
    REQUIRE(c->pub - data == (m->pk_raw.p + m->pk_raw.len - SLINK_CRT_PUB_LEN) - m->raw.p);

    /* the signature */
    REQUIRE(m->sig_md == MBEDTLS_MD_SHA256 && m->sig_pk == MBEDTLS_PK_ECDSA);
    REQUIRE(c->sig.len == m->sig.len && memcmp(c->sig.p, m->sig.p, c->sig.len) == 0);
    REQUIRE(c->sig.p - data == m->sig.p - m->raw.p);
    REQUIRE(slink_crt_sig_rs(c, rs) == SLINK_OK);
    REQUIRE(mbedtls_rs(m->sig.p, m->sig.len, rs2, &canonical) == 0 && canonical);
    REQUIRE(memcmp(rs, rs2, 64) == 0);

    /* the first CN, and that it is a name the certificate has */
    const mbedtls_x509_name *n = &m->subject;
    while (n != NULL && (n->oid.p == NULL || MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) != 0)) n = n->next;
    if (n == NULL) {
        REQUIRE(c->cn.len == 0);
    } else {
        REQUIRE(c->cn.len == n->val.len && memcmp(c->cn.p, n->val.p, n->val.len) == 0);
    }
    /* every dNSName is a name of the certificate, and a CN without a NUL
     * is one only when there is no dNSName or URI (RFC 6125 §6.4.4) */
    char name[256];
    int dns_id = 0;
    for (const mbedtls_x509_sequence *s = &m->subject_alt_names; s != NULL; s = s->next)
        dns_id |= s->buf.p != NULL && (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2) ||
                                       s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6));
    for (const mbedtls_x509_sequence *s = &m->subject_alt_names; s != NULL; s = s->next) {
        if (s->buf.p == NULL || s->buf.tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) continue;
        if (s->buf.len == 0 || s->buf.len >= sizeof name || memchr(s->buf.p, 0, s->buf.len)) continue;
        memcpy(name, s->buf.p, s->buf.len);
        name[s->buf.len] = 0;
        REQUIRE(slink_crt_has_name(c, name) == 1);
    }
    /* other GeneralName types are never names, unless the same bytes are
     * also a CN or a dNSName */
    for (const mbedtls_x509_sequence *s = &m->subject_alt_names; s != NULL; s = s->next) {
        if (s->buf.p == NULL || s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) continue;
        if (s->buf.len == 0 || s->buf.len >= sizeof name || memchr(s->buf.p, 0, s->buf.len)) continue;
        int also = 0;
        for (const mbedtls_x509_sequence *d = &m->subject_alt_names; d != NULL; d = d->next)
            also |= d->buf.p != NULL && d->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2) &&
                    d->buf.len == s->buf.len && memcmp(d->buf.p, s->buf.p, s->buf.len) == 0;
        for (const mbedtls_x509_name *k = &m->subject; k != NULL && !dns_id; k = k->next)
            also |= k->oid.p != NULL && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &k->oid) == 0 &&
                    k->val.len == s->buf.len && memcmp(k->val.p, s->buf.p, s->buf.len) == 0;
        memcpy(name, s->buf.p, s->buf.len);
        name[s->buf.len] = 0;
        REQUIRE(slink_crt_has_name(c, name) == also);
    }
    if (c->cn.len > 0 && c->cn.len < sizeof name && !memchr(c->cn.p, 0, c->cn.len)) {
        memcpy(name, c->cn.p, c->cn.len);
        name[c->cn.len] = 0;
        int in_san = 0;
        for (const mbedtls_x509_sequence *s = &m->subject_alt_names; s != NULL; s = s->next)
            in_san |= s->buf.p != NULL && s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2) &&
                       s->buf.len == c->cn.len && memcmp(s->buf.p, c->cn.p, c->cn.len) == 0;
        REQUIRE(slink_crt_has_name(c, name) == (!dns_id || in_san));
        /* one byte more is another name */
        if (c->cn.len + 1 < sizeof name) {
            name[c->cn.len] = '.';
            name[c->cn.len + 1] = 0;
            int also_dns = 0;
            for (const mbedtls_x509_sequence *s = &m->subject_alt_names; s != NULL; s = s->next)
                also_dns |= s->buf.p != NULL && s->buf.len == c->cn.len + 1 &&
                            memcmp(s->buf.p, name, c->cn.len + 1) == 0;
            for (const mbedtls_x509_name *k = &m->subject; k != NULL && !dns_id; k = k->next)
                also_dns |= k->oid.p != NULL && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &k->oid) == 0 &&
                            k->val.len == c->cn.len + 1 && memcmp(k->val.p, name, c->cn.len + 1) == 0;
            if (!also_dns) REQUIRE(slink_crt_has_name(c, name) == 0);
        }
    }
}

/* slink refused what mbedTLS accepted: only for the reasons the code
 * names. */
static void refusal_has_reason(slink_err e, const mbedtls_x509_crt *m)
{
    if (e == SLINK_ERR_CERT_KEY_TYPE) {
        int in_profile = mbedtls_pk_get_type(&m->pk) == MBEDTLS_PK_ECKEY &&
                         mbedtls_pk_ec(m->pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1 &&
                         m->sig_md == MBEDTLS_MD_SHA256 && m->sig_pk == MBEDTLS_PK_ECDSA;
        REQUIRE(!in_profile);
    } else if (e == SLINK_ERR_CERT_ENCODING) {
        uint8_t rs[64];
        int canonical = 0;
        if (mbedtls_rs(m->sig.p, m->sig.len, rs, &canonical) == 0) REQUIRE(!canonical);
    }
    /* SLINK_ERR_CERT_PARSE: slink is stricter DER than mbedTLS by design */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const slink_crt zero;
    static int ready;
    slink_crt c, c2;
    mbedtls_x509_crt m;
    uint8_t *copy;
    int r, g;

    if (!ready) {
        mbedtls_ecp_group grp;
        size_t olen = 0;
        mbedtls_ecp_group_init(&grp);
        REQUIRE(mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0);
        REQUIRE(mbedtls_ecp_point_write_binary(&grp, &grp.G, MBEDTLS_ECP_PF_UNCOMPRESSED, &olen, P256_G,
                                               sizeof P256_G) == 0);
        mbedtls_ecp_group_free(&grp);
        ready = 1;
    }

    slink_err e = slink_crt_parse(&c, data, size);
    mbedtls_x509_crt_init(&m);
    if (e != SLINK_OK) {
        REQUIRE(e == SLINK_ERR_CERT_PARSE || e == SLINK_ERR_CERT_KEY_TYPE || e == SLINK_ERR_CERT_ENCODING);
        REQUIRE(memcmp(&c, &zero, sizeof c) == 0);
        /* mbedTLS ignores bytes after the certificate; slink refuses them */
        if (mbedtls_x509_crt_parse_der(&m, data, size) == 0 && m.raw.len == size) refusal_has_reason(e, &m);
        mbedtls_x509_crt_free(&m);
        return 0;
    }
    REQUIRE(c.version == 1 || c.version == 3);

    copy = malloc(size);
    REQUIRE(copy != NULL);
    memcpy(copy, data, size);
    int changed = undo_differences(copy, data, &c, &g);
    if (changed) REQUIRE(slink_crt_parse(&c2, copy, size) == SLINK_OK);
    r = mbedtls_x509_crt_parse_der(&m, copy, size);
    if (r == 0) {
        agree(&c, &m, data, size, g ? P256_G : c.pub, changed);
    } else {
        /* the difference not undone in place: an empty issuer */
        REQUIRE(r == MBEDTLS_ERR_X509_INVALID_NAME + MBEDTLS_ERR_ASN1_OUT_OF_DATA && c.issuer.len == 2);
    }
    mbedtls_x509_crt_free(&m);
    free(copy);
    return 0;
}

/* Certificate minting over mbedTLS x509write (see pki_lib.h). */
#include "pki_lib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/base64.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ecdsa.h>

void pki_leaf_defaults(pki_cert_opts *o, const char *cn,
                       const char *not_before, const char *not_after)
{
    memset(o, 0, sizeof *o);
    o->cn = cn;
    o->pathlen = -1;
    o->key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
    o->not_before = not_before;
    o->not_after = not_after;
}

void pki_ca_defaults(pki_cert_opts *o, const char *cn,
                     const char *not_before, const char *not_after)
{
    pki_leaf_defaults(o, cn, not_before, not_after);
    o->is_ca = 1;
    /* pathlen 0: the root signs leaves directly, never intermediates. */
    o->pathlen = 0;
    o->key_usage = MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN;
}

int pki_key_generate(mbedtls_pk_context *key, pki_rng_fn f_rng, void *p_rng)
{
    if (!key || !f_rng) return PKI_ERR_ARG;
    if (mbedtls_pk_setup(key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
        return PKI_ERR_MBEDTLS;
    if (mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key), f_rng, p_rng) != 0)
        return PKI_ERR_MBEDTLS;
    return PKI_OK;
}

static int is_p256(mbedtls_pk_context *key)
{
    return mbedtls_pk_get_type(key) == MBEDTLS_PK_ECKEY &&
           mbedtls_pk_ec(*key)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

static int pem_wrap(const char *label, const uint8_t *der, size_t der_len,
                    uint8_t *out, size_t cap, size_t *len)
{
    char head[64], foot[64];
    snprintf(head, sizeof head, "-----BEGIN %s-----\n", label);
    snprintf(foot, sizeof foot, "-----END %s-----\n", label);
    size_t olen = 0;
    int r = mbedtls_pem_write_buffer(head, foot, der, der_len, out, cap, &olen);
    if (r == MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) return PKI_ERR_BUFFER;
    if (r != 0) return PKI_ERR_MBEDTLS;
    *len = olen;
    return PKI_OK;
}

/* PKCS#8 PrivateKeyInfo around the SEC1 ECPrivateKey (RFC 5208, RFC 5915):
 * mbedTLS 2.28 only writes SEC1. */
static int pkcs8_wrap(const uint8_t *sec1, size_t sec1_len, uint8_t *out, size_t cap, size_t *len)
{
    static const uint8_t alg[] = {
        0x30, 0x13,
        0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,        /* id-ecPublicKey */
        0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07   /* prime256v1 */
    };
    unsigned char *p = out + cap;
    size_t n = 0;
    int r;
    if ((r = mbedtls_asn1_write_octet_string(&p, out, sec1, sec1_len)) < 0) return PKI_ERR_BUFFER;
    n += (size_t)r;
    if ((size_t)(p - out) < sizeof alg) return PKI_ERR_BUFFER;
    p -= sizeof alg;
    memcpy(p, alg, sizeof alg);
    n += sizeof alg;
    if ((r = mbedtls_asn1_write_int(&p, out, 0)) < 0) return PKI_ERR_BUFFER;
    n += (size_t)r;
    if ((r = mbedtls_asn1_write_len(&p, out, n)) < 0) return PKI_ERR_BUFFER;
    n += (size_t)r;
    if ((r = mbedtls_asn1_write_tag(&p, out, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
        return PKI_ERR_BUFFER;
    n += (size_t)r;
    memmove(out, p, n);
    *len = n;
    return PKI_OK;
}

int pki_key_write(mbedtls_pk_context *key, pki_key_fmt fmt,
                  uint8_t *out, size_t cap, size_t *len)
{
    uint8_t sec1[256], tmp[384];
    size_t n = 0;
    int rc;
    if (!key || !out || !len) return PKI_ERR_ARG;
    if (!is_p256(key)) return PKI_ERR_KEY;
    int r = mbedtls_pk_write_key_der(key, sec1, sizeof sec1);
    if (r < 0) return PKI_ERR_MBEDTLS;
    /* mbedTLS writes at the end of the buffer. */
    memmove(sec1, sec1 + sizeof sec1 - (size_t)r, (size_t)r);
    size_t sec1_len = (size_t)r;

    switch (fmt) {
    case PKI_KEY_SEC1_DER:
        if (sec1_len > cap) { rc = PKI_ERR_BUFFER; break; }
        memcpy(out, sec1, sec1_len);
        *len = sec1_len;
        rc = PKI_OK;
        break;
    case PKI_KEY_SEC1_PEM:
        rc = pem_wrap("EC PRIVATE KEY", sec1, sec1_len, out, cap, len);
        break;
    case PKI_KEY_PKCS8_DER:
        rc = pkcs8_wrap(sec1, sec1_len, out, cap, len);
        break;
    case PKI_KEY_PKCS8_PEM:
        rc = pkcs8_wrap(sec1, sec1_len, tmp, sizeof tmp, &n);
        if (rc == PKI_OK) rc = pem_wrap("PRIVATE KEY", tmp, n, out, cap, len);
        break;
    default:
        rc = PKI_ERR_ARG;
    }
    mbedtls_platform_zeroize(sec1, sizeof sec1);
    mbedtls_platform_zeroize(tmp, sizeof tmp);
    return rc;
}

/* Names go through mbedTLS's "CN=..." string parser, so characters with
 * meaning there are refused rather than escaped. */
static int name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > PKI_NAME_MAX) return 0;
    if (s[0] == ' ' || s[n - 1] == ' ') return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_' || ch == ' ';
        if (!ok) return 0;
    }
    return 1;
}

static int time_ok(const char *t)
{
    if (!t || strlen(t) != 14) return 0;
    for (int i = 0; i < 14; i++)
        if (t[i] < '0' || t[i] > '9') return 0;
    return 1;
}

static int san_dns(unsigned char **p, unsigned char *start, const char *name, size_t *n)
{
    size_t l = strlen(name);
    int r;
    if (!name_ok(name) || strchr(name, ' ')) return PKI_ERR_ARG;
    if ((r = mbedtls_asn1_write_raw_buffer(p, start, (const unsigned char *)name, l)) < 0)
        return PKI_ERR_BUFFER;
    *n += (size_t)r;
    if ((r = mbedtls_asn1_write_len(p, start, l)) < 0) return PKI_ERR_BUFFER;
    *n += (size_t)r;
    if ((r = mbedtls_asn1_write_tag(p, start, MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME)) < 0)
        return PKI_ERR_BUFFER;
    *n += (size_t)r;
    return PKI_OK;
}

/* GeneralNames with dNSName entries (RFC 5280 4.2.1.6), written backwards
 * as mbedTLS asn1write does. */
static int san_build(const pki_cert_opts *o, uint8_t *buf, size_t cap, size_t *len)
{
    unsigned char *p = buf + cap;
    size_t n = 0;
    int r;
    char addr[32];
    if (o->addr > 0) {
        snprintf(addr, sizeof addr, PKI_ADDR_SAN_FMT, o->addr);
        if ((r = san_dns(&p, buf, addr, &n)) < 0) return r;
    }
    if (o->san_dns && (r = san_dns(&p, buf, o->san_dns, &n)) < 0) return r;
    if (o->san_name && (r = san_dns(&p, buf, o->cn, &n)) < 0) return r;
    if ((r = mbedtls_asn1_write_len(&p, buf, n)) < 0) return PKI_ERR_BUFFER;
    n += (size_t)r;
    if ((r = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
        return PKI_ERR_BUFFER;
    n += (size_t)r;
    memmove(buf, p, n);
    *len = n;
    return PKI_OK;
}

/* Copies the issuer certificate's subject DN into the writer, keeping each
 * attribute's string type so the issuer name matches byte for byte (a CA
 * made by openssl may use PrintableString or UTF8String).  mbedTLS writes
 * the list last-to-first, so prepending in DER order keeps the order. */
static int issuer_from_crt(mbedtls_x509write_cert *w, const mbedtls_x509_crt *issuer)
{
    for (const mbedtls_x509_name *n = &issuer->subject; n && n->oid.p; n = n->next) {
        mbedtls_asn1_named_data *d = calloc(1, sizeof *d);
        if (!d) return PKI_ERR_MBEDTLS;
        d->oid.p = malloc(n->oid.len);
        d->val.p = malloc(n->val.len ? n->val.len : 1);
        if (!d->oid.p || !d->val.p) {
            free(d->oid.p); free(d->val.p); free(d);
            return PKI_ERR_MBEDTLS;
        }
        d->oid.tag = n->oid.tag;
        d->oid.len = n->oid.len;
        memcpy(d->oid.p, n->oid.p, n->oid.len);
        d->val.tag = n->val.tag;
        d->val.len = n->val.len;
        memcpy(d->val.p, n->val.p, n->val.len);
        d->next = w->issuer;
        w->issuer = d;
    }
    return w->issuer ? PKI_OK : PKI_ERR_ARG;
}

/* ---- ecdsa-with-SHA256 without parameters -------------------------------
 * mbedTLS 2.28's writer gives ecdsa-with-SHA256 NULL parameters; RFC 5758
 * §3.2 says they MUST be absent, and current OpenSSL-based tools warn that
 * they will refuse such certificates.  So the certificate is rebuilt: the
 * TBS's algorithm identifier loses its NULL, the TBS is signed again and
 * the outer identifier is written without parameters. */

static const uint8_t ALG_ECDSA_SHA256_NULL[] = { 0x30, 0x0C, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE,
                                                 0x3D, 0x04, 0x03, 0x02, 0x05, 0x00 };
static const uint8_t ALG_ECDSA_SHA256[] = { 0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48,
                                            0xCE, 0x3D, 0x04, 0x03, 0x02 };

/* One DER element at p (within end): *hdr header bytes, *clen content. */
static int der_elem(const uint8_t *p, const uint8_t *end, size_t *hdr, size_t *clen)
{
    size_t n, i, l = 0;
    if (end - p < 2) return -1;
    if (p[1] < 0x80) {
        *hdr = 2;
        l = p[1];
    } else {
        n = p[1] & 0x7Fu;
        if (n == 0 || n > 2 || (size_t)(end - p) < 2 + n) return -1;
        for (i = 0; i < n; i++) l = (l << 8) | p[2 + i];
        *hdr = 2 + n;
    }
    if ((size_t)(end - p) - *hdr < l) return -1;
    *clen = l;
    return 0;
}

/* tag, DER length of n, and nothing else; returns the header size. */
static size_t der_hdr(uint8_t *out, uint8_t tag, size_t n)
{
    out[0] = tag;
    if (n < 0x80) { out[1] = (uint8_t)n; return 2; }
    if (n < 0x100) { out[1] = 0x81; out[2] = (uint8_t)n; return 3; }
    out[1] = 0x82;
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    return 4;
}

static int resign_without_null(uint8_t *der, size_t *len, size_t cap, mbedtls_pk_context *issuer_key,
                               pki_rng_fn f_rng, void *p_rng)
{
    uint8_t tbs[2048], out[2048], hash[32], sig[MBEDTLS_ECDSA_MAX_LEN];
    const uint8_t *end = der + *len, *p;
    size_t hdr, clen, thdr, tlen, o = 0, t = 0, sig_len = 0, k;
    if (der_elem(der, end, &hdr, &clen) != 0) return PKI_ERR_MBEDTLS;
    p = der + hdr;                                    /* TBSCertificate */
    if (der_elem(p, end, &thdr, &tlen) != 0) return PKI_ERR_MBEDTLS;
    end = p + thdr + tlen;
    p += thdr;
    /* version [0], serialNumber, then the algorithm identifier */
    for (k = 0; k < 2; k++) {
        if (der_elem(p, end, &hdr, &clen) != 0) return PKI_ERR_MBEDTLS;
        p += hdr + clen;
    }
    if ((size_t)(end - p) < sizeof ALG_ECDSA_SHA256_NULL ||
        memcmp(p, ALG_ECDSA_SHA256_NULL, sizeof ALG_ECDSA_SHA256_NULL) != 0)
        return PKI_ERR_MBEDTLS;
    /* content: what came before, the bare identifier, what follows */
    {
        const uint8_t *body = p;
        const uint8_t *tbs_content = end - tlen;
        size_t before = (size_t)(body - tbs_content);
        size_t after = (size_t)(end - body) - sizeof ALG_ECDSA_SHA256_NULL;
        size_t content = before + sizeof ALG_ECDSA_SHA256 + after;
        if (content + 4 > sizeof tbs) return PKI_ERR_BUFFER;
        t = der_hdr(tbs, 0x30, content);
        memcpy(tbs + t, tbs_content, before);
        t += before;
        memcpy(tbs + t, ALG_ECDSA_SHA256, sizeof ALG_ECDSA_SHA256);
        t += sizeof ALG_ECDSA_SHA256;
        memcpy(tbs + t, body + sizeof ALG_ECDSA_SHA256_NULL, after);
        t += after;
    }
    if (mbedtls_sha256_ret(tbs, t, hash, 0) != 0 ||
        mbedtls_pk_sign(issuer_key, MBEDTLS_MD_SHA256, hash, sizeof hash, sig, &sig_len, f_rng, p_rng) != 0)
        return PKI_ERR_MBEDTLS;
    /* outer SEQUENCE { tbs, alg, BIT STRING { 00 sig } } */
    {
        uint8_t bh[4];
        size_t bl = der_hdr(bh, 0x03, sig_len + 1);
        clen = t + sizeof ALG_ECDSA_SHA256 + bl + 1 + sig_len;
        if (clen + 4 > sizeof out || clen + 4 > cap) return PKI_ERR_BUFFER;
        o = der_hdr(out, 0x30, clen);
        memcpy(out + o, tbs, t);
        o += t;
        memcpy(out + o, ALG_ECDSA_SHA256, sizeof ALG_ECDSA_SHA256);
        o += sizeof ALG_ECDSA_SHA256;
        memcpy(out + o, bh, bl);
        o += bl;
        out[o++] = 0x00;
        memcpy(out + o, sig, sig_len);
        o += sig_len;
    }
    memcpy(der, out, o);
    *len = o;
    mbedtls_platform_zeroize(hash, sizeof hash);
    return PKI_OK;
}

int pki_cert_issue(const pki_cert_opts *o, mbedtls_pk_context *subject_key,
                   const mbedtls_x509_crt *issuer_crt, mbedtls_pk_context *issuer_key,
                   pki_rng_fn f_rng, void *p_rng,
                   uint8_t *out, size_t cap, size_t *len)
{
    mbedtls_x509write_cert w;
    mbedtls_mpi serial;
    char subj[8 + PKI_NAME_MAX];
    uint8_t sn[8], san[160], tmp[2048];
    size_t san_len = 0;
    int rc = PKI_ERR_MBEDTLS;

    if (!o || !subject_key || !f_rng || !out || !len) return PKI_ERR_ARG;
    if (!name_ok(o->cn) || !time_ok(o->not_before) || !time_ok(o->not_after)) return PKI_ERR_ARG;
    if (!issuer_crt) issuer_key = subject_key;
    if (!issuer_key) return PKI_ERR_ARG;
    if (!is_p256(subject_key) || !is_p256(issuer_key)) return PKI_ERR_KEY;

    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, subject_key);
    mbedtls_x509write_crt_set_issuer_key(&w, issuer_key);

    snprintf(subj, sizeof subj, "CN=%s", o->cn);
    if (mbedtls_x509write_crt_set_subject_name(&w, subj) != 0) { rc = PKI_ERR_ARG; goto out; }
    if (issuer_crt) {
        if ((rc = issuer_from_crt(&w, issuer_crt)) != PKI_OK) goto out;
        rc = PKI_ERR_MBEDTLS;
    } else if (mbedtls_x509write_crt_set_issuer_name(&w, subj) != 0) {
        goto out;
    }

    /* Random positive 64-bit serial (RFC 5280 4.1.2.2 allows up to 20 octets). */
    if (f_rng(p_rng, sn, sizeof sn) != 0) goto out;
    sn[0] = (uint8_t)((sn[0] & 0x7F) | 0x40);
    if (mbedtls_mpi_read_binary(&serial, sn, sizeof sn) != 0) goto out;
    if (mbedtls_x509write_crt_set_serial(&w, &serial) != 0) goto out;
    if (mbedtls_x509write_crt_set_validity(&w, o->not_before, o->not_after) != 0) {
        rc = PKI_ERR_ARG;
        goto out;
    }

    if (!o->omit_bc &&
        mbedtls_x509write_crt_set_basic_constraints(&w, o->is_ca ? 1 : 0,
                                                    o->is_ca ? o->pathlen : -1) != 0)
        goto out;
    if (o->key_usage != PKI_KU_OMIT &&
        mbedtls_x509write_crt_set_key_usage(&w, (unsigned int)o->key_usage) != 0) {
        rc = PKI_ERR_ARG;
        goto out;
    }
    if (o->san_name || o->san_dns || o->addr > 0) {
        if ((rc = san_build(o, san, sizeof san, &san_len)) != PKI_OK) goto out;
        rc = PKI_ERR_MBEDTLS;
        if (mbedtls_x509write_crt_set_extension(&w, MBEDTLS_OID_SUBJECT_ALT_NAME,
                                                MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
                                                0, san, san_len) != 0)
            goto out;
    }
    if (o->ski_aki) {
        if (mbedtls_x509write_crt_set_subject_key_identifier(&w) != 0) goto out;
        if (mbedtls_x509write_crt_set_authority_key_identifier(&w) != 0) goto out;
    }

    int r = mbedtls_x509write_crt_der(&w, tmp, sizeof tmp, f_rng, p_rng);
    if (r < 0) goto out;
    if ((size_t)r > cap) { rc = PKI_ERR_BUFFER; goto out; }
    memcpy(out, tmp + sizeof tmp - (size_t)r, (size_t)r);
    *len = (size_t)r;
    rc = resign_without_null(out, len, cap, issuer_key, f_rng, p_rng);
out:
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&w);
    return rc;
}

int pki_cert_pem(const uint8_t *der, size_t der_len, uint8_t *out, size_t cap, size_t *len)
{
    if (!der || !out || !len) return PKI_ERR_ARG;
    return pem_wrap("CERTIFICATE", der, der_len, out, cap, len);
}

void pki_time_str(int64_t unix_seconds, char buf[15])
{
    time_t t = (time_t)unix_seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(buf, tmp, 14);
    buf[14] = '\0';
}

/* Certificate policy: the only place that decides whether a peer
 * certificate is trusted (include/slink/cert.h, docs/PKI.md).
 *
 * mbedTLS does the X.509 parsing; slink checks the one-level chain itself
 * (see signed_by_ca) and adds what mbedTLS 2.28 does not enforce or cannot
 * be relied on for: a canonical DER signature, a P-256/SHA-256-only
 * profile, CA:FALSE leaves, dates checked against the injected wall clock
 * (firmware builds lack MBEDTLS_HAVE_TIME_DATE) and the identity bound to a
 * bus address. */
#include "slink/cert.h"
#include "slink/crypto.h"
#include "cc.h"

#include <string.h>
#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

/* ---- log messages without stdio (firmware builds have no printf) ---- */

#if SLINK_CFG_LOG_TEXT
typedef struct {
    char b[192];
    size_t n;
} msgbuf;

static void mb_str(msgbuf *m, const char *s)
{
    while (*s != '\0' && m->n + 1 < sizeof m->b) m->b[m->n++] = *s++;
    m->b[m->n] = '\0';
}

/* Certificate strings are attacker-controlled: only printable ASCII goes
 * into a log line. */
static void mb_bytes(msgbuf *m, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len && m->n + 1 < sizeof m->b; i++)
        m->b[m->n++] = (p[i] >= 0x20 && p[i] < 0x7F) ? (char)p[i] : '?';
    m->b[m->n] = '\0';
}

static void slog_(const slink_platform *plat, int level, const char *msg)
{
    if (plat != NULL && plat->log != NULL) plat->log(plat->log_ctx, level, msg);
}

static slink_err reject_(const slink_platform *plat, slink_err e, const char *reason)
{
    msgbuf m;
    m.n = 0;
    m.b[0] = '\0';
    mb_str(&m, "peer certificate rejected: ");
    mb_str(&m, reason);
    slog_(plat, SLINK_LOG_WARN, m.b);
    return e;
}
#define slog(plat, level, msg) slog_((plat), (level), (msg))
#define reject(plat, e, reason) reject_((plat), (e), (reason))
#else
/* No text: nothing is logged and a rejection is just its code. */
#define slog(plat, level, msg) ((void)(plat), (void)(msg))
#define reject(plat, e, reason) ((void)(plat), (void)(reason), (e))
#endif

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); pure, so no timegm and no platform time in the core.
 * 32-bit arithmetic: mbedTLS parses years of four digits at most, and a
 * 32-bit MCU then needs no 64-bit division routine. */
static int32_t days_from_civil(int32_t y, int32_t m, int32_t d)
{
    y -= (m <= 2) ? 1 : 0;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    int32_t yoe = y - era * 400;
    int32_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t x509_time_unix(const mbedtls_x509_time *t)
{
    return (int64_t)days_from_civil(t->year, t->mon, t->day) * 86400 +
           (int64_t)(t->hour * 3600 + t->min * 60 + t->sec);
}

/* ---- structural checks shared by creds_load and verify_peer ---- */

static int is_p256_key(const mbedtls_pk_context *pk)
{
    mbedtls_pk_type_t t = mbedtls_pk_get_type(pk);
    if (t != MBEDTLS_PK_ECKEY && t != MBEDTLS_PK_ECDSA) return 0;
    return mbedtls_pk_ec(*pk)->grp.id == MBEDTLS_ECP_DP_SECP256R1;
}

/* Reads one INTEGER leniently (as mbedTLS does), appends its minimal DER
 * encoding to enc and stores it big-endian in raw[32].  Zero, or more than
 * 32 magnitude bytes, is never a valid P-256 signature half. */
static int reencode_int(unsigned char **p, const unsigned char *end,
                        uint8_t *enc, size_t cap, size_t *n, uint8_t raw[32])
{
    size_t len;
    if (mbedtls_asn1_get_tag(p, end, &len, MBEDTLS_ASN1_INTEGER) != 0) return -1;
    const unsigned char *v = *p;
    *p += len;
    while (len > 0 && v[0] == 0x00) { v++; len--; }
    if (len == 0 || len > 32) return -1;
    size_t pad = (v[0] & 0x80u) ? 1u : 0u;
    if (*n + 2 + pad + len > cap) return -1;
    memset(raw, 0, 32 - len);
    memcpy(raw + 32 - len, v, len);
    enc[(*n)++] = MBEDTLS_ASN1_INTEGER;
    enc[(*n)++] = (uint8_t)(pad + len);
    if (pad) enc[(*n)++] = 0x00;
    memcpy(enc + *n, v, len);
    *n += len;
    return 0;
}

/* mbedTLS 2.28 accepts BER in ECDSA-Sig-Value (long-form lengths, padded
 * INTEGERs), which makes certificates malleable: the same certificate would
 * have several encodings and so several references.  Rebuild the one DER
 * encoding from r and s and require the bytes to be exactly that.  rs gets
 * r || s, the form slink_ecdsa_verify_hash takes.  Not inlined: the
 * re-encoding buffer would stay on the frame during the verification. */
static SLINK_NOINLINE int sig_is_canonical(const mbedtls_x509_crt *crt, uint8_t rs[SLINK_SIG_LEN])
{
    uint8_t enc[2 + 2 * (3 + 32)];
    size_t n = 2;
    size_t len;
    unsigned char *p = crt->sig.p;
    const unsigned char *end;
    if (p == NULL || crt->sig.len < 2) return 0;
    end = p + crt->sig.len;
    if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
        return 0;
    end = p + len;
    if (reencode_int(&p, end, enc, sizeof enc, &n, rs) != 0) return 0;
    if (reencode_int(&p, end, enc, sizeof enc, &n, rs + 32) != 0) return 0;
    if (p != end) return 0;
    enc[0] = MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE;
    enc[1] = (uint8_t)(n - 2);
    return n == crt->sig.len && memcmp(enc, crt->sig.p, n) == 0;
}

/* The CA of the trust list that signed crt, or NULL.  Chains are one
 * level deep (leaves are signed by the root; slink has no intermediates),
 * so this is the whole of X.509 path validation here: an issuer equal
 * byte-for-byte to the CA's subject, a CA allowed to sign certificates
 * (CA:TRUE, and keyCertSign when keyUsage is present) with a P-256 key,
 * and an ecdsa-with-SHA256 signature over the TBS that the key verifies.
 * Done directly rather than by mbedtls_x509_crt_verify, whose generic
 * public-key layer copies the CA key into a temporary ECDSA context: heap
 * and stack at the deepest point of a device's handshake. */
static const mbedtls_x509_crt *signed_by_ca(const mbedtls_x509_crt *ca, const mbedtls_x509_crt *crt,
                                            const uint8_t rs[SLINK_SIG_LEN])
{
    uint8_t hash[32];
    if (mbedtls_sha256_ret(crt->tbs.p, crt->tbs.len, hash, 0) != 0) return NULL;
    for (const mbedtls_x509_crt *i = ca; i != NULL && i->raw.len > 0; i = i->next) {
        if (i->subject_raw.len != crt->issuer_raw.len ||
            memcmp(i->subject_raw.p, crt->issuer_raw.p, crt->issuer_raw.len) != 0)
            continue;
        if (!i->ca_istrue || !is_p256_key(&i->pk) ||
            mbedtls_x509_crt_check_key_usage(i, MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0)
            continue;
        if (slink_ecdsa_verify_hash(mbedtls_pk_ec(i->pk), hash, rs) == SLINK_OK)
            return i;
    }
    return NULL;
}

/* Everything about a leaf that does not depend on time or on who it should
 * be.  *reason is a static string for logs and for creds_load's *why;
 * *issuer is the CA that signed it. */
static slink_err check_leaf(const mbedtls_x509_crt *ca, const mbedtls_x509_crt *crt,
                            const mbedtls_x509_crt **issuer, const char **reason)
{
    uint8_t rs[SLINK_SIG_LEN];
    if (!is_p256_key(&crt->pk)) {
        *reason = SLINK_TEXT("key is not EC P-256");
        return SLINK_ERR_CERT_KEY_TYPE;
    }
    if (crt->sig_pk != MBEDTLS_PK_ECDSA || crt->sig_md != MBEDTLS_MD_SHA256) {
        *reason = SLINK_TEXT("signature algorithm is not ecdsa-with-SHA256");
        return SLINK_ERR_CERT_KEY_TYPE;
    }
    if (!sig_is_canonical(crt, rs)) {
        *reason = SLINK_TEXT("signature is not canonical DER");
        return SLINK_ERR_CERT_ENCODING;
    }
    /* Dates are ours to judge (see check_dates). */
    *issuer = signed_by_ca(ca, crt, rs);
    if (*issuer == NULL) {
        *reason = SLINK_TEXT("not issued by the configured CA (or CA/chain outside the P-256/SHA-256 profile)");
        return SLINK_ERR_CERT_CHAIN;
    }
    if (crt->ca_istrue) {
        *reason = SLINK_TEXT("leaf certificate has basicConstraints CA:TRUE");
        return SLINK_ERR_CERT_CA_LEAF;
    }
    if (mbedtls_x509_crt_check_key_usage(crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0) {
        *reason = SLINK_TEXT("keyUsage present without digitalSignature");
        return SLINK_ERR_CERT_KEY_USAGE;
    }
    return SLINK_OK;
}

static slink_err check_dates(const slink_peer_policy *p, const slink_platform *plat,
                             const mbedtls_x509_crt *leaf, const mbedtls_x509_crt *ca)
{
    int64_t now = 0;
    int have_clock = 0;
    const mbedtls_x509_crt *certs[2];
    certs[0] = leaf;
    certs[1] = ca;

    if (p->time_mode == SLINK_TIME_IGNORE) {
        slog(plat, SLINK_LOG_WARN, "certificate dates not checked (time policy: ignore)");
        return SLINK_OK;
    }
    if (p->time_mode != SLINK_TIME_CLOCK_OR_FLOOR && p->time_mode != SLINK_TIME_CLOCK_REQUIRED)
        return reject(plat, SLINK_ERR_CONFIG, "unknown time policy");
    if (plat != NULL && plat->wall_time != NULL &&
        plat->wall_time(plat->wall_time_ctx, &now) == 0)
        have_clock = 1;

    if (have_clock) {
        for (int i = 0; i < 2; i++) {
            if (now < x509_time_unix(&certs[i]->valid_from))
                return reject(plat, SLINK_ERR_CERT_NOT_YET_VALID,
                              i == 0 ? "certificate not yet valid (clock is before notBefore)"
                                     : "CA certificate not yet valid (clock is before notBefore)");
            if (now > x509_time_unix(&certs[i]->valid_to))
                return reject(plat, SLINK_ERR_CERT_EXPIRED,
                              i == 0 ? "certificate expired (clock is after notAfter)"
                                     : "CA certificate expired (clock is after notAfter)");
        }
        return SLINK_OK;
    }
    if (p->time_mode == SLINK_TIME_CLOCK_REQUIRED)
        return reject(plat, SLINK_ERR_CERT_TIME_POLICY,
                      "time policy requires a wall clock and none is available");
    if (p->time_floor == 0)
        return reject(plat, SLINK_ERR_CERT_TIME_POLICY,
                      "no wall clock and no time floor configured: dates cannot be checked");
    for (int i = 0; i < 2; i++) {
        if (x509_time_unix(&certs[i]->valid_to) < p->time_floor)
            return reject(plat, SLINK_ERR_CERT_EXPIRED,
                          i == 0 ? "certificate expired before the time floor"
                                 : "CA certificate expired before the time floor");
    }
    slog(plat, SLINK_LOG_INFO,
         "no wall clock: certificate notAfter checked against the time floor, notBefore not checkable");
    return SLINK_OK;
}

static int buf_eq_str(const unsigned char *p, size_t len, const char *s)
{
    size_t n = strlen(s);
    return len == n && memcmp(p, s, n) == 0;
}

static slink_err check_name(const slink_peer_policy *p, const slink_platform *plat,
                            const mbedtls_x509_crt *crt)
{
    if (p->name[0] == '*' && p->name[1] == '\0') {
        slog(plat, SLINK_LOG_INFO,
             "peer identity not checked: policy name '*' accepts any CA-signed peer");
        return SLINK_OK;
    }
    for (const mbedtls_x509_name *n = &crt->subject; n != NULL; n = n->next) {
        if (n->oid.p != NULL && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 &&
            buf_eq_str(n->val.p, n->val.len, p->name))
            return SLINK_OK;
    }
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s != NULL; s = s->next) {
        if (s->buf.p != NULL &&
            s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME) &&
            buf_eq_str(s->buf.p, s->buf.len, p->name))
            return SLINK_OK;
    }
#if SLINK_CFG_LOG_TEXT
    char cn[64];
    msgbuf m;
    slink_cert_subject_cn(crt, cn, sizeof cn);
    m.n = 0;
    m.b[0] = '\0';
    mb_str(&m, "certificate name '");
    mb_str(&m, cn);
    mb_str(&m, "' does not match expected '");
    mb_bytes(&m, (const unsigned char *)p->name, strlen(p->name));
    mb_str(&m, "'");
    slog(plat, SLINK_LOG_WARN, m.b);
#endif
    return SLINK_ERR_CERT_NAME;
}

/* ---- public API ---- */

/* The checks of slink_cert_verify_peer into a caller's crt (no local
 * certificate on this frame: it sits on the handshake's deepest path).  The
 * certificate is parsed in place: crt refers to der. */
static slink_err verify_peer_into(const slink_creds *c, const slink_peer_policy *p,
                                  const slink_platform *plat,
                                  const uint8_t *der, size_t len, mbedtls_x509_crt *crt)
{
    const char *reason = "";
    const mbedtls_x509_crt *issuer = NULL;
    slink_err e;

    mbedtls_x509_crt_init(crt);
    /* Only the trust anchor is used, so a verifier without its own
     * credentials (slink-pki verify) may fill in c->ca alone. */
    if (c == NULL || p == NULL) return SLINK_ERR_ARG;
    if (c->ca.raw.len == 0) return reject(plat, SLINK_ERR_CONFIG, "no CA configured");
    if (p->name == NULL) return reject(plat, SLINK_ERR_CONFIG, "no peer name configured for this address");
    if (der == NULL || len == 0 || len > SLINK_CERT_MAX)
        return reject(plat, SLINK_ERR_CERT_PARSE, "empty or larger than SLINK_CERT_MAX");
    if (mbedtls_x509_crt_parse_der_nocopy(crt, der, len) != 0) {
        e = reject(plat, SLINK_ERR_CERT_PARSE, "not a DER X.509 certificate");
        goto fail;
    }
    /* mbedTLS stops at the end of the outer SEQUENCE and ignores what
     * follows; trailing bytes would give one certificate many references. */
    if (crt->raw.len != len) {
        e = reject(plat, SLINK_ERR_CERT_PARSE, "trailing bytes after the certificate");
        goto fail;
    }
    e = check_leaf(&c->ca, crt, &issuer, &reason);
    if (e != SLINK_OK) {
        (void)reject(plat, e, reason);
        goto fail;
    }
    e = check_dates(p, plat, crt, issuer);
    if (e != SLINK_OK) goto fail;
    e = check_name(p, plat, crt);
    if (e != SLINK_OK) goto fail;
    return SLINK_OK;
fail:
    mbedtls_x509_crt_free(crt);
    mbedtls_x509_crt_init(crt);
    return e;
}

static SLINK_NOINLINE slink_err verify_peer_local(const slink_creds *c,
                                                  const slink_peer_policy *p,
                                                  const slink_platform *plat,
                                                  const uint8_t *der, size_t len)
{
    mbedtls_x509_crt local;
    slink_err e = verify_peer_into(c, p, plat, der, len, &local);
    mbedtls_x509_crt_free(&local);
    return e;
}

slink_err slink_cert_verify_peer(const slink_creds *c, const slink_peer_policy *p,
                                 const slink_platform *plat,
                                 const uint8_t *der, size_t len,
                                 mbedtls_x509_crt *out)
{
    if (out != NULL)
        return verify_peer_into(c, p, plat, der, len, out);
    return verify_peer_local(c, p, plat, der, len);
}

slink_err slink_cert_ref(const uint8_t *der, size_t len, uint8_t ref[SLINK_CERT_REF_LEN])
{
    uint8_t h[32];
    if (der == NULL || len == 0 || ref == NULL) return SLINK_ERR_ARG;
    if (mbedtls_sha256_ret(der, len, h, 0) != 0) return SLINK_ERR_CRYPTO;
    memcpy(ref, h, SLINK_CERT_REF_LEN);
    return SLINK_OK;
}

void slink_cert_subject_cn(const mbedtls_x509_crt *crt, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0) return;
    buf[0] = '\0';
    if (crt == NULL) return;
    for (const mbedtls_x509_name *n = &crt->subject; n != NULL; n = n->next) {
        if (n->oid.p == NULL || MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) != 0) continue;
        size_t k = 0;
        for (size_t i = 0; i < n->val.len && k + 1 < cap; i++) {
            unsigned char ch = n->val.p[i];
            buf[k++] = (ch >= 0x20 && ch < 0x7F) ? (char)ch : '?';
        }
        buf[k] = '\0';
        return;
    }
}

/* Our private key belongs to our certificate: d*G equals the certificate's
 * public point.  mbedtls_pk_check_pair would multiply without an RNG, which
 * device builds (MBEDTLS_ECP_NO_INTERNAL_RNG, so that verifications, which
 * handle only public values, do not pay for blinding) would leave
 * unblinded; here the multiplication is blinded by an HMAC-DRBG seeded
 * from d, which is what mbedTLS's internal RNG does.  No session DRBG
 * exists yet when credentials load. */
static int key_matches_cert(const mbedtls_ecp_keypair *prv, const mbedtls_ecp_keypair *pub)
{
    mbedtls_hmac_drbg_context drbg;
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    uint8_t seed[32];
    int ok = 0;

    mbedtls_hmac_drbg_init(&drbg);
    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    if (prv->grp.id == MBEDTLS_ECP_DP_SECP256R1 && pub->grp.id == MBEDTLS_ECP_DP_SECP256R1 &&
        mbedtls_mpi_write_binary(&prv->d, seed, sizeof seed) == 0 &&
        mbedtls_hmac_drbg_seed_buf(&drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                                   seed, sizeof seed) == 0 &&
        mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
        mbedtls_ecp_mul(&grp, &q, &prv->d, &grp.G, mbedtls_hmac_drbg_random, &drbg) == 0)
        ok = mbedtls_ecp_point_cmp(&q, &pub->Q) == 0;
    mbedtls_platform_zeroize(seed, sizeof seed);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    mbedtls_hmac_drbg_free(&drbg);
    return ok;
}

static slink_err load_fail_(slink_creds *c, const char **why, const char *reason)
{
#if !SLINK_CFG_LOG_TEXT
    (void)reason;
    reason = "credentials rejected (built without SLINK_CFG_LOG_TEXT: no reason text)";
#endif
    if (why != NULL) *why = reason;
    slink_creds_free(c);
    return SLINK_ERR_CONFIG;
}
#define load_fail(c, why, reason) load_fail_((c), (why), SLINK_TEXT(reason))

/* in_place: DER certificates parsed where they lie (slink_creds_load_static). */
static slink_err creds_load(slink_creds *c,
                            const uint8_t *ca, size_t ca_len,
                            const uint8_t *cert, size_t cert_len,
                            const uint8_t *key, size_t key_len,
                            int in_place, const char **why)
{
    const char *reason = "";
    const mbedtls_x509_crt *issuer = NULL;
    if (why != NULL) *why = NULL;
    if (c == NULL) return SLINK_ERR_ARG;
    memset(c, 0, sizeof *c);
    mbedtls_x509_crt_init(&c->ca);
    mbedtls_x509_crt_init(&c->cert);
    mbedtls_pk_init(&c->key);
    if (ca == NULL || cert == NULL || key == NULL || ca_len == 0 || cert_len == 0 || key_len == 0)
        return load_fail(c, why, "missing CA, certificate or key");

    if ((in_place ? mbedtls_x509_crt_parse_der_nocopy(&c->ca, ca, ca_len)
                  : mbedtls_x509_crt_parse(&c->ca, ca, ca_len)) != 0)
        return load_fail(c, why, "CA certificate does not parse (PEM with NUL, or DER)");
    for (const mbedtls_x509_crt *i = &c->ca; i != NULL && i->raw.len > 0; i = i->next) {
        if (!i->ca_istrue) return load_fail(c, why, "CA certificate lacks basicConstraints CA:TRUE");
        if (!is_p256_key(&i->pk)) return load_fail(c, why, "CA key is not EC P-256");
    }

    if ((in_place ? mbedtls_x509_crt_parse_der_nocopy(&c->cert, cert, cert_len)
                  : mbedtls_x509_crt_parse(&c->cert, cert, cert_len)) != 0)
        return load_fail(c, why, "own certificate does not parse (PEM with NUL, or DER)");
    if (c->cert.next != NULL) return load_fail(c, why, "own certificate input holds more than one certificate");
    if (c->cert.raw.len > SLINK_CERT_MAX)
        return load_fail(c, why, "own certificate larger than SLINK_CERT_MAX");

    if (mbedtls_pk_parse_key(&c->key, key, key_len, NULL, 0) != 0)
        return load_fail(c, why, "private key does not parse (PEM with NUL, or DER; unencrypted)");
    if (!is_p256_key(&c->key)) return load_fail(c, why, "private key is not EC P-256");
    if (!is_p256_key(&c->cert.pk)) return load_fail(c, why, "own certificate key is not EC P-256");
    if (!key_matches_cert(mbedtls_pk_ec(c->key), mbedtls_pk_ec(c->cert.pk)))
        return load_fail(c, why, "private key does not match own certificate");

    /* Our own certificate must pass what peers will check (dates aside:
     * there is no platform here). */
    slink_err e = check_leaf(&c->ca, &c->cert, &issuer, &reason);
    if (e != SLINK_OK) {
        switch (e) {
        case SLINK_ERR_CERT_CHAIN: return load_fail(c, why, "own certificate does not verify against the CA");
        case SLINK_ERR_CERT_CA_LEAF: return load_fail(c, why, "own certificate is a CA certificate");
        case SLINK_ERR_CERT_KEY_USAGE: return load_fail(c, why, "own certificate keyUsage lacks digitalSignature");
        case SLINK_ERR_CERT_ENCODING: return load_fail(c, why, "own certificate signature is not canonical DER");
        default: return load_fail(c, why, "own certificate is not ECDSA P-256 with SHA-256");
        }
    }
    if (slink_cert_ref(c->cert.raw.p, c->cert.raw.len, c->cert_ref) != SLINK_OK)
        return load_fail(c, why, "cannot hash own certificate");
    if (in_place) {
        /* Checked above and never needed again: the handshake sends our
         * certificate's DER and signs with the private scalar alone. */
        mbedtls_pk_free(&c->cert.pk);
        mbedtls_ecp_point_free(&mbedtls_pk_ec(c->key)->Q);
    }
    c->loaded = 1;
    return SLINK_OK;
}

slink_err slink_creds_load(slink_creds *c,
                           const uint8_t *ca, size_t ca_len,
                           const uint8_t *cert, size_t cert_len,
                           const uint8_t *key, size_t key_len,
                           const char **why)
{
    return creds_load(c, ca, ca_len, cert, cert_len, key, key_len, 0, why);
}

slink_err slink_creds_load_static(slink_creds *c,
                                  const uint8_t *ca, size_t ca_len,
                                  const uint8_t *cert, size_t cert_len,
                                  const uint8_t *key, size_t key_len,
                                  const char **why)
{
    return creds_load(c, ca, ca_len, cert, cert_len, key, key_len, 1, why);
}

void slink_creds_free(slink_creds *c)
{
    if (c == NULL) return;
    mbedtls_x509_crt_free(&c->ca);
    mbedtls_x509_crt_free(&c->cert);
    mbedtls_pk_free(&c->key);
    mbedtls_platform_zeroize(c, sizeof *c);
}

/* Certificate policy: the only place that decides whether a peer
 * certificate is trusted (include/slink/cert.h, docs/PKI.md).
 *
 * src/cert/crt.c decodes certificates (strict DER, slink's profile); this file
 * checks the one-level chain (see signed_by_ca), CA:FALSE leaves, key
 * usage, dates against the injected wall clock (firmware has no
 * MBEDTLS_HAVE_TIME_DATE and there is no trusting mbedTLS's idea of time)
 * and the identity bound to a bus address. */
#include "slink/cert.h"
#include "slink/crypto.h"
#include "../cc.h"
#include "cert_cache.h"

#include <string.h>
#if SLINK_CFG_CREDS_COPY
#include "pem.h"
#endif

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

static void mb_hex(msgbuf *m, const uint8_t *p, size_t len)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < len && m->n + 2 < sizeof m->b; i++) {
        m->b[m->n++] = hx[p[i] >> 4];
        m->b[m->n++] = hx[p[i] & 15u];
    }
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

/* Chains are one level deep (leaves are signed by the root; slink has no
 * intermediates), so this is the whole of X.509 path validation here: an
 * issuer equal byte-for-byte to the CA's subject, a CA allowed to sign
 * certificates (CA:TRUE, and keyCertSign when keyUsage is present), and an
 * ecdsa-with-SHA256 signature over the TBS that the CA's key verifies. */
/* Not inlined: its buffers then stay off slink_cert_verify_peer's frame,
 * which the ECDSA verification below would otherwise run under. */
static SLINK_NOINLINE int signed_by_ca(const slink_crt *ca, const slink_crt *crt,
                                       slink_cert_cache *cc)
{
    uint8_t hash[32];
    uint8_t rs[SLINK_SIG_LEN];
    uint8_t key[SLINK_CERT_FP_LEN];
    int keyed = 0, ok;
    if (ca->issuer.p == NULL || ca->subject.len != crt->issuer.len ||
        memcmp(ca->subject.p, crt->issuer.p, crt->issuer.len) != 0)
        return 0;
    if (!ca->is_ca || (ca->has_key_usage && !(ca->key_usage & SLINK_KU_KEY_CERT_SIGN)))
        return 0;
    /* Only the signature itself is remembered: the checks above and every
     * check of the caller run on each handshake (include/slink/cert.h). */
    if (cc != NULL) {
        keyed = slink_cert_cache_key(ca, crt, key) == SLINK_OK;
        if (keyed && slink_cert_cache_has(cc, key)) {
            cc->hits++;
            return 1;
        }
        cc->misses++;
    }
    if (slink_crt_sig_rs(crt, rs) != SLINK_OK ||
        slink_sha256(crt->tbs.p, crt->tbs.len, hash) != SLINK_OK)
        return 0;
    ok = slink_ecdsa_verify_hash(ca->pub, hash, rs) == SLINK_OK;
    if (ok && keyed) slink_cert_cache_add(cc, key);
    return ok;
}

/* Everything about a leaf that does not depend on time or on who it should
 * be.  *reason is a static string for logs and for creds_load's *why. */
static slink_err check_leaf(const slink_crt *ca, const slink_crt *crt, slink_cert_cache *cc,
                            const char **reason)
{
    if (!signed_by_ca(ca, crt, cc)) {
        *reason = SLINK_TEXT("not issued by the configured CA (or CA outside the P-256/SHA-256 profile)");
        return SLINK_ERR_CERT_CHAIN;
    }
    if (crt->is_ca) {
        *reason = SLINK_TEXT("leaf certificate has basicConstraints CA:TRUE");
        return SLINK_ERR_CERT_CA_LEAF;
    }
    if (crt->has_key_usage && !(crt->key_usage & SLINK_KU_DIGITAL_SIGNATURE)) {
        *reason = SLINK_TEXT("keyUsage present without digitalSignature");
        return SLINK_ERR_CERT_KEY_USAGE;
    }
    return SLINK_OK;
}

/* Why slink_crt_parse refused a certificate, for logs and *why. */
static const char *parse_reason(slink_err e)
{
    switch (e) {
    case SLINK_ERR_CERT_KEY_TYPE: return SLINK_TEXT("not ECDSA P-256 with SHA-256");
    case SLINK_ERR_CERT_ENCODING: return SLINK_TEXT("signature is not canonical DER");
    default: return SLINK_TEXT("not a DER X.509 certificate of the slink profile");
    }
}

static slink_err check_dates(const slink_peer_policy *p, const slink_platform *plat,
                             const slink_crt *leaf, const slink_crt *ca)
{
    int64_t now = 0;
    int have_clock = 0;
    const slink_crt *certs[2];
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
            if (now < certs[i]->not_before)
                return reject(plat, SLINK_ERR_CERT_NOT_YET_VALID,
                              i == 0 ? "certificate not yet valid (clock is before notBefore)"
                                     : "CA certificate not yet valid (clock is before notBefore)");
            if (now > certs[i]->not_after)
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
        if (certs[i]->not_after < p->time_floor)
            return reject(plat, SLINK_ERR_CERT_EXPIRED,
                          i == 0 ? "certificate expired before the time floor"
                                 : "CA certificate expired before the time floor");
    }
    slog(plat, SLINK_LOG_INFO,
         "no wall clock: certificate notAfter checked against the time floor, notBefore not checkable");
    return SLINK_OK;
}

/* check_name and twin_fingerprint are not inlined: their buffers (a CN
 * copy, a re-encoded signature) would sit in slink_cert_verify_peer's
 * frame while the CA signature is verified beneath it, the device's
 * deepest stack path. */
static SLINK_NOINLINE slink_err check_name(const slink_peer_policy *p, const slink_platform *plat,
                                          const slink_crt *crt)
{
    if (p->name[0] == '*' && p->name[1] == '\0') {
        slog(plat, SLINK_LOG_INFO,
             "peer identity not checked: policy name '*' accepts any CA-signed peer");
        return SLINK_OK;
    }
    if (slink_crt_has_name(crt, p->name)) return SLINK_OK;
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

/* Revocation and pinning name one exact certificate by the SHA-256 of its
 * DER (the decoder admits one DER encoding of the signed part; see
 * docs/PKI.md §3.1 on what the hash does and does not pin down).  Hashes of
 * certificates are public, but the compare is constant-time anyway. */
static int fp_eq(const uint8_t *a, const uint8_t *b)
{
    return slink_ct_equal(a, b, SLINK_CERT_FP_LEN);
}

#if SLINK_CFG_LOG_TEXT
static void fp_log(const slink_platform *plat, const char *what, const uint8_t fp[SLINK_CERT_FP_LEN],
                   const char *tail)
{
    msgbuf m;
    m.n = 0;
    m.b[0] = '\0';
    mb_str(&m, "peer certificate rejected: ");
    mb_str(&m, what);
    mb_str(&m, " sha256:");
    mb_hex(&m, fp, SLINK_CERT_FP_LEN);
    mb_str(&m, tail);
    slog_(plat, SLINK_LOG_WARN, m.b);
}
#else
#define fp_log(plat, what, fp, tail) ((void)(plat), (void)(fp))
#endif

/* A non-negative 32-byte big-endian value as a minimal DER INTEGER at
 * out (35 bytes at most); returns its length. */
static size_t put_int(uint8_t *out, const uint8_t v[32])
{
    size_t i = 0, pad;
    while (i < 31 && v[i] == 0) i++;
    pad = v[i] >> 7;                                    /* a sign byte */
    out[0] = 0x02;
    out[1] = (uint8_t)(pad + 32 - i);
    out[2] = 0;
    memcpy(out + 2 + pad, v + i, 32 - i);
    return 2 + pad + 32 - i;
}

/* ECDSA signatures are malleable: (r, s) and (r, n - s) verify alike, so
 * anyone holding a certificate can make its twin, the same signed content
 * with the other s, whose DER and SHA-256 differ (the decoder cannot
 * refuse one of the two: openssl signs with either).  Revocation and
 * pinning compare the twin's fingerprint as well, so neither can be
 * dodged that way.  The twin is hashed in three pieces, with no copy of
 * the certificate: its SEQUENCE header, the TBS and algorithm as they
 * are, and a new BIT STRING { 0, SEQ { r, n - s } }.  Returns 0 with the
 * fingerprint, -1 when s is not in 1..n-1 (no twin: such a signature does
 * not verify anyway). */
static SLINK_NOINLINE int twin_fingerprint(const slink_crt *crt, uint8_t fp[SLINK_CERT_FP_LEN])
{
    uint8_t rs[SLINK_SIG_LEN], tail[5 + 2 * 35], hdr[4];
    const uint8_t *bits;
    size_t t, body, h = 0;
    unsigned borrow = 0;
    slink_cbuf part[3];

    /* s must be in 1..n-1; then s becomes n - s */
    if (slink_crt_sig_rs(crt, rs) != SLINK_OK || !slink_p256_scalar_ok(rs + 32)) return -1;
    for (int i = 31; i >= 0; i--) {
        unsigned d = (unsigned)slink_p256_n[i] - rs[32 + i] - borrow;
        rs[32 + i] = (uint8_t)d;
        borrow = (d >> 8) & 1u;
    }
    t = 5;
    t += put_int(tail + t, rs);
    t += put_int(tail + t, rs + 32);
    /* at most 75 bytes: short lengths */
    tail[0] = 0x03;
    tail[1] = (uint8_t)(t - 2);
    tail[2] = 0x00;
    tail[3] = 0x30;
    tail[4] = (uint8_t)(t - 5);
    /* the BIT STRING's tag, length and unused-bits byte sit right before
     * the canonical signature (its length is short: at most 73) */
    bits = crt->sig.p - 3;
    if (bits < crt->tbs.p + crt->tbs.len || bits[0] != 0x03u) return -1;
    body = (size_t)(bits - crt->tbs.p) + t;
    hdr[h++] = 0x30;
    if (body >= 256) {
        hdr[h++] = 0x82;
        hdr[h++] = (uint8_t)(body >> 8);
    } else if (body >= 128) {
        hdr[h++] = 0x81;
    }
    hdr[h++] = (uint8_t)body;
    part[0].p = hdr;        part[0].n = h;
    part[1].p = crt->tbs.p; part[1].n = (size_t)(bits - crt->tbs.p);
    part[2].p = tail;       part[2].n = t;
    return slink_sha256_v(part, 3, fp) == SLINK_OK ? 0 : -1;
}

/* fp: the certificate as presented; twin: its other encoding (NULL when
 * it has none). */
static slink_err check_denied(const slink_peer_policy *p, const slink_platform *plat,
                              const uint8_t fp[SLINK_CERT_FP_LEN], const uint8_t *twin)
{
    int hit = 0, hit_twin = 0;
    if (p->deny_count == 0) return SLINK_OK;
    if (p->deny == NULL) return reject(plat, SLINK_ERR_CONFIG, "deny-list count without a list");
    /* every entry is compared: the time does not depend on which one hits */
    for (size_t i = 0; i < p->deny_count; i++) {
        hit |= fp_eq(fp, p->deny[i]);
        if (twin != NULL) hit_twin |= fp_eq(twin, p->deny[i]);
    }
    if (hit) {
        fp_log(plat, "revoked:", fp, " is on the deny-list");
    } else if (hit_twin) {
        fp_log(plat, "revoked:", twin,
               " is on the deny-list (its twin with the other ECDSA s)");
    } else {
        return SLINK_OK;
    }
    return SLINK_ERR_CERT_REVOKED;
}

static slink_err check_pin(const slink_peer_policy *p, const slink_platform *plat,
                           const uint8_t fp[SLINK_CERT_FP_LEN], const uint8_t *twin)
{
    if (p->pin == NULL || fp_eq(fp, p->pin) || (twin != NULL && fp_eq(twin, p->pin)))
        return SLINK_OK;
    fp_log(plat, "not the pinned certificate:", fp, " (pin set for this address)");
    return SLINK_ERR_CERT_PIN;
}

/* ---- public API ---- */

slink_err slink_cert_verify_peer(const slink_creds *c, const slink_peer_policy *p,
                                 const slink_platform *plat,
                                 const uint8_t *der, size_t len,
                                 slink_crt *out)
{
    const char *reason = "";
    uint8_t fp[SLINK_CERT_FP_LEN] = { 0 }, fp2[SLINK_CERT_FP_LEN];
    const uint8_t *twin = NULL;
    slink_crt local;
    slink_crt *crt = out != NULL ? out : &local;
    slink_err e;

    memset(crt, 0, sizeof *crt);
    /* Only the trust anchor is used, so a verifier without its own
     * credentials (slink-pki verify) may load the anchor alone. */
    if (c == NULL || p == NULL) return SLINK_ERR_ARG;
    if (c->ca.raw.len == 0) return reject(plat, SLINK_ERR_CONFIG, "no CA configured");
    if (p->name == NULL) return reject(plat, SLINK_ERR_CONFIG, "no peer name configured for this address");
    if (der == NULL || len == 0 || len > SLINK_CERT_MAX)
        return reject(plat, SLINK_ERR_CERT_PARSE, "empty or larger than SLINK_CERT_MAX");
    e = slink_crt_parse(crt, der, len);
    if (e != SLINK_OK) return reject(plat, e, parse_reason(e));
    /* The deny-list first: a revoked certificate is refused as revoked,
     * whatever else may be wrong with it, and before the CA signature
     * costs a verification. */
    if (p->deny_count > 0 || p->pin != NULL) {
        /* A build without them must refuse the rules, not skip them. */
        if (!SLINK_CFG_CERT_FP_RULES)
            return reject(plat, SLINK_ERR_CONFIG, "deny-list or pin set in a build without them");
        e = slink_cert_fingerprint(der, len, fp);
        if (e == SLINK_OK && twin_fingerprint(crt, fp2) == 0) twin = fp2;
    }
    /* SLINK_CFG_CERT_FP_RULES 0: neither check is linked; nothing is set
     * for them to check (above). */
    if (e == SLINK_OK && SLINK_CFG_CERT_FP_RULES) e = check_denied(p, plat, fp, twin);
    if (e == SLINK_OK) {
        e = check_leaf(&c->ca, crt, p->cache, &reason);
        if (e != SLINK_OK) (void)reject(plat, e, reason);
    }
    if (e == SLINK_OK) e = check_dates(p, plat, crt, &c->ca);
    if (e == SLINK_OK) e = check_name(p, plat, crt);
    if (e == SLINK_OK && SLINK_CFG_CERT_FP_RULES) e = check_pin(p, plat, fp, twin);
    if (e != SLINK_OK) memset(crt, 0, sizeof *crt);
    return e;
}

slink_err slink_cert_fingerprint(const uint8_t *der, size_t len, uint8_t fp[SLINK_CERT_FP_LEN])
{
    if (der == NULL || len == 0 || fp == NULL) return SLINK_ERR_ARG;
    return slink_sha256(der, len, fp);
}

slink_err slink_cert_ref(const uint8_t *der, size_t len, uint8_t ref[SLINK_CERT_REF_LEN])
{
    uint8_t h[32];
    if (der == NULL || len == 0 || ref == NULL) return SLINK_ERR_ARG;
    if (slink_sha256(der, len, h) != SLINK_OK) return SLINK_ERR_CRYPTO;
    memcpy(ref, h, SLINK_CERT_REF_LEN);
    return SLINK_OK;
}

void slink_cert_subject_cn(const slink_crt *crt, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0) return;
    buf[0] = '\0';
    if (crt == NULL || crt->cn.p == NULL) return;
    size_t k = 0;
    for (size_t i = 0; i < crt->cn.len && k + 1 < cap; i++) {
        uint8_t ch = crt->cn.p[i];
        buf[k++] = (ch >= 0x20 && ch < 0x7F) ? (char)ch : '?';
    }
    buf[k] = '\0';
}

/* A key behind a handle belongs to our certificate if it signs for it: one
 * signature over a digest bound to this check and this certificate,
 * verified with the certificate's key. */
static int signer_matches_cert(const slink_signer *s, const slink_crt *cert)
{
    static const uint8_t label[] = "slink1 credential check";
    uint8_t h[32], sig[SLINK_SIG_LEN];
    slink_cbuf in[2];
    int ok;

    in[0].p = label;
    in[0].n = sizeof label - 1u;
    in[1].p = cert->raw.p;
    in[1].n = cert->raw.len;
    ok = slink_sha256_v(in, 2, h) == SLINK_OK &&
         slink_sign_hash(s, h, sig, NULL) == SLINK_OK &&
         slink_ecdsa_verify_hash(cert->pub, h, sig) == SLINK_OK;
    slink_memzero(sig, sizeof sig);
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

static slink_err ca_check(const slink_crt *ca, const char **reason)
{
    if (!ca->is_ca) {
        *reason = SLINK_TEXT("CA certificate lacks basicConstraints CA:TRUE");
        return SLINK_ERR_CONFIG;
    }
    return SLINK_OK;
}

/* How a key's bytes become its scalar: slink_crt_parse_key for SEC 1 or
 * PKCS#8 DER, key_scalar for the raw scalar.  Passed in, so that an image
 * that loads its key one way links only that decoder. */
typedef slink_err (*key_decode_fn)(const uint8_t *key, size_t len, uint8_t d[32]);

static slink_err key_scalar(const uint8_t *key, size_t len, uint8_t d[32])
{
    if (len != 32) return SLINK_ERR_CERT_PARSE;
    memcpy(d, key, 32);
    return SLINK_OK;
}

/* ca and cert are DER that outlives c; key may be temporary.  Exactly one
 * of key (decoded by decode) and signer is given. */
static slink_err creds_load_der(slink_creds *c,
                                const uint8_t *ca, size_t ca_len,
                                const uint8_t *cert, size_t cert_len,
                                const uint8_t *key, size_t key_len, key_decode_fn decode,
                                const slink_signer *signer, const char **why)
{
    const char *reason = "";
    uint8_t d[32];
    slink_err e;

    if (ca == NULL || cert == NULL || ca_len == 0 || cert_len == 0 ||
        (signer == NULL && (key == NULL || key_len == 0)) ||
        (signer != NULL && signer->sign_hash == NULL))
        return load_fail(c, why, "missing CA, certificate or key");
    e = slink_crt_parse(&c->ca, ca, ca_len);
    if (e == SLINK_ERR_CERT_KEY_TYPE) return load_fail(c, why, "CA key is not EC P-256 or not signed with ecdsa-with-SHA256");
    if (e != SLINK_OK)
        return load_fail(c, why, "CA certificate is not one DER X.509 certificate of the slink profile (ECDSA P-256)");
    if (ca_check(&c->ca, &reason) != SLINK_OK) return load_fail_(c, why, reason);
    if (cert_len > SLINK_CERT_MAX)
        return load_fail(c, why, "own certificate larger than SLINK_CERT_MAX");
    e = slink_crt_parse(&c->cert, cert, cert_len);
    if (e == SLINK_ERR_CERT_KEY_TYPE) return load_fail(c, why, "own certificate is not ECDSA P-256 with SHA-256");
    if (e == SLINK_ERR_CERT_ENCODING) return load_fail(c, why, "own certificate signature is not canonical DER");
    if (e != SLINK_OK)
        return load_fail(c, why, "own certificate is not one DER X.509 certificate of the slink profile (ECDSA P-256)");
    if (signer != NULL) {
        c->signer = *signer;
    } else {
        e = decode(key, key_len, d);
        if (e == SLINK_OK)
            e = slink_soft_key_set(&c->soft, d);
        slink_memzero(d, sizeof d);
        if (e == SLINK_ERR_CERT_KEY_TYPE) return load_fail(c, why, "private key is not EC P-256");
        if (e != SLINK_OK)
            return load_fail(c, why, "private key does not parse (SEC 1 or PKCS#8, unencrypted)");
        /* points into c: a loaded slink_creds is never copied */
        c->signer = slink_soft_key_signer(&c->soft);
    }
    if (!signer_matches_cert(&c->signer, &c->cert))
        return load_fail(c, why, signer != NULL
                         ? "key behind the signer does not sign for own certificate (or cannot sign)"
                         : "private key does not match own certificate");

    /* Our own certificate must pass what peers will check (dates aside:
     * there is no platform here). */
    e = check_leaf(&c->ca, &c->cert, NULL, &reason);
    if (e != SLINK_OK) {
        switch (e) {
        case SLINK_ERR_CERT_CHAIN: return load_fail(c, why, "own certificate does not verify against the CA");
        case SLINK_ERR_CERT_CA_LEAF: return load_fail(c, why, "own certificate is a CA certificate");
        default: return load_fail(c, why, "own certificate keyUsage lacks digitalSignature");
        }
    }
    if (slink_cert_ref(cert, cert_len, c->cert_ref) != SLINK_OK)
        return load_fail(c, why, "cannot hash own certificate");
    c->loaded = 1;
    return SLINK_OK;
}

slink_err slink_creds_load_static(slink_creds *c,
                                  const uint8_t *ca, size_t ca_len,
                                  const uint8_t *cert, size_t cert_len,
                                  const uint8_t *key, size_t key_len,
                                  const char **why)
{
    if (why != NULL) *why = NULL;
    if (c == NULL) return SLINK_ERR_ARG;
    memset(c, 0, sizeof *c);
    return creds_load_der(c, ca, ca_len, cert, cert_len, key, key_len, slink_crt_parse_key, NULL, why);
}

slink_err slink_creds_load_static_scalar(slink_creds *c,
                                         const uint8_t *ca, size_t ca_len,
                                         const uint8_t *cert, size_t cert_len,
                                         const uint8_t d[32], const char **why)
{
    if (why != NULL) *why = NULL;
    if (c == NULL) return SLINK_ERR_ARG;
    memset(c, 0, sizeof *c);
    return creds_load_der(c, ca, ca_len, cert, cert_len, d, d != NULL ? 32u : 0u, key_scalar, NULL, why);
}

slink_err slink_creds_load_static_signer(slink_creds *c,
                                         const uint8_t *ca, size_t ca_len,
                                         const uint8_t *cert, size_t cert_len,
                                         const slink_signer *signer, const char **why)
{
    if (why != NULL) *why = NULL;
    if (c == NULL) return SLINK_ERR_ARG;
    memset(c, 0, sizeof *c);
    if (signer == NULL) return load_fail(c, why, "missing CA, certificate or key");
    return creds_load_der(c, ca, ca_len, cert, cert_len, NULL, 0, NULL, signer, why);
}

#if SLINK_CFG_CREDS_COPY
/* PEM (one block with one of the labels, the terminating NUL counted in
 * len, as slink has always taken it) or DER into dst (len > 0).  Returns 0 and the
 * DER length in *n, -1 if it does not decode or fit, -2 if the PEM input
 * holds two blocks with that label. */
static int to_der(const uint8_t *in, size_t len, const char *const labels[2],
                  uint8_t *dst, size_t cap, size_t *n)
{
    static const char begin[] = "-----BEGIN ";
    /* PEM as slink has always taken it (mbedTLS's convention):
     * NUL-terminated, the block anywhere in the text */
    if (in[len - 1] != '\0' || strstr((const char *)in, begin) == NULL) {
        if (len > cap) return -1;
        memcpy(dst, in, len);
        *n = len;
        return 0;
    }
    for (int i = 0; i < 2 && labels[i] != NULL; i++) {
        char hdr[48], ftr[48];
        size_t used = 0, l = strlen(labels[i]);
        int r = -1;
        if (l + 17 > sizeof hdr) continue;
        memcpy(hdr, begin, 11);
        memcpy(hdr + 11, labels[i], l);
        memcpy(hdr + 11 + l, "-----", 6);
        memcpy(ftr, "-----END ", 9);
        memcpy(ftr + 9, labels[i], l);
        memcpy(ftr + 9 + l, "-----", 6);
        if (slink_pem_decode((const char *)in, hdr, ftr, dst, cap, n, &used) == 0) {
            /* a second block of the same kind is ambiguous; other blocks
             * (a key beside the certificate, EC PARAMETERS) are not read */
            r = 0;
            if (used < len && strstr((const char *)in + used, hdr) != NULL) {
                slink_memzero(dst, cap);
                r = -2;
            }
        }
        if (r != -1) return r;
    }
    return -1;
}

static const char *const CERT_LABELS[2] = { "CERTIFICATE", NULL };
static const char *const KEY_LABELS[2] = { "EC PRIVATE KEY", "PRIVATE KEY" };

slink_err slink_creds_load(slink_creds *c,
                           const uint8_t *ca, size_t ca_len,
                           const uint8_t *cert, size_t cert_len,
                           const uint8_t *key, size_t key_len,
                           const char **why)
{
    uint8_t kder[256];
    size_t can = 0, certn = 0, keyn = 0;
    slink_err e;
    int r;

    if (why != NULL) *why = NULL;
    if (c == NULL) return SLINK_ERR_ARG;
    memset(c, 0, sizeof *c);
    if (ca == NULL || cert == NULL || key == NULL || ca_len == 0 || cert_len == 0 || key_len == 0)
        return load_fail(c, why, "missing CA, certificate or key");
    r = to_der(ca, ca_len, CERT_LABELS, c->ca_der, sizeof c->ca_der, &can);
    if (r == -2) return load_fail(c, why, "CA input holds more than one certificate (slink trusts one root)");
    if (r != 0) return load_fail(c, why, "CA certificate does not decode (PEM with NUL, or DER, at most SLINK_CERT_MAX bytes)");
    r = to_der(cert, cert_len, CERT_LABELS, c->cert_der, sizeof c->cert_der, &certn);
    if (r == -2) return load_fail(c, why, "own certificate input holds more than one certificate");
    if (r != 0) return load_fail(c, why, "own certificate does not decode (PEM with NUL, or DER) or is larger than SLINK_CERT_MAX");
    r = to_der(key, key_len, KEY_LABELS, kder, sizeof kder, &keyn);
    if (r != 0) {
        slink_memzero(kder, sizeof kder);
        return load_fail(c, why, "private key does not parse (PEM with NUL, or DER; SEC 1 or PKCS#8, unencrypted)");
    }
    e = creds_load_der(c, c->ca_der, can, c->cert_der, certn, kder, keyn, slink_crt_parse_key, NULL, why);
    slink_memzero(kder, sizeof kder);
    return e;
}

slink_err slink_creds_load_signer(slink_creds *c,
                                  const uint8_t *ca, size_t ca_len,
                                  const uint8_t *cert, size_t cert_len,
                                  const slink_signer *signer, const char **why)
{
    size_t can = 0, certn = 0;
    int r;

    if (why != NULL) *why = NULL;
    if (c == NULL) return SLINK_ERR_ARG;
    memset(c, 0, sizeof *c);
    if (ca == NULL || cert == NULL || signer == NULL || ca_len == 0 || cert_len == 0)
        return load_fail(c, why, "missing CA, certificate or key");
    r = to_der(ca, ca_len, CERT_LABELS, c->ca_der, sizeof c->ca_der, &can);
    if (r == -2) return load_fail(c, why, "CA input holds more than one certificate (slink trusts one root)");
    if (r != 0) return load_fail(c, why, "CA certificate does not decode (PEM with NUL, or DER, at most SLINK_CERT_MAX bytes)");
    r = to_der(cert, cert_len, CERT_LABELS, c->cert_der, sizeof c->cert_der, &certn);
    if (r == -2) return load_fail(c, why, "own certificate input holds more than one certificate");
    if (r != 0) return load_fail(c, why, "own certificate does not decode (PEM with NUL, or DER) or is larger than SLINK_CERT_MAX");
    return creds_load_der(c, c->ca_der, can, c->cert_der, certn, NULL, 0, NULL, signer, why);
}

slink_err slink_creds_set_ca(slink_creds *c, const uint8_t *ca, size_t ca_len, const char **why)
{
    const char *reason = "";
    size_t n = 0;
    int r;
    if (why != NULL) *why = NULL;
    if (c == NULL) return SLINK_ERR_ARG;
    memset(&c->ca, 0, sizeof c->ca);
    if (ca == NULL || ca_len == 0) return load_fail(c, why, "missing CA");
    r = to_der(ca, ca_len, CERT_LABELS, c->ca_der, sizeof c->ca_der, &n);
    if (r == -2) return load_fail(c, why, "CA input holds more than one certificate (slink trusts one root)");
    if (r != 0) return load_fail(c, why, "CA certificate does not decode (PEM with NUL, or DER, at most SLINK_CERT_MAX bytes)");
    if (slink_crt_parse(&c->ca, c->ca_der, n) != SLINK_OK)
        return load_fail(c, why, "CA certificate is not one DER X.509 certificate of the slink profile (ECDSA P-256)");
    if (ca_check(&c->ca, &reason) != SLINK_OK) return load_fail_(c, why, reason);
    return SLINK_OK;
}
#endif

void slink_creds_free(slink_creds *c)
{
    if (c == NULL) return;
    slink_memzero(c, sizeof *c);
}

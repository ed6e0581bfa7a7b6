/* The three-message SIGMA-I handshake (docs/PROTOCOL.md §4).  Each message's
 * writer and reader sit side by side:
 *
 *   initiator                              responder
 *   hs_write_msg1  ---- msg1 (clear) ---->  hs_read_msg1
 *   hs_read_msg2   <--- msg2 (clear|AEAD) - hs_write_msg2
 *   hs_write_msg3  ---- msg3 (AEAD) ----->  hs_read_msg3
 *
 * Layouts are in hs_msg.c, derivations in keysched.c; this file holds the
 * state machine and the decisions (what is a drop, what is fatal). */
#include "slink/handshake.h"
#include <string.h>
#include "hs_driver.h"
#include "hs_msg.h"
#include "keysched.h"
#include "../cc.h"

#if HS_PLAIN_MAX != SLINK_HS_PLAIN_MAX
#error "SLINK_HS_PLAIN_MAX (slink/handshake.h) must equal HS_PLAIN_MAX (hs_msg.h)"
#endif

/* ---- helpers ------------------------------------------------------------ */

#if SLINK_CFG_LOG_TEXT
static size_t str_append(char *buf, size_t cap, size_t at, const char *s)
{
    while (*s != '\0' && at + 1 < cap)
        buf[at++] = *s++;
    buf[at] = '\0';
    return at;
}

/* Reason and error name only: never key material or peer-chosen bytes. */
static void hs_log(const slink_hs *hs, int level, const char *what, slink_err e)
{
    char buf[128];
    size_t n = 0;
    const slink_platform *p = hs->cfg.plat;

    if (p == NULL || p->log == NULL)
        return;
    buf[0] = '\0';
    n = str_append(buf, sizeof buf, n, "handshake: ");
    n = str_append(buf, sizeof buf, n, what);
    n = str_append(buf, sizeof buf, n, " (");
    n = str_append(buf, sizeof buf, n, slink_err_str(e));
    (void)str_append(buf, sizeof buf, n, ")");
    p->log(p->log_ctx, level, buf);
}
#else
#define hs_log(hs, level, what, e) ((void)(what))
#endif

/* The alert code a failed handshake sends (docs/PROTOCOL.md §4.10 table). */
uint8_t slink_hs_alert_for(slink_err e)
{
    switch (e) {
    case SLINK_ERR_CERT_CHAIN:          return SLINK_ALERT_UNKNOWN_CA;
    case SLINK_ERR_CERT_EXPIRED:
    case SLINK_ERR_CERT_NOT_YET_VALID:  return SLINK_ALERT_CERTIFICATE_EXPIRED;
    case SLINK_ERR_CERT_NAME:
    case SLINK_ERR_CERT_PIN:            return SLINK_ALERT_ACCESS_DENIED;
    case SLINK_ERR_CERT_REVOKED:        return SLINK_ALERT_CERTIFICATE_REVOKED;
    case SLINK_ERR_CERT_PARSE:
    case SLINK_ERR_CERT_CA_LEAF:
    case SLINK_ERR_CERT_KEY_USAGE:
    case SLINK_ERR_CERT_KEY_TYPE:
    case SLINK_ERR_CERT_UNKNOWN_REF:
    case SLINK_ERR_CERT_ENCODING:       return SLINK_ALERT_BAD_CERTIFICATE;
    case SLINK_ERR_HS_BAD_SIG:
    case SLINK_ERR_HS_BAD_KEY:          return SLINK_ALERT_HANDSHAKE_FAILURE;
    case SLINK_ERR_HS_VERSION:          return SLINK_ALERT_PROTOCOL_VERSION;
    default:                            return SLINK_ALERT_INTERNAL_ERROR;
    }
}

static void wipe_secrets(slink_hs *hs)
{
    slink_ecdh_wipe(&hs->eph);
    slink_memzero(hs->prk, sizeof hs->prk);
    slink_memzero(hs->tx_secret, sizeof hs->tx_secret);
    slink_memzero(hs->rx_secret, sizeof hs->rx_secret);
}

/* cfg is slink_hs's first member, and nothing of it lies elsewhere. */
typedef char hs_cfg_comes_first[offsetof(slink_hs, cfg) == 0 ? 1 : -1];

/* Back to a blank handshake that keeps its configuration: every byte
 * after cfg, the secrets among them, zeroed in place (no copy of cfg).
 * The ephemeral key goes through its backend first: a backend may hold
 * more than bytes there (a key handle to release), which a zero would
 * leak. */
static void reset_session(slink_hs *hs)
{
    slink_ecdh_wipe(&hs->eph);
    slink_memzero((uint8_t *)hs + sizeof hs->cfg, sizeof *hs - sizeof hs->cfg);
}

/* Fatal: the attempt is over, secrets go, and the code sticks.  alert 0:
 * the one e maps to (§4.10).  `why` is log text only (SLINK_TEXT: absent
 * without SLINK_CFG_LOG_TEXT).  One copy, not one per failure site. */
static SLINK_NOINLINE slink_err hs_fail_alert_(slink_hs *hs, slink_err e, uint8_t alert,
                                               const char *why)
{
    wipe_secrets(hs);
    hs->state = SLINK_HS_FAILED;
    hs->fail = e;
    hs->alert = alert != 0 ? alert : slink_hs_alert_for(e);
    hs_log(hs, SLINK_LOG_ERROR, why, e);
    return e;
}

#define hs_fail(hs, e, why) hs_fail_alert_((hs), (e), 0, SLINK_TEXT(why))

static slink_err cfg_ok(const slink_hs *hs)
{
    const slink_hs_cfg *c = &hs->cfg;

    SLINK_CHECK(c->creds != NULL && c->creds->loaded && c->policy != NULL &&
                c->plat != NULL && c->rng != NULL, SLINK_ERR_CONFIG);
    SLINK_CHECK(c->creds->cert.raw.p != NULL && c->creds->cert.raw.len > 0 &&
                c->creds->cert.raw.len <= SLINK_CERT_MAX, SLINK_ERR_CONFIG);
    SLINK_CHECK(c->peer_cert == NULL ||
                (c->peer_cert_len > 0 && c->peer_cert_len <= SLINK_CERT_MAX), SLINK_ERR_CONFIG);
    return SLINK_OK;
}

static int have_peer_cert(const slink_hs *hs)
{
    return hs->cfg.peer_cert != NULL && hs->cfg.peer_cert_len > 0;
}

static uint8_t local_mtu_code(const slink_hs *hs)
{
    /* We cannot receive more than this build's frame body, whatever the
     * configuration says; 0 means "the build's maximum". */
    size_t mtu = hs->cfg.local_mtu;
    if (mtu == 0 || mtu > SLINK_MAX_FRAME_BODY)
        mtu = SLINK_MAX_FRAME_BODY;
    return slink_mtu_code(mtu);
}

static int bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
    return slink_ct_equal(a, b, n);
}

/* Our credential: a reference when the peer said it holds our certificate
 * (the reference slink_creds_load computed, not hashed again here). */
static void own_cred(const slink_hs *hs, int peer_has_ours, hs_cred *c)
{
    const slink_creds *cr = hs->cfg.creds;

    memset(c, 0, sizeof *c);
    c->der = cr->cert.raw.p;
    c->der_len = cr->cert.raw.len;
    c->type = peer_has_ours ? SLINK_CRED_REF : SLINK_CRED_FULL;
    if (peer_has_ours)
        memcpy(c->ref, cr->cert_ref, SLINK_CERT_REF_LEN);
}

/* The peer's certificate, sent or named by reference, goes through the full
 * policy check every time: a cached certificate may have expired or no
 * longer be the one configured for this address. */
static slink_err peer_cred(const slink_hs *hs, const hs_cred *c, int we_offered,
                           slink_crt *crt, const uint8_t **der, size_t *der_len)
{
    if (c->type == SLINK_CRED_REF) {
        uint8_t ref[SLINK_CERT_REF_LEN];
        /* A reference is only legitimate if we announced that we hold it. */
        if (!we_offered || !have_peer_cert(hs))
            return SLINK_ERR_CERT_UNKNOWN_REF;
        SLINK_TRY(slink_cert_ref(hs->cfg.peer_cert, hs->cfg.peer_cert_len, ref));
        if (!bytes_eq(ref, c->ref, SLINK_CERT_REF_LEN))
            return SLINK_ERR_CERT_UNKNOWN_REF;
        *der = hs->cfg.peer_cert;
        *der_len = hs->cfg.peer_cert_len;
    } else {
        *der = c->der;
        *der_len = c->der_len;
    }
    return slink_cert_verify_peer(hs->cfg.creds, hs->cfg.policy, hs->cfg.plat,
                                  *der, *der_len, crt);
}

/* The hash a signature of message `which` covers: SHA-256 of the signature
 * input (tag, transcript hash, hash of the signer's certificate, MAC), what
 * its signer signs and its verifier checks.  Its own frame, so that the MAC
 * and the 107-byte input are off the stack while the signer or the
 * verifier runs (the device's deepest path). */
static SLINK_NOINLINE slink_err sig_hash(ks_msg which, const uint8_t prk[32],
                                         const uint8_t th[SLINK_HASH_LEN],
                                         const uint8_t *der, size_t der_len,
                                         uint8_t h[SLINK_HASH_LEN])
{
    uint8_t mac[SLINK_MAC_LEN], in[KS_SIG_INPUT_LEN];
    slink_err e;

    e = ks_mac(prk, which, th, der, der_len, mac);
    if (e == SLINK_OK)
        e = ks_sig_input(which, th, der, der_len, mac, in);
    if (e == SLINK_OK)
        e = slink_sha256(in, sizeof in, h);
    slink_memzero(mac, sizeof mac);
    slink_memzero(in, sizeof in);
    return e;
}

/* Check the signature of message `which` made by the holder of crt.  Not
 * inlined: its locals would otherwise sit in hs_read_msg3's frame under the
 * peer certificate's CA verification, the device's deepest stack path. */
static SLINK_NOINLINE slink_err verify_sig(const uint8_t prk[32], ks_msg which,
                                           const uint8_t th[SLINK_HASH_LEN],
                                           const uint8_t *der, size_t der_len,
                                           const slink_crt *crt,
                                           const uint8_t sig[SLINK_SIG_LEN])
{
    uint8_t h[SLINK_HASH_LEN];
    slink_err e = sig_hash(which, prk, th, der, der_len, h);

    if (e == SLINK_OK) {
        e = slink_ecdsa_verify_hash(crt->pub, h, sig);
        if (e != SLINK_OK && e != SLINK_ERR_CRYPTO)
            e = SLINK_ERR_HS_BAD_SIG;
    }
    slink_memzero(h, sizeof h);
    return e;
}

/* Not inlined into the message writers: its locals stay off their frames
 * when they call down into the ECDH key generation. */
static SLINK_NOINLINE slink_err make_plain(const slink_hs *hs, ks_msg which,
                                           const uint8_t prk[32],
                                           const uint8_t th[SLINK_HASH_LEN], int peer_has_ours,
                                           uint8_t *pt, size_t cap, size_t *pt_len)
{
    /* The plaintext ends with the signature: it is encoded zeroed and the
     * signer writes the signature in place, so that no signature buffer
     * sits on this frame while the signer runs. */
    hs_cred c;
    uint8_t h[SLINK_HASH_LEN];
    slink_err e;

    own_cred(hs, peer_has_ours, &c);
    e = sig_hash(which, prk, th, c.der, c.der_len, h);
    if (e == SLINK_OK)
        e = hs_plain_encode(&c, NULL, pt, cap, pt_len);
    if (e == SLINK_OK)
        e = slink_sign_hash(&hs->cfg.creds->signer, h, pt + *pt_len - SLINK_SIG_LEN,
                            hs->cfg.rng);
    slink_memzero(h, sizeof h);
    return e;
}

/* Keep what the connection needs about the authenticated peer.  der may
 * lie inside hs->peer_cert_der (the decrypted plaintext), and crt may refer
 * to it: the name is taken first, then the DER moves to the front and the
 * rest of the plaintext goes. */
static void record_peer(slink_hs *hs, const slink_crt *crt,
                        const uint8_t *der, size_t der_len)
{
    slink_cert_subject_cn(crt, hs->peer_cn, sizeof hs->peer_cn);
    memmove(hs->peer_cert_der, der, der_len);
    slink_memzero(hs->peer_cert_der + der_len, sizeof hs->peer_cert_der - der_len);
    hs->peer_cert_len = der_len;
}

/* Decrypted plaintext (in hs->peer_cert_der) -> authenticated peer.  On
 * failure returns the error with the alert that names it in *alert and
 * wipes the plaintext; the caller decides what the failure ends (msg3: the
 * attempt; msg2: nothing yet, see msg2_refused). */
static slink_err authenticate_peer(slink_hs *hs, ks_msg which, const uint8_t prk[32],
                                   const uint8_t th[SLINK_HASH_LEN], int we_offered,
                                   const uint8_t *pt, size_t pt_len, uint8_t *alert,
                                   const char **why)
{
    hs_cred c;
    uint8_t sig[SLINK_SIG_LEN];
    slink_crt crt;
    const uint8_t *der = NULL;
    size_t der_len = 0;
    slink_err e;

    memset(&crt, 0, sizeof crt);
    e = hs_plain_decode(pt, pt_len, &c, sig);
    if (e != SLINK_OK) {
        /* Authenticated garbage: whoever holds the handshake keys sent
         * something malformed. */
        e = SLINK_ERR_HS_PLAINTEXT;
        *alert = SLINK_ALERT_DECODE_ERROR;
        *why = which == KS_MSG2 ? SLINK_TEXT("msg2: plaintext does not parse")
                                : SLINK_TEXT("msg3: plaintext does not parse");
        goto out;
    }
    e = peer_cred(hs, &c, we_offered, &crt, &der, &der_len);
    if (e != SLINK_OK) {
        *alert = slink_hs_alert_for(e);
        *why = which == KS_MSG2 ? SLINK_TEXT("msg2: responder certificate rejected")
                                : SLINK_TEXT("msg3: initiator certificate rejected");
        goto out;
    }
    e = verify_sig(prk, which, th, der, der_len, &crt, sig);
    if (e != SLINK_OK) {
        *alert = slink_hs_alert_for(e);
        *why = which == KS_MSG2 ? SLINK_TEXT("msg2: responder signature invalid")
                                : SLINK_TEXT("msg3: initiator signature invalid");
        goto out;
    }
    record_peer(hs, &crt, der, der_len);
out:
    if (e != SLINK_OK)
        slink_memzero(hs->peer_cert_der, sizeof hs->peer_cert_der);
    return e;
}

#if SLINK_CFG_INITIATOR
/* A msg2 that opened but does not authenticate the configured responder.
 * Anyone can make a msg2 that opens: its AEAD key comes from our public
 * msg1 key and an ephemeral of the sender's choosing.  So it proves nothing
 * and must not end the attempt (§4.11, I4): the genuine msg2 may still
 * come.  The reason is kept (hs->fail, hs->alert) for the caller to report,
 * and to end the attempt with at its next timer if nothing better came. */
static slink_err msg2_refused(slink_hs *hs, slink_err e, uint8_t alert, const char *why)
{
    slink_memzero(hs->prk, sizeof hs->prk);
    hs->fail = e;
    hs->alert = alert;
    hs_log(hs, SLINK_LOG_WARN, why, e);
    return e;
}
#endif

static slink_err finish(slink_hs *hs, const uint8_t th4[SLINK_HASH_LEN])
{
    /* Each side sends with its own direction's secret: derived straight
     * into place (ks_traffic zeroes both on failure).  A build without the
     * initiator (slink_hs_start refuses) only ever finishes as responder. */
    int ini = SLINK_CFG_INITIATOR && hs->role == SLINK_ROLE_INITIATOR;
    slink_err e = ks_traffic(hs->prk, th4, ini ? hs->tx_secret : hs->rx_secret,
                             ini ? hs->rx_secret : hs->tx_secret);

    if (e == SLINK_OK) {
        hs->state = SLINK_HS_DONE;
        slink_ecdh_wipe(&hs->eph);
        slink_memzero(hs->prk, sizeof hs->prk);
    }
    return e;
}

/* This attempt's ephemeral key: the one drawn ahead while the line was idle
 * if there is one (taken, and wiped where it was, so it serves this attempt
 * only), else a new one.  Either way a new key per attempt (§8). */
static slink_err hs_new_eph(slink_hs *hs)
{
    slink_ecdh_key *ahead = hs->cfg.eph_ahead;
    if (ahead != NULL && slink_p256_scalar_ok(ahead->d)) {
        hs->eph = *ahead;
        slink_ecdh_wipe(ahead);
        return SLINK_OK;
    }
    return slink_ecdh_keygen(&hs->eph, hs->cfg.rng);
}

#if SLINK_CFG_INITIATOR
/* ---- message 1 ---------------------------------------------------------- */

static slink_err hs_write_msg1(slink_hs *hs)
{
    hs_msg1 m;
    size_t n = 0;
    slink_err e;

    m.vs = SLINK_VERSION_SUITE;
    m.flags = (uint8_t)((have_peer_cert(hs) ? SLINK_HS_F_HAVE_PEER_CERT : 0u) |
                        (hs->cfg.auto_role ? SLINK_HS_F_AUTO : 0u));
    m.mtu_code = local_mtu_code(hs);
    /* A new key for every attempt (slink_hs_start resets first): it is
     * what makes this transcript unique, there being no nonce (§8). */
    e = hs_new_eph(hs);
    if (e != SLINK_OK)
        return hs_fail(hs, e, "msg1: no ephemeral key (random source)");
    memcpy(m.x, hs->eph.x, SLINK_ECX_LEN);
    e = hs_msg1_encode(&m, hs->msg1, sizeof hs->msg1, &n);
    if (e != SLINK_OK)
        return hs_fail(hs, e, "msg1: cannot encode (local MTU below 64?)");
    memcpy(hs->out, hs->msg1, n);
    hs->out_len = n;
    hs->out_msgno = 1;
    hs->state = SLINK_HS_WAIT_MSG2;
    return SLINK_OK;
}

#endif
static slink_err hs_write_msg2(slink_hs *hs, const hs_msg1 *m1);

/* A new attempt answering m.  m may alias hs buffers reset here (msg1 as
 * slink_hs_consume got it may have): hs->msg1 is written from m, which is
 * every byte of msg1 (hs_msg1 is its layout), not through a copy on this
 * frame, which lies under the key generation and signing. */
slink_err hs_answer_msg1(slink_hs *hs, const hs_msg1 *m)
{
    reset_session(hs);
    hs->role = SLINK_ROLE_RESPONDER;
    memcpy(hs->msg1, m, SLINK_HS1_LEN);
    hs->peer_flags = m->flags;
    hs->peer_mtu = (uint16_t)(SLINK_MTU_UNIT * m->mtu_code);
    return hs_write_msg2(hs, m);
}

/* Responder side of msg1: detect duplicates and reflections, then start a
 * new handshake (a different msg1 means the peer restarted).  Not inlined
 * into slink_hs_consume: its frame would then lie under msg3's certificate
 * and signature checks too. */
static SLINK_NOINLINE slink_err hs_read_msg1(slink_hs *hs, const uint8_t *msg, size_t len)
{
    hs_msg1 m;
    slink_err e;
    int responder = hs->role == SLINK_ROLE_RESPONDER;

    /* An initiator never answers a msg1 (its own reflected, or a
     * simultaneous open that the connection's tie-break decides). */
    if (hs->role == SLINK_ROLE_INITIATOR)
        return SLINK_ERR_HS_UNEXPECTED;
    /* The msg1 we answered, again (kept whole in hs->msg1): a retransmission
     * gets the same msg2, no ECDH, no signature; the msg1 of the session
     * already completed is a late copy or a replay, which must not tear
     * down what it started. */
    if (responder && (hs->state == SLINK_HS_WAIT_MSG3 || hs->state == SLINK_HS_DONE) &&
        len == SLINK_HS1_LEN && bytes_eq(msg, hs->msg1, SLINK_HS1_LEN))
        return hs->state == SLINK_HS_DONE ? SLINK_ERR_HS_STALE : SLINK_ERR_HS_DUPLICATE;

    e = hs_msg1_decode(msg, len, &m);
    if (e == SLINK_ERR_HS_VERSION)
        return hs_fail(hs, e, "msg1: unsupported version/suite");
    if (e != SLINK_OK)
        return e;
    /* Our own msg2 ephemeral coming back as a new msg1: reflection. */
    if (responder && hs->state == SLINK_HS_WAIT_MSG3 &&
        bytes_eq(m.x, hs->eph.x, SLINK_ECX_LEN))
        return hs_fail(hs, SLINK_ERR_HS_BAD_KEY, "msg1: peer key reflects our own");
    /* msg may alias hs buffers that hs_answer_msg1 resets: m is the copy. */
    return hs_answer_msg1(hs, &m);
}

/* ---- message 2 ---------------------------------------------------------- */

static slink_err hs_write_msg2(slink_hs *hs, const hs_msg1 *m1)
{
    hs_msg2_clear c;
    uint8_t th2[SLINK_HASH_LEN], g[SLINK_ECX_LEN];
    uint8_t *pt;
    size_t n = 0, pt_len = 0;
    slink_err e;
    const char *why = "msg2: cannot build";

    /* A new key for every msg1 answered with new work (only a byte-identical
     * retransmission gets the kept msg2): the freshness of this session's
     * transcript for the initiator rests on it (§8). */
    e = hs_new_eph(hs);
    if (e != SLINK_OK) {
        why = "msg2: no ephemeral key (random source)";
        goto out;
    }
    c.flags = have_peer_cert(hs) ? SLINK_HS_F_HAVE_PEER_CERT : 0u;
    c.mtu_code = local_mtu_code(hs);
    memcpy(c.x, hs->eph.x, SLINK_ECX_LEN);
    e = hs_msg2_clear_encode(&c, hs->out, sizeof hs->out, &n);
    if (e == SLINK_OK)
        e = ks_th2(hs->cfg.peer_addr, hs->cfg.local_addr, hs->msg1, hs->out, th2);
    if (e != SLINK_OK)
        goto out;
    /* Rejects an initiator key equal to ours or off the curve. */
    e = slink_ecdh_shared(&hs->eph, m1->x, g, hs->cfg.rng);
    if (e != SLINK_OK) {
        why = "msg1: peer ephemeral key invalid";
        goto out;
    }
    /* The plaintext is built where its ciphertext goes and sealed in place
     * (TH3 covers the plaintext, so it is hashed first). */
    pt = hs->out + n;
    e = ks_prk(th2, g, hs->prk);
    if (e == SLINK_OK)
        e = make_plain(hs, KS_MSG2, hs->prk, th2, (m1->flags & SLINK_HS_F_HAVE_PEER_CERT) != 0,
                       pt, sizeof hs->out - n - SLINK_TAG_LEN, &pt_len);
    if (e == SLINK_OK)
        e = ks_th_next(th2, pt, pt_len, hs->th);  /* TH3 */
    if (e == SLINK_OK)
        e = ks_seal(hs->prk, KS_MSG2, th2, pt, pt_len, pt, pt + pt_len);
    if (e != SLINK_OK)
        goto out;
    hs->out_len = n + pt_len + SLINK_TAG_LEN;
    hs->out_msgno = 2;
    hs->state = SLINK_HS_WAIT_MSG3;
out:
    slink_memzero(g, sizeof g);
    if (e != SLINK_OK) {
        slink_memzero(hs->out, sizeof hs->out);
        hs->out_len = 0;
        return hs_fail(hs, e, why);
    }
    return SLINK_OK;
}

#if SLINK_CFG_INITIATOR
static slink_err hs_write_msg3(slink_hs *hs, int peer_has_ours);

/* Initiator side of msg2.  Until the AEAD verifies, nothing in msg2 is
 * trusted and a failure only drops it: the genuine msg2 may still come. */
static slink_err hs_read_msg2(slink_hs *hs, const uint8_t *msg, size_t len)
{
    hs_msg2_clear c;
    const uint8_t *ct = NULL, *tag = NULL;
    size_t ct_len = 0;
    uint8_t h[SLINK_HASH_LEN], th2[SLINK_HASH_LEN], th3[SLINK_HASH_LEN], g[SLINK_ECX_LEN];
    uint8_t *pt = hs->peer_cert_der;
    uint8_t alert = 0;
    const char *why = "";
    slink_err e;

    if (hs->role != SLINK_ROLE_INITIATOR)
        return SLINK_ERR_HS_UNEXPECTED;
    SLINK_TRY(slink_sha256(msg, len, h));
    if (hs->state == SLINK_HS_DONE)
        /* Our msg3 was lost: the same msg2 again asks for it once more. */
        return hs->in_hash_valid && bytes_eq(h, hs->in_hash, sizeof h)
               ? SLINK_ERR_HS_DUPLICATE : SLINK_ERR_HS_STALE;
    if (hs->state != SLINK_HS_WAIT_MSG2)
        return SLINK_ERR_HS_UNEXPECTED;
    SLINK_TRY(hs_msg2_decode(msg, len, &c, &ct, &ct_len, &tag));
    if (ct_len > sizeof hs->peer_cert_der)
        return SLINK_ERR_HS_MALFORMED;

    e = ks_th2(hs->cfg.local_addr, hs->cfg.peer_addr, hs->msg1, msg, th2);
    if (e != SLINK_OK)
        return hs_fail(hs, e, "msg2: transcript hash");
    /* Rejects our own key reflected back and points off the curve.  Nothing
     * in msg2 is authenticated yet, so a bad key is a drop like a bad tag
     * (§4.7): a forger or a bit flip must not end our attempt. */
    e = slink_ecdh_shared(&hs->eph, c.x, g, hs->cfg.rng);
    if (e == SLINK_ERR_HS_BAD_KEY) {
        slink_memzero(g, sizeof g);
        return SLINK_ERR_HS_MALFORMED;
    }
    if (e != SLINK_OK)
        return hs_fail(hs, e, "msg2: peer ephemeral key invalid");
    e = ks_prk(th2, g, hs->prk);
    slink_memzero(g, sizeof g);
    if (e == SLINK_OK)
        e = ks_open(hs->prk, KS_MSG2, th2, ct, ct_len, tag, pt);
    if (e == SLINK_ERR_HS_DECRYPT) {
        /* Forged or damaged: keep waiting, as if it never came. */
        slink_memzero(hs->prk, sizeof hs->prk);
        return e;
    }
    if (e != SLINK_OK)
        return hs_fail(hs, e, "msg2: key derivation");

    /* TH3 covers the plaintext, which authentication leaves as the bare
     * certificate: hash it first. */
    e = ks_th_next(th2, pt, ct_len, th3);
    if (e != SLINK_OK) {
        slink_memzero(pt, sizeof hs->peer_cert_der);
        return hs_fail(hs, e, "msg2: transcript hash");
    }
    e = authenticate_peer(hs, KS_MSG2, hs->prk, th2,
                          (hs->msg1[1] & SLINK_HS_F_HAVE_PEER_CERT) != 0, pt, ct_len,
                          &alert, &why);
    if (e != SLINK_OK)
        return msg2_refused(hs, e, alert, why);
    memcpy(hs->th, th3, sizeof th3);

    hs->peer_flags = c.flags;
    hs->peer_mtu = (uint16_t)(SLINK_MTU_UNIT * c.mtu_code);
    memcpy(hs->in_hash, h, sizeof h);
    hs->in_hash_valid = 1;
    return hs_write_msg3(hs, (c.flags & SLINK_HS_F_HAVE_PEER_CERT) != 0);
}

/* ---- message 3 ---------------------------------------------------------- */

static slink_err hs_write_msg3(slink_hs *hs, int peer_has_ours)
{
    uint8_t th4[SLINK_HASH_LEN];
    size_t pt_len = 0;
    slink_err e;

    /* Built in hs->out and sealed in place, TH4 hashed first (as msg2). */
    e = make_plain(hs, KS_MSG3, hs->prk, hs->th, peer_has_ours,
                   hs->out, sizeof hs->out - SLINK_TAG_LEN, &pt_len);
    if (e == SLINK_OK)
        e = ks_th_next(hs->th, hs->out, pt_len, th4);
    if (e == SLINK_OK)
        e = ks_seal(hs->prk, KS_MSG3, hs->th, hs->out, pt_len, hs->out, hs->out + pt_len);
    if (e == SLINK_OK) {
        hs->out_len = pt_len + SLINK_TAG_LEN;
        hs->out_msgno = 3;
        e = finish(hs, th4);
    }
    if (e != SLINK_OK) {
        slink_memzero(hs->out, sizeof hs->out);
        hs->out_len = 0;
        return hs_fail(hs, e, "msg3: cannot build");
    }
    return SLINK_OK;
}

#endif
slink_err hs_read_msg3(slink_hs *hs, const uint8_t *msg, size_t len)
{
    const uint8_t *ct = NULL, *tag = NULL;
    size_t ct_len = 0;
    uint8_t th4[SLINK_HASH_LEN];
    uint8_t *pt = hs->peer_cert_der;
    uint8_t alert = 0;
    const char *why = "";
    slink_err e;

    if (hs->role != SLINK_ROLE_RESPONDER)
        return SLINK_ERR_HS_UNEXPECTED;
    /* A completed responder has nothing to resend for a repeated msg3 (its
     * msg2 is not the answer, and resending it would make the initiator
     * resend msg3 again, forever); the session's records confirm the keys. */
    if (hs->state == SLINK_HS_DONE)
        return SLINK_ERR_HS_STALE;
    if (hs->state != SLINK_HS_WAIT_MSG3)
        return SLINK_ERR_HS_UNEXPECTED;
    SLINK_TRY(hs_msg3_decode(msg, len, &ct, &ct_len, &tag));
    if (ct_len > sizeof hs->peer_cert_der)
        return SLINK_ERR_HS_MALFORMED;

    /* hs->th is TH3 since msg2 was written. */
    e = ks_open(hs->prk, KS_MSG3, hs->th, ct, ct_len, tag, pt);
    if (e == SLINK_ERR_HS_DECRYPT)
        return e;
    if (e != SLINK_OK)
        return hs_fail(hs, e, "msg3: key derivation");
    /* TH4 covers the plaintext, which authentication leaves as the bare
     * certificate: hash it first. */
    e = ks_th_next(hs->th, pt, ct_len, th4);
    if (e != SLINK_OK) {
        slink_memzero(pt, sizeof hs->peer_cert_der);
        return hs_fail(hs, e, "msg3: transcript hash");
    }
    e = authenticate_peer(hs, KS_MSG3, hs->prk, hs->th,
                          (hs->out[0] & SLINK_HS_F_HAVE_PEER_CERT) != 0, pt, ct_len,
                          &alert, &why);
    if (e != SLINK_OK)
        return hs_fail_alert_(hs, e, alert, why);
    e = finish(hs, th4);
    if (e != SLINK_OK)
        return hs_fail(hs, e, "msg3: key derivation");
    return SLINK_OK;
}

/* ---- public API --------------------------------------------------------- */

void slink_hs_init(slink_hs *hs, const slink_hs_cfg *cfg)
{
    if (hs == NULL)
        return;
    slink_memzero(hs, sizeof *hs);
    if (cfg != NULL)
        hs->cfg = *cfg;
}

slink_err slink_hs_start(slink_hs *hs)
{
    SLINK_CHECK(hs != NULL, SLINK_ERR_ARG);
    SLINK_TRY(cfg_ok(hs));
#if SLINK_CFG_INITIATOR
    reset_session(hs);
    hs->role = SLINK_ROLE_INITIATOR;
    return hs_write_msg1(hs);
#else
    return SLINK_ERR_CONFIG;   /* responder-only build (SLINK_CFG_INITIATOR 0) */
#endif
}

slink_err slink_hs_consume(slink_hs *hs, uint8_t msgno, const uint8_t *msg, size_t len)
{
    SLINK_CHECK(hs != NULL && msg != NULL, SLINK_ERR_ARG);
    /* Checked here, once: the readers (and the driver's entry points,
     * hs_driver.h) take a configuration that was. */
    SLINK_TRY(cfg_ok(hs));
    switch (msgno) {
    case 1: return hs_read_msg1(hs, msg, len);
#if SLINK_CFG_INITIATOR
    case 2: return hs_read_msg2(hs, msg, len);
#endif
    case 3: return hs_read_msg3(hs, msg, len);
    default: return SLINK_ERR_HS_UNEXPECTED;
    }
}

void slink_hs_wipe(slink_hs *hs)
{
    if (hs != NULL)
        reset_session(hs);
}

/* Record protection (docs/PROTOCOL.md §3): AES-128-GCM with per-direction,
 * per-epoch keys, a nonce built from the 48-bit sequence number (RFC 8446
 * §5.3), a DTLS 1.3 style short sequence field (RFC 9147 §4.2.2), an
 * anti-replay window checked before and marked after decryption, implicit
 * key update with a grace period for the old epoch, and the AES-GCM usage
 * and forgery limits of RFC 9147 §4.5.3. */
#include "slink/record.h"
#include <string.h>
#include "../cc.h"

#define LABEL_KEY "key"
#define LABEL_IV  "iv"
#define LABEL_UPD "upd"

/* The sender uses a short sequence field only while the receiver's window
 * top (which it learnt from an ACK) is near enough for an unambiguous
 * reconstruction: within 64 of 2^8/2 and 16384 of 2^16/2. */
#define SEQ1_SPAN 64u
#define SEQ2_SPAN 16384u

#if SLINK_CFG_REC_AEAD_CACHE
#define KEYS_READY(k) ((k)->aead.ready != 0)
#else
#define KEYS_READY(k) ((k)->ready != 0)
#endif

/* Derive the AEAD key and IV of one direction at one epoch from its traffic
 * secret (§3.4).  With the context cache the key exists only on this stack
 * frame and inside GCM; without it, in k->key. */
static slink_err keys_setup(slink_rec_keys *k, const uint8_t secret[32], uint16_t epoch)
{
    uint8_t key[SLINK_REC_KEY_LEN];
    slink_err e;

#if SLINK_CFG_REC_AEAD_CACHE
    slink_aead_free(&k->aead);
#else
    k->ready = 0;
#endif
    if (k->secret != secret)
        memcpy(k->secret, secret, sizeof k->secret);
    k->epoch = epoch;
    e = slink_hkdf_expand_label(k->secret, LABEL_KEY, NULL, 0, key, sizeof key);
    if (e == SLINK_OK)
        e = slink_hkdf_expand_label(k->secret, LABEL_IV, NULL, 0, k->iv, sizeof k->iv);
#if SLINK_CFG_REC_AEAD_CACHE
    if (e == SLINK_OK)
        e = slink_aead_setkey(&k->aead, key, sizeof key);
#else
    if (e == SLINK_OK) {
        memcpy(k->key, key, sizeof k->key);
        k->ready = 1;
    }
#endif
    slink_memzero(key, sizeof key);
    return e;
}

static void keys_wipe(slink_rec_keys *k)
{
#if SLINK_CFG_REC_AEAD_CACHE
    slink_aead_free(&k->aead);
#endif
    slink_memzero(k, sizeof *k);
}

/* The AES-GCM context of k: the cached one, or one set up in *tmp from
 * k->key (released by keys_aead_done). */
static slink_err keys_aead(slink_rec_keys *k, slink_aead *tmp, slink_aead **a)
{
#if SLINK_CFG_REC_AEAD_CACHE
    (void)tmp;
    *a = &k->aead;
    return SLINK_OK;
#else
    memset(tmp, 0, sizeof *tmp);
    *a = tmp;
    return slink_aead_setkey(tmp, k->key, sizeof k->key);
#endif
}

static void keys_aead_done(slink_aead *tmp)
{
#if SLINK_CFG_REC_AEAD_CACHE
    (void)tmp;
#else
    slink_aead_free(tmp);
#endif
}

/* One record's AES-GCM operation with k's keys at sequence number seq:
 * seal (the tag follows the ciphertext in out) or open (the tag follows
 * the ciphertext in in).  The AAD is
 * dst src type epoch(2) seq(6), with the full epoch and sequence number:
 * the truncated header fields cannot be swapped for others.  Sealing and
 * opening build the nonce and AAD here, once.  Without the context cache
 * the context set up from k->key (616 bytes on a Cortex-M with mbedTLS
 * 3.6) lives on this frame only, not on slink_rec_seal's or
 * slink_rec_open's while they derive the next epoch's keys through HKDF
 * and SHA-256: that nesting was one of the device's deepest stack paths. */
static SLINK_NOINLINE slink_err keys_crypt(slink_rec_keys *k, uint8_t dst, uint8_t src,
                                           uint8_t type, uint64_t seq,
                                           const uint8_t *in, size_t len, uint8_t *out,
                                           int sealing)
{
    uint8_t aad[SLINK_REC_AAD_LEN], nonce[SLINK_REC_IV_LEN];
    slink_aead tmp, *a;
    slink_err e;

    aad[0] = dst;
    aad[1] = src;
    aad[2] = type;
    slink_put_u16(aad + 3, k->epoch);
    slink_put_u48(aad + 5, seq);
    /* nonce = iv XOR (0^6 || seq48), seq48 as the AAD's last six bytes */
    memcpy(nonce, k->iv, SLINK_REC_IV_LEN);
    for (size_t i = 0; i < 6; i++)
        nonce[SLINK_REC_IV_LEN - 6 + i] ^= aad[5 + i];
    e = keys_aead(k, &tmp, &a);
    if (e == SLINK_OK && sealing)
        e = slink_aead_seal(a, nonce, SLINK_REC_IV_LEN, aad, SLINK_REC_AAD_LEN,
                            in, len, out, out + len, SLINK_TAG_LEN);
    else if (e == SLINK_OK)
        e = slink_aead_open(a, nonce, SLINK_REC_IV_LEN, aad, SLINK_REC_AAD_LEN,
                            in, len, out, in + len, SLINK_TAG_LEN);
    keys_aead_done(&tmp);
    slink_memzero(nonce, sizeof nonce);
    return e;
}

/* next = the epoch after cur: secret' = ExpandLabel(secret, "upd", "", 32). */
static slink_err keys_next(slink_rec_keys *next, const slink_rec_keys *cur)
{
    uint8_t secret[32];
    slink_err e;

    if (cur->epoch >= SLINK_EPOCH_MAX)
        return SLINK_ERR_EPOCH_EXHAUSTED;
    e = slink_hkdf_expand_label(cur->secret, LABEL_UPD, NULL, 0, secret, sizeof secret);
    if (e == SLINK_OK)
        e = keys_setup(next, secret, (uint16_t)(cur->epoch + 1u));
    slink_memzero(secret, sizeof secret);
    return e;
}

slink_err slink_rec_init(slink_record *r, uint8_t local, uint8_t peer,
                         const uint8_t tx_secret[32], const uint8_t rx_secret[32],
                         const slink_rec_limits *lim)
{
    slink_err e;

    SLINK_CHECK(r != NULL && tx_secret != NULL && rx_secret != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(slink_addr_is_unicast(local) && slink_addr_is_unicast(peer), SLINK_ERR_ARG);
    /* r is taken as fresh memory (never read): a live record must be
     * released with slink_rec_wipe first, or its GCM contexts leak. */
    memset(r, 0, sizeof *r);
    r->local = local;
    r->peer = peer;
    if (lim != NULL)
        r->lim = *lim;
    if (r->lim.rekey_records == 0 || r->lim.rekey_records > SLINK_SEQ_MAX)
        r->lim.rekey_records = r->lim.rekey_records == 0 ? SLINK_REKEY_RECORDS_DEFAULT
                                                         : SLINK_SEQ_MAX;
    if (r->lim.forgery_limit == 0)
        r->lim.forgery_limit = SLINK_FORGERY_LIMIT_DEFAULT;
    if (r->lim.grace_ms == 0)
        r->lim.grace_ms = SLINK_GRACE_MS_DEFAULT;

    e = keys_setup(&r->tx, tx_secret, SLINK_EPOCH_APP);
    if (e == SLINK_OK)
        e = keys_setup(&r->rx[0].keys, rx_secret, SLINK_EPOCH_APP);
    /* rx_cur is slot 0; the replay windows are empty: all zero */
    if (e != SLINK_OK)
        slink_rec_wipe(r);
    return e;
}

void slink_rec_wipe(slink_record *r)
{
    if (r == NULL)
        return;
    keys_wipe(&r->tx);
    for (unsigned i = 0; i < 3u; i++)
        keys_wipe(&r->rx[i].keys);
    slink_memzero(r, sizeof *r);
}

#define REKEY_GRACE_RECORDS 65536u

static slink_err key_update_now(slink_record *r)
{
    slink_err e;

    SLINK_CHECK(r->tx.epoch < SLINK_EPOCH_MAX, SLINK_ERR_EPOCH_EXHAUSTED);
    /* keys_next derives from tx.secret into tx itself: it copies the new
     * secret over the old one, which is exactly the ratchet we want (the old
     * secret must not survive the update). */
    e = keys_next(&r->tx, &r->tx);
    if (e != SLINK_OK)
        return e;
    r->tx_seq = 0;
    r->peer_rx_high = 0;
    r->peer_rx_valid = 0;
    r->tx_update_unconfirmed = 1;
    r->tx_update_queued = 0;
    r->stats.key_updates_tx++;
    return SLINK_OK;
}

/* I5: at most one key update in flight.  The receiver accepts only its
 * current epoch and the next one, so a second update before the peer has
 * seen the first would strand it two epochs behind; the second waits until
 * an ACK in the new epoch confirms the first (slink_rec_peer_ack). */
slink_err slink_rec_key_update(slink_record *r)
{
    SLINK_CHECK(r != NULL && KEYS_READY(&r->tx), SLINK_ERR_STATE);
    SLINK_CHECK(r->tx.epoch < SLINK_EPOCH_MAX, SLINK_ERR_EPOCH_EXHAUSTED);
    if (r->tx_update_unconfirmed) {
        r->tx_update_queued = 1;
        return SLINK_OK;
    }
    return key_update_now(r);
}

static uint8_t choose_seq_len(const slink_record *r)
{
    if (r->peer_rx_valid) {
        uint64_t dist = r->tx_seq - r->peer_rx_high;
        if (dist <= SEQ1_SPAN)
            return 1;
        if (dist <= SEQ2_SPAN)
            return 2;
        return 6;
    }
    /* No ACK yet: the receiver expects 0 at most, so while our number is
     * within SEQ1_SPAN of 0 one byte reconstructs (it has a 128 margin). */
    if (r->tx_seq <= SEQ1_SPAN)
        return 1;
    return r->tx_seq < SEQ2_SPAN ? 2 : 6;
}

slink_err slink_rec_seal(slink_record *r, uint8_t content_type,
                         const uint8_t *pt, size_t pt_len,
                         uint8_t *type_out, uint8_t *body, size_t cap, size_t *body_len)
{
    uint8_t seq_len, type;
    uint64_t seq;
    size_t need;
    slink_err e;

    SLINK_CHECK(r != NULL && type_out != NULL && body != NULL && body_len != NULL,
                SLINK_ERR_ARG);
    SLINK_CHECK(pt != NULL || pt_len == 0, SLINK_ERR_ARG);
    SLINK_CHECK(content_type >= SLINK_CT_ALERT && content_type <= SLINK_CT_DATAGRAM,
                SLINK_ERR_ARG);
    SLINK_CHECK(KEYS_READY(&r->tx), SLINK_ERR_STATE);
    SLINK_CHECK(pt_len <= SLINK_REC_PLAINTEXT_MAX, SLINK_ERR_TOO_BIG);
    *body_len = 0;

    /* Usage limit: a fresh epoch well before 2^24.5 records under one key,
     * and before the 48-bit sequence space could wrap (rekey_records is at
     * most SLINK_SEQ_MAX: slink_rec_init). */
    if (r->tx_seq >= r->lim.rekey_records) {
        if (!r->tx_update_unconfirmed)
            SLINK_TRY(key_update_now(r));
        /* The previous update is unconfirmed (I5): carry on in this epoch
         * until the peer's ACK confirms it, for at most 2^16 more records
         * (at the default, 2^23 + 2^16 stays far below the AES-GCM limit;
         * a peer silent that long has lost the session anyway). */
        else if (r->tx_seq >= r->lim.rekey_records + REKEY_GRACE_RECORDS || r->tx_seq > SLINK_SEQ_MAX)
            return SLINK_ERR_EPOCH_EXHAUSTED;
    }

    seq = r->tx_seq;
    seq_len = choose_seq_len(r);
    need = (size_t)seq_len + pt_len + SLINK_TAG_LEN;
    SLINK_CHECK(cap >= need, SLINK_ERR_BUFFER);

    type = slink_rec_hdr_type(content_type, r->tx.epoch, seq_len);
    /* pt may sit exactly at body + seq_len (in place); write seq after. */
    e = keys_crypt(&r->tx, r->peer, r->local, type, seq, pt, pt_len, body + seq_len, 1);
    if (e != SLINK_OK)
        return e;
    slink_put_be(body, seq, seq_len);

    *type_out = type;
    *body_len = need;
    r->tx_seq = seq + 1u;
    r->stats.sealed++;
    r->stats.bytes_sealed += pt_len;
    return SLINK_OK;
}

/* The rx slot n after slot s (n <= 2), modulo 3: two on is one back. */
static unsigned slot_add(unsigned s, unsigned n)
{
    s += n;
    return s >= 3u ? s - 3u : s;
}

/* An rx slot's epoch is over: its keys are destroyed, its window emptied. */
static void rx_slot_wipe(slink_rec_rx *s)
{
    keys_wipe(&s->keys);
    slink_replay_init(&s->win);
}

/* The peer's first verified record in the next epoch, whose keys and
 * window are in slot `next`: the current epoch becomes the previous one,
 * kept for late records until the grace period ends, and the epoch that was
 * the previous one until now is destroyed (its slot is the one after next). */
static void ratchet_rx(slink_record *r, unsigned next, uint64_t now_ms)
{
    rx_slot_wipe(&r->rx[slot_add(next, 1u)]);
    r->rx_cur = (uint8_t)next;
    r->rx_prev_valid = 1;
    r->rx_prev_expire_ms = now_ms + r->lim.grace_ms;
    r->stats.key_updates_rx++;
}

void slink_rec_tick(slink_record *r, uint64_t now_ms)
{
    if (r == NULL || !r->rx_prev_valid || now_ms < r->rx_prev_expire_ms)
        return;
    rx_slot_wipe(&r->rx[slot_add(r->rx_cur, 2u)]);
    r->rx_prev_valid = 0;
}

uint64_t slink_rec_next_timer(const slink_record *r)
{
    return (r != NULL && r->rx_prev_valid) ? r->rx_prev_expire_ms : UINT64_MAX;
}

slink_err slink_rec_open(slink_record *r, uint8_t dst, uint8_t src, uint8_t type,
                         const uint8_t *body, size_t body_len,
                         uint8_t *pt, size_t cap, size_t *pt_len,
                         uint8_t *content_type, uint64_t now_ms)
{
    slink_rec_keys *cur, *k;
    slink_replay *w;
    slink_rec_hdr h;
    size_t ct_len;
    uint64_t seq, expected;
    unsigned rel, slot;
    slink_err e;

    SLINK_CHECK(r != NULL && pt_len != NULL && content_type != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(body != NULL || body_len == 0, SLINK_ERR_ARG);
    SLINK_CHECK(pt != NULL || cap == 0, SLINK_ERR_ARG);
    cur = &SLINK_REC_RX(r);
    SLINK_CHECK(KEYS_READY(cur), SLINK_ERR_STATE);
    *pt_len = 0;
    *content_type = 0;
    /* Past the integrity limit the session is over; keep saying so. */
    SLINK_CHECK(r->forged < r->lim.forgery_limit, SLINK_ERR_INTEGRITY_LIMIT);

    /* The grace period is over: destroy the old epoch's keys now (if the
     * connection's timer has not already). */
    slink_rec_tick(r, now_ms);

    if (slink_rec_hdr_parse(type, &h) != SLINK_OK ||
        body_len < (size_t)h.seq_len + SLINK_TAG_LEN) {
        r->stats.malformed++;
        return SLINK_ERR_REC_MALFORMED;
    }
    ct_len = body_len - h.seq_len - SLINK_TAG_LEN;
    SLINK_CHECK(cap >= ct_len, SLINK_ERR_BUFFER);

    /* The record's two epoch bits relative to the current epoch: 0 the
     * current one, 1 the next one (a key update, trial-opened with keys
     * derived into the next slot), 3 the previous one while its grace
     * period lasts (the tick above ended it if over); 2 is none of ours. */
    rel = (h.epoch_bits - cur->epoch) & 3u;
    if (rel == 2u || (rel == 1u && cur->epoch >= SLINK_EPOCH_MAX) ||
        (rel == 3u && !r->rx_prev_valid)) {
        r->stats.bad_epoch++;
        return SLINK_ERR_REC_EPOCH;
    }
    slot = slot_add(r->rx_cur, rel == 3u ? 2u : rel);
    k = &r->rx[slot].keys;
    w = &r->rx[slot].win;

    expected = w->any ? w->top + 1u : 0u;
    seq = slink_seq_reconstruct(expected, slink_get_be(body, h.seq_len), 8u * h.seq_len);
    if (slink_replay_check(w, seq) != SLINK_OK) {
        r->stats.replay++;
        return SLINK_ERR_REC_REPLAY;
    }

    if (rel == 1u) {
        e = keys_next(k, cur);
        if (e != SLINK_OK) {
            keys_wipe(k);
            return e;
        }
    }
    e = keys_crypt(k, dst, src, type, seq, body + h.seq_len, ct_len, pt, 0);

    if (e == SLINK_OK) {
        slink_replay_mark(w, seq);
        if (rel == 1u)
            ratchet_rx(r, slot, now_ms);
    } else {
        /* A failed trial open changes nothing: the next slot is empty again. */
        if (rel == 1u)
            keys_wipe(k);
        if (ct_len != 0)
            slink_memzero(pt, ct_len);
        if (e == SLINK_ERR_REC_AUTH) {
            r->forged++;
            r->stats.auth_fail++;
            if (r->forged >= r->lim.forgery_limit)
                e = SLINK_ERR_INTEGRITY_LIMIT;
        }
        return e;
    }
    *pt_len = ct_len;
    *content_type = h.content_type;
    r->stats.opened++;
    r->stats.bytes_opened += ct_len;
    return SLINK_OK;
}

void slink_rec_peer_ack(slink_record *r, uint8_t rx_epoch_lo, uint16_t rx_high)
{
    uint64_t full;

    if (r == NULL || rx_epoch_lo != (uint8_t)(r->tx.epoch & 0xFFu) || r->tx_seq == 0)
        return;
    /* The peer can only have received what we sent: reconstruct near our
     * last sent number and ignore anything claiming more, or older than
     * what it already reported (ACKs may arrive out of order). */
    full = slink_seq_reconstruct(r->tx_seq - 1u, rx_high, 16u);
    if (full >= r->tx_seq)
        return;
    if (r->peer_rx_valid && full < r->peer_rx_high)
        return;
    r->peer_rx_high = full;
    r->peer_rx_valid = 1;
    /* The peer reports our current epoch: our last key update arrived. */
    r->tx_update_unconfirmed = 0;
    if (r->tx_update_queued)
        (void)key_update_now(r);
}

void slink_rec_rx_report(const slink_record *r, uint8_t *rx_epoch_lo, uint16_t *rx_high)
{
    if (r == NULL || rx_epoch_lo == NULL || rx_high == NULL)
        return;
    *rx_epoch_lo = (uint8_t)(SLINK_REC_RX(r).epoch & 0xFFu);
    *rx_high = (uint16_t)(SLINK_REC_RX_WIN(r).top & 0xFFFFu);
}

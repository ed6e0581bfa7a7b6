/* Record layer: known-answer records (docs/PROTOCOL.md, Appendix A, computed with
 * Python's `cryptography`), round trips, one-bit tampering with the exact
 * error, replay, redirection, key update and grace, limits, and the choice
 * of sequence field length. */
#include "testutil.h"
#include <string.h>

#define A_ADDR 0x01
#define B_ADDR 0x10
#define T0     1000u

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    while (h[0] && h[1]) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

static uint8_t sec_ab[32], sec_ba[32];

/* a (0x01) and b (0x10) facing each other: a's tx is b's rx and back. */
static void pair_init(slink_record *a, slink_record *b, const slink_rec_limits *lim)
{
    for (unsigned i = 0; i < 32; i++) {
        sec_ab[i] = (uint8_t)(0x40 + i);
        sec_ba[i] = (uint8_t)(0x90 + i);
    }
    ck_assert_int_eq(slink_rec_init(a, A_ADDR, B_ADDR, sec_ab, sec_ba, lim), SLINK_OK);
    ck_assert_int_eq(slink_rec_init(b, B_ADDR, A_ADDR, sec_ba, sec_ab, lim), SLINK_OK);
}

typedef struct {
    uint8_t type;
    uint8_t body[SLINK_MAX_FRAME_BODY];
    size_t len;
} rec_buf;

static void seal(slink_record *r, uint8_t ct, const uint8_t *pt, size_t n, rec_buf *out)
{
    ck_assert_int_eq(slink_rec_seal(r, ct, pt, n, &out->type, out->body, sizeof out->body,
                                    &out->len), SLINK_OK);
}

/* Opens rec at `to` as a frame from `to`'s peer. */
static slink_err open_at(slink_record *to, const rec_buf *rec, uint64_t now,
                         uint8_t *pt, size_t *n, uint8_t *ct)
{
    return slink_rec_open(to, to->local, to->peer, rec->type, rec->body, rec->len,
                          pt, SLINK_MAX_FRAME_BODY, n, ct, now);
}

/* seal at `from`, open at `to`, check the plaintext survives */
static void xfer(slink_record *from, slink_record *to, uint8_t ct, size_t n, uint64_t now)
{
    static uint8_t pt[SLINK_MAX_FRAME_BODY], out[SLINK_MAX_FRAME_BODY];
    rec_buf rec;
    size_t got;
    uint8_t gct;
    for (size_t i = 0; i < n; i++) pt[i] = (uint8_t)(i * 7u + n);
    seal(from, ct, pt, n, &rec);
    ck_assert_int_eq(open_at(to, &rec, now, out, &got, &gct), SLINK_OK);
    ck_assert_uint_eq(got, n);
    ck_assert_uint_eq(gct, ct);
    if (n) ck_assert_mem_eq(out, pt, n);
}

/* ---- known answers ---- */

#define KAT_PT "hello slink"

START_TEST(record_known_answers)
{
    slink_record a, b;
    rec_buf rec;
    uint8_t want[64], out[64], ct;
    size_t n;
    pair_init(&a, &b, NULL);

    /* epoch 2, seq 0, no ACK yet: 1-byte field (within 64 of 0) */
    seal(&a, SLINK_CT_DATAGRAM, (const uint8_t *)KAT_PT, 11, &rec);
    ck_assert_uint_eq(rec.type, 0xd0);
    ck_assert_uint_eq(rec.len, unhex("00061e0db1d34e6be6d8872be1502d46229869420bb1d701173b4ebd",
                                     want));
    ck_assert_mem_eq(rec.body, want, rec.len);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(n, 11);
    ck_assert_mem_eq(out, KAT_PT, 11);

    /* the peer acknowledged seq 0: seq 1 travels in one byte */
    slink_rec_peer_ack(&a, 2, 0);
    seal(&a, SLINK_CT_STREAM, (const uint8_t *)KAT_PT, 11, &rec);
    ck_assert_uint_eq(rec.type, 0xcc);
    ck_assert_uint_eq(rec.len, unhex("01d9186e6be1f8d7b41a77a2353b0b931a3ee6113317ac2ddf35c47c",
                                     want));
    ck_assert_mem_eq(rec.body, want, rec.len);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(ct, SLINK_CT_STREAM);

    /* after a key update: epoch 3, seq 0 */
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    seal(&a, SLINK_CT_DATAGRAM, (const uint8_t *)KAT_PT, 11, &rec);
    ck_assert_uint_eq(rec.type, 0xf0);
    ck_assert_uint_eq(rec.len, unhex("00413396465ac84547d2bb55bee29744c1d9de9aefdff25856060efb",
                                     want));
    ck_assert_mem_eq(rec.body, want, rec.len);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ck_assert_mem_eq(out, KAT_PT, 11);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 3);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

/* ---- round trips ---- */

START_TEST(round_trip_all_types_and_sizes)
{
    static const size_t sizes[] = { 0, 1, 15, 16, 17, 100, 255, 256,
                                    SLINK_REC_PLAINTEXT_MAX - 1, SLINK_REC_PLAINTEXT_MAX };
    slink_record a, b;
    pair_init(&a, &b, NULL);
    for (uint8_t ct = SLINK_CT_ALERT; ct <= SLINK_CT_DATAGRAM; ct++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            xfer(&a, &b, ct, sizes[i], T0);
            xfer(&b, &a, ct, sizes[i], T0);
        }
    ck_assert_uint_eq(a.stats.sealed, 40);
    ck_assert_uint_eq(b.stats.opened, 40);
    ck_assert_uint_eq(a.stats.bytes_sealed, b.stats.bytes_opened);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(max_record_fills_max_frame_body)
{
    static uint8_t pt[SLINK_REC_PLAINTEXT_MAX + 1];
    slink_record a, b;
    rec_buf rec;
    pair_init(&a, &b, NULL);
    a.tx_seq = 1u << 20; /* force the 6-byte field, the longest */
    seal(&a, SLINK_CT_STREAM, pt, SLINK_REC_PLAINTEXT_MAX, &rec);
    ck_assert_uint_eq(rec.len, SLINK_MAX_FRAME_BODY);
    ck_assert_int_eq(slink_rec_seal(&a, SLINK_CT_STREAM, pt, SLINK_REC_PLAINTEXT_MAX + 1,
                                    &rec.type, rec.body, sizeof rec.body, &rec.len),
                     SLINK_ERR_TOO_BIG);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(buffers_and_arguments_are_checked)
{
    slink_record a, b;
    rec_buf rec;
    uint8_t pt[20] = { 0 }, out[20], ct;
    size_t n;
    pair_init(&a, &b, NULL);
    /* 1-byte seq + 20 + 16 = 37 */
    ck_assert_int_eq(slink_rec_seal(&a, SLINK_CT_STREAM, pt, 20, &rec.type, rec.body, 36,
                                    &rec.len), SLINK_ERR_BUFFER);
    ck_assert_int_eq(a.tx_seq, 0);
    ck_assert_int_eq(slink_rec_seal(&a, 0, pt, 20, &rec.type, rec.body, 64, &rec.len),
                     SLINK_ERR_ARG);
    ck_assert_int_eq(slink_rec_seal(&a, 5, pt, 20, &rec.type, rec.body, 64, &rec.len),
                     SLINK_ERR_ARG);
    seal(&a, SLINK_CT_STREAM, pt, 20, &rec);
    ck_assert_uint_eq(rec.len, 37);
    ck_assert_int_eq(slink_rec_open(&b, B_ADDR, A_ADDR, rec.type, rec.body, rec.len,
                                    out, 19, &n, &ct, T0), SLINK_ERR_BUFFER);
    ck_assert_int_eq(slink_rec_open(&b, B_ADDR, A_ADDR, rec.type, rec.body, rec.len,
                                    out, 20, &n, &ct, T0), SLINK_OK);
    ck_assert_int_eq(slink_rec_init(&a, 0x00, B_ADDR, sec_ab, sec_ba, NULL), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_rec_init(&a, A_ADDR, 0xFF, sec_ab, sec_ba, NULL), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_rec_init(&a, A_ADDR, B_ADDR, NULL, sec_ba, NULL), SLINK_ERR_ARG);
    /* wipe, then init again: a working record (valgrind: no leak) */
    slink_rec_wipe(&a);
    ck_assert_int_eq(slink_rec_init(&a, A_ADDR, B_ADDR, sec_ab, sec_ba, NULL), SLINK_OK);
    ck_assert_uint_eq(a.tx_seq, 0);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(truncated_bodies_are_malformed)
{
    slink_record a, b;
    rec_buf rec;
    uint8_t out[64], ct;
    size_t n;
    pair_init(&a, &b, NULL);
    seal(&a, SLINK_CT_DATAGRAM, NULL, 0, &rec);
    ck_assert_uint_eq(rec.len, 17);
    for (size_t len = 0; len < rec.len; len++)
        ck_assert_int_eq(slink_rec_open(&b, B_ADDR, A_ADDR, rec.type, rec.body, len, out,
                                        sizeof out, &n, &ct, T0), SLINK_ERR_REC_MALFORMED);
    ck_assert_uint_eq(b.stats.malformed, 17);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(n, 0);
    /* a plaintext frame type is not a record */
    ck_assert_int_eq(slink_rec_open(&b, B_ADDR, A_ADDR, SLINK_FT_HS1, rec.body, rec.len, out,
                                    sizeof out, &n, &ct, T0), SLINK_ERR_REC_MALFORMED);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

/* ---- tampering ---- */

/* Type 0xCD = record | epoch 2 | STREAM | 2-byte seq.  Flipping bit i gives:
 *  0: 1-byte seq field (parses, wrong AAD)     -> REC_AUTH
 *  1: seq code 3 (reserved)                    -> REC_MALFORMED
 *  2: content type 2 (ACK)                     -> REC_AUTH
 *  3: content type 1 (ALERT)                   -> REC_AUTH
 *  4: content type 7 (undefined)               -> REC_MALFORMED
 *  5: epoch bits 3 = next epoch, trial open    -> REC_AUTH
 *  6: epoch bits 0: neither current nor next   -> REC_EPOCH
 *  7: not a record                             -> REC_MALFORMED */
static const slink_err type_flip[8] = {
    SLINK_ERR_REC_AUTH, SLINK_ERR_REC_MALFORMED, SLINK_ERR_REC_AUTH, SLINK_ERR_REC_AUTH,
    SLINK_ERR_REC_MALFORMED, SLINK_ERR_REC_AUTH, SLINK_ERR_REC_EPOCH, SLINK_ERR_REC_MALFORMED
};

START_TEST(one_bit_tamper_anywhere_gives_exact_error)
{
    slink_record a, b;
    rec_buf rec, bad;
    uint8_t pt[20], out[64], ct;
    size_t n;
    unsigned auth = 0;
    pair_init(&a, &b, NULL);
    memset(pt, 0x3a, sizeof pt);
    a.tx_seq = 65;   /* beyond the 1-byte start, no ACK: 2-byte field */
    seal(&a, SLINK_CT_STREAM, pt, sizeof pt, &rec);
    ck_assert_uint_eq(rec.type, 0xCD);

    for (unsigned bit = 0; bit < 8; bit++) {
        bad = rec;
        bad.type ^= (uint8_t)(1u << bit);
        ck_assert_int_eq(open_at(&b, &bad, T0, out, &n, &ct), type_flip[bit]);
        auth += type_flip[bit] == SLINK_ERR_REC_AUTH;
    }
    /* seq, ciphertext and tag: every bit */
    for (size_t i = 0; i < rec.len; i++)
        for (unsigned bit = 0; bit < 8; bit++) {
            bad = rec;
            bad.body[i] ^= (uint8_t)(1u << bit);
            memset(out, 0xEE, sizeof out);
            ck_assert_int_eq(open_at(&b, &bad, T0, out, &n, &ct), SLINK_ERR_REC_AUTH);
            ck_assert_uint_eq(out[0], 0); /* no unauthenticated plaintext */
            ck_assert_uint_eq(n, 0);
            auth++;
        }
    ck_assert_uint_eq(b.stats.auth_fail, auth);
    ck_assert_uint_eq(b.forged, auth);
    ck_assert_uint_eq(b.stats.bad_epoch, 1);
    ck_assert_uint_eq(b.stats.malformed, 3);
    /* none of it moved the window or the epoch: the genuine record passes */
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 2);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ck_assert_mem_eq(out, pt, sizeof pt);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(replay_is_refused)
{
    slink_record a, b;
    rec_buf r0, r1, old;
    uint8_t out[64], ct, pt[4] = { 1, 2, 3, 4 };
    size_t n;
    pair_init(&a, &b, NULL);
    seal(&a, SLINK_CT_DATAGRAM, pt, 4, &r0);
    seal(&a, SLINK_CT_DATAGRAM, pt, 4, &r1);
    /* out of order is fine, twice is not */
    ck_assert_int_eq(open_at(&b, &r1, T0, out, &n, &ct), SLINK_OK);
    ck_assert_int_eq(open_at(&b, &r0, T0, out, &n, &ct), SLINK_OK);
    ck_assert_int_eq(open_at(&b, &r0, T0, out, &n, &ct), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(open_at(&b, &r1, T0, out, &n, &ct), SLINK_ERR_REC_REPLAY);
    ck_assert_uint_eq(b.stats.replay, 2);
    /* a record that fell out of the 64-record window */
    seal(&a, SLINK_CT_DATAGRAM, pt, 4, &old);
    for (int i = 0; i < 70; i++)
        xfer(&a, &b, SLINK_CT_DATAGRAM, 4, T0);
    ck_assert_int_eq(open_at(&b, &old, T0, out, &n, &ct), SLINK_ERR_REC_REPLAY);
    ck_assert_uint_eq(b.forged, 0);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(redirected_record_fails_authentication)
{
    slink_record a, b;
    rec_buf rec;
    uint8_t out[64], ct, pt[8] = { 0 };
    size_t n;
    pair_init(&a, &b, NULL);
    seal(&a, SLINK_CT_STREAM, pt, sizeof pt, &rec);
    /* same bytes in a frame with another destination or source */
    ck_assert_int_eq(slink_rec_open(&b, 0x11, A_ADDR, rec.type, rec.body, rec.len, out,
                                    sizeof out, &n, &ct, T0), SLINK_ERR_REC_AUTH);
    ck_assert_int_eq(slink_rec_open(&b, B_ADDR, 0x02, rec.type, rec.body, rec.len, out,
                                    sizeof out, &n, &ct, T0), SLINK_ERR_REC_AUTH);
    ck_assert_int_eq(slink_rec_open(&b, A_ADDR, B_ADDR, rec.type, rec.body, rec.len, out,
                                    sizeof out, &n, &ct, T0), SLINK_ERR_REC_AUTH);
    ck_assert_int_eq(slink_rec_open(&b, 0xFF, A_ADDR, rec.type, rec.body, rec.len, out,
                                    sizeof out, &n, &ct, T0), SLINK_ERR_REC_AUTH);
    /* reflected back to its sender */
    ck_assert_int_eq(open_at(&a, &rec, T0, out, &n, &ct), SLINK_ERR_REC_AUTH);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

/* ---- epochs ---- */

START_TEST(key_update_followed_and_old_epoch_in_grace)
{
    slink_rec_limits lim = { 0, 0, 100 };
    slink_record a, b;
    rec_buf late1, late2, late3, fresh;
    uint8_t out[64], ct, pt[5] = { 5, 4, 3, 2, 1 };
    size_t n;
    pair_init(&a, &b, &lim);
    xfer(&a, &b, SLINK_CT_STREAM, 5, T0);
    seal(&a, SLINK_CT_STREAM, pt, 5, &late1);
    seal(&a, SLINK_CT_STREAM, pt, 5, &late2);
    seal(&a, SLINK_CT_STREAM, pt, 5, &late3);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    ck_assert_uint_eq(a.tx.epoch, 3);
    ck_assert_uint_eq(a.tx_seq, 0);
    ck_assert_uint_eq(a.stats.key_updates_tx, 1);
    /* a record of the old epoch still arrives before the first new one */
    ck_assert_int_eq(open_at(&b, &late1, T0, out, &n, &ct), SLINK_OK);
    seal(&a, SLINK_CT_STREAM, pt, 5, &fresh);
    ck_assert_int_eq(open_at(&b, &fresh, T0 + 10, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 3);
    ck_assert_uint_eq(b.stats.key_updates_rx, 1);
    ck_assert_uint_eq(b.rx_prev_valid, 1);
    /* within grace: late old-epoch records accepted once */
    ck_assert_int_eq(open_at(&b, &late2, T0 + 109, out, &n, &ct), SLINK_OK);
    ck_assert_mem_eq(out, pt, 5);
    ck_assert_int_eq(open_at(&b, &late2, T0 + 109, out, &n, &ct), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(open_at(&b, &late1, T0 + 109, out, &n, &ct), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(open_at(&b, &fresh, T0 + 109, out, &n, &ct), SLINK_ERR_REC_REPLAY);
    /* grace over (expires at T0 + 10 + 100): refused, keys destroyed */
    ck_assert_int_eq(open_at(&b, &late3, T0 + 110, out, &n, &ct), SLINK_ERR_REC_EPOCH);
    ck_assert_uint_eq(b.rx_prev_valid, 0);
#if SLINK_CFG_REC_AEAD_CACHE
    ck_assert_uint_eq(SLINK_REC_RX_PREV(&b).aead.ready, 0);
#else
    ck_assert_uint_eq(SLINK_REC_RX_PREV(&b).ready, 0);
#endif
    ck_assert_uint_eq(b.stats.bad_epoch, 1);
    xfer(&a, &b, SLINK_CT_STREAM, 5, T0 + 200);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

/* The old epoch's keys end with the grace period even when no record
 * arrives after it: the connection's timer calls slink_rec_tick at
 * slink_rec_next_timer. */
START_TEST(old_epoch_wiped_by_timer_without_traffic)
{
    slink_rec_limits lim = { 0, 0, 100 };
    slink_record a, b;
    rec_buf fresh;
    uint8_t out[64], ct, pt[5] = { 5, 4, 3, 2, 1 };
    size_t n;
    pair_init(&a, &b, &lim);
    xfer(&a, &b, SLINK_CT_STREAM, 5, T0);
    ck_assert_uint_eq(slink_rec_next_timer(&b), UINT64_MAX);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    seal(&a, SLINK_CT_STREAM, pt, 5, &fresh);
    ck_assert_int_eq(open_at(&b, &fresh, T0 + 10, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(b.rx_prev_valid, 1);
    ck_assert_uint_eq(slink_rec_next_timer(&b), T0 + 110);
    slink_rec_tick(&b, T0 + 109);
    ck_assert_uint_eq(b.rx_prev_valid, 1);
    slink_rec_tick(&b, T0 + 110);
    ck_assert_uint_eq(b.rx_prev_valid, 0);
#if SLINK_CFG_REC_AEAD_CACHE
    ck_assert_uint_eq(SLINK_REC_RX_PREV(&b).aead.ready, 0);
#else
    ck_assert_uint_eq(SLINK_REC_RX_PREV(&b).ready, 0);
#endif
    {
        static const uint8_t zero[32];
        ck_assert_mem_eq(SLINK_REC_RX_PREV(&b).secret, zero, sizeof zero);
    }
    ck_assert_uint_eq(slink_rec_next_timer(&b), UINT64_MAX);
    slink_rec_tick(NULL, T0);   /* harmless */
    ck_assert_uint_eq(slink_rec_next_timer(NULL), UINT64_MAX);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

/* The receive slots rotate (record.h): a second key update within the
 * grace period makes the first update's epoch the previous one and
 * destroys the epoch before it at that moment, and a forged record with
 * next-epoch bits leaves the next slot empty and changes nothing. */
static void ack_back(slink_record *a, const slink_record *b)
{
    uint8_t ep = 0;
    uint16_t hi = 0;
    slink_rec_rx_report(b, &ep, &hi);
    slink_rec_peer_ack(a, ep, hi);
}

START_TEST(second_update_in_grace_destroys_the_oldest_epoch)
{
    static const slink_rec_rx empty;
    slink_rec_limits lim = { 0, 0, 1000 };
    slink_record a, b;
    rec_buf late2, late3, r3, r4, r5, forged;
    uint8_t out[64], ct, pt[3] = { 1, 2, 3 };
    size_t n;
    pair_init(&a, &b, &lim);
    seal(&a, SLINK_CT_STREAM, pt, 3, &late2);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    seal(&a, SLINK_CT_STREAM, pt, 3, &r3);
    seal(&a, SLINK_CT_STREAM, pt, 3, &late3);
    ck_assert_int_eq(open_at(&b, &r3, T0, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(b.rx_prev_valid && SLINK_REC_RX_PREV(&b).epoch == 2, 1);
    ack_back(&a, &b);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    seal(&a, SLINK_CT_STREAM, pt, 3, &r4);
    ck_assert_int_eq(open_at(&b, &r4, T0 + 20, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 4);
    ck_assert_uint_eq(b.rx_prev_valid && SLINK_REC_RX_PREV(&b).epoch == 3, 1);
    ck_assert_uint_eq(b.rx_prev_expire_ms, T0 + 20 + 1000);
    /* epoch 2, still within its own grace period, is gone: its slot is
     * the next one now, all zero */
    ck_assert_mem_eq(&b.rx[(b.rx_cur + 1u) % 3u], &empty, sizeof empty);
    ck_assert_int_eq(open_at(&b, &late2, T0 + 21, out, &n, &ct), SLINK_ERR_REC_EPOCH);
    ck_assert_int_eq(open_at(&b, &late3, T0 + 21, out, &n, &ct), SLINK_OK);
    ck_assert_mem_eq(out, pt, 3);
    /* a forged epoch-5 record: counted, the next slot stays empty */
    ack_back(&a, &b);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    seal(&a, SLINK_CT_STREAM, pt, 3, &r5);
    forged = r5;
    forged.body[forged.len - 1] ^= 0x80;
    ck_assert_int_eq(open_at(&b, &forged, T0 + 22, out, &n, &ct), SLINK_ERR_REC_AUTH);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 4);
    ck_assert_uint_eq(b.stats.auth_fail, 1);
    ck_assert_mem_eq(&b.rx[(b.rx_cur + 1u) % 3u], &empty, sizeof empty);
    ck_assert_uint_eq(b.rx_prev_valid && SLINK_REC_RX_PREV(&b).epoch == 3, 1);
    /* the genuine one still moves b on */
    ck_assert_int_eq(open_at(&b, &r5, T0 + 23, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 5);
    ck_assert_uint_eq(b.stats.key_updates_rx, 3);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(skipped_epoch_is_refused)
{
    slink_record a, b;
    rec_buf rec;
    uint8_t out[64], ct;
    size_t n;
    pair_init(&a, &b, NULL);
    /* A sender keeps one update in flight (I5, next test); a broken or
     * hostile one may not: force the skips by clearing the flag, as if
     * ACKs had confirmed each update. */
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    a.tx_update_unconfirmed = 0;
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    a.tx_update_unconfirmed = 0;
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);   /* epoch 4: bits 0 */
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_ERR_REC_EPOCH);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    a.tx_update_unconfirmed = 0;
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);   /* epoch 5: bits 1, no previous epoch */
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_ERR_REC_EPOCH);
    /* epochs 6 and 7 alias b's current and next bits: the keys differ */
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    a.tx_update_unconfirmed = 0;
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_ERR_REC_AUTH);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    a.tx_update_unconfirmed = 0;
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_ERR_REC_AUTH);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 2);
    ck_assert_uint_eq(b.stats.bad_epoch, 2);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(second_key_update_waits_for_the_first)
{
    /* Finding 8 / I5 (issue 12): two key updates in a row used to move the
     * sender to epoch E+2, which the receiver (current E, next E+1) refuses
     * for good.  The second now waits until an ACK in epoch E+1 confirms
     * the first, and then happens by itself. */
    slink_record a, b;
    rec_buf rec;
    uint8_t out[64], ct, ep = 0;
    uint16_t hi = 0;
    size_t n;
    pair_init(&a, &b, NULL);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);   /* queued */
    ck_assert_uint_eq(a.tx.epoch, 3);
    ck_assert_uint_eq(a.tx_update_queued, 1);
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 3);
    /* an ACK from before the update confirms nothing */
    slink_rec_peer_ack(&a, 2, 0);
    ck_assert_uint_eq(a.tx.epoch, 3);
    slink_rec_rx_report(&b, &ep, &hi);
    slink_rec_peer_ack(&a, ep, hi);
    ck_assert_uint_eq(a.tx.epoch, 4);                       /* the queued one */
    ck_assert_uint_eq(a.tx_update_queued, 0);
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_int_eq(open_at(&b, &rec, T0 + 1, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 4);
    ck_assert_uint_eq(b.stats.bad_epoch, 0);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(small_rekey_limit_forces_key_updates)
{
    slink_rec_limits lim = { 4, 0, 0 };
    slink_record a, b;
    pair_init(&a, &b, &lim);
    for (int i = 0; i < 10; i++) {
        uint8_t ep = 0;
        uint16_t hi = 0;
        xfer(&a, &b, SLINK_CT_DATAGRAM, 10, T0 + (uint64_t)i);
        /* b's ACK after each record: it confirms each update (I5) */
        slink_rec_rx_report(&b, &ep, &hi);
        slink_rec_peer_ack(&a, ep, hi);
    }
    /* seqs 0-3 in epoch 2, 0-3 in epoch 3, 0-1 in epoch 4 */
    ck_assert_uint_eq(a.tx.epoch, 4);
    ck_assert_uint_eq(a.tx_seq, 2);
    ck_assert_uint_eq(a.stats.key_updates_tx, 2);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, 4);
    ck_assert_uint_eq(b.stats.key_updates_rx, 2);
    ck_assert_uint_eq(b.stats.opened, 10);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(epochs_run_out)
{
    slink_rec_limits lim = { 1, 0, 0 };
    slink_record a, b;
    rec_buf rec;
    pair_init(&a, &b, &lim);
    /* pretend the sender is at the last epoch already */
    a.tx.epoch = SLINK_EPOCH_MAX;
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_ERR_EPOCH_EXHAUSTED);
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_int_eq(slink_rec_seal(&a, SLINK_CT_STREAM, NULL, 0, &rec.type, rec.body,
                                    sizeof rec.body, &rec.len), SLINK_ERR_EPOCH_EXHAUSTED);
    ck_assert_uint_eq(a.tx_seq, 1);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(forgery_limit_is_fatal_and_sticks)
{
    slink_rec_limits lim = { 0, 3, 0 };
    slink_record a, b;
    rec_buf rec, bad;
    uint8_t out[64], ct;
    size_t n;
    pair_init(&a, &b, &lim);
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    bad = rec;
    bad.body[rec.len - 1] ^= 1;
    ck_assert_int_eq(open_at(&b, &bad, T0, out, &n, &ct), SLINK_ERR_REC_AUTH);
    ck_assert_int_eq(open_at(&b, &bad, T0, out, &n, &ct), SLINK_ERR_REC_AUTH);
    ck_assert_int_eq(open_at(&b, &bad, T0, out, &n, &ct), SLINK_ERR_INTEGRITY_LIMIT);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_ERR_INTEGRITY_LIMIT);
    ck_assert_uint_eq(b.forged, 3);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(zero_limits_mean_defaults)
{
    slink_rec_limits lim = { 0, 0, 0 };
    slink_record a, b;
    pair_init(&a, &b, &lim);
    ck_assert(a.lim.rekey_records == SLINK_REKEY_RECORDS_DEFAULT);
    ck_assert(a.lim.forgery_limit == SLINK_FORGERY_LIMIT_DEFAULT);
    ck_assert_uint_eq(a.lim.grace_ms, SLINK_GRACE_MS_DEFAULT);
    ck_assert_uint_eq(a.tx.epoch, SLINK_EPOCH_APP);
    ck_assert_uint_eq(SLINK_REC_RX(&b).epoch, SLINK_EPOCH_APP);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

/* ---- sequence field ---- */

static uint8_t seq_len_of(const rec_buf *r)
{
    static const uint8_t len[4] = { 1, 2, 6, 0 };
    return len[r->type & SLINK_REC_SEQLEN_MASK];
}

static void ack(slink_record *from_rx, slink_record *to_tx)
{
    uint8_t lo;
    uint16_t hi;
    slink_rec_rx_report(from_rx, &lo, &hi);
    slink_rec_peer_ack(to_tx, lo, hi);
}

START_TEST(seq_field_two_bytes_then_one_after_ack)
{
    slink_record a, b;
    rec_buf rec;
    uint8_t out[64], ct;
    size_t n;
    pair_init(&a, &b, NULL);
    /* no ACK yet: 1 byte for seq 0..64 (the receiver expects 0 at most) */
    for (int i = 0; i <= 64; i++) {
        seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
        ck_assert_uint_eq(seq_len_of(&rec), 1);
        ck_assert_uint_eq(rec.len, 1 + SLINK_TAG_LEN);
        ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    }
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);   /* seq 65: 2 bytes */
    ck_assert_uint_eq(seq_len_of(&rec), 2);
    ck_assert_uint_eq(rec.len, 2 + SLINK_TAG_LEN);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ack(&b, &a);
    ck_assert_uint_eq(a.peer_rx_valid, 1);
    /* 1 byte while within 64 of the acknowledged seq, across 255 -> 256 */
    for (int i = 1; i <= 64; i++) {
        seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
        ck_assert_uint_eq(seq_len_of(&rec), 1);
        ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    }
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_uint_eq(seq_len_of(&rec), 2);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    for (int i = 0; i < 300; i++) {
        ack(&b, &a);
        seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
        ck_assert_uint_eq(seq_len_of(&rec), 1);
        ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    }
    ck_assert_uint_eq(SLINK_REC_RX_WIN(&b).top, 430);
    /* a key update forgets the ACK: the new epoch starts again at 1 byte */
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_OK);
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_uint_eq(seq_len_of(&rec), 1);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(seq_field_six_bytes_when_far)
{
    slink_record a, b;
    rec_buf rec;
    uint8_t out[64], ct;
    size_t n;
    pair_init(&a, &b, NULL);
    /* no ACK and beyond what 16 bits reconstruct from 0 */
    a.tx_seq = 16383;
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_uint_eq(seq_len_of(&rec), 2);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_uint_eq(seq_len_of(&rec), 6);
    ck_assert_uint_eq(rec.len, 6 + SLINK_TAG_LEN);
    ck_assert_uint_eq(rec.body[4], 0x40);   /* 16384 = 0x4000, big-endian */
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(SLINK_REC_RX_WIN(&b).top, 16384);
    /* with an ACK more than 16384 behind */
    ack(&b, &a);
    a.tx_seq = 16384 + 16385;
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_uint_eq(seq_len_of(&rec), 6);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    ck_assert_uint_eq(SLINK_REC_RX_WIN(&b).top, 32769);
    ack(&b, &a);
    seal(&a, SLINK_CT_STREAM, NULL, 0, &rec);
    ck_assert_uint_eq(seq_len_of(&rec), 1);
    ck_assert_int_eq(open_at(&b, &rec, T0, out, &n, &ct), SLINK_OK);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(peer_ack_ignores_wrong_epoch_future_and_stale)
{
    slink_record a, b;
    pair_init(&a, &b, NULL);
    for (int i = 0; i < 10; i++)
        xfer(&a, &b, SLINK_CT_STREAM, 1, T0);
    slink_rec_peer_ack(&a, 3, 5);          /* not our tx epoch */
    ck_assert_uint_eq(a.peer_rx_valid, 0);
    slink_rec_peer_ack(&a, 2, 10);         /* we never sent seq 10 */
    ck_assert_uint_eq(a.peer_rx_valid, 0);
    slink_rec_peer_ack(&a, 2, 7);
    ck_assert_uint_eq(a.peer_rx_valid, 1);
    ck_assert_uint_eq(a.peer_rx_high, 7);
    slink_rec_peer_ack(&a, 2, 4);          /* older ACK arriving late */
    ck_assert_uint_eq(a.peer_rx_high, 7);
    slink_rec_peer_ack(&a, 2, 9);
    ck_assert_uint_eq(a.peer_rx_high, 9);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(rx_report_gives_low_bits)
{
    slink_record a, b;
    uint8_t lo;
    uint16_t hi;
    pair_init(&a, &b, NULL);
    a.tx_seq = 0x12345;
    xfer(&a, &b, SLINK_CT_STREAM, 3, T0);
    slink_rec_rx_report(&b, &lo, &hi);
    ck_assert_uint_eq(lo, 2);
    ck_assert_uint_eq(hi, 0x2345);
    slink_rec_peer_ack(&a, lo, hi);
    ck_assert_uint_eq(a.peer_rx_high, 0x12345);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
}
END_TEST

START_TEST(wipe_clears_everything)
{
    slink_record a, b;
    rec_buf rec;
    uint8_t out[8], ct;
    size_t n;
    pair_init(&a, &b, NULL);
    xfer(&a, &b, SLINK_CT_STREAM, 3, T0);
    slink_rec_wipe(&a);
    const uint8_t *p = (const uint8_t *)&a;
    for (size_t i = 0; i < sizeof a; i++)
        ck_assert_uint_eq(p[i], 0);
    ck_assert_int_eq(slink_rec_seal(&a, SLINK_CT_STREAM, NULL, 0, &rec.type, rec.body,
                                    sizeof rec.body, &rec.len), SLINK_ERR_STATE);
    ck_assert_int_eq(slink_rec_open(&a, A_ADDR, B_ADDR, 0xCD, rec.body, 18, out, sizeof out,
                                    &n, &ct, T0), SLINK_ERR_STATE);
    ck_assert_int_eq(slink_rec_key_update(&a), SLINK_ERR_STATE);
    slink_rec_wipe(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, record_known_answers);
    tcase_add_test(tc, round_trip_all_types_and_sizes);
    tcase_add_test(tc, max_record_fills_max_frame_body);
    tcase_add_test(tc, buffers_and_arguments_are_checked);
    tcase_add_test(tc, truncated_bodies_are_malformed);
    tcase_add_test(tc, one_bit_tamper_anywhere_gives_exact_error);
    tcase_add_test(tc, replay_is_refused);
    tcase_add_test(tc, redirected_record_fails_authentication);
    tcase_add_test(tc, key_update_followed_and_old_epoch_in_grace);
    tcase_add_test(tc, old_epoch_wiped_by_timer_without_traffic);
    tcase_add_test(tc, second_update_in_grace_destroys_the_oldest_epoch);
    tcase_add_test(tc, skipped_epoch_is_refused);
    tcase_add_test(tc, second_key_update_waits_for_the_first);
    tcase_add_test(tc, small_rekey_limit_forces_key_updates);
    tcase_add_test(tc, epochs_run_out);
    tcase_add_test(tc, forgery_limit_is_fatal_and_sticks);
    tcase_add_test(tc, zero_limits_mean_defaults);
    tcase_add_test(tc, seq_field_two_bytes_then_one_after_ack);
    tcase_add_test(tc, seq_field_six_bytes_when_far);
    tcase_add_test(tc, peer_ack_ignores_wrong_epoch_future_and_stale);
    tcase_add_test(tc, rx_report_gives_low_bits);
    tcase_add_test(tc, wipe_clears_everything);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Handshake repair requests (docs/PROTOCOL.md §4.7, I3): the receiver of a
 * fragmented msg2 or msg3 asks for the granules it lacks and the sender
 * resends only those, within one round trip instead of a flight timer.  A
 * request is unauthenticated: it buys at most one copy of the held message
 * per duplicate interval, changes no attempt's phase or timers, and a
 * malformed one changes nothing at all. */
#include "pair.h"
#include <string.h>
#include "handshake/hs_msg.h"
#include "session/conn_internal.h"

static slink_err give_raw(pair *p, slink_conn *to, uint8_t type, const uint8_t *body, size_t len)
{
    pair_frame h;
    h.type = type;
    memcpy(h.body, body, len);
    h.len = len;
    return pair_give(p, to, &h);
}

static slink_hs_slot *slot_of(slink_conn *c, int initiator)
{
    return &c->hs_slot[initiator ? SLINK_HS_SLOTS - 1 : 0];
}

/* Sum of the data bytes of the fragments among fr[0..n) (0 if any frame is
 * something else). */
static size_t frag_data(const pair_frame *fr, size_t n, uint8_t msgno)
{
    size_t i, sum = 0;
    for (i = 0; i < n; i++) {
        if (fr[i].type != (SLINK_FT_HS_FRAG | msgno)) return 0;
        sum += fr[i].len - SLINK_HS_FRAG_HDR;
    }
    return sum;
}

/* Appendix A vector 5's body, and the shapes the decoder refuses (the
 * malformed test below feeds the same to a connection). */
START_TEST(repair_codec_round_trip_and_bounds)
{
    static const uint8_t v5[] = { 0x02, 0x01, 0xCD, 0x84 };   /* msg2 of 461: granules 2, 7 */
    static const uint8_t all3[] = { 0x03, 0x00, 0x00 };
    static const uint8_t last[] = { 0x03, 0x04, 0xA0, 0x00, 0x00, 0x08 };   /* 1184: granule 19 */
    static const uint8_t past[] = { 0x03, 0x04, 0xA0, 0x00, 0x00, 0x10 };   /* granule 20 */
    static const uint8_t none[] = { 0x02, 0x00, 0x3D, 0x00 };
    hs_repair d;
    ck_assert_int_eq(hs_repair_decode(v5, sizeof v5, &d), SLINK_OK);
    ck_assert_uint_eq(d.msgno, 2);
    ck_assert_uint_eq(d.total, 461);
    ck_assert_uint_eq(d.map[0], 0x84);
    ck_assert_int_eq(hs_repair_decode(all3, sizeof all3, &d), SLINK_OK);
    ck_assert_uint_eq(d.msgno, 3);
    ck_assert_uint_eq(d.total, 0);
    ck_assert_int_eq(hs_repair_decode(last, sizeof last, &d), SLINK_OK);
    ck_assert_uint_eq(d.total, SLINK_HS_MSG_MAX);
    ck_assert_uint_eq(d.map[2], 0x08);
    ck_assert_int_eq(hs_repair_decode(past, sizeof past, &d), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_repair_decode(none, sizeof none, &d), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_repair_decode(v5, sizeof v5 - 1, &d), SLINK_ERR_HS_MALFORMED);
    ck_assert_uint_eq(SLINK_HS_REPAIR_MAP_LEN(SLINK_HS_MSG_MAX), SLINK_HS_REPAIR_MAP_MAX);
    ck_assert_uint_eq(SLINK_HS_GRANULE, 60);
}
END_TEST

/* A lost piece of msg2, then one of msg3, each repaired by one request and
 * one piece, before any flight timer fires. */
START_TEST(lost_piece_repaired_without_flight_timeout)
{
    static pair_frame fr[64], rq[8], ans[8];
    pair_opts o = { 0 };
    hs_repair q;
    size_t n, i, lost = 2, total;
    uint64_t timer, due;
    o.seed = 900;
    o.mtu_a = 64;    /* both directions in 60-byte pieces */
    o.mtu_b = 64;
    pair *p = pair_new(&o);

    ck_assert_uint_eq(pair_take_frames(p, &p->a, fr, 64), 1);
    ck_assert_int_eq(pair_give(p, &p->b, &fr[0]), SLINK_OK);
    timer = slot_of(&p->a, 1)->next_tx_ms;
    n = pair_take_frames(p, &p->b, fr, 64);
    ck_assert_uint_gt(n, lost + 1);
    total = slink_get_u16(fr[0].body + 2);
    for (i = 0; i < n; i++)
        if (i != lost) ck_assert_int_eq(pair_give(p, &p->a, &fr[i]), SLINK_ERR_NEED_MORE);
    /* no request while the burst could still be on the line */
    ck_assert_uint_eq(pair_take_frames(p, &p->a, rq, 8), 0);
    due = slink_conn_next_timeout(&p->a, p->now);
    ck_assert_uint_gt(due, p->now);
    ck_assert_uint_lt(due, timer);
    p->now = due;
    ck_assert_uint_eq(pair_take_frames(p, &p->a, rq, 8), 1);
    ck_assert_uint_eq(rq[0].type, SLINK_FT_HS_REPAIR);
    ck_assert_int_eq(hs_repair_decode(rq[0].body, rq[0].len, &q), SLINK_OK);
    ck_assert_uint_eq(q.msgno, 2);
    ck_assert_uint_eq(q.total, total);
    for (i = 0; i < (total + 59) / 60; i++)
        ck_assert_int_eq((q.map[i / 8] >> (i % 8)) & 1, i == lost);
    ck_assert_int_eq(pair_give(p, &p->b, &rq[0]), SLINK_OK);
    ck_assert_uint_eq(pair_take_frames(p, &p->b, ans, 8), 1);
    ck_assert_uint_eq(ans[0].type, SLINK_FT_HS_FRAG | SLINK_FT_HS2);
    ck_assert_uint_eq(slink_get_u16(ans[0].body), 60u * lost);
    ck_assert_uint_eq(ans[0].len, 64);
    ck_assert_int_eq(pair_give(p, &p->a, &ans[0]), SLINK_OK);
    ck_assert_int_eq(slink_conn_get_state(&p->a), SLINK_CONN_ESTABLISHED);
    ck_assert_uint_lt(p->now, timer);
    ck_assert_uint_eq(p->a.stats.hs_retransmits, 0);

    /* msg3, the responder's turn to ask */
    timer = slot_of(&p->a, 1)->next_tx_ms;
    n = pair_take_frames(p, &p->a, fr, 64);
    ck_assert_uint_gt(n, lost + 1);
    total = slink_get_u16(fr[0].body + 2);
    for (i = 0; i < n; i++) {
        ck_assert_uint_eq(fr[i].type, SLINK_FT_HS_FRAG | SLINK_FT_HS3);
        if (i != lost) ck_assert_int_eq(pair_give(p, &p->b, &fr[i]), SLINK_ERR_NEED_MORE);
    }
    due = slink_conn_next_timeout(&p->b, p->now);
    ck_assert_uint_lt(due, timer);
    p->now = due;
    ck_assert_uint_eq(pair_take_frames(p, &p->b, rq, 8), 1);
    ck_assert_uint_eq(rq[0].type, SLINK_FT_HS_REPAIR);
    ck_assert_int_eq(hs_repair_decode(rq[0].body, rq[0].len, &q), SLINK_OK);
    ck_assert_uint_eq(q.msgno, 3);
    ck_assert_uint_eq(q.total, total);
    ck_assert_int_eq(pair_give(p, &p->a, &rq[0]), SLINK_OK);
    ck_assert_uint_eq(pair_take_frames(p, &p->a, ans, 8), 1);
    ck_assert_uint_eq(slink_get_u16(ans[0].body), 60u * lost);
    ck_assert_int_eq(pair_give(p, &p->b, &ans[0]), SLINK_OK);
    ck_assert_int_eq(slink_conn_get_state(&p->b), SLINK_CONN_ESTABLISHED);
    ck_assert_uint_lt(p->now, timer);
    ck_assert_uint_eq(p->a.stats.hs_retransmits, 0);
    ck_assert(pair_run_established(p, 5000));
    pair_del(p);
}
END_TEST

/* A whole msg2 damaged on the line: the initiator saw a frame fail its CRC
 * while it awaited msg2, asks for everything (total 0) once the line is
 * quiet, and the responder sends it in granules, long before msg1's timer. */
START_TEST(damaged_whole_msg2_asked_for_after_noise)
{
    static pair_frame fr[64], rq[8];
    static const uint8_t damaged[] = { 0x06, 0x01, 0x07, 0x02, 0x55, 0x55, 0x00 };  /* bad CRC */
    pair_opts o = { 0 };
    hs_repair q;
    size_t n, i, total;
    uint64_t timer, due;
    o.seed = 901;
    pair *p = pair_new(&o);

    ck_assert_uint_eq(pair_take_frames(p, &p->a, fr, 64), 1);
    ck_assert_int_eq(pair_give(p, &p->b, &fr[0]), SLINK_OK);
    n = pair_take_frames(p, &p->b, fr, 64);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(fr[0].type, SLINK_FT_HS2);   /* whole: it is lost */
    total = fr[0].len;
    timer = slot_of(&p->a, 1)->next_tx_ms;
    ck_assert_uint_eq(slink_conn_next_timeout(&p->a, p->now), timer);   /* nothing armed yet */
    (void)slink_conn_input(&p->a, damaged, sizeof damaged, p->now);
    ck_assert_uint_eq(p->a.deframer.stats.crc, 1);
    due = slink_conn_next_timeout(&p->a, p->now);
    ck_assert_uint_lt(due, timer);
    p->now = due;
    ck_assert_uint_eq(pair_take_frames(p, &p->a, rq, 8), 1);
    ck_assert_uint_eq(rq[0].type, SLINK_FT_HS_REPAIR);
    ck_assert_int_eq(hs_repair_decode(rq[0].body, rq[0].len, &q), SLINK_OK);
    ck_assert_uint_eq(q.msgno, 2);
    ck_assert_uint_eq(q.total, 0);
    ck_assert_int_eq(pair_give(p, &p->b, &rq[0]), SLINK_OK);
    n = pair_take_frames(p, &p->b, fr, 64);
    ck_assert_uint_eq(n, (total + 59) / 60);
    ck_assert_uint_eq(frag_data(fr, n, 2), total);
    for (i = 0; i < n; i++)
        ck_assert_int_eq(pair_give(p, &p->a, &fr[i]), i + 1 < n ? SLINK_ERR_NEED_MORE : SLINK_OK);
    ck_assert_int_eq(slink_conn_get_state(&p->a), SLINK_CONN_ESTABLISHED);
    ck_assert_uint_lt(p->now, timer);
    ck_assert(pair_run_established(p, 5000));
    pair_del(p);
}
END_TEST

/* I3: forged requests make the responder send at most one copy of msg2 per
 * duplicate interval, and touch neither its attempt nor the throttle of a
 * genuine duplicate msg1 (so requests cannot stall the attempt). */
START_TEST(forged_repair_buys_one_copy_per_interval)
{
    static pair_frame fr[64], m1;
    static const uint8_t all2[3] = { 2, 0, 0 };
    pair_opts o = { 0 };
    slink_hs_slot *r;
    slink_hs_slot before;
    uint32_t dup;
    size_t out_len, sent = 0;
    uint64_t t0;
    int k;
    o.seed = 902;
    pair *p = pair_new(&o);

    ck_assert_uint_eq(pair_take_frames(p, &p->a, &m1, 1), 1);
    ck_assert_int_eq(pair_give(p, &p->b, &m1), SLINK_OK);
    ck_assert_uint_eq(pair_take_frames(p, &p->b, fr, 64), 1);   /* msg2, our own flight */
    r = slot_of(&p->b, 0);
    out_len = r->hs.out_len;
    dup = conn_hs_dup_interval_ms(&p->b);
    t0 = p->now;
    memcpy(&before, r, sizeof before);

    /* a burst of forged "send everything": one copy, then nothing */
    for (k = 0; k < 20; k++) {
        slink_err e = give_raw(p, &p->b, SLINK_FT_HS_REPAIR, all2, sizeof all2);
        ck_assert_int_eq(e, k == 0 ? SLINK_OK : SLINK_ERR_HS_DUPLICATE);
        sent += frag_data(fr, pair_take_frames(p, &p->b, fr, 64), 2);
    }
    ck_assert_uint_eq(sent, out_len);
    p->now = t0 + dup - 1u;
    ck_assert_int_eq(give_raw(p, &p->b, SLINK_FT_HS_REPAIR, all2, sizeof all2), SLINK_ERR_HS_DUPLICATE);
    ck_assert_uint_eq(pair_take_frames(p, &p->b, fr, 64), 0);
    /* the attempt is as it was: phase, timers, tries, protection */
    ck_assert_int_eq(r->hs.state, before.hs.state);
    ck_assert_uint_eq(r->next_tx_ms, before.next_tx_ms);
    ck_assert_uint_eq(r->protect_until_ms, before.protect_until_ms);
    ck_assert_uint_eq(r->tries, before.tries);
    ck_assert_uint_eq(r->answered_at, before.answered_at);

    /* next interval: one copy more, and the genuine duplicate msg1 is still
     * answered with its own full copy */
    p->now = t0 + dup;
    ck_assert_int_eq(give_raw(p, &p->b, SLINK_FT_HS_REPAIR, all2, sizeof all2), SLINK_OK);
    ck_assert_uint_eq(frag_data(fr, pair_take_frames(p, &p->b, fr, 64), 2), out_len);
    ck_assert_int_eq(pair_give(p, &p->b, &m1), SLINK_ERR_HS_DUPLICATE);
    ck_assert_uint_gt(pair_take_frames(p, &p->b, fr, 64), 0);
    ck_assert_int_eq(r->hs.state, SLINK_HS_WAIT_MSG3);
    ck_assert_uint_eq(r->next_tx_ms, before.next_tx_ms);
    pair_del(p);
}
END_TEST

/* Pieces a request queued stop when the attempt completes: the responder
 * that accepted msg3 sends no more of msg2. */
START_TEST(repair_pieces_stop_when_the_attempt_completes)
{
    static pair_frame fr[64], m3[64];
    static const uint8_t all2[3] = { 2, 0, 0 };
    pair_opts o = { 0 };
    size_t n, i;
    o.seed = 912;
    pair *p = pair_new(&o);
    ck_assert_uint_eq(pair_take_frames(p, &p->a, fr, 64), 1);
    ck_assert_int_eq(pair_give(p, &p->b, &fr[0]), SLINK_OK);
    ck_assert_uint_eq(pair_take_frames(p, &p->b, fr, 64), 1);
    ck_assert_int_eq(pair_give(p, &p->a, &fr[0]), SLINK_OK);           /* a: session, msg3 out */
    n = pair_take_frames(p, &p->a, m3, 64);
    ck_assert_uint_ge(n, 1);
    ck_assert_int_eq(give_raw(p, &p->b, SLINK_FT_HS_REPAIR, all2, sizeof all2), SLINK_OK);   /* queued */
    for (i = 0; i < n; i++) (void)pair_give(p, &p->b, &m3[i]);
    ck_assert_int_eq(slink_conn_get_state(&p->b), SLINK_CONN_ESTABLISHED);
    n = pair_take_frames(p, &p->b, fr, 64);
    for (i = 0; i < n; i++) ck_assert_uint_ne(fr[i].type, SLINK_FT_HS_FRAG | SLINK_FT_HS2);
    ck_assert_uint_ge(n, 1);   /* the key-confirmation ACK */
    ck_assert_uint_eq(slink_conn_next_timeout(&p->b, p->now) > p->now, 1);   /* nothing left due */
    pair_del(p);
}
END_TEST

/* Malformed or misdirected requests: dropped, and no byte of either
 * attempt changes, nothing is sent. */
START_TEST(malformed_repair_dropped_without_state_change)
{
    static pair_frame fr[64], m1;
    static slink_hs_slot before[SLINK_HS_SLOTS];
    pair_opts o = { 0 };
    uint8_t b[16];
    uint16_t total;
    size_t mlen, i;
    o.seed = 903;
    pair *p = pair_new(&o);
    ck_assert_uint_eq(pair_take_frames(p, &p->a, &m1, 1), 1);
    ck_assert_int_eq(pair_give(p, &p->b, &m1), SLINK_OK);
    ck_assert_uint_eq(pair_take_frames(p, &p->b, fr, 64), 1);
    total = (uint16_t)slot_of(&p->b, 0)->hs.out_len;
    mlen = SLINK_HS_REPAIR_MAP_LEN(total);
    p->now += 1000;   /* past the window of our own flight */

    struct { uint8_t body[16]; size_t len; slink_err want; } cases[16];
    size_t nc = 0;
#define CASE(w, ...) do { const uint8_t x_[] = { __VA_ARGS__ }; memcpy(cases[nc].body, x_, sizeof x_); \
        cases[nc].len = sizeof x_; cases[nc].want = (w); nc++; } while (0)
    CASE(SLINK_ERR_HS_MALFORMED, 2, 0);                                   /* short */
    CASE(SLINK_ERR_HS_MALFORMED, 1, 0, 0);                                /* msg1 is never fragmented */
    CASE(SLINK_ERR_HS_MALFORMED, 4, 0, 0);
    CASE(SLINK_ERR_HS_MALFORMED, 0, 0, 0);
    CASE(SLINK_ERR_HS_MALFORMED, 2, 0, 0, 0x01);                          /* total 0 with a map */
    CASE(SLINK_ERR_HS_MALFORMED, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);        /* total too large */
    CASE(SLINK_ERR_HS_MALFORMED, 2, 0, 61, 0x04);                         /* granule past the end */
    CASE(SLINK_ERR_HS_MALFORMED, 2, 0, 61, 0x00);                         /* nothing named */
    CASE(SLINK_ERR_HS_MALFORMED, 2, 0, 61);                               /* map missing */
    CASE(SLINK_ERR_HS_MALFORMED, 2, 0, 61, 0x01, 0x00);                   /* map too long */
#undef CASE
    /* well formed but for another message: a total that is not ours, and
     * msg3, which this responder does not hold */
    b[0] = 2;
    slink_put_u16(b + 1, (uint16_t)(total + 1u));
    memset(b + 3, 0, sizeof b - 3);
    b[3] = 1;
    memcpy(cases[nc].body, b, 3 + SLINK_HS_REPAIR_MAP_LEN(total + 1u));
    cases[nc].len = 3 + SLINK_HS_REPAIR_MAP_LEN(total + 1u);
    cases[nc++].want = SLINK_ERR_HS_UNEXPECTED;
    b[0] = 3;
    slink_put_u16(b + 1, total);
    memcpy(cases[nc].body, b, 3 + mlen);
    cases[nc].len = 3 + mlen;
    cases[nc++].want = SLINK_ERR_HS_UNEXPECTED;

    for (i = 0; i < nc; i++) {
        uint32_t dropped = p->b.stats.hs_dropped;
        uint8_t asks = p->b.rep_asks;
        memcpy(before, p->b.hs_slot, sizeof before);
        ck_assert_int_eq(give_raw(p, &p->b, SLINK_FT_HS_REPAIR, cases[i].body, cases[i].len), cases[i].want);
        ck_assert_msg(memcmp(before, p->b.hs_slot, sizeof before) == 0, "case %zu changed an attempt", i);
        ck_assert_uint_eq(p->b.rep_asks, asks);
        ck_assert_uint_eq(p->b.stats.hs_dropped, dropped + 1u);
        ck_assert_uint_eq(pair_take_frames(p, &p->b, fr, 64), 0);
    }
    /* and the handshake still completes */
    ck_assert(pair_run_established(p, 10000));
    pair_del(p);
}
END_TEST

/* A peer without repair drops type 0x18: the initiator asks at most
 * REP_ASKS_MAX times for a lost piece, then msg1's timer and the
 * duplicate's full copy complete the handshake as before. */
START_TEST(peer_without_repair_still_connects)
{
    static pair_frame fr[64], out[64];
    pair_opts o = { 0 };
    size_t n, i, asks = 0;
    int guard;
    o.seed = 904;
    o.mtu_a = 64;
    o.mtu_b = 64;
    pair *p = pair_new(&o);
    ck_assert_uint_eq(pair_take_frames(p, &p->a, fr, 64), 1);
    ck_assert_int_eq(pair_give(p, &p->b, &fr[0]), SLINK_OK);
    n = pair_take_frames(p, &p->b, fr, 64);
    for (i = 1; i < n; i++) (void)pair_give(p, &p->a, &fr[i]);   /* piece 0 lost */
    for (guard = 0; guard < 200 && slink_conn_get_state(&p->a) != SLINK_CONN_ESTABLISHED; guard++) {
        p->now = slink_conn_next_timeout(&p->a, p->now);
        n = pair_take_frames(p, &p->a, out, 64);
        for (i = 0; i < n; i++) {
            if (out[i].type == SLINK_FT_HS_REPAIR) {
                asks++;                      /* the old peer drops it */
                continue;
            }
            (void)pair_give(p, &p->b, &out[i]);
        }
        n = pair_take_frames(p, &p->b, fr, 64);
        for (i = 0; i < n; i++) (void)pair_give(p, &p->a, &fr[i]);
    }
    ck_assert_int_eq(slink_conn_get_state(&p->a), SLINK_CONN_ESTABLISHED);
    ck_assert_uint_ge(asks, 1);
    ck_assert_uint_le(asks, 6);
    ck_assert_uint_eq(p->a.stats.hs_retransmits, 1);   /* msg1 once more, on its timer */
    pair_del(p);
}
END_TEST

/* A clean line: every piece arrives before its quiet timer runs out, so a
 * handshake in 60-byte pieces sends no request (the clean-line handshake
 * bytes do not grow). */
START_TEST(clean_fragmented_handshake_sends_no_request)
{
    static pair_frame fr[64];
    pair_opts o = { 0 };
    size_t n, i, frames = 0;
    int guard, side;
    o.seed = 906;
    o.mtu_a = 64;
    o.mtu_b = 64;
    pair *p = pair_new(&o);
    for (guard = 0; guard < 100 && !(p->a.state == SLINK_CONN_ESTABLISHED &&
                                     p->b.state == SLINK_CONN_ESTABLISHED && !p->a.hs_msg3_unconfirmed);
         guard++) {
        size_t sent = 0;
        for (side = 0; side < 2; side++) {
            slink_conn *from = side ? &p->b : &p->a, *to = side ? &p->a : &p->b;
            n = pair_take_frames(p, from, fr, 64);
            for (i = 0; i < n; i++) {
                ck_assert_uint_ne(fr[i].type, SLINK_FT_HS_REPAIR);
                (void)pair_give(p, to, &fr[i]);
            }
            sent += n;
        }
        frames += sent;
        if (sent == 0) {
            uint64_t ta = slink_conn_next_timeout(&p->a, p->now), tb = slink_conn_next_timeout(&p->b, p->now);
            p->now = ta < tb ? ta : tb;
        }
    }
    ck_assert_int_eq(p->a.state, SLINK_CONN_ESTABLISHED);
    ck_assert_int_eq(p->b.state, SLINK_CONN_ESTABLISHED);
    ck_assert_uint_gt(frames, 10);   /* msg2 and msg3 went in pieces */
    ck_assert_uint_eq(p->a.stats.hs_retransmits + p->b.stats.hs_retransmits, 0);
    pair_del(p);

    /* the same over the simulated line at 115200: pieces spaced by their
     * airtime, at MTU 64 and at the defaults */
    for (i = 0; i < 2; i++) {
        pair_opts q = { 0 };
        q.seed = 907 + i;
        q.mtu_a = q.mtu_b = i == 0 ? 64 : 0;
        q.line.baud = 115200;
        p = pair_new(&q);
        ck_assert(pair_run_established(p, 5000));
        pair_run_for(p, 1000);
        ck_assert_uint_eq(p->repair_frames[0] + p->repair_frames[1], 0);
        ck_assert_uint_eq(p->a.stats.hs_retransmits + p->b.stats.hs_retransmits, 0);
        pair_del(p);
    }
}
END_TEST

/* The same line at BER 1e-3: requests go out and the handshake completes
 * well within the soak's bound (make soak-noisy-ci measures seeds 1-10). */
START_TEST(noisy_line_handshake_uses_repairs)
{
    pair_opts o = { 0 };
    o.seed = 910;
    o.line.baud = 115200;
    o.line.ber = 1e-3;
    o.line.seed = 910;
    pair *p = pair_new(&o);
    ck_assert(pair_run_established(p, 5000));
    fprintf(stderr, "BER 1e-3, seed 910: established after %llu ms, %zu + %zu repair requests, "
            "%u + %u flight resends\n", (unsigned long long)p->now, p->repair_frames[0], p->repair_frames[1],
            p->a.stats.hs_retransmits, p->b.stats.hs_retransmits);
    ck_assert_uint_gt(p->repair_frames[0] + p->repair_frames[1], 0);
    pair_del(p);
}
END_TEST

/* I3 for the requests a node sends itself: forged pieces of the awaited
 * msg2 and line garbage every 10 ms arm the request timer again and again,
 * yet requests go at most one per sixth of a duplicate interval, and the
 * attempt keeps its phase and its own flight schedule. */
START_TEST(forged_pieces_buy_at_most_six_requests_per_interval)
{
    static pair_frame fr[64], junk;
    static const uint8_t damaged[] = { 0x06, 0x01, 0x07, 0x02, 0x55, 0x55, 0x00 };
    pair_opts o = { 0 };
    size_t n, i, asks = 0, total = 400, k = 0;
    uint64_t t0, t;
    uint32_t dup;
    o.seed = 911;
    pair *p = pair_new(&o);
    ck_assert_uint_eq(pair_take_frames(p, &p->a, fr, 64), 1);   /* msg1; b never answers */
    dup = conn_hs_dup_interval_ms(&p->a);
    t0 = p->now;
    junk.type = SLINK_FT_HS_FRAG | SLINK_FT_HS2;
    for (t = 0; t < 2000; t++) {
        p->now = t0 + t;
        if (t % 10u == 0) {
            /* the last piece of a "new" message each time (total
             * alternates, so every piece is fresh), then garbage */
            slink_put_u16(junk.body, (uint16_t)(total - 60u));
            slink_put_u16(junk.body + 2, (uint16_t)(total + (k & 1u)));
            memset(junk.body + 4, (int)(k & 0xFF), 60);
            junk.len = 64;
            k++;
            (void)pair_give(p, &p->a, &junk);
            (void)slink_conn_input(&p->a, damaged, sizeof damaged, p->now);
        }
        n = pair_take_frames(p, &p->a, fr, 64);
        for (i = 0; i < n; i++) asks += fr[i].type == SLINK_FT_HS_REPAIR;
        ck_assert_int_eq(HS_I(p->a).state, SLINK_HS_WAIT_MSG2);
    }
    fprintf(stderr, "forged pieces every 10 ms for 2 s: %zu requests (duplicate interval %u ms)\n", asks,
            (unsigned)dup);
    ck_assert_uint_gt(asks, 0);
    /* never two within a sixth of a duplicate interval (without that rule:
     * one per forged piece, 200) */
    ck_assert_uint_le(asks, 2000u / (dup / 6u) + 1u);
    /* the forged pieces never completed a msg2 that opened, and the flight
     * schedule is the initiator's own: msg1 went again on its timer only */
    ck_assert_uint_le(p->a.stats.hs_retransmits, 4);
    pair_del(p);
}
END_TEST

/* Liveness oracle: an attacker injecting forged requests for both
 * messages, valid and not, at every step neither stalls the handshake nor
 * touches the session once it is up. */
START_TEST(repair_flood_does_not_stall_or_end)
{
    pair_opts o = { 0 };
    uint64_t rng = 905;
    uint32_t sid;
    int steps;
    o.seed = 905;
    o.mtu_a = 64;
    o.mtu_b = 64;
    pair *p = pair_new(&o);
    for (steps = 0; steps < 100000 && !(p->a.state == SLINK_CONN_ESTABLISHED && p->b.state == SLINK_CONN_ESTABLISHED);
         steps++) {
        uint8_t b[8];
        uint64_t x = test_rand(&rng);
        b[0] = (uint8_t)(2 + (x & 1));
        b[1] = 0;
        b[2] = (uint8_t)(x >> 8) % 4 == 0 ? 0 : (uint8_t)(x >> 16);
        b[3] = (uint8_t)(x >> 24);
        b[4] = (uint8_t)(x >> 32);
        (void)give_raw(p, &p->a, SLINK_FT_HS_REPAIR, b, b[2] == 0 ? 3 : 3 + SLINK_HS_REPAIR_MAP_LEN(b[2]));
        (void)give_raw(p, &p->b, SLINK_FT_HS_REPAIR, b, b[2] == 0 ? 3 : 3 + SLINK_HS_REPAIR_MAP_LEN(b[2]));
        if (pair_step(p) < 0) break;
        if (p->now > 3000) break;
    }
    ck_assert_int_eq(p->a.state, SLINK_CONN_ESTABLISHED);
    ck_assert_int_eq(p->b.state, SLINK_CONN_ESTABLISHED);
    ck_assert_uint_lt(p->now, 3000);   /* a clean handshake takes about 50 ms here */
    sid = p->a.session_id;
    for (steps = 0; steps < 2000; steps++) {
        static const uint8_t all[2][3] = { { 2, 0, 0 }, { 3, 0, 0 } };
        (void)give_raw(p, &p->a, SLINK_FT_HS_REPAIR, all[steps & 1], 3);
        (void)give_raw(p, &p->b, SLINK_FT_HS_REPAIR, all[steps & 1], 3);
        if (pair_step(p) < 0) break;
    }
    ck_assert_int_eq(p->a.state, SLINK_CONN_ESTABLISHED);
    ck_assert_int_eq(p->b.state, SLINK_CONN_ESTABLISHED);
    ck_assert_uint_eq(p->a.session_id, sid);
    pair_del(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hs_repair");
    TCase *tc = tcase_create("hs_repair");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, repair_codec_round_trip_and_bounds);
    tcase_add_test(tc, lost_piece_repaired_without_flight_timeout);
    tcase_add_test(tc, damaged_whole_msg2_asked_for_after_noise);
    tcase_add_test(tc, forged_repair_buys_one_copy_per_interval);
    tcase_add_test(tc, malformed_repair_dropped_without_state_change);
    tcase_add_test(tc, repair_pieces_stop_when_the_attempt_completes);
    tcase_add_test(tc, peer_without_repair_still_connects);
    tcase_add_test(tc, clean_fragmented_handshake_sends_no_request);
    tcase_add_test(tc, noisy_line_handshake_uses_repairs);
    tcase_add_test(tc, forged_pieces_buy_at_most_six_requests_per_interval);
    tcase_add_test(tc, repair_flood_does_not_stall_or_end);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

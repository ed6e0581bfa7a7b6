/* Rules a second implementation has to meet exactly, checked between two
 * connections back to back: record sizes on a link whose ends have
 * different MTUs (docs/PROTOCOL.md §2.4, §3.6, §3.7: both ends derive the
 * same link MTU from the two advertised mtu_codes, fill records up to it,
 * accept records up to it, drop and count anything longer), datagram
 * sizes, handshake fragments (§4.7) and close_notify's final (§3.8). */
#include "pair.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define new_pair pair_new
#define del_pair pair_del

#define pat test_pat

/* `total` stream bytes each way, checked on arrival; 1 when all arrived. */
static int transfer(pair *p, size_t total, uint64_t max_ms)
{
    size_t sent[2] = { 0, 0 }, got[2] = { 0, 0 };
    uint8_t buf[2048];
    uint64_t end = p->now + max_ms;
    while (p->now < end && (got[0] < total || got[1] < total)) {
        for (int s = 0; s < 2; s++) {
            slink_conn *tx = s ? &p->b : &p->a, *rx = s ? &p->a : &p->b;
            size_t want = total - sent[s], acc = 0, n = 0;
            if (want > 700) want = 700;
            for (size_t i = 0; i < want; i++) buf[i] = pat((uint64_t)s, sent[s] + i);
            if (want > 0) (void)slink_conn_send(tx, buf, want, &acc);
            sent[s] += acc;
            while (slink_conn_recv(rx, buf, sizeof buf, &n) == SLINK_OK && n > 0) {
                for (size_t i = 0; i < n; i++)
                    T_REQUIRE(buf[i] == pat((uint64_t)s, got[s] + i),
                              "dir %d byte %zu corrupted or out of order", s, got[s] + i);
                got[s] += n;
            }
        }
        if (pair_step(p) < 0) break;
    }
    return got[0] == total && got[1] == total;
}

/* The MTU the other end learns from our mtu_code: rounded down to 16. */
static uint16_t advertised(uint16_t mtu)
{
    return (uint16_t)(mtu / SLINK_MTU_UNIT * SLINK_MTU_UNIT);
}

static const uint16_t small_mtus[] = { 64, 100, 128, 256 };

/* _i: small MTU index * 2 + (0: the initiator has the small MTU, 1: the
 * responder has it); the other end has the host default, 1104. */
START_TEST(asymmetric_mtu_end_to_end)
{
    uint16_t small = small_mtus[_i / 2], big = SLINK_MAX_FRAME_BODY;
    int small_a = (_i % 2) == 0;
    uint16_t link = advertised(small);   /* min(advertised MTUs) */
    pair_opts o = { 0 };
    o.seed = 300 + (uint64_t)_i;
    o.mtu_a = small_a ? small : big;
    o.mtu_b = small_a ? big : small;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 60000));

    int ok = transfer(p, 30000, 600000);
    fprintf(stderr,
            "mtu a %u b %u: link %u, chunk_max a %u b %u, 30000 B each way %s, retransmits a %u b %u, "
            "too long a %u b %u, largest record body a->b %zu b->a %zu, largest frame body %zu/%zu\n",
            o.mtu_a, o.mtu_b, link, p->a.stream.chunk_max, p->b.stream.chunk_max,
            ok ? "complete" : "STALLED", p->a.stream.stats.retransmits, p->b.stream.stats.retransmits,
            p->a.stats.records_too_long, p->b.stats.records_too_long, p->max_rec_body[0],
            p->max_rec_body[1], p->max_body[0], p->max_body[1]);
    /* One rule on both ends: chunks of link MTU - 23 bytes. */
    ck_assert_uint_eq(p->a.stream.chunk_max, link - 23u);
    ck_assert_uint_eq(p->b.stream.chunk_max, link - 23u);
    ck_assert(ok);
    /* Clean line: nothing was lost, so nothing was ever refused either. */
    ck_assert_uint_eq(p->a.stream.stats.retransmits + p->b.stream.stats.retransmits, 0);
    ck_assert_uint_eq(p->a.stats.records_too_long + p->b.stats.records_too_long, 0);
    /* Full chunks went out (1-byte sequence field: body = link MTU - 5),
     * and no frame body ever exceeded what its receiver advertised. */
    ck_assert_uint_eq(p->max_rec_body[0], link - 5u);
    ck_assert_uint_eq(p->max_rec_body[1], link - 5u);
    ck_assert_uint_le(p->max_body[0], advertised(o.mtu_b));
    ck_assert_uint_le(p->max_body[1], advertised(o.mtu_a));

    /* Datagrams: up to link MTU - 22 bytes, both ways, whole. */
    for (int s = 0; s < 2; s++) {
        slink_conn *tx = s ? &p->b : &p->a, *rx = s ? &p->a : &p->b;
        uint8_t msg[SLINK_DGRAM_MAX + 1], in[SLINK_DGRAM_MAX + 1];
        size_t n = 0;
        for (size_t i = 0; i < sizeof msg; i++) msg[i] = pat(99u + (uint64_t)s, i);
        ck_assert_int_eq(slink_conn_send_dgram(tx, msg, link - 21u), SLINK_ERR_TOO_BIG);
        ck_assert_int_eq(slink_conn_send_dgram(tx, msg, link - 22u), SLINK_OK);
        pair_run_for(p, 1000);
        ck_assert_int_eq(slink_conn_recv_dgram(rx, in, sizeof in, &n), SLINK_OK);
        ck_assert_uint_eq(n, link - 22u);
        ck_assert_mem_eq(in, msg, n);
    }
    ck_assert_uint_eq(p->a.stats.records_too_long + p->b.stats.records_too_long, 0);
    del_pair(p);
}
END_TEST

/* A record sealed with the sender's keys and handed to the receiver as if
 * it came off the line (an implementation that got the size rule wrong). */
static slink_err inject(pair *p, uint8_t ct, const uint8_t *pt, size_t len)
{
    uint8_t body[SLINK_MAX_FRAME_BODY];
    size_t blen = 0;
    slink_frame f;
    ck_assert_int_eq(slink_rec_seal(&p->a.rec, ct, pt, len, &f.type, body, sizeof body, &blen),
                     SLINK_OK);
    f.dst = p->b.cfg.local_addr;
    f.src = p->a.cfg.local_addr;
    f.body = body;
    f.body_len = blen;
    return slink_conn_handle_frame(&p->b, &f, p->now);
}

/* The receiver with the big MTU holds its peer to the link MTU: one byte
 * over is dropped and counted, never silently. */
START_TEST(over_limit_records_dropped_and_counted)
{
    pair_opts o = { 0 };
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], in[SLINK_DGRAM_MAX];
    size_t n = 0, link;
    o.seed = 320;
    o.mtu_a = 64;
    o.mtu_b = SLINK_MAX_FRAME_BODY;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 60000));
    pair_run_for(p, 500);
    link = 64;
    memset(pt, 0x5A, sizeof pt);

    /* stream: chunk number rcv_nxt, link - 22 data bytes: one too many */
    pt[0] = p->b.stream.rcv_nxt;
    ck_assert_int_eq(inject(p, SLINK_CT_STREAM, pt, 1u + link - 22u), SLINK_ERR_REC_MALFORMED);
    ck_assert_uint_eq(p->b.stats.records_too_long, 1);
    ck_assert_uint_eq(slink_stream_readable(&p->b.stream), 0);
    /* link - 23 data bytes: taken */
    ck_assert_int_eq(inject(p, SLINK_CT_STREAM, pt, 1u + link - 23u), SLINK_OK);
    ck_assert_uint_eq(slink_stream_readable(&p->b.stream), link - 23u);

    /* datagram: link - 21 bytes dropped and counted, link - 22 delivered */
    ck_assert_int_eq(inject(p, SLINK_CT_DATAGRAM, pt, link - 21u), SLINK_ERR_REC_MALFORMED);
    ck_assert_uint_eq(p->b.stats.records_too_long, 2);
    ck_assert_int_eq(slink_conn_recv_dgram(&p->b, in, sizeof in, &n), SLINK_ERR_AGAIN);
    ck_assert_int_eq(inject(p, SLINK_CT_DATAGRAM, pt, link - 22u), SLINK_OK);
    ck_assert_int_eq(slink_conn_recv_dgram(&p->b, in, sizeof in, &n), SLINK_OK);
    ck_assert_uint_eq(n, link - 22u);
    ck_assert_uint_eq(p->b.stats.records_too_long, 2);
    ck_assert_int_eq(slink_conn_get_state(&p->b), SLINK_CONN_ESTABLISHED);
    del_pair(p);
}
END_TEST

/* §3.7: a datagram carries 1 or more bytes.  The sender refuses an empty
 * one; a receiver drops one (counted in records_dropped) and delivers
 * nothing, so no application is ever handed a message it cannot tell from
 * end of file. */
START_TEST(empty_datagram_refused_and_dropped)
{
    pair_opts o = { 0 };
    uint8_t in[16];
    size_t n = 0;
    uint32_t dropped;
    o.seed = 321;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 60000));
    pair_run_for(p, 500);
    ck_assert_int_eq(slink_conn_send_dgram(&p->a, in, 0), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_conn_send_dgram(&p->a, NULL, 0), SLINK_ERR_ARG);
    ck_assert_int_eq(p->a.dgram_tx_pending, 0);

    dropped = p->b.stats.records_dropped;
    ck_assert_int_eq(inject(p, SLINK_CT_DATAGRAM, in, 0), SLINK_ERR_REC_MALFORMED);
    ck_assert_uint_eq(p->b.stats.records_dropped, dropped + 1u);
    ck_assert_int_eq(slink_conn_recv_dgram(&p->b, in, sizeof in, &n), SLINK_ERR_AGAIN);
    /* one byte is a datagram */
    in[0] = 0x42;
    ck_assert_int_eq(inject(p, SLINK_CT_DATAGRAM, in, 1), SLINK_OK);
    ck_assert_int_eq(slink_conn_recv_dgram(&p->b, in, sizeof in, &n), SLINK_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(in[0], 0x42);
    del_pair(p);
}
END_TEST

/* The configured MTU is used as advertised: rounded down to 16. */
START_TEST(configured_mtu_rounds_down_to_code)
{
    static const uint16_t cfg[] = { 64, 79, 80, 100, 255, 256, 1103, 1104 };
    for (size_t k = 0; k < sizeof cfg / sizeof cfg[0]; k++) {
        pair_opts o = { 0 };
        o.seed = 330 + k;
        o.mtu_a = cfg[k];
        pair *p = new_pair(&o);
        ck_assert_uint_eq(p->a.cfg.mtu, advertised(cfg[k]));
        ck_assert_uint_eq(p->a.cfg.mtu % SLINK_MTU_UNIT, 0);
        ck_assert_uint_eq(slink_mtu_code(p->a.cfg.mtu), cfg[k] / 16u);
        del_pair(p);
    }
}
END_TEST

/* §4.7: a sender cuts a handshake message into fragments of exactly
 * (M - 4) data bytes, M = min(own MTU, peer's advertised MTU), the last one
 * shorter; the receiver takes them in any order and duplicated. */
START_TEST(handshake_fragment_sizes_and_any_order)
{
    static pair_frame fr[64];
    pair_opts o = { 0 };
    size_t n, i, total, sum;
    o.seed = 340;
    o.mtu_a = SLINK_MAX_FRAME_BODY;   /* initiator */
    o.mtu_b = 64;                     /* responder: msg2 goes in 64-byte frames */
    pair *p = new_pair(&o);

    n = pair_take_frames(p, &p->a, fr, 64);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(fr[0].type, SLINK_FT_HS1);   /* 35 bytes: one frame */
    ck_assert_uint_eq(fr[0].len, SLINK_HS1_LEN);
    ck_assert_int_eq(pair_give(p, &p->b, &fr[0]), SLINK_OK);

    n = pair_take_frames(p, &p->b, fr, 64);
    ck_assert_uint_gt(n, 2);
    total = slink_get_u16(fr[0].body + 2);
    sum = 0;
    for (i = 0; i < n; i++) {
        ck_assert_uint_eq(fr[i].type, SLINK_FT_HS_FRAG | SLINK_FT_HS2);
        ck_assert_uint_eq(slink_get_u16(fr[i].body), 60u * i);       /* off */
        ck_assert_uint_eq(slink_get_u16(fr[i].body + 2), total);     /* total */
        ck_assert_uint_eq(fr[i].len - 4u, i + 1 < n ? 60u : total - 60u * i);
        sum += fr[i].len - 4u;
    }
    ck_assert_uint_eq(sum, total);
    /* last first, then the rest backwards, each one twice */
    for (i = n; i-- > 0;) {
        slink_err e = pair_give(p, &p->a, &fr[i]);
        ck_assert_int_eq(e, i == 0 ? SLINK_OK : SLINK_ERR_NEED_MORE);
        if (i > 0) ck_assert_int_eq(pair_give(p, &p->a, &fr[i]), SLINK_ERR_NEED_MORE);
    }
    ck_assert_int_eq(slink_conn_get_state(&p->a), SLINK_CONN_ESTABLISHED);

    /* msg3 to a responder that advertised 64: fragments of 60 as well */
    n = pair_take_frames(p, &p->a, fr, 64);
    ck_assert_uint_gt(n, 2);
    for (i = 0; i < n; i++) {
        ck_assert_uint_eq(fr[i].type, SLINK_FT_HS_FRAG | SLINK_FT_HS3);
        ck_assert_uint_le(fr[i].len, 64);
        if (i + 1 < n) ck_assert_uint_eq(fr[i].len, 64);
    }
    for (i = 0; i < n; i++) (void)pair_give(p, &p->b, &fr[(i + 1) % n]);
    ck_assert_int_eq(slink_conn_get_state(&p->b), SLINK_CONN_ESTABLISHED);
    del_pair(p);
}
END_TEST

/* A message that fits one frame may still arrive in fragments: a receiver
 * reassembles msg1 from three, out of order and with a duplicate. */
START_TEST(fragments_of_a_one_frame_message_accepted)
{
    static pair_frame fr[8], frag[3];
    static const size_t cut[4] = { 0, 10, 20, SLINK_HS1_LEN };
    static const int order[4] = { 2, 0, 2, 1 };
    pair_opts o = { 0 };
    size_t i;
    o.seed = 341;
    pair *p = new_pair(&o);
    ck_assert_uint_eq(pair_take_frames(p, &p->a, fr, 8), 1);
    ck_assert_uint_eq(fr[0].type, SLINK_FT_HS1);
    for (i = 0; i < 3; i++) {
        frag[i].type = SLINK_FT_HS_FRAG | SLINK_FT_HS1;
        slink_put_u16(frag[i].body, (uint16_t)cut[i]);
        slink_put_u16(frag[i].body + 2, (uint16_t)SLINK_HS1_LEN);
        memcpy(frag[i].body + 4, fr[0].body + cut[i], cut[i + 1] - cut[i]);
        frag[i].len = 4u + cut[i + 1] - cut[i];
    }
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(pair_give(p, &p->b, &frag[order[i]]), i < 3 ? SLINK_ERR_NEED_MORE : SLINK_OK);
    ck_assert_int_eq(HS_R(p->b).state, SLINK_HS_WAIT_MSG3);
    ck_assert(pair_run_established(p, 60000));
    del_pair(p);
}
END_TEST

/* §3.8: a close_notify whose final lies beyond the window is ignored and
 * counted: no end of stream, the session goes on. */
START_TEST(close_notify_with_impossible_final_ignored)
{
    pair_opts o = { 0 };
    uint8_t pt[3];
    uint32_t dropped;
    o.seed = 342;
    pair *p = new_pair(&o);
    ck_assert(pair_run_established(p, 60000));
    pair_run_for(p, 500);
    dropped = p->b.stats.records_dropped;
    pt[0] = SLINK_ALERT_WARNING;
    pt[1] = SLINK_ALERT_CLOSE_NOTIFY;
    pt[2] = (uint8_t)(p->b.stream.rcv_nxt + p->b.stream.window + 1u);
    ck_assert_int_eq(inject(p, SLINK_CT_ALERT, pt, 3), SLINK_OK);
    ck_assert_uint_eq(p->b.stats.records_dropped, dropped + 1u);
    ck_assert_int_eq(p->b.stream.peer_closed, 0);
    /* the real one (final = chunks sent so far) is taken */
    pt[2] = p->b.stream.rcv_nxt;
    ck_assert_int_eq(inject(p, SLINK_CT_ALERT, pt, 3), SLINK_OK);
    ck_assert_int_eq(p->b.stream.peer_closed, 1);
    del_pair(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("interop");
    TCase *tc = tcase_create("interop");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, asymmetric_mtu_end_to_end, 0, 8);
    tcase_add_test(tc, over_limit_records_dropped_and_counted);
    tcase_add_test(tc, empty_datagram_refused_and_dropped);
    tcase_add_test(tc, configured_mtu_rounds_down_to_code);
    tcase_add_test(tc, handshake_fragment_sizes_and_any_order);
    tcase_add_test(tc, fragments_of_a_one_frame_message_accepted);
    tcase_add_test(tc, close_notify_with_impossible_final_ignored);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Application streams inside one session (docs/PROTOCOL.md §3.6.1): each
 * stream ends with an empty chunk, recv() reports STREAM_END once after its
 * last byte, and no byte of one stream is ever handed out with the next
 * one's - on a clean line and through loss, duplication and reordering. */
#include "pair.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pair already established. */
static pair *new_pair(const pair_opts *o)
{
    pair *p = pair_new(o);
    ck_assert(pair_run_established(p, 600000));
    return p;
}

#define del_pair pair_del

/* Stream k's bytes: distinct per stream, so a byte delivered to the wrong
 * stream shows. */
static uint8_t pat(unsigned k, size_t i)
{
    return (uint8_t)(k * 37u + (i * 7u) % 251u + (i >> 8));
}

/* Writes `len` bytes of stream k from `src` (driving the pair while the
 * window is full), then ends it. */
static void send_stream(pair *p, slink_conn *src, unsigned k, size_t len)
{
    size_t done = 0;
    uint8_t buf[512];
    while (done < len) {
        size_t n = len - done < sizeof buf ? len - done : sizeof buf, acc = 0, i;
        for (i = 0; i < n; i++) buf[i] = pat(k, done + i);
        slink_err e = slink_conn_send(src, buf, n, &acc);
        ck_assert(e == SLINK_OK || e == SLINK_ERR_WOULD_BLOCK);
        done += acc;
        if (acc == 0) ck_assert_int_ge(pair_step(p), 0);
    }
    ck_assert_int_eq(slink_conn_end_stream(src), SLINK_OK);
}

/* Reads stream k at `dst` until its STREAM_END; checks every byte and that
 * the end comes exactly once, after exactly `len` bytes.  Reads use an
 * odd-sized buffer larger than a stream, so a read that crossed the
 * boundary would be seen. */
static void recv_stream(pair *p, slink_conn *dst, unsigned k, size_t len, uint64_t max_ms)
{
    uint8_t buf[777];
    size_t have = 0;
    uint64_t until = p->now + max_ms;
    for (;;) {
        size_t got = 0, i;
        slink_err e = slink_conn_recv(dst, buf, sizeof buf, &got);
        for (i = 0; i < got; i++) {
            T_REQUIRE(have + i < len, "stream %u: byte %zu is past its end", k, have + i);
            T_REQUIRE(buf[i] == pat(k, have + i), "stream %u: byte %zu differs", k, have + i);
        }
        have += got;
        if (e == SLINK_ERR_STREAM_END) {
            ck_assert_uint_eq(got, 0);
            break;
        }
        ck_assert_msg(e == SLINK_OK || e == SLINK_ERR_AGAIN, "stream %u: recv %s", k, slink_err_str(e));
        if (got == 0) {
            ck_assert_msg(p->now < until, "stream %u: only %zu of %zu bytes by the deadline", k, have, len);
            ck_assert_int_ge(pair_step(p), 0);
        }
    }
    ck_assert_uint_eq(have, len);
}

START_TEST(two_streams_one_session_byte_exact)
{
    pair_opts o = { 0 };
    o.seed = 5;
    pair *p = new_pair(&o);
    uint32_t sid = p->b.session_id, hs = p->a.stats.hs_completed;
    uint8_t buf[64];
    size_t got = 0;

    send_stream(p, &p->a, 1, 3000);
    send_stream(p, &p->a, 2, 2000);
    recv_stream(p, &p->b, 1, 3000, 30000);
    recv_stream(p, &p->b, 2, 2000, 30000);
    /* each end once: nothing more is pending */
    pair_run_for(p, 500);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &got), SLINK_ERR_AGAIN);
    /* the reply direction has its own boundaries */
    send_stream(p, &p->b, 3, 10);
    recv_stream(p, &p->a, 3, 10, 30000);
    /* no handshake, same session, counted */
    ck_assert_uint_eq(p->b.session_id, sid);
    ck_assert_uint_eq(p->a.stats.hs_completed, hs);
    ck_assert_uint_eq(p->a.stream.stats.ends_sent, 2);
    ck_assert_uint_eq(p->b.stream.stats.ends_received, 2);
    ck_assert_int_eq(slink_conn_get_state(&p->a), SLINK_CONN_ESTABLISHED);
    del_pair(p);
}
END_TEST

START_TEST(empty_streams_and_end_queue_limit)
{
    /* More ends than the receiver holds unread: the rest are not taken
     * (the sender keeps them) until the application reads. */
    pair_opts o = { 0 };
    o.seed = 6;
    pair *p = new_pair(&o);
    unsigned k, n = SLINK_STREAM_ENDS_MAX + 3u;
    for (k = 0; k < n; k++) ck_assert_int_eq(slink_conn_end_stream(&p->a), SLINK_OK);
    pair_run_for(p, 3000);
    ck_assert_uint_eq(p->b.stream.rx_end_count, SLINK_STREAM_ENDS_MAX);
    for (k = 0; k < n; k++) recv_stream(p, &p->b, k, 0, 60000);
    ck_assert_uint_eq(p->b.stream.stats.ends_received, n);
    ck_assert_int_eq(slink_conn_get_state(&p->b), SLINK_CONN_ESTABLISHED);
    del_pair(p);
}
END_TEST

START_TEST(end_waits_for_a_full_window)
{
    /* The window is full when the stream ends: the end is placed once room
     * frees, and the next stream's write is refused until then. */
    pair_opts o = { 0 };
    o.seed = 7;
    o.stream_window = 2;
    pair *p = new_pair(&o);
    uint8_t big[4096];
    size_t acc = 0, i;
    for (i = 0; i < sizeof big; i++) big[i] = pat(1, i);
    ck_assert_int_eq(slink_conn_send(&p->a, big, sizeof big, &acc), SLINK_OK);
    ck_assert_uint_lt(acc, sizeof big);   /* the window took part of it */
    ck_assert_int_eq(slink_conn_end_stream(&p->a), SLINK_OK);
    ck_assert_uint_eq(p->a.stream.end_pending, 1);
    size_t acc2 = 0;
    ck_assert_int_eq(slink_conn_send(&p->a, big, 1, &acc2), SLINK_ERR_WOULD_BLOCK);
    recv_stream(p, &p->b, 1, acc, 30000);
    send_stream(p, &p->a, 2, 500);
    recv_stream(p, &p->b, 2, 500, 30000);
    del_pair(p);
}
END_TEST

START_TEST(streams_through_a_lossy_line)
{
    /* Many streams of mixed lengths (empty ones too) through loss,
     * duplication, corruption and reordering: each arrives whole, alone and
     * in order, and the boundaries crossed retransmissions. */
    pair_opts o = { 0 };
    o.seed = 100 + (uint64_t)_i;
    o.baud = 9600;
    o.line.baud = 9600;
    o.line.loss = 0.15;
    o.line.dup = 0.05;
    o.line.corrupt = 0.05;
    o.line.jitter_ms = 30;
    o.line.seed = 200 + (uint64_t)_i;
    pair *p = new_pair(&o);
    uint32_t sid = p->a.session_id;
    static const size_t lens[] = { 12, 0, 700, 1, 0, 0, 90, 2500, 40, 5 };
    unsigned k, n = (unsigned)(sizeof lens / sizeof lens[0]);
    for (k = 0; k < n; k++) {
        /* the reply overlaps the request: both directions carry ends */
        send_stream(p, &p->a, k, lens[k]);
        send_stream(p, &p->b, 100u + k, lens[n - 1u - k]);
        recv_stream(p, &p->b, k, lens[k], 600000);
        recv_stream(p, &p->a, 100u + k, lens[n - 1u - k], 600000);
    }
    fprintf(stderr, "lossy seed %d: retransmits a %u b %u, lost frames %llu\n", _i,
            p->a.stream.stats.retransmits, p->b.stream.stats.retransmits,
            (unsigned long long)(p->line.st[0].lost + p->line.st[1].lost));
    ck_assert_uint_gt(p->a.stream.stats.retransmits + p->b.stream.stats.retransmits, 0);
    ck_assert_uint_eq(p->a.session_id, sid);
    ck_assert_uint_eq(p->b.stream.stats.ends_received, n);
    ck_assert_uint_eq(p->a.stream.stats.ends_received, n);
    del_pair(p);
}
END_TEST

START_TEST(close_after_streams_still_clean)
{
    /* The authenticated close still ends the session after stream ends. */
    pair_opts o = { 0 };
    o.seed = 8;
    pair *p = new_pair(&o);
    uint8_t buf[16];
    size_t got = 0;
    send_stream(p, &p->a, 1, 100);
    recv_stream(p, &p->b, 1, 100, 30000);
    ck_assert_int_eq(slink_conn_close(&p->a, p->now), SLINK_OK);
    ck_assert_int_eq(slink_conn_close(&p->b, p->now), SLINK_OK);
    pair_run_for(p, 5000);
    ck_assert_int_eq(slink_conn_recv(&p->b, buf, sizeof buf, &got), SLINK_ERR_CLOSED);
    del_pair(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("appstream");
    TCase *tc = tcase_create("appstream");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, two_streams_one_session_byte_exact);
    tcase_add_test(tc, empty_streams_and_end_queue_limit);
    tcase_add_test(tc, end_waits_for_a_full_window);
    tcase_add_loop_test(tc, streams_through_a_lossy_line, 0, 3);
    tcase_add_test(tc, close_after_streams_still_clean);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Stream mode: unit tests of each rule, then two endpoints over a simulated
 * lossy, duplicating, reordering line moving a megabyte. */
#include "testutil.h"
#include <stdio.h>
#include <string.h>

/* Endpoints are ~22 KiB each: static, not on check's stack. */
static slink_stream A, B;

static slink_stream_cfg mkcfg(uint16_t chunk_max, uint8_t window)
{
    slink_stream_cfg c;
    memset(&c, 0, sizeof c);
    c.chunk_max = chunk_max;
    c.window = window;
    c.rto_initial_ms = 200;
    c.rto_min_ms = 20;
    c.rto_max_ms = 2000;
    c.max_tries = 12;
    c.ack_delay_ms = 10;
    c.rx_buf_bytes = 4096;     /* the window arithmetic below is worked for 4 KB */
    return c;
}

static void pair_init(uint16_t chunk_max, uint8_t window)
{
    slink_stream_cfg c = mkcfg(chunk_max, window);
    slink_stream_init(&A, &c);
    slink_stream_init(&B, &c);
}

/* ACKs cross the wire codec, as the connection sends them. */
static slink_err pass_ack(slink_stream *from, slink_stream *to, uint64_t now, slink_ack *seen)
{
    slink_ack a, b;
    uint8_t buf[SLINK_ACK_LEN];
    size_t n = 0;
    memset(&a, 0, sizeof a);
    slink_stream_fill_ack(from, &a);
    slink_stream_ack_sent(from);
    T_REQUIRE(slink_ack_encode(&a, buf, sizeof buf, &n) == SLINK_OK, "ACK encode");
    T_REQUIRE(slink_ack_decode(buf, n, &b) == SLINK_OK, "ACK decode");
    if (seen) *seen = b;
    return slink_stream_on_ack(to, &b, now);
}

static void put(slink_stream *s, const void *p, size_t n)
{
    size_t acc = 0;
    ck_assert_int_eq(slink_stream_write(s, p, n, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, n);
}

/* next_chunk into pt; returns its length, 0 if nothing due */
static size_t take(slink_stream *s, uint64_t now, uint8_t *pt)
{
    size_t n = 0;
    slink_err e = slink_stream_next_chunk(s, now, pt, SLINK_REC_PLAINTEXT_MAX, &n);
    if (e == SLINK_ERR_AGAIN) return 0;
    T_REQUIRE(e == SLINK_OK, "next_chunk at %llu ms: %d", (unsigned long long)now, (int)e);
    return n;
}

static void chunk_of(uint8_t *pt, uint8_t num, uint8_t fill, size_t datalen)
{
    pt[0] = num;
    memset(pt + 1, fill, datalen);
}

/* ---- writes and sealing ------------------------------------------------- */

START_TEST(in_order_transfer_small)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], out[64];
    size_t n, got = 0;
    pair_init(100, 8);
    put(&A, "hello", 5);
    n = take(&A, 0, pt);
    ck_assert_uint_eq(n, 6);
    ck_assert_uint_eq(pt[0], 0);
    ck_assert_int_eq(memcmp(pt + 1, "hello", 5), 0);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, 1), SLINK_OK);
    ck_assert_uint_eq(slink_stream_readable(&B), 5);
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
    ck_assert_uint_eq(got, 5);
    ck_assert_int_eq(memcmp(out, "hello", 5), 0);
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_ERR_AGAIN);
    ck_assert_int_eq(slink_stream_all_acked(&A), 0);
    ck_assert_int_eq(pass_ack(&B, &A, 2, NULL), SLINK_OK);
    ck_assert_int_eq(slink_stream_all_acked(&A), 1);
    ck_assert_uint_eq(A.stats.bytes_acked, 5);
    ck_assert_uint_eq(B.stats.bytes_delivered, 5);
}
END_TEST

START_TEST(small_write_goes_out_at_once_and_writes_coalesce_until_sent)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    pair_init(100, 8);
    put(&A, "ab", 2);
    put(&A, "cd", 2);            /* not sent yet: joins the same chunk */
    ck_assert_uint_eq(slink_stream_next_timer(&A, 0), 0);   /* due now: no Nagle */
    ck_assert_uint_eq(take(&A, 0, pt), 5);
    ck_assert_int_eq(memcmp(pt + 1, "abcd", 4), 0);
    put(&A, "ef", 2);            /* chunk 0 is sealed: a new chunk */
    ck_assert_uint_eq(take(&A, 0, pt), 3);
    ck_assert_uint_eq(pt[0], 1);
    ck_assert_int_eq(memcmp(pt + 1, "ef", 2), 0);
    ck_assert_uint_eq(take(&A, 0, pt), 0);
}
END_TEST

/* The owner's transmit pacing (tx_hold_ms): only the newest chunk, and
 * only while it is partial, waits; the timer names the release time. */
START_TEST(pacing_holds_only_a_partial_new_chunk_until_release)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], big[250];
    pair_init(100, 8);
    memset(big, 'x', sizeof big);
    A.tx_hold_ms = 50;
    put(&A, "ab", 2);
    ck_assert_uint_eq(take(&A, 10, pt), 0);              /* held */
    ck_assert_uint_eq(slink_stream_next_timer(&A, 10), 50);  /* ... until 50 */
    put(&A, "cd", 2);                                    /* joins the held chunk */
    ck_assert_uint_eq(take(&A, 49, pt), 0);
    ck_assert_uint_eq(take(&A, 50, pt), 5);
    ck_assert_uint_eq(pt[0], 0);
    ck_assert_int_eq(memcmp(pt + 1, "abcd", 4), 0);
    ck_assert_uint_eq(A.stats.chunks_sent, 1);

    /* Full chunks cannot grow: they go at once; the partial tail waits. */
    A.tx_hold_ms = 200;
    put(&A, big, sizeof big);                            /* 100 + 100 + 50 */
    ck_assert_uint_eq(take(&A, 60, pt), 101);
    ck_assert_uint_eq(pt[0], 1);
    ck_assert_uint_eq(take(&A, 60, pt), 101);
    ck_assert_uint_eq(pt[0], 2);
    ck_assert_uint_eq(take(&A, 60, pt), 0);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 60), 200);

    /* A retransmission is never held: chunk 0 (sent at 50, RTO 200) is due
     * at 250, while the hold is moved out of the way to 1000. */
    A.tx_hold_ms = 1000;
    ck_assert_uint_eq(take(&A, 250, pt), 5);
    ck_assert_uint_eq(pt[0], 0);
    ck_assert_uint_eq(A.stats.retransmits, 1);
    ck_assert_uint_eq(take(&A, 250, pt), 0);             /* chunk 3 still held */

    /* After close nothing more can join: the tail goes at once. */
    slink_stream_close(&A);
    ck_assert_uint_eq(take(&A, 251, pt), 51);
    ck_assert_uint_eq(pt[0], 3);
    ck_assert_uint_eq(A.stats.chunks_sent, 4);

    /* tx_hold_ms 0 (pacing off, the default): a partial chunk is due now. */
    pair_init(100, 8);
    put(&A, "ab", 2);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 0), 0);
    ck_assert_uint_eq(take(&A, 0, pt), 3);
}
END_TEST

START_TEST(large_write_splits_into_full_chunks)
{
    uint8_t buf[2500], pt[SLINK_REC_PLAINTEXT_MAX];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7u);
    pair_init(1000, 8);
    put(&A, buf, sizeof buf);
    ck_assert_uint_eq(take(&A, 0, pt), 1001);
    ck_assert_int_eq(memcmp(pt + 1, buf, 1000), 0);
    ck_assert_uint_eq(take(&A, 0, pt), 1001);
    ck_assert_uint_eq(pt[0], 1);
    ck_assert_uint_eq(take(&A, 0, pt), 501);
    ck_assert_int_eq(memcmp(pt + 1, buf + 2000, 500), 0);
    ck_assert_uint_eq(A.stats.chunks_sent, 3);
}
END_TEST

START_TEST(write_backpressure_would_block)
{
    uint8_t buf[250] = {0}, pt[SLINK_REC_PLAINTEXT_MAX];
    size_t acc = 99;
    pair_init(100, 2);
    ck_assert_int_eq(slink_stream_write(&A, buf, sizeof buf, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, 200);
    ck_assert_int_eq(slink_stream_write(&A, buf, 1, &acc), SLINK_ERR_WOULD_BLOCK);
    ck_assert_uint_eq(acc, 0);
    ck_assert_uint_eq(take(&A, 0, pt), 101);
    ck_assert_uint_eq(take(&A, 0, pt), 101);
    ck_assert_int_eq(slink_stream_write(&A, buf, 1, &acc), SLINK_ERR_WOULD_BLOCK);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 1, .wnd = 2}, 5), SLINK_OK);
    ck_assert_int_eq(slink_stream_write(&A, buf, sizeof buf, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, 100);
    ck_assert_uint_eq(A.stats.bytes_written, 300);
}
END_TEST

START_TEST(write_and_read_argument_checks)
{
    size_t acc = 0, got = 0;
    uint8_t pt[4];
    pair_init(100, 8);
    ck_assert_int_eq(slink_stream_write(&A, NULL, 3, &acc), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_stream_write(&A, pt, 3, NULL), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_stream_read(&B, NULL, 3, &got), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_stream_on_chunk(&B, NULL, 3, 0), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_stream_on_ack(&A, NULL, 0), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_stream_next_chunk(&A, 0, NULL, 10, &acc), SLINK_ERR_ARG);
    put(&A, "xyz", 3);
    ck_assert_int_eq(slink_stream_next_chunk(&A, 0, pt, 3, &acc), SLINK_ERR_BUFFER);
    ck_assert_int_eq(slink_stream_next_chunk(&A, 0, pt, 4, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, 4);
}
END_TEST

/* ---- receive rules -------------------------------------------------------- */

START_TEST(malformed_chunk_lengths)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    pair_init(100, 8);
    chunk_of(pt, 0, 0x11, 101);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 0, 0), SLINK_ERR_REC_MALFORMED);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 102, 0), SLINK_ERR_REC_MALFORMED);
    ck_assert_uint_eq(B.rcv_nxt, 0);
    /* chunk number alone: the end of an application stream (§3.6.1) */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1, 0), SLINK_OK);
    ck_assert_uint_eq(B.rcv_nxt, 1);
    pt[0] = 1;
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 101, 0), SLINK_OK);
    ck_assert_uint_eq(slink_stream_readable(&B), 100);
    {
        uint8_t out[200];
        size_t got = 9;
        ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_ERR_STREAM_END);
        ck_assert_uint_eq(got, 0);
        ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
        ck_assert_uint_eq(got, 100);
        ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_ERR_AGAIN);
    }
}
END_TEST

START_TEST(out_of_window_chunk_rejected)
{
    uint8_t pt[8];
    pair_init(100, 8);
    chunk_of(pt, 8, 1, 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 0), SLINK_ERR_STREAM_WINDOW);
    chunk_of(pt, 200, 1, 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 0), SLINK_ERR_STREAM_WINDOW);
    chunk_of(pt, 247, 1, 4);     /* 256 - W - 1: neither new nor a recent dup */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 0), SLINK_ERR_STREAM_WINDOW);
    ck_assert_uint_eq(B.stats.out_of_window, 3);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 0), 0);
    chunk_of(pt, 7, 1, 4);       /* W - 1: in window, held */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 0), SLINK_OK);
    ck_assert_uint_eq(B.ooo_present, 1u << 6);
}
END_TEST

START_TEST(duplicate_chunks_counted_and_reacked)
{
    uint8_t pt[8];
    pair_init(100, 8);
    chunk_of(pt, 0, 1, 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 100), SLINK_OK);
    slink_stream_ack_sent(&B);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 100), SLINK_ERR_STREAM_DUP);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 100), 1);    /* immediately */
    chunk_of(pt, 249, 1, 4);     /* rcv_nxt - W (rcv_nxt = 1): oldest dup */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 100), SLINK_ERR_STREAM_DUP);
    chunk_of(pt, 3, 2, 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 100), SLINK_OK);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 100), SLINK_ERR_STREAM_DUP);
    ck_assert_uint_eq(B.stats.duplicates, 3);
    ck_assert_uint_eq(B.stats.chunks_received, 2);
    ck_assert_uint_eq(slink_stream_readable(&B), 4);
}
END_TEST

START_TEST(out_of_order_chunks_held_and_drained_in_order)
{
    uint8_t pt[8], out[16];
    size_t got = 0;
    slink_ack a;
    pair_init(100, 8);
    chunk_of(pt, 2, 'c', 2);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 3, 0), SLINK_OK);
    chunk_of(pt, 1, 'b', 2);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 3, 0), SLINK_OK);
    ck_assert_uint_eq(slink_stream_readable(&B), 0);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 0), 1);
    memset(&a, 0, sizeof a);
    slink_stream_fill_ack(&B, &a);
    ck_assert_uint_eq(a.cum, 0);
    ck_assert_uint_eq(a.sack, 0x3);
    chunk_of(pt, 0, 'a', 2);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 3, 0), SLINK_OK);
    ck_assert_uint_eq(B.rcv_nxt, 3);
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
    ck_assert_uint_eq(got, 6);
    ck_assert_int_eq(memcmp(out, "aabbcc", 6), 0);
    slink_stream_fill_ack(&B, &a);
    ck_assert_uint_eq(a.cum, 3);
    ck_assert_uint_eq(a.sack, 0);
}
END_TEST

START_TEST(delayed_ack_rules)
{
    uint8_t pt[8];
    pair_init(100, 8);
    ck_assert_uint_eq(slink_stream_next_timer(&B, 0), UINT64_MAX);
    chunk_of(pt, 0, 1, 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 100), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 109), 0);
    ck_assert_uint_eq(slink_stream_next_timer(&B, 100), 110);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 110), 1);
    chunk_of(pt, 1, 1, 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 105), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 105), 1);    /* second chunk: now */
    slink_stream_ack_sent(&B);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 1000), 0);
    ck_assert_uint_eq(slink_stream_next_timer(&B, 1000), UINT64_MAX);
    B.ack_delay_ms = 0;
    chunk_of(pt, 2, 1, 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 200), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 200), 1);
}
END_TEST

/* ---- acknowledgements, RTT, retransmission -------------------------------- */

START_TEST(rtt_estimate_follows_rfc6298_and_karn)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    pair_init(100, 8);
    ck_assert_uint_eq(A.rto, 200);
    put(&A, "x", 1);
    take(&A, 0, pt);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 1, .wnd = 8}, 100), SLINK_OK);
    ck_assert_uint_eq(A.srtt, 100);
    ck_assert_uint_eq(A.rttvar, 50);
    ck_assert_uint_eq(A.rto, 300);            /* srtt + 4 rttvar */
    put(&A, "y", 1);
    take(&A, 1000, pt);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 2, .wnd = 8}, 1060), SLINK_OK);
    ck_assert_uint_eq(A.rttvar, 47);           /* (3*50 + |100-60|) / 4 */
    ck_assert_uint_eq(A.srtt, 95);             /* (7*100 + 60) / 8 */
    ck_assert_uint_eq(A.rto, 283);
    /* Karn: a retransmitted chunk's ACK is ambiguous, no sample */
    put(&A, "z", 1);
    take(&A, 2000, pt);
    ck_assert_uint_eq(take(&A, 2283, pt), 2);  /* timeout retransmission */
    ck_assert_uint_eq(A.rto, 566);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 3, .wnd = 8}, 2290), SLINK_OK);
    ck_assert_uint_eq(A.srtt, 95);
    ck_assert_uint_eq(A.rto, 566);
}
END_TEST

START_TEST(stale_and_bogus_acks_ignored_across_wrap)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    uint64_t t = 0;
    pair_init(10, 8);
    /* Walk snd_una to 254 through the API. */
    for (int i = 0; i < 254; i++) {
        put(&A, "d", 1);
        ck_assert_uint_eq(take(&A, t, pt), 2);
        ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = (uint8_t)(i + 1), .wnd = 8}, t), SLINK_OK);
        t++;
    }
    for (int i = 0; i < 4; i++) {
        put(&A, "e", 1);
        ck_assert_uint_eq(take(&A, t, pt), 2);
    }
    ck_assert_uint_eq(A.snd_una, 254);
    ck_assert_uint_eq(A.snd_nxt, 2);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 253, .wnd = 8}, t), SLINK_ERR_STREAM_WINDOW);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 3, .wnd = 8}, t), SLINK_ERR_STREAM_WINDOW);
    ck_assert_uint_eq(A.snd_una, 254);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .wnd = 8}, t), SLINK_OK);
    ck_assert_uint_eq(A.snd_una, 0);
    ck_assert_uint_eq(A.snd_filled, 2);
    /* hostile fields: window clamped, SACK bits past snd_nxt ignored */
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 0xFFFF, .wnd = 255}, t), SLINK_OK);
    ck_assert_uint_eq(A.peer_wnd, 8);
    ck_assert_uint_eq(A.tx[(A.tx_head + 1) % SLINK_STREAM_WINDOW].sacked, 1);
    ck_assert_uint_eq(A.tx[(A.tx_head + 2) % SLINK_STREAM_WINDOW].sacked, 0);
}
END_TEST

START_TEST(rto_backoff_then_retransmit_limit_when_peer_silent)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    slink_stream_cfg c = mkcfg(100, 8);
    c.max_tries = 4;
    slink_stream_init(&A, &c);
    put(&A, "ping", 4);
    ck_assert_uint_eq(take(&A, 0, pt), 5);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 0), 200);
    ck_assert_int_eq(slink_stream_poll(&A, 199), SLINK_OK);
    ck_assert_uint_eq(take(&A, 199, pt), 0);
    ck_assert_int_eq(slink_stream_poll(&A, 200), SLINK_OK);
    ck_assert_uint_eq(A.rto, 400);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 200), 200);    /* retransmission waiting: now */
    ck_assert_uint_eq(take(&A, 200, pt), 5);
    ck_assert_int_eq(memcmp(pt + 1, "ping", 4), 0);          /* byte-identical */
    ck_assert_uint_eq(slink_stream_next_timer(&A, 200), 600);
    ck_assert_uint_eq(take(&A, 600, pt), 5);
    ck_assert_uint_eq(A.rto, 800);
    ck_assert_uint_eq(take(&A, 1400, pt), 5);
    ck_assert_uint_eq(A.rto, 800);            /* capped at 4 x the RTT-based 200 */
    ck_assert_uint_eq(A.stats.retransmits, 3);
    ck_assert_int_eq(slink_stream_poll(&A, 2199), SLINK_OK);
    ck_assert_int_eq(slink_stream_poll(&A, 2200), SLINK_ERR_RETRANSMIT_LIMIT);
    ck_assert_int_eq(slink_stream_poll(&A, 2201), SLINK_ERR_RETRANSMIT_LIMIT);
}
END_TEST

START_TEST(rto_clamped_to_max)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    uint64_t t = 0;
    pair_init(100, 8);
    put(&A, "p", 1);
    take(&A, 0, pt);
    for (int i = 0; i < 8; i++) {
        t = slink_stream_next_timer(&A, t);
        ck_assert_uint_eq(take(&A, t, pt), 2);
    }
    ck_assert_uint_eq(A.rto, 800);            /* backoff cap: 4 x 200 */
    ck_assert_uint_eq(slink_stream_next_timer(&A, t), t + 800);
    /* a larger RTT estimate hits rto_max before the cap */
    {
        slink_stream_cfg c = mkcfg(100, 8);
        c.rto_initial_ms = 900;
        slink_stream_init(&A, &c);
        put(&A, "p", 1);
        take(&A, 0, pt);
        for (int i = 0; i < 4; i++) {
            t = slink_stream_next_timer(&A, t);
            ck_assert_uint_eq(take(&A, t, pt), 2);
        }
        ck_assert_uint_eq(A.rto, 2000);
    }
}
END_TEST

START_TEST(fast_retransmit_on_sack_holes)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], r[8], c[5][8];
    size_t n[5];
    pair_init(100, 8);
    for (int i = 0; i < 5; i++) {
        put(&A, "abc", 3);
        n[i] = take(&A, 0, c[i]);
        ck_assert_uint_eq(c[i][0], i);
    }
    ck_assert_int_eq(slink_stream_on_chunk(&B, c[0], n[0], 1), SLINK_OK);
    ck_assert_int_eq(slink_stream_on_chunk(&B, c[2], n[2], 1), SLINK_OK);
    /* one later chunk SACKed: a serial line does not reorder, so chunk 1
     * is lost and goes again at once (PROTOCOL.md §3.6) */
    ck_assert_int_eq(pass_ack(&B, &A, 2, NULL), SLINK_OK);
    ck_assert_uint_eq(take(&A, 2, r), 4);
    ck_assert_uint_eq(r[0], 1);
    ck_assert_uint_eq(A.stats.fast_retransmits, 1);
    /* SACKs of chunks sent before that resend do not repeat it before a
     * timeout: they say nothing about the resend */
    ck_assert_int_eq(slink_stream_on_chunk(&B, c[3], n[3], 3), SLINK_OK);
    ck_assert_int_eq(pass_ack(&B, &A, 4, NULL), SLINK_OK);
    ck_assert_uint_eq(take(&A, 4, pt), 0);
    ck_assert_int_eq(slink_stream_on_chunk(&B, c[4], n[4], 5), SLINK_OK);
    ck_assert_int_eq(pass_ack(&B, &A, 6, NULL), SLINK_OK);
    ck_assert_uint_eq(take(&A, 6, pt), 0);
    ck_assert_uint_eq(A.stats.fast_retransmits, 1);
    ck_assert_int_eq(slink_stream_on_chunk(&B, r, 4, 7), SLINK_OK);   /* the resend */
    ck_assert_uint_eq(B.rcv_nxt, 5);
    ck_assert_int_eq(slink_stream_on_chunk(&B, c[1], n[1], 7), SLINK_ERR_STREAM_DUP);
    ck_assert_int_eq(pass_ack(&B, &A, 8, NULL), SLINK_OK);
    ck_assert_int_eq(slink_stream_all_acked(&A), 1);
}
END_TEST

START_TEST(chunk_numbers_wrap_several_times)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], out[32];
    size_t n, got;
    uint64_t t = 0;
    pair_init(16, 8);
    for (unsigned i = 0; i < 1000; i++) {
        uint8_t msg[4] = { (uint8_t)i, (uint8_t)(i >> 8), 0xA5, (uint8_t)~i };
        put(&A, msg, sizeof msg);
        n = take(&A, t, pt);
        ck_assert_uint_eq(n, 5);
        ck_assert_uint_eq(pt[0], i & 0xFFu);
        ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, t), SLINK_OK);
        ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
        ck_assert_uint_eq(got, 4);
        ck_assert_int_eq(memcmp(out, msg, 4), 0);
        if (i % 3 == 2) ck_assert_int_eq(pass_ack(&B, &A, t, NULL), SLINK_OK);
        t++;
    }
    ck_assert_uint_eq(B.stats.bytes_delivered, 4000);
}
END_TEST

/* ---- flow control ----------------------------------------------------------- */

START_TEST(receive_window_closes_and_reopens)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], out[SLINK_STREAM_RX_BUF];
    size_t got;
    slink_ack a;
    pair_init(1000, 8);        /* 4096-byte buffer: 4 chunks */
    memset(&a, 0, sizeof a);
    slink_stream_fill_ack(&B, &a);
    ck_assert_uint_eq(a.wnd, 4);
    for (int i = 0; i < 4; i++) {
        chunk_of(pt, (uint8_t)i, (uint8_t)i, 1000);
        ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 0), SLINK_OK);
    }
    slink_stream_fill_ack(&B, &a);
    slink_stream_ack_sent(&B);
    ck_assert_uint_eq(a.wnd, 0);
    chunk_of(pt, 4, 4, 1000);      /* no room: not taken, not acked, ACK repeated */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 1), SLINK_ERR_WOULD_BLOCK);
    ck_assert_uint_eq(B.rcv_nxt, 4);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 1), 1);
    slink_stream_fill_ack(&B, &a);
    slink_stream_ack_sent(&B);
    ck_assert_int_eq(slink_stream_read(&B, out, 900, &got), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 2), 0);    /* 996 free: < 1 chunk */
    ck_assert_int_eq(slink_stream_read(&B, out, 4, &got), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 2), 1);    /* reopened from 0 */
    slink_stream_fill_ack(&B, &a);
    ck_assert_uint_eq(a.wnd, 1);
    slink_stream_ack_sent(&B);
    ck_assert_int_eq(slink_stream_read(&B, out, 1000, &got), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 3), 0);    /* 1 -> 2: less than half */
    ck_assert_int_eq(slink_stream_read(&B, out, 1000, &got), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 3), 1);    /* 1 -> 3: half of 4 */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 4), SLINK_OK);
}
END_TEST

START_TEST(held_chunks_never_starve_the_gap)
{
    /* 4096 / 1000: 4 positions; a chunk at offset 3 is held only while the
     * whole window could still fit, so filling the gap always succeeds. */
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], out[600];
    size_t got;
    pair_init(1000, 8);
    chunk_of(pt, 0, 0, 600);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 601, 0), SLINK_OK);
    chunk_of(pt, 4, 4, 1000);       /* offset 3 from rcv_nxt=1: needs 4 free chunks */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 0), SLINK_ERR_WOULD_BLOCK);
    chunk_of(pt, 3, 3, 1000);       /* offset 2: 3 chunks fit in 3496 */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 0), SLINK_OK);
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 0), SLINK_ERR_STREAM_DUP);
    chunk_of(pt, 4, 4, 1000);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 0), SLINK_OK);
    chunk_of(pt, 1, 1, 1000);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 0), SLINK_OK);
    chunk_of(pt, 2, 2, 1000);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 0), SLINK_OK);
    ck_assert_uint_eq(B.rcv_nxt, 5);
    ck_assert_uint_eq(slink_stream_readable(&B), 4000);
}
END_TEST

START_TEST(window_probe_after_lost_window_update)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], out[SLINK_STREAM_RX_BUF], big[8000];
    size_t n, got, acc;
    slink_ack a;
    memset(big, 0x5A, sizeof big);
    pair_init(1000, 8);
    ck_assert_int_eq(pass_ack(&B, &A, 0, &a), SLINK_OK);   /* initial window 4 */
    ck_assert_uint_eq(A.peer_wnd, 4);
    ck_assert_int_eq(slink_stream_write(&A, big, sizeof big, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, 8000);
    for (int i = 0; i < 4; i++) {
        n = take(&A, 10, pt);
        ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, 11), SLINK_OK);
    }
    ck_assert_uint_eq(take(&A, 10, pt), 0);                 /* window exhausted */
    ck_assert_int_eq(pass_ack(&B, &A, 20, &a), SLINK_OK);
    ck_assert_uint_eq(a.wnd, 0);
    ck_assert_uint_eq(A.peer_wnd, 0);
    uint64_t probe_at = 20u + A.rto;
    ck_assert_uint_eq(A.rto, 30);                           /* srtt 10 + 4 * 5 */
    ck_assert_uint_eq(slink_stream_next_timer(&A, 20), probe_at);
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 30), 1);
    memset(&a, 0, sizeof a);
    slink_stream_fill_ack(&B, &a);                          /* the update is lost */
    slink_stream_ack_sent(&B);
    ck_assert_uint_eq(take(&A, probe_at - 1u, pt), 0);
    n = take(&A, probe_at, pt);                             /* the probe */
    ck_assert_uint_eq(n, 1001);
    ck_assert_uint_eq(pt[0], 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, 225), SLINK_OK);
    ck_assert_int_eq(pass_ack(&B, &A, 230, &a), SLINK_OK);
    ck_assert_uint_eq(a.cum, 5);
    ck_assert_uint_eq(A.peer_wnd, 3);
    for (int i = 5; i < 8; i++) {
        n = take(&A, 231, pt);
        ck_assert_uint_eq(pt[0], i);
        ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, 232), SLINK_OK);
    }
    ck_assert_int_eq(pass_ack(&B, &A, 240, NULL), SLINK_OK);
    ck_assert_int_eq(slink_stream_all_acked(&A), 1);
}
END_TEST

START_TEST(refused_chunks_persist_without_hitting_the_limit)
{
    /* A receiver that answers but keeps its window shut is alive: the
     * sender probes with backoff instead of failing the session. */
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], big[5000];
    size_t n, acc;
    uint64_t t = 0;
    slink_stream_cfg c = mkcfg(1000, 8);
    c.max_tries = 3;
    slink_stream_init(&A, &c);
    slink_stream_init(&B, &c);
    memset(big, 1, sizeof big);
    ck_assert_int_eq(slink_stream_write(&A, big, sizeof big, &acc), SLINK_OK);
    for (int i = 0; i < 5; i++) {                 /* initial guess: window 8 */
        n = take(&A, 0, pt);
        slink_err e = slink_stream_on_chunk(&B, pt, n, 1);
        ck_assert_int_eq(e, i < 4 ? SLINK_OK : SLINK_ERR_WOULD_BLOCK);
    }
    for (int round = 0; round < 10; round++) {
        ck_assert_int_eq(pass_ack(&B, &A, t, NULL), SLINK_OK);
        t = slink_stream_next_timer(&A, t);
        ck_assert_int_eq(slink_stream_poll(&A, t), SLINK_OK);
        n = take(&A, t, pt);
        ck_assert_uint_eq(pt[0], 4);
        ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, t), SLINK_ERR_WOULD_BLOCK);
    }
    ck_assert_uint_eq(A.rto, 2000);
    /* the reader drains: the window update makes the refused chunk go at once */
    {
        uint8_t out[SLINK_STREAM_RX_BUF];
        size_t got;
        ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
    }
    ck_assert_int_eq(pass_ack(&B, &A, t + 1, NULL), SLINK_OK);
    n = take(&A, t + 1, pt);
    ck_assert_uint_eq(pt[0], 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, t + 2), SLINK_OK);
}
END_TEST

/* ---- close ------------------------------------------------------------------ */

START_TEST(close_handshake_closed_only_after_all_read)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], out[16];
    size_t n, got, acc;
    slink_ack a;
    pair_init(100, 8);
    put(&A, "bye", 3);
    slink_stream_close(&A);
    ck_assert_int_eq(slink_stream_write(&A, (const uint8_t *)"x", 1, &acc), SLINK_ERR_STATE);
    ck_assert_int_eq(slink_stream_all_acked(&A), 0);
    n = take(&A, 0, pt);                         /* the last data still goes */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, 1), SLINK_OK);
    ck_assert_int_eq(pass_ack(&B, &A, 2, &a), SLINK_OK);
    ck_assert_int_eq(slink_stream_all_acked(&A), 1);
    ck_assert_uint_eq(a.flags, 0);
    ck_assert_int_eq(slink_stream_on_close(&B, A.snd_nxt), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 3), 1);
    ck_assert_int_eq(slink_stream_read(&B, out, 2, &got), SLINK_OK);
    ck_assert_int_eq(slink_stream_read(&B, out, 2, &got), SLINK_OK);
    ck_assert_uint_eq(got, 1);
    ck_assert_int_eq(slink_stream_read(&B, out, 2, &got), SLINK_ERR_CLOSED);
    ck_assert_int_eq(pass_ack(&B, &A, 4, &a), SLINK_OK);
    ck_assert_uint_eq(a.flags, SLINK_ACK_F_CLOSE);
    ck_assert_int_eq(A.close_acked, 1);
    /* a repeated close_notify is answered again; a different final is not */
    ck_assert_int_eq(slink_stream_on_close(&B, 1), SLINK_OK);
    ck_assert_int_eq(slink_stream_on_close(&B, 2), SLINK_ERR_STREAM_WINDOW);
}
END_TEST

START_TEST(close_waits_for_data_before_final_and_rejects_data_after)
{
    uint8_t pt[8], out[16];
    size_t got;
    pair_init(100, 8);
    chunk_of(pt, 0, 'a', 1);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 2, 0), SLINK_OK);
    ck_assert_int_eq(slink_stream_on_close(&B, 2), SLINK_OK);     /* chunk 1 still missing */
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_ERR_AGAIN);
    chunk_of(pt, 2, 'z', 1);                                    /* beyond final */
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 2, 1), SLINK_ERR_STREAM_WINDOW);
    chunk_of(pt, 1, 'b', 1);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 2, 1), SLINK_OK);
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
    ck_assert_uint_eq(out[0], 'b');
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_ERR_CLOSED);
}
END_TEST

START_TEST(close_with_impossible_final_rejected)
{
    uint8_t pt[8];
    pair_init(100, 8);
    chunk_of(pt, 0, 'a', 1);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 2, 0), SLINK_OK);
    chunk_of(pt, 3, 'd', 1);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 2, 0), SLINK_OK);
    ck_assert_int_eq(slink_stream_on_close(&B, 0), SLINK_ERR_STREAM_WINDOW);   /* behind */
    ck_assert_int_eq(slink_stream_on_close(&B, 3), SLINK_ERR_STREAM_WINDOW);   /* chunk 3 held */
    ck_assert_int_eq(slink_stream_on_close(&B, 10), SLINK_ERR_STREAM_WINDOW);  /* past window */
    ck_assert_int_eq(B.peer_closed, 0);
    ck_assert_int_eq(slink_stream_on_close(&B, 4), SLINK_OK);
}
END_TEST

START_TEST(wipe_zeroizes_everything)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    size_t n;
    pair_init(100, 8);
    put(&A, "secret", 6);
    n = take(&A, 0, pt);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, n, 0), SLINK_OK);
    slink_stream_wipe(&A);
    slink_stream_wipe(&B);
    const uint8_t *pa = (const uint8_t *)&A, *pb = (const uint8_t *)&B;
    size_t nz = 0;
    for (size_t i = 0; i < sizeof A; i++) nz += (pa[i] != 0) + (pb[i] != 0);
    ck_assert_uint_eq(nz, 0);
}
END_TEST

/* ---- more rules ------------------------------------------------------------ */

START_TEST(init_clamps_configuration)
{
    slink_stream_cfg c;
    memset(&c, 0, sizeof c);
    c.window = 99;
    c.chunk_max = 60000;
    c.rto_min_ms = 50;
    c.rto_max_ms = 10;          /* below min: raised to min */
    c.rto_initial_ms = 5;
    slink_stream_init(&A, &c);
    ck_assert_uint_eq(A.window, SLINK_STREAM_WINDOW);
    ck_assert_uint_eq(A.chunk_max, SLINK_STREAM_CHUNK_MAX);
    ck_assert_uint_eq(A.rto_max, 50);
    ck_assert_uint_eq(A.rto, 50);
    ck_assert_uint_eq(A.peer_wnd, SLINK_STREAM_WINDOW);
    ck_assert_uint_gt(A.max_tries, 0);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 0), UINT64_MAX);
    ck_assert_int_eq(slink_stream_all_acked(&A), 1);
    /* intervals the 32-bit times cannot hold (include/slink/stream.h):
     * RTO limits count as unset, the ACK delay is capped */
    c.rto_min_ms = SLINK_STREAM_MS_MAX + 1u;
    c.rto_max_ms = UINT32_MAX;
    c.rto_initial_ms = UINT32_MAX;
    c.ack_delay_ms = UINT32_MAX;
    slink_stream_init(&A, &c);
    ck_assert_uint_eq(A.rto_min, 1);
    ck_assert_uint_eq(A.rto_max, 60000);
    ck_assert_uint_eq(A.rto, 60000);
    ck_assert_uint_eq(A.ack_delay_ms, SLINK_STREAM_MS_MAX);
    c.rto_min_ms = SLINK_STREAM_MS_MAX;
    c.rto_max_ms = SLINK_STREAM_MS_MAX;
    slink_stream_init(&A, &c);
    ck_assert_uint_eq(A.rto_min, SLINK_STREAM_MS_MAX);
    ck_assert_uint_eq(A.rto_max, SLINK_STREAM_MS_MAX);
}
END_TEST

/* The RTT estimate is kept in 32 bits: a sample longer than 2^28 ms (an
 * owner that left the timers unrun for days) counts as 2^28. */
START_TEST(rtt_sample_capped_for_32_bit_estimate)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    slink_stream_cfg c = mkcfg(100, 8);
    c.rto_max_ms = SLINK_STREAM_MS_MAX;
    slink_stream_init(&A, &c);
    put(&A, "x", 1);
    ck_assert_uint_eq(take(&A, 0, pt), 2);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 1, .wnd = 8}, (1ull << 28) + 100u), SLINK_OK);
    ck_assert_uint_eq(A.srtt, 1u << 28);
    ck_assert_uint_eq(A.rttvar, 1u << 27);
    ck_assert_uint_eq(A.rto, SLINK_STREAM_MS_MAX);
    /* a short sample after it: the 32-bit sums hold */
    put(&A, "y", 1);
    ck_assert_uint_eq(take(&A, (1ull << 28) + 200u, pt), 2);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 2, .wnd = 8}, (1ull << 28) + 210u), SLINK_OK);
    ck_assert_uint_eq(A.srtt, (7u * (1u << 28) + 10u) / 8u);
    ck_assert_uint_eq(A.rttvar, (3u * (1u << 27) + ((1u << 28) - 10u)) / 4u);
}
END_TEST

/* An ACK whose newest settled transmission is a retransmission answers
 * that retransmission: the first transmissions it also settles lost their
 * own ACK, and timing them would add the recovery to the RTT (§3.6). */
START_TEST(no_rtt_sample_when_the_ack_answers_a_retransmission)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    uint32_t var;
    pair_init(100, 8);
    put(&A, "a", 1);
    take(&A, 0, pt);
    put(&A, "b", 1);
    take(&A, 1, pt);
    put(&A, "c", 1);
    take(&A, 5, pt);
    /* chunk 1 SACKed at 11: a sample of 10 ms; chunk 0 is lost */
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 1, .wnd = 8}, 11), SLINK_OK);
    ck_assert_uint_eq(A.srtt, 10);
    var = A.rttvar;
    ck_assert_uint_eq(take(&A, 12, pt), 2);
    ck_assert_uint_eq(pt[0], 0);
    /* one ACK settles chunk 0's resend (sent at 12) and chunk 2 (sent once,
     * at 5, its own ACK lost): it answers the resend, so no sample (35 ms
     * from chunk 2 would be the recovery time, not the RTT) */
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 3, .sack = 0, .wnd = 8}, 40), SLINK_OK);
    ck_assert_uint_eq(A.srtt, 10);
    ck_assert_uint_eq(A.rttvar, var);
    /* a first transmission acknowledged: sampled */
    put(&A, "d", 1);
    ck_assert_uint_eq(take(&A, 50, pt), 2);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 4, .sack = 0, .wnd = 8}, 76), SLINK_OK);
    ck_assert_uint_eq(A.srtt, (7u * 10u + 26u) / 8u);
}
END_TEST

START_TEST(sacked_chunks_skipped_by_timeout)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    pair_init(100, 8);
    for (int i = 0; i < 3; i++) {
        put(&A, "q", 1);
        take(&A, (uint64_t)i, pt);
    }
    /* chunk 1 SACKed; a later sample from it sets rto = 3*R */
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 1, .wnd = 8}, 11), SLINK_OK);
    ck_assert_uint_eq(A.srtt, 10);                       /* sample from the SACKed chunk */
    ck_assert_uint_eq(A.rto, 30);
    /* chunk 1 arrived after chunk 0 was sent: chunk 0 is lost (fast) */
    ck_assert_uint_eq(slink_stream_next_timer(&A, 11), 11);   /* due now */
    ck_assert_uint_eq(take(&A, 11, pt), 2);
    ck_assert_uint_eq(pt[0], 0);
    ck_assert_uint_eq(A.stats.fast_retransmits, 1);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 11), 2 + 30);   /* chunk 2, not chunk 1 */
    ck_assert_uint_eq(take(&A, 32, pt), 2);
    ck_assert_uint_eq(pt[0], 2);
    ck_assert_uint_eq(A.stats.retransmits, 2);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 32), 11 + 60);  /* chunk 0's resend, RTO backed off */
}
END_TEST

START_TEST(retransmission_is_byte_identical_after_later_writes)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], first[SLINK_REC_PLAINTEXT_MAX];
    size_t n0;
    pair_init(100, 8);
    put(&A, "abcde", 5);
    n0 = take(&A, 0, first);
    put(&A, "fghij", 5);
    put(&A, "klm", 3);
    ck_assert_uint_eq(take(&A, 1, pt), 9);
    ck_assert_uint_eq(take(&A, 200, pt), n0);
    ck_assert_int_eq(memcmp(pt, first, n0), 0);
}
END_TEST

START_TEST(close_flag_needs_our_close_and_drained_data)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    pair_init(100, 8);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .wnd = 8, .flags = SLINK_ACK_F_CLOSE}, 0), SLINK_OK);
    ck_assert_int_eq(A.close_acked, 0);                /* we never closed */
    put(&A, "z", 1);
    take(&A, 0, pt);
    slink_stream_close(&A);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .wnd = 8, .flags = SLINK_ACK_F_CLOSE}, 1), SLINK_OK);
    ck_assert_int_eq(A.close_acked, 0);                /* data still unacknowledged */
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 1, .wnd = 8, .flags = SLINK_ACK_F_CLOSE}, 2), SLINK_OK);
    ck_assert_int_eq(A.close_acked, 1);
}
END_TEST

START_TEST(stop_and_wait_with_window_one)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], out[8];
    size_t got, acc;
    pair_init(4, 1);
    ck_assert_int_eq(slink_stream_write(&A, (const uint8_t *)"12345678", 8, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, 4);
    ck_assert_uint_eq(take(&A, 0, pt), 5);
    ck_assert_uint_eq(take(&A, 0, pt), 0);
    chunk_of(pt, 1, 'x', 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 0), SLINK_ERR_STREAM_WINDOW);
    chunk_of(pt, 255, 'x', 4);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, 0), SLINK_ERR_STREAM_DUP);
    ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_ERR_AGAIN);
}
END_TEST

START_TEST(receive_ring_wraps_without_corruption)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], out[SLINK_STREAM_RX_BUF];
    size_t got, total = 0;
    uint8_t num = 0, expect = 0;
    pair_init(1000, 8);
    for (int round = 0; round < 12; round++) {
        for (int k = 0; k < 3; k++) {
            pt[0] = num++;
            for (int i = 0; i < 1000; i++) pt[1 + i] = (uint8_t)(total + (size_t)k * 1000u + (size_t)i);
            ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 1001, 0), SLINK_OK);
        }
        total += 3000;
        ck_assert_int_eq(slink_stream_read(&B, out, 1700 + (size_t)round * 37u, &got), SLINK_OK);
        for (size_t i = 0; i < got; i++, expect++)
            T_REQUIRE(out[i] == expect, "byte %zu of this read differs", i);
        ck_assert_int_eq(slink_stream_read(&B, out, sizeof out, &got), SLINK_OK);
        for (size_t i = 0; i < got; i++, expect++)
            T_REQUIRE(out[i] == expect, "byte %zu of this read differs", i);
    }
    ck_assert_uint_eq(B.stats.bytes_delivered, total);
}
END_TEST

START_TEST(duplicate_pulls_a_delayed_ack_forward)
{
    uint8_t pt[8];
    pair_init(100, 8);
    chunk_of(pt, 0, 1, 2);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 3, 50), SLINK_OK);
    ck_assert_uint_eq(slink_stream_next_timer(&B, 50), 60);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 3, 52), SLINK_ERR_STREAM_DUP);
    ck_assert_uint_eq(slink_stream_next_timer(&B, 52), 52);
}
END_TEST

START_TEST(partial_cumulative_ack_frees_exactly_its_chunks)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], buf[400];
    size_t acc;
    memset(buf, 7, sizeof buf);
    pair_init(100, 4);
    ck_assert_int_eq(slink_stream_write(&A, buf, sizeof buf, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, 400);
    for (int i = 0; i < 4; i++) take(&A, 0, pt);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 3, .wnd = 4}, 5), SLINK_OK);
    ck_assert_uint_eq(A.stats.bytes_acked, 300);
    ck_assert_uint_eq(A.snd_filled, 1);
    ck_assert_int_eq(slink_stream_write(&A, buf, sizeof buf, &acc), SLINK_OK);
    ck_assert_uint_eq(acc, 300);
    ck_assert_uint_eq(take(&A, 6, pt), 101);
    ck_assert_uint_eq(pt[0], 4);
}
END_TEST

START_TEST(gap_fill_acks_at_once)
{
    uint8_t pt[8];
    pair_init(100, 8);
    chunk_of(pt, 1, 1, 2);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 3, 10), SLINK_OK);
    slink_stream_ack_sent(&B);
    chunk_of(pt, 0, 0, 2);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 3, 20), SLINK_OK);
    ck_assert_int_eq(slink_stream_ack_needed(&B, 20), 1);    /* not delayed */
    ck_assert_uint_eq(B.rcv_nxt, 2);
}
END_TEST

START_TEST(zero_window_holds_new_data_until_probe_time)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    pair_init(100, 8);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .wnd = 0}, 1000), SLINK_OK);
    put(&A, "held", 4);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 1000), 1000 + 200);
    ck_assert_uint_eq(take(&A, 1199, pt), 0);
    ck_assert_uint_eq(take(&A, 1200, pt), 5);
    ck_assert_uint_eq(A.stats.chunks_sent, 1);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 1200), 1200 + 200);
}
END_TEST

/* ---- simulated line ------------------------------------------------------- */

enum { K_CHUNK = 0, K_ACK = 1, K_CLOSE = 2 };

typedef struct {
    uint64_t at;
    uint32_t order;
    uint8_t kind;
    uint8_t copy, why;
    uint16_t len;
    uint8_t buf[SLINK_REC_PLAINTEXT_MAX];
} simrec;

#define QMAX 96
typedef struct {
    simrec q[QMAX];
    int n;
    uint64_t busy_until;
} simdir;

typedef struct {
    unsigned loss_pm, dup_pm;       /* per mille */
    unsigned latency_ms, jitter_ms; /* jitter reorders records */
    unsigned bytes_per_ms;
    unsigned read_every_ms;         /* 0: reader reads whenever data is there */
    size_t read_chunk;
    uint64_t rng;
    simdir dir[2];                  /* 0: A -> B, 1: B -> A */
    uint32_t order;
    uint64_t chunk_bytes_sent;      /* data bytes of every transmission */
    unsigned lost, duplicated, zero_wnd_acks, dup_rx, refused_rx, late_rx;
    unsigned spurious[3];           /* retransmissions that were not needed: new, rto, fast */
    uint8_t why;                    /* tag of the chunk being sent */
} sim;

static sim S;

static void sim_send(sim *m, int d, uint64_t now, uint8_t kind, const uint8_t *p, size_t n)
{
    simdir *q = &m->dir[d];
    uint64_t start = q->busy_until > now ? q->busy_until : now;
    uint64_t air = (n + 24u + m->bytes_per_ms - 1u) / m->bytes_per_ms;
    q->busy_until = start + air;
    if (test_rand(&m->rng) % 1000u < m->loss_pm) {
        m->lost++;
        return;
    }
    int copies = test_rand(&m->rng) % 1000u < m->dup_pm ? 2 : 1;
    if (copies == 2) m->duplicated++;
    for (int c = 0; c < copies; c++) {
        T_REQUIRE(q->n < QMAX, "simulated line queue full");
        simrec *r = &q->q[q->n++];
        r->at = q->busy_until + m->latency_ms +
                (m->jitter_ms ? test_rand(&m->rng) % (m->jitter_ms + 1u) : 0u) + (unsigned)c;
        r->order = m->order++;
        r->kind = kind;
        r->copy = (uint8_t)c;
        r->why = m->why;
        r->len = (uint16_t)n;
        memcpy(r->buf, p, n);
    }
}

/* Pops the earliest record due by now (ties: sending order). */
static int sim_pop(sim *m, int d, uint64_t now, simrec *out)
{
    simdir *q = &m->dir[d];
    int best = -1;
    for (int i = 0; i < q->n; i++) {
        if (q->q[i].at > now) continue;
        if (best < 0 || q->q[i].at < q->q[best].at ||
            (q->q[i].at == q->q[best].at && q->q[i].order < q->q[best].order))
            best = i;
    }
    if (best < 0) return 0;
    *out = q->q[best];
    q->q[best] = q->q[--q->n];
    return 1;
}

typedef struct {
    uint64_t gen;              /* writer's generator */
    uint64_t chk;              /* reader's generator (same seed) */
    uint8_t pend[3000];
    size_t pend_len, pend_off;
    uint64_t to_write, written, read;
    int closed_seen;
    uint64_t close_next;
} flow;

static void flow_init(flow *f, uint64_t seed, uint64_t total)
{
    memset(f, 0, sizeof *f);
    f->gen = f->chk = seed;
    f->to_write = total;
}

static uint8_t gen_byte(uint64_t *st)
{
    return (uint8_t)(test_rand(st) >> 56);
}

static void flow_write(flow *f, slink_stream *s, uint64_t *rng)
{
    while (f->written < f->to_write) {
        size_t acc = 0;
        if (f->pend_off == f->pend_len) {
            uint64_t left = f->to_write - f->written;
            size_t k = 1 + (size_t)(test_rand(rng) % sizeof f->pend);
            if (k > left) k = (size_t)left;
            for (size_t i = 0; i < k; i++) f->pend[i] = gen_byte(&f->gen);
            f->pend_len = k;
            f->pend_off = 0;
        }
        slink_err e = slink_stream_write(s, f->pend + f->pend_off, f->pend_len - f->pend_off, &acc);
        if (e == SLINK_ERR_WOULD_BLOCK) break;
        ck_assert_int_eq(e, SLINK_OK);
        f->pend_off += acc;
        f->written += acc;
    }
    if (f->written == f->to_write && !s->close_requested) slink_stream_close(s);
}

/* Reads and checks every byte against the generator: exactly once, in order. */
static void flow_read(flow *f, slink_stream *s, size_t cap)
{
    uint8_t buf[1024];
    for (;;) {
        size_t got = 0, want = cap < sizeof buf ? cap : sizeof buf;
        slink_err e = slink_stream_read(s, buf, want, &got);
        if (e == SLINK_ERR_CLOSED) {
            f->closed_seen = 1;
            return;
        }
        if (e == SLINK_ERR_AGAIN) return;
        ck_assert_int_eq(e, SLINK_OK);
        for (size_t i = 0; i < got; i++)
            if (buf[i] != gen_byte(&f->chk))
                ck_abort_msg("byte %llu differs", (unsigned long long)(f->read + i));
        f->read += got;
        ck_assert_uint_le(f->read, f->to_write);
        cap -= got;
        if (cap == 0) return;
    }
}

static void sim_deliver(sim *m, int d, uint64_t now, slink_stream *to)
{
    simrec r;
    while (sim_pop(m, d, now, &r)) {
        slink_err e;
        if (r.kind == K_CHUNK) {
            e = slink_stream_on_chunk(to, r.buf, r.len, now);
            if (e == SLINK_ERR_STREAM_DUP) {
                m->dup_rx++;
                if (!r.copy) m->spurious[r.why]++;
            } else if (e == SLINK_ERR_STREAM_WINDOW) {
                /* a copy delayed past the whole window: old, never new */
                ck_assert_uint_lt((uint8_t)(to->rcv_nxt - r.buf[0]), 128u);
                m->late_rx++;
            }
            else if (e == SLINK_ERR_WOULD_BLOCK) m->refused_rx++;
            else ck_assert_int_eq(e, SLINK_OK);
        } else if (r.kind == K_ACK) {
            slink_ack a;
            ck_assert_int_eq(slink_ack_decode(r.buf, r.len, &a), SLINK_OK);
            if (d == 1 && a.wnd == 0) m->zero_wnd_acks++;
            e = slink_stream_on_ack(to, &a, now);
            if (e != SLINK_ERR_STREAM_WINDOW) ck_assert_int_eq(e, SLINK_OK);   /* stale */
        } else {
            ck_assert_int_eq(slink_stream_on_close(to, r.buf[0]), SLINK_OK);
        }
    }
}

/* One endpoint's turn on its line: an ACK first, then close_notify, then data. */
static void sim_transmit(sim *m, int d, uint64_t now, slink_stream *s, flow *out)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    size_t n = 0;
    if (m->dir[d].busy_until > now) return;
    if (slink_stream_ack_needed(s, now)) {
        slink_ack a;
        memset(&a, 0, sizeof a);
        slink_stream_fill_ack(s, &a);
        slink_stream_ack_sent(s);
        ck_assert_int_eq(slink_ack_encode(&a, pt, sizeof pt, &n), SLINK_OK);
        sim_send(m, d, now, K_ACK, pt, n);
        return;
    }
    if (out && s->close_requested && slink_stream_all_acked(s) && !s->close_acked &&
        now >= out->close_next) {
        pt[0] = s->snd_nxt;
        sim_send(m, d, now, K_CLOSE, pt, 1);
        out->close_next = now + s->rto;
        return;
    }
    uint32_t rx0 = s->stats.retransmits, fx0 = s->stats.fast_retransmits;
    slink_err e = slink_stream_next_chunk(s, now, pt, sizeof pt, &n);
    if (e == SLINK_ERR_AGAIN) return;
    ck_assert_int_eq(e, SLINK_OK);
    m->why = s->stats.fast_retransmits != fx0 ? 2 : s->stats.retransmits != rx0 ? 1 : 0;
    m->chunk_bytes_sent += n - 1u;
    sim_send(m, d, now, K_CHUNK, pt, n);
}

/* ---- adaptive chunk size (§3.6) ------------------------------------------ */

/* Runs A -> B for `ms` ms, dropping transmissions where drop_every != 0
 * and the transmission count is a multiple of it; checks that a resent
 * chunk keeps the size it was first sent with. */
static void adapt_drive(uint64_t *now, uint64_t ms, unsigned drop_every, unsigned *tx)
{
    static uint16_t len_of[256];
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], data[512], out[2048];
    uint64_t end = *now + ms;
    memset(data, 0x5C, sizeof data);
    for (; *now < end; (*now)++) {
        size_t acc = 0, n, got = 0;
        uint32_t sent0 = A.stats.chunks_sent;
        (void)slink_stream_write(&A, data, sizeof data, &acc);
        T_REQUIRE(slink_stream_poll(&A, *now) == SLINK_OK, "poll at %llu ms", (unsigned long long)*now);
        while ((n = take(&A, *now, pt)) > 0) {
            if (A.stats.chunks_sent != sent0) len_of[pt[0]] = (uint16_t)n;
            else T_REQUIRE(n == len_of[pt[0]], "chunk %u resent with %zu bytes, first sent with %u",
                           pt[0], n, len_of[pt[0]]);   /* a resend keeps its size */
            sent0 = A.stats.chunks_sent;
            T_REQUIRE(n - 1u <= A.chunk_max, "chunk of %zu bytes over chunk_max %u", n - 1u,
                      (unsigned)A.chunk_max);
            (*tx)++;
            if (drop_every != 0 && *tx % drop_every == 0) continue;
            (void)slink_stream_on_chunk(&B, pt, n, *now);
        }
        while (slink_stream_read(&B, out, sizeof out, &got) == SLINK_OK && got > 0) {}
        if (slink_stream_ack_needed(&B, *now)) ck_assert_int_eq(pass_ack(&B, &A, *now, NULL), SLINK_OK);
    }
}

START_TEST(adaptive_chunk_size_follows_loss)
{
    slink_stream_cfg c = mkcfg(1000, 8);
    uint64_t now = 0;
    unsigned tx = 0;
    c.adapt = 1;
    c.chunk_start = 128;
    slink_stream_init(&A, &c);
    slink_stream_init(&B, &c);
    ck_assert_uint_eq(A.tx_size, 128);
    /* clean: the first estimate takes the largest size */
    adapt_drive(&now, 2000, 0, &tx);
    ck_assert_uint_eq(A.tx_size, 1000);
    /* every second transmission lost: frames of about 1 KB lose half, so
     * the chunk size falls (L(L+24) = 24 F / ln 2 with F near the frame size) */
    adapt_drive(&now, 20000, 2, &tx);
    ck_assert_uint_lt(A.tx_size, 300);
    ck_assert_uint_ge(A.tx_size, 32);
    /* a clean line again: back to the largest size */
    adapt_drive(&now, 20000, 0, &tx);
    ck_assert_uint_eq(A.tx_size, 1000);
    ck_assert_uint_gt(A.stats.chunk_resizes, 2);
}
END_TEST

START_TEST(fixed_chunk_size_without_adapt)
{
    slink_stream_cfg c = mkcfg(1000, 8);
    uint64_t now = 0;
    unsigned tx = 0;
    c.chunk_start = 128;   /* ignored without adapt */
    slink_stream_init(&A, &c);
    slink_stream_init(&B, &c);
    adapt_drive(&now, 20000, 2, &tx);
    ck_assert_uint_eq(A.tx_size, 1000);
    ck_assert_uint_eq(A.stats.chunk_resizes, 0);
}
END_TEST

/* ---- lossy line with a modelled transmit queue (§3.6) ------------------- */

/* A stream that has measured losses: chunk_start below chunk_max says the
 * handshake met noise, and the session starts out lossy. */
static void lossy_init(uint8_t window)
{
    slink_stream_cfg c = mkcfg(100, window);
    c.adapt = 1;
    c.chunk_start = 64;
    slink_stream_init(&A, &c);
    slink_stream_init(&B, &c);
}

/* A lossy two-chunk stream whose owner models its line: 128 bytes of
 * `fill` put, both 64-byte chunks handed out at 1 and gone from the line
 * at 11 and 21, nothing acknowledged: the window is used up. */
static void fill_window(uint8_t data[128], uint8_t fill)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    memset(data, fill, 128);
    lossy_init(2);
    A.line_ready_ms = 1;
    put(&A, data, 128);
    ck_assert_uint_eq(take(&A, 1, pt), 65);
    slink_stream_departed(&A, 11);
    ck_assert_uint_eq(take(&A, 1, pt), 65);
    slink_stream_departed(&A, 21);
}

START_TEST(lossy_line_keeps_one_frame_queued)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], data[256];
    slink_stream_cfg c = mkcfg(100, 8);
    memset(data, 0x41, sizeof data);
    lossy_init(8);
    /* the owner's line has more than one frame to go until 50 */
    A.line_ready_ms = 50;
    put(&A, data, 200);
    ck_assert_uint_eq(take(&A, 10, pt), 0);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 10), 50);
    ck_assert_uint_eq(take(&A, 50, pt), 65);
    ck_assert_uint_eq(pt[0], 0);
    ck_assert_uint_eq(take(&A, 50, pt), 65);
    ck_assert_uint_eq(pt[0], 1);
    /* chunk 1 arrived, chunk 0 did not: its resend is not held behind new
     * chunks, whatever the queue */
    A.line_ready_ms = 1000;
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 1, .wnd = 8}, 60), SLINK_OK);
    ck_assert_uint_eq(take(&A, 60, pt), 65);
    ck_assert_uint_eq(pt[0], 0);
    ck_assert_uint_eq(take(&A, 60, pt), 0);   /* the new chunk 2 waits */
    /* a line without measured loss is never held to the model (a pty
     * runs faster than the baud its owner counts with) */
    c.adapt = 1;
    slink_stream_init(&A, &c);
    A.line_ready_ms = 50;
    put(&A, data, 200);
    ck_assert_uint_eq(take(&A, 10, pt), 101);
    /* nor is a stream whose owner does not model its line */
    lossy_init(8);
    put(&A, data, 200);
    ck_assert_uint_eq(take(&A, 10, pt), 65);
}
END_TEST

START_TEST(timers_start_when_the_frame_left_the_line)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    slink_stream_cfg c = mkcfg(100, 8);
    lossy_init(8);
    A.line_ready_ms = 1;
    put(&A, "a", 1);
    ck_assert_uint_eq(take(&A, 1, pt), 2);
    slink_stream_departed(&A, 41);   /* it waited behind another frame */
    ck_assert_uint_eq(slink_stream_next_timer(&A, 1), 41 + 200);
    ck_assert_int_eq(slink_stream_poll(&A, 201), SLINK_OK);
    ck_assert_uint_eq(take(&A, 201, pt), 0);   /* not due at hand-out + RTO */
    /* the RTT is timed from 41, not from the hand-out at 1 */
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 1, .sack = 0, .wnd = 8}, 71), SLINK_OK);
    ck_assert_uint_eq(A.srtt, 30);
    /* an ACK before the modelled departure: the transport is faster than
     * the model, and the hand-out time is the start */
    put(&A, "b", 1);
    ck_assert_uint_eq(take(&A, 100, pt), 2);
    slink_stream_departed(&A, 300);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 2, .sack = 0, .wnd = 8}, 110), SLINK_OK);
    ck_assert_uint_eq(A.srtt, (7u * 30u + 10u) / 8u);
    /* a departure reported without a chunk produced is ignored */
    slink_stream_departed(&A, 500);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 110), UINT64_MAX);
    /* a line without measured loss keeps hand-out timing */
    c.adapt = 1;
    slink_stream_init(&A, &c);
    A.line_ready_ms = 1;
    put(&A, "a", 1);
    ck_assert_uint_eq(take(&A, 1, pt), 2);
    slink_stream_departed(&A, 41);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 1), 1 + 200);
}
END_TEST

/* The stream keeps the low 32 bits of the owner's milliseconds for its
 * timers (include/slink/stream.h): each of them must work while now_ms
 * crosses a multiple of 2^32, here not the first one. */
#define WRAP (3ull << 32)

START_TEST(timers_work_across_the_32_bit_wrap)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    uint64_t t0 = WRAP - 15u;
    slink_stream_cfg c = mkcfg(100, 8);

    /* delayed ACK due after the wrap; an RTT sample spanning it */
    pair_init(100, 8);
    put(&A, "ping", 4);
    ck_assert_uint_eq(take(&A, t0, pt), 5);
    ck_assert_int_eq(slink_stream_on_chunk(&B, pt, 5, t0 + 10), SLINK_OK);
    ck_assert_uint_eq(slink_stream_next_timer(&B, t0 + 10), t0 + 20);
    ck_assert_int_eq(slink_stream_ack_needed(&B, t0 + 19), 0);
    ck_assert_int_eq(slink_stream_ack_needed(&B, t0 + 20), 1);
    ck_assert_int_eq(pass_ack(&B, &A, t0 + 30, NULL), SLINK_OK);
    ck_assert_uint_eq(A.srtt, 30);
    ck_assert_uint_eq(A.rto, 30u + 4u * 15u);

    /* a retransmission timer set before the wrap fires after it, at the
     * RTO and not before; the backoff and the try limit follow */
    c.max_tries = 3;
    c.give_up_ms = 500;
    slink_stream_init(&A, &c);
    put(&A, "pong", 4);
    ck_assert_uint_eq(take(&A, WRAP - 100u, pt), 5);
    ck_assert_uint_eq(slink_stream_next_timer(&A, WRAP - 100u), WRAP + 100u);
    ck_assert_int_eq(slink_stream_poll(&A, WRAP - 1u), SLINK_OK);
    ck_assert_int_eq(slink_stream_poll(&A, WRAP + 99u), SLINK_OK);
    ck_assert_uint_eq(take(&A, WRAP + 99u, pt), 0);
    ck_assert_uint_eq(A.stats.retransmits, 0);
    ck_assert_uint_eq(slink_stream_next_timer(&A, WRAP + 99u), WRAP + 100u);
    ck_assert_uint_eq(take(&A, WRAP + 100u, pt), 5);
    ck_assert_uint_eq(A.stats.retransmits, 1);
    ck_assert_uint_eq(A.rto, 400);
    ck_assert_uint_eq(slink_stream_next_timer(&A, WRAP + 100u), WRAP + 500u);
    ck_assert_uint_eq(take(&A, WRAP + 500u, pt), 5);
    ck_assert_uint_eq(A.rto, 800);
    /* third try at WRAP + 500: out of tries at WRAP + 1300, and the chunk,
     * first sent before the wrap, is older than give_up_ms by then */
    ck_assert_int_eq(slink_stream_poll(&A, WRAP + 1299u), SLINK_OK);
    ck_assert_int_eq(slink_stream_poll(&A, WRAP + 1300u), SLINK_ERR_RETRANSMIT_LIMIT);

    /* the departure wait of a frame handed out before the wrap */
    lossy_init(8);
    A.line_ready_ms = WRAP - 10u;
    put(&A, "a", 1);
    ck_assert_uint_eq(take(&A, WRAP - 10u, pt), 2);
    slink_stream_departed(&A, WRAP + 30u);
    ck_assert_uint_eq(slink_stream_next_timer(&A, WRAP), WRAP + 30u + 200u);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 1, .sack = 0, .wnd = 8}, WRAP + 50u),
                     SLINK_OK);
    ck_assert_uint_eq(A.srtt, 20);   /* timed from the departure */
}
END_TEST

START_TEST(used_up_window_repeats_unacknowledged_chunks_on_an_idle_line)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], data[256];
    fill_window(data, 0x42);
    /* window used up; chunk 0 left the line at 11 */
    ck_assert_uint_eq(slink_stream_next_timer(&A, 1), 11);
    ck_assert_uint_eq(take(&A, 5, pt), 0);
    ck_assert_uint_eq(take(&A, 15, pt), 65);
    ck_assert_uint_eq(pt[0], 0);
    ck_assert_uint_eq(A.stats.idle_repeats, 1);
    ck_assert_uint_eq(A.stats.fast_retransmits, 0);
    ck_assert_uint_eq(A.tx[A.tx_head].tries, 1);   /* not a try: its loss is not known */
    slink_stream_departed(&A, 25);
    /* then the chunk whose last transmission is the oldest: chunk 1 */
    ck_assert_uint_eq(slink_stream_next_timer(&A, 25), 21);
    ck_assert_uint_eq(take(&A, 21, pt), 65);
    ck_assert_uint_eq(pt[0], 1);
    slink_stream_departed(&A, 35);
    /* the copy of chunk 0 arrived: the window moves, new data goes first */
    ck_assert_uint_eq(slink_stream_on_chunk(&B, (uint8_t[]){0, 0x42}, 2, 30), SLINK_OK);
    ck_assert_int_eq(pass_ack(&B, &A, 30, NULL), SLINK_OK);
    put(&A, data, 64);
    ck_assert_uint_eq(take(&A, 36, pt), 65);
    ck_assert_uint_eq(pt[0], 2);
    /* a shut window is persisted, not repeated */
    slink_stream_departed(&A, 40);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 1, .sack = 0, .wnd = 0}, 41), SLINK_OK);
    ck_assert_uint_eq(take(&A, 50, pt), 0);
    /* a window narrowed by a slow reader: only what it covers is repeated */
    fill_window(data, 0x42);
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 0, .wnd = 1}, 22), SLINK_OK);
    ck_assert_uint_eq(take(&A, 25, pt), 65);
    ck_assert_uint_eq(pt[0], 0);
    slink_stream_departed(&A, 30);
    ck_assert_uint_eq(slink_stream_next_timer(&A, 25), 30);
    ck_assert_uint_eq(take(&A, 30, pt), 65);
    ck_assert_uint_eq(pt[0], 0);   /* not chunk 1, though its last send is older */
    /* the owner does not model its line: no repeats */
    lossy_init(2);
    put(&A, data, 128);
    ck_assert_uint_eq(take(&A, 1, pt), 65);
    ck_assert_uint_eq(take(&A, 1, pt), 65);
    ck_assert_uint_eq(take(&A, 15, pt), 0);
    ck_assert_uint_eq(A.stats.idle_repeats, 0);
}
END_TEST

/* A receiver that stops acknowledging (saturated or gone) draws at most
 * SLINK_STREAM_REPEATS_PER_ACK repeats, then only RTO retransmissions; an
 * ACK lets repeats go again (ACK clocking, §3.6).  Without the clocking the
 * idle line kept repeating back to back (fw-flood). */
START_TEST(repeats_stop_when_acks_stop)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], data[256];
    uint64_t now, rto_at[8], next;
    unsigned rtos = 0;
    uint32_t rep0;
    size_t n;
    fill_window(data, 0x43);
    /* the owner asks whenever the stream's timer says so; each frame takes
     * 10 ms to leave the line; no ACK ever comes back */
    for (now = 2; now < 3000 && rtos < 8; now++) {
        uint32_t r0 = A.stats.idle_repeats, x0 = A.stats.retransmits;
        next = slink_stream_next_timer(&A, now);
        ck_assert_uint_ge(next, now - 1);   /* nothing is overdue that next_chunk refuses */
        if (next > now) continue;
        n = take(&A, now, pt);
        ck_assert_uint_eq(n, 65);
        slink_stream_departed(&A, now + 10);
        if (A.stats.idle_repeats == r0) {
            ck_assert_uint_eq(A.stats.retransmits, x0 + 1);
            rto_at[rtos++] = now;
        }
    }
    ck_assert_uint_eq(A.stats.idle_repeats, SLINK_STREAM_REPEATS_PER_ACK);
    ck_assert_uint_le(A.stats.idle_repeats, 2);
    ck_assert_uint_ge(rtos, 4);
    /* ... no closer together than the initial RTO (200 ms): nothing is
     * sent back to back while the peer is silent */
    for (n = 1; n < rtos; n++) ck_assert_uint_ge(rto_at[n] - rto_at[n - 1], 200);
    /* an ACK (here a duplicate: nothing new arrived) clocks repeats again */
    rep0 = A.stats.idle_repeats;
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 0, .wnd = 2}, now), SLINK_OK);
    for (; now < 6000 && A.stats.idle_repeats == rep0; now++) {
        next = slink_stream_next_timer(&A, now);
        if (next > now) continue;
        if (take(&A, now, pt) != 0) slink_stream_departed(&A, now + 10);
    }
    ck_assert_uint_eq(A.stats.idle_repeats, rep0 + 1);
}
END_TEST

/* Repeats per ACK follow the measured loss: about 2 of them should be
 * answered, so 2/d^2 with d the delivered fraction (§3.6).  With 27 of 64
 * transmissions lost (BER 1e-3 at 70-byte frames) an ACK allows 6 repeats,
 * not 2; timeouts meanwhile raise the measured loss but buy a silent peer
 * no more; a clean line is back to 2, and total loss gives the cap. */
START_TEST(repeats_per_ack_follow_the_measured_loss)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], data[256];
    uint64_t now, next;
    uint32_t rep0;
    fill_window(data, 0x44);
    A.ad_n = 64;
    A.ad_lost = 27;
    /* a duplicate ACK: nothing settled, the measured loss stands */
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 0, .wnd = 2}, 22), SLINK_OK);
    ck_assert_uint_eq(A.rep_left, 6);
    /* no ACK after it: 6 repeats, then only RTO retransmissions */
    for (now = 22; now < 3000; now++) {
        next = slink_stream_next_timer(&A, now);
        if (next > now) continue;
        if (take(&A, now, pt) != 0) slink_stream_departed(&A, now + 10);
    }
    ck_assert_uint_eq(A.stats.idle_repeats, 6);
    ck_assert_uint_gt(A.stats.retransmits, 6);   /* the RTO went on */
    /* a clean line: 2 per ACK, as before the loss was measured */
    A.ad_n = 64;
    A.ad_lost = 0;
    rep0 = A.stats.idle_repeats;
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 0, .wnd = 2}, now), SLINK_OK);
    ck_assert_uint_eq(A.rep_left, SLINK_STREAM_REPEATS_PER_ACK);
    for (next = now + 3000; now < next; now++) {
        if (slink_stream_next_timer(&A, now) > now) continue;
        if (take(&A, now, pt) != 0) slink_stream_departed(&A, now + 10);
    }
    ck_assert_uint_eq(A.stats.idle_repeats, rep0 + SLINK_STREAM_REPEATS_PER_ACK);
    /* nothing delivered at all: the cap */
    A.ad_lost = A.ad_n;
    ck_assert_int_eq(slink_stream_on_ack(&A, &(slink_ack){.cum = 0, .sack = 0, .wnd = 2}, now), SLINK_OK);
    ck_assert_uint_eq(A.rep_left, SLINK_STREAM_REPEATS_MAX);
}
END_TEST

/* Hosts run a window of 16 chunks (config.h): the receive buffer must hold
 * 16 full chunks at the default MTU, or the advertised window is 15 (16384
 * bytes / 1081: what hosts had, so a noisy line's sender ran out of window
 * one chunk earlier than configured). */
START_TEST(host_receive_buffer_covers_the_whole_window)
{
    slink_stream_cfg c;
    slink_ack a;
    memset(&c, 0, sizeof c);
    c.chunk_max = (uint16_t)SLINK_STREAM_CHUNK_MAX;
    c.window = SLINK_STREAM_WINDOW;
    slink_stream_init(&A, &c);
    memset(&a, 0, sizeof a);
    slink_stream_fill_ack(&A, &a);
    ck_assert_uint_eq(a.wnd, SLINK_STREAM_WINDOW);
}
END_TEST

/* Moves `total` bytes A -> B (and `back` bytes B -> A) through the line;
 * returns the simulated milliseconds taken.  Fails on any lost, duplicated
 * or reordered byte and on a stall. */
static uint64_t run_sim_from(uint64_t start, uint16_t chunk_max, uint8_t window, uint64_t total,
                             uint64_t back, uint64_t max_ms)
{
    static flow fa, fb;
    uint64_t now;
    pair_init(chunk_max, window);
    flow_init(&fa, 0x1234567u, total);
    flow_init(&fb, 0x7654321u, back);
    for (now = start; now - start < max_ms; now++) {
        sim_deliver(&S, 0, now, &B);
        sim_deliver(&S, 1, now, &A);
        flow_write(&fa, &A, &S.rng);
        flow_write(&fb, &B, &S.rng);
        if (S.read_every_ms == 0 || now % S.read_every_ms == 0) {
            flow_read(&fa, &B, S.read_every_ms ? S.read_chunk : SIZE_MAX);
            flow_read(&fb, &A, SIZE_MAX);
        }
        T_REQUIRE(slink_stream_poll(&A, now) == SLINK_OK, "poll A at %llu ms", (unsigned long long)now);
        T_REQUIRE(slink_stream_poll(&B, now) == SLINK_OK, "poll B at %llu ms", (unsigned long long)now);
        sim_transmit(&S, 0, now, &A, &fa);
        sim_transmit(&S, 1, now, &B, &fb);
        if (fa.closed_seen && fb.closed_seen && A.close_acked && B.close_acked) break;
    }
    ck_assert_msg(now - start < max_ms, "stalled: A->B %llu/%llu read, B->A %llu/%llu",
                  (unsigned long long)fa.read, (unsigned long long)total,
                  (unsigned long long)fb.read, (unsigned long long)back);
    ck_assert_uint_eq(fa.read, total);
    ck_assert_uint_eq(fb.read, back);
    ck_assert_uint_eq(B.stats.bytes_delivered, total);
    ck_assert_uint_eq(A.stats.bytes_acked, total);
    ck_assert_uint_eq(A.stats.bytes_delivered, back);
    return now - start;
}

static uint64_t run_sim(uint16_t chunk_max, uint8_t window, uint64_t total, uint64_t back,
                        uint64_t max_ms)
{
    return run_sim_from(0, chunk_max, window, total, back, max_ms);
}

static void sim_setup(unsigned loss_pm, unsigned dup_pm, unsigned jitter, uint64_t seed)
{
    memset(&S, 0, sizeof S);
    S.loss_pm = loss_pm;
    S.dup_pm = dup_pm;
    S.latency_ms = 5;
    S.jitter_ms = jitter;
    S.bytes_per_ms = 100;       /* ~1 Mbit/s */
    S.rng = seed;
}

#define MB (1024u * 1024u)

START_TEST(sim_1mb_lossless)
{
    sim_setup(0, 0, 0, 1);
    uint64_t ms = run_sim(1000, 8, MB, 0, 100000);
    ck_assert_uint_eq(A.stats.retransmits, 0);
    ck_assert_uint_eq(S.chunk_bytes_sent, MB);
    ck_assert_uint_eq(B.stats.duplicates, 0);
    printf("stream sim 0%% loss: %llu ms, %u chunks\n", (unsigned long long)ms, A.stats.chunks_sent);
}
END_TEST

START_TEST(sim_1mb_5pct_loss_dup_reorder)
{
    sim_setup(50, 50, 15, 2);
    uint64_t ms = run_sim(1000, 8, MB, 0, 400000);
    ck_assert_uint_gt(A.stats.retransmits, 0);
    ck_assert_uint_gt(S.dup_rx, 0);
    printf("stream sim 5%% loss: %llu ms, goodput efficiency %.3f (delivered %u / sent %llu chunk bytes), "
           "%u retransmits (%u fast), %u dup rx\n",
           (unsigned long long)ms, (double)MB / (double)S.chunk_bytes_sent, MB,
           (unsigned long long)S.chunk_bytes_sent, A.stats.retransmits,
           A.stats.fast_retransmits, S.dup_rx);
    printf("  lost %u, spurious rto %u fast %u, late %u\n", S.lost, S.spurious[1], S.spurious[2], S.late_rx);
}
END_TEST

START_TEST(sim_1mb_20pct_loss_dup_reorder)
{
    sim_setup(200, 200, 30, 3);
    uint64_t ms = run_sim(1000, 8, MB, 0, 2000000);
    ck_assert_uint_gt(A.stats.retransmits, 0);
    ck_assert_uint_gt(S.dup_rx, 0);
    printf("stream sim 20%% loss: %llu ms, efficiency %.3f, %u retransmits (%u fast)\n",
           (unsigned long long)ms, (double)MB / (double)S.chunk_bytes_sent,
           A.stats.retransmits, A.stats.fast_retransmits);
}
END_TEST

START_TEST(sim_small_chunks_full_window_wraps_and_fast_retransmits)
{
    /* 100-byte chunks: the full window of 8 is in flight, numbers wrap ~10x */
    sim_setup(50, 20, 10, 4);
    run_sim(100, 8, 256u * 1024u, 0, 400000);
    ck_assert_uint_gt(A.stats.chunks_sent, 2560);
    ck_assert_uint_gt(A.stats.fast_retransmits, 0);
}
END_TEST

START_TEST(sim_both_directions_at_once)
{
    sim_setup(50, 50, 10, 5);
    run_sim(200, 8, 256u * 1024u, 200u * 1024u, 400000);
    ck_assert_uint_gt(B.stats.retransmits, 0);
}
END_TEST

START_TEST(sim_slow_reader_window_closes_and_reopens)
{
    sim_setup(50, 0, 5, 6);
    S.read_every_ms = 40;
    S.read_chunk = 700;        /* 17.5 bytes/ms, the line carries ~100 */
    uint64_t ms = run_sim(1000, 8, 128u * 1024u, 0, 400000);
    ck_assert_uint_gt(S.zero_wnd_acks, 0);
    ck_assert_uint_ge(ms, (128u * 1024u / 700u) * 40u - 40u);
}
END_TEST

/* The same lossy, reordering transfer started just before now_ms crosses
 * 2^32 x 3 takes the same course as one started at 0: the 32-bit times
 * inside the stream (include/slink/stream.h) change nothing. */
START_TEST(sim_across_the_32_bit_wrap_matches_a_run_from_zero)
{
    uint64_t ms0, ms1;
    uint32_t retx0, fast0;
    uint64_t sent0;
    sim_setup(50, 50, 15, 7);
    ms0 = run_sim(200, 8, 128u * 1024u, 32u * 1024u, 400000);
    retx0 = A.stats.retransmits;
    fast0 = A.stats.fast_retransmits;
    sent0 = S.chunk_bytes_sent;
    ck_assert_uint_gt(retx0, 0);
    sim_setup(50, 50, 15, 7);
    ms1 = run_sim_from(WRAP - ms0 / 2u, 200, 8, 128u * 1024u, 32u * 1024u, 400000);
    ck_assert_uint_eq(ms1, ms0);
    ck_assert_uint_eq(A.stats.retransmits, retx0);
    ck_assert_uint_eq(A.stats.fast_retransmits, fast0);
    ck_assert_uint_eq(S.chunk_bytes_sent, sent0);
}
END_TEST

/* §3.6 known answer: the first chunk of a stream is number 0; SACK bit i
 * (least significant first in the big-endian 16-bit field) says chunk
 * cum + 1 + i is held.  Chunks 0, 3 and 7 of 8 arrive: cum = 1, bits 1
 * (chunk 3) and 5 (chunk 7), so the ACK's bytes 3..5 are 01 00 22. */
START_TEST(first_chunk_zero_and_sack_bit_order)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX], wire[SLINK_ACK_LEN], held[8][32];
    size_t n = 0, lens[8];
    slink_ack a;
    unsigned i;
    pair_init(10, 8);
    for (i = 0; i < 8; i++) {
        memset(pt, (int)('a' + i), 10);
        put(&A, pt, 10);
    }
    for (i = 0; i < 8; i++) {
        lens[i] = take(&A, 0, held[i]);
        ck_assert_uint_eq(lens[i], 11);
        ck_assert_uint_eq(held[i][0], i);           /* chunk numbers 0, 1, 2, ... */
    }
    ck_assert_int_eq(slink_stream_on_chunk(&B, held[0], lens[0], 1), SLINK_OK);
    ck_assert_int_eq(slink_stream_on_chunk(&B, held[3], lens[3], 1), SLINK_OK);
    ck_assert_int_eq(slink_stream_on_chunk(&B, held[7], lens[7], 1), SLINK_OK);
    memset(&a, 0, sizeof a);
    slink_stream_fill_ack(&B, &a);
    ck_assert_uint_eq(a.cum, 1);
    ck_assert_uint_eq(a.sack, 0x0022);
    ck_assert_int_eq(slink_ack_encode(&a, wire, sizeof wire, &n), SLINK_OK);
    ck_assert_uint_eq(wire[3], 0x01);
    ck_assert_uint_eq(wire[4], 0x00);
    ck_assert_uint_eq(wire[5], 0x22);
    /* the sender reads it the same way: 3 and 7 held, 1, 2, 4..6 not */
    ck_assert_int_eq(slink_stream_on_ack(&A, &a, 2), SLINK_OK);
    ck_assert_uint_eq(A.snd_una, 1);
    for (i = 1; i < 8; i++)
        ck_assert_uint_eq(A.tx[(A.tx_head + i - 1u) % SLINK_STREAM_WINDOW].sacked, i == 3 || i == 7);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, first_chunk_zero_and_sack_bit_order);
    tcase_add_test(tc, in_order_transfer_small);
    tcase_add_test(tc, small_write_goes_out_at_once_and_writes_coalesce_until_sent);
    tcase_add_test(tc, pacing_holds_only_a_partial_new_chunk_until_release);
    tcase_add_test(tc, large_write_splits_into_full_chunks);
    tcase_add_test(tc, write_backpressure_would_block);
    tcase_add_test(tc, write_and_read_argument_checks);
    tcase_add_test(tc, malformed_chunk_lengths);
    tcase_add_test(tc, out_of_window_chunk_rejected);
    tcase_add_test(tc, duplicate_chunks_counted_and_reacked);
    tcase_add_test(tc, out_of_order_chunks_held_and_drained_in_order);
    tcase_add_test(tc, delayed_ack_rules);
    tcase_add_test(tc, rtt_estimate_follows_rfc6298_and_karn);
    tcase_add_test(tc, stale_and_bogus_acks_ignored_across_wrap);
    tcase_add_test(tc, rto_backoff_then_retransmit_limit_when_peer_silent);
    tcase_add_test(tc, rto_clamped_to_max);
    tcase_add_test(tc, fast_retransmit_on_sack_holes);
    tcase_add_test(tc, chunk_numbers_wrap_several_times);
    tcase_add_test(tc, receive_window_closes_and_reopens);
    tcase_add_test(tc, held_chunks_never_starve_the_gap);
    tcase_add_test(tc, window_probe_after_lost_window_update);
    tcase_add_test(tc, refused_chunks_persist_without_hitting_the_limit);
    tcase_add_test(tc, close_handshake_closed_only_after_all_read);
    tcase_add_test(tc, close_waits_for_data_before_final_and_rejects_data_after);
    tcase_add_test(tc, close_with_impossible_final_rejected);
    tcase_add_test(tc, wipe_zeroizes_everything);
    tcase_add_test(tc, init_clamps_configuration);
    tcase_add_test(tc, rtt_sample_capped_for_32_bit_estimate);
    tcase_add_test(tc, sacked_chunks_skipped_by_timeout);
    tcase_add_test(tc, no_rtt_sample_when_the_ack_answers_a_retransmission);
    tcase_add_test(tc, retransmission_is_byte_identical_after_later_writes);
    tcase_add_test(tc, close_flag_needs_our_close_and_drained_data);
    tcase_add_test(tc, stop_and_wait_with_window_one);
    tcase_add_test(tc, receive_ring_wraps_without_corruption);
    tcase_add_test(tc, duplicate_pulls_a_delayed_ack_forward);
    tcase_add_test(tc, partial_cumulative_ack_frees_exactly_its_chunks);
    tcase_add_test(tc, gap_fill_acks_at_once);
    tcase_add_test(tc, zero_window_holds_new_data_until_probe_time);
    suite_add_tcase(s, tc);
    tcase_add_test(tc, adaptive_chunk_size_follows_loss);
    tcase_add_test(tc, fixed_chunk_size_without_adapt);
    tcase_add_test(tc, lossy_line_keeps_one_frame_queued);
    tcase_add_test(tc, timers_start_when_the_frame_left_the_line);
    tcase_add_test(tc, timers_work_across_the_32_bit_wrap);
    tcase_add_test(tc, used_up_window_repeats_unacknowledged_chunks_on_an_idle_line);
    tcase_add_test(tc, repeats_stop_when_acks_stop);
    tcase_add_test(tc, repeats_per_ack_follow_the_measured_loss);
    tcase_add_test(tc, host_receive_buffer_covers_the_whole_window);
    TCase *ts = tcase_create("simulated line");
    tcase_set_timeout(ts, 60);
    tcase_add_test(ts, sim_1mb_lossless);
    tcase_add_test(ts, sim_1mb_5pct_loss_dup_reorder);
    tcase_add_test(ts, sim_1mb_20pct_loss_dup_reorder);
    tcase_add_test(ts, sim_small_chunks_full_window_wraps_and_fast_retransmits);
    tcase_add_test(ts, sim_both_directions_at_once);
    tcase_add_test(ts, sim_slow_reader_window_closes_and_reopens);
    tcase_add_test(ts, sim_across_the_32_bit_wrap_matches_a_run_from_zero);
    suite_add_tcase(s, ts);
    return run_suite(s);
}

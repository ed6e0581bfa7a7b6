/* The bus master under load, in one process: slink_node and N half-duplex
 * device connections on slink-linesim's shared medium (tests/bus/busnet.c),
 * in simulated time.  Figures are printed so a run shows how close to the
 * line rate the schedule gets. */
#include "busnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S 1000000000ull

static busnet g_b;

static busnet_opts opts(size_t ndev, uint32_t baud, size_t bytes)
{
    busnet_opts o;
    memset(&o, 0, sizeof o);
    o.ndev = ndev;
    o.baud = baud;
    o.seed = 1;
    o.bytes_each = bytes;
    o.dead_dev = -1;
    o.dev_latency_us = 1000;
    return o;
}

static uint32_t retransmits(const busnet *b, uint32_t *chunks)
{
    uint32_t r = 0;
    *chunks = 0;
    for (size_t i = 0; i < b->o.ndev; i++) {
        r += b->host[i].stream.stats.retransmits + b->dev[i].stream.stats.retransmits;
        *chunks += b->host[i].stream.stats.chunks_sent + b->dev[i].stream.stats.chunks_sent;
    }
    return r;
}

START_TEST(eight_devices_20k_each_way_at_once)
{
    busnet *b = &g_b;
    busnet_opts o = opts(8, 115200, 20000);
    ck_assert_int_eq(busnet_init(b, &o), 0);
    busnet_run_until(b, 60 * S, busnet_all_established);
    ck_assert_msg(busnet_all_established(b), "not all 8 sessions up after 60 s");
    uint64_t t0 = b->now_ns;
    busnet_run_until(b, t0 + 600 * S, busnet_all_done);
    uint64_t el = b->now_ns - t0;
    uint64_t total = 0, first_done = UINT64_MAX;
    uint32_t ended = 0, chunks = 0, retx = retransmits(b, &chunks);
    for (size_t i = 0; i < 8; i++) {
        for (int d = 0; d < 2; d++) {
            busnet_flow *f = &b->flow[i][d];
            total += f->recvd;
            if (f->done_ns && f->done_ns < first_done) first_done = f->done_ns;
        }
        ended += b->ended[i];
    }
    ended += b->ended[8];
    double line = (double)el / 1e9 * 115200.0 / 10.0;
    double goodput = (double)total / line;
    double share = busnet_min_share(b);
    printf("bus 8 dev x 20 KB each way @115200: %.2f s, goodput %.3f of the line, min share %.3f, "
           "retransmissions %u of %u chunks, sessions ended %u, turns %u, turn timeouts %u\n",
           (double)el / 1e9, goodput, share, retx, chunks, ended, b->node.stats.turns_granted,
           b->node.stats.turn_timeouts);
    for (size_t i = 0; i < 8; i++)
        for (int d = 0; d < 2; d++) {
            busnet_flow *f = &b->flow[i][d];
            ck_assert_msg(f->recvd == 20000 && f->bad == 0, "device %zu dir %d: %llu bytes, %llu bad",
                          i, d, (unsigned long long)f->recvd, (unsigned long long)f->bad);
        }
    ck_assert_uint_eq(ended, 0);
    /* issue 14 targets: >= 0.8 of the line, nobody below 0.7 of the fair
     * share, retransmissions <= 2 % of chunks on a clean bus */
    ck_assert_msg(goodput >= 0.8, "goodput %.3f", goodput);
    ck_assert_msg(share >= 0.7, "min share %.3f", share);
    ck_assert_msg(retx * 50u <= chunks, "%u retransmissions of %u chunks", retx, chunks);
    busnet_free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bus");
    TCase *tc = tcase_create("bus");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, eight_devices_20k_each_way_at_once);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

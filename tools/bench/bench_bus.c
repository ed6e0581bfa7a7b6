/* Bus figures for `make bench` (issue 14), measured in simulated time on the
 * in-process RS485 bus (tests/bus/busnet.c: slink_node as master, N device
 * connections, slink-linesim's shared medium).  Prints one JSON object of
 * numbers; tools/bench/run_bench.py compares them with their targets.
 *
 *   bus_bringup_ratio_N_BAUD   all N devices powered at once: time until
 *                              every session is established over N times one
 *                              handshake's airtime (measured on the same bus
 *                              with one device)
 *   bus_goodput_ratio_8dev     8 devices, 20 KB each way each, all at once:
 *                              application bytes over the line's capacity
 *   bus_min_share_ratio_8dev   the slowest flow's bytes over the mean when the
 *                              first flow completed
 *   bus_sessions_ended_8dev    session-ended events during that transfer
 *   bus_idle_poll_fraction_32_BAUD  POLL/TURN_END airtime over time, 32 idle
 *                              devices, after the idle intervals settled
 *   bus_restart_recovery_s     a device restarted (fresh connection, no
 *                              session) until both sides are established
 *                              again
 *   bus_restart_recovery_loaded_s  the same while the 7 other devices move
 *                              bulk data (bound: 1 s plus the new handshake as
 *                              it ran on that loaded bus,
 *                              bus_restart_bound_loaded_s)
 * Simulated time makes the figures independent of the host's load. */
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
    o.dev_latency_us = 1000;   /* a device's wake-up after its POLL */
    return o;
}

static int bfail(const char *what)
{
    fprintf(stderr, "bench_bus: %s\n", what);
    return 1;
}

/* One handshake's wire bytes: one device alone on the bus. */
static int one_handshake_bytes(uint32_t baud, uint64_t *bytes)
{
    busnet *b = &g_b;
    busnet_opts o = opts(1, baud, 0);
    if (busnet_init(b, &o) != 0) return -1;
    busnet_run_until(b, 60 * S, busnet_all_established);
    int ok = busnet_all_established(b) && b->hs_bytes > 0;
    *bytes = b->hs_bytes;
    busnet_free(b);
    return ok ? 0 : -1;
}

static int bringup(size_t ndev, uint32_t baud, double *ratio, double *secs, uint64_t *hs_one)
{
    busnet *b = &g_b;
    busnet_opts o = opts(ndev, baud, 0);
    if (one_handshake_bytes(baud, hs_one) != 0) return -1;
    if (busnet_init(b, &o) != 0) return -1;
    busnet_run_until(b, 3600 * S, busnet_all_established);
    int ok = busnet_all_established(b);
    uint64_t last = 0;
    for (size_t i = 0; i < ndev; i++)
        if (b->est_ns[i] > last) last = b->est_ns[i];
    *secs = (double)last / 1e9;
    *ratio = (double)last / (double)(ndev * busnet_airtime_ns(b, *hs_one));
    busnet_free(b);
    return ok ? 0 : -1;
}

static int load8(double *goodput, double *share, uint32_t *ended, uint32_t *retx, uint32_t *chunks,
                 double *secs)
{
    busnet *b = &g_b;
    busnet_opts o = opts(8, 115200, 20000);
    if (busnet_init(b, &o) != 0) return -1;
    busnet_run_until(b, 60 * S, busnet_all_established);
    if (!busnet_all_established(b)) { busnet_free(b); return -1; }
    uint64_t t0 = b->now_ns, total = 0, bad = 0;
    busnet_run_until(b, t0 + 600 * S, busnet_all_done);
    int ok = busnet_all_done(b);
    uint64_t el = b->now_ns - t0;
    *ended = b->ended[8];
    *retx = *chunks = 0;
    for (size_t i = 0; i < 8; i++) {
        for (int d = 0; d < 2; d++) {
            total += b->flow[i][d].recvd;
            bad += b->flow[i][d].bad;
        }
        *ended += b->ended[i];
        *retx += b->host[i].stream.stats.retransmits + b->dev[i].stream.stats.retransmits;
        *chunks += b->host[i].stream.stats.chunks_sent + b->dev[i].stream.stats.chunks_sent;
    }
    *secs = (double)el / 1e9;
    *goodput = (double)total / ((double)el / 1e9 * 115200.0 / 10.0);
    *share = busnet_min_share(b);
    busnet_free(b);
    if (bad) return bfail("8-device transfer: bytes differ from the pattern"), -1;
    return ok ? 0 : -1;
}

/* Mixed load at 115200: device 0 moves 64 KB each way while 7 devices run
 * request/response exchanges of 32 bytes each way, 50 ms apart: how long a
 * small exchange waits behind the bulk transfer. */
static int mixed8(double *p50, double *p95, double *pmax, double *bulk_s, size_t *n)
{
    busnet *b = &g_b;
    busnet_opts o = opts(8, 115200, 65536);
    o.rr_bytes = 32;
    o.rr_think_ms = 50;
    if (busnet_init(b, &o) != 0) return -1;
    busnet_run_until(b, 60 * S, busnet_all_established);
    if (!busnet_all_established(b)) { busnet_free(b); return -1; }
    uint64_t t0 = b->now_ns, bad = 0;
    busnet_run_until(b, t0 + 600 * S, busnet_all_done);
    int ok = busnet_all_done(b);
    for (size_t i = 0; i < 8; i++) bad += b->flow[i][0].bad + b->flow[i][1].bad;
    *bulk_s = (double)(b->now_ns - t0) / 1e9;
    *n = b->rr_n;
    *p50 = busnet_rr_quantile(b, 0.5);
    *p95 = busnet_rr_quantile(b, 0.95);
    *pmax = busnet_rr_quantile(b, 1.0);
    busnet_free(b);
    if (bad) return bfail("mixed load: bytes differ from the pattern"), -1;
    return ok && *n > 0 ? 0 : -1;
}

static int idle32(uint32_t baud, double *frac)
{
    busnet *b = &g_b;
    busnet_opts o = opts(32, baud, 0);
    if (busnet_init(b, &o) != 0) return -1;
    busnet_run_until(b, 3600 * S, busnet_all_established);
    if (!busnet_all_established(b)) { busnet_free(b); return -1; }
    busnet_run_until(b, b->now_ns + 30 * S, NULL);   /* idle intervals reach their cap */
    uint64_t p0 = b->poll_bytes, t0 = b->now_ns;
    busnet_run_until(b, t0 + 20 * S, NULL);
    *frac = (double)busnet_airtime_ns(b, b->poll_bytes - p0) / (double)(b->now_ns - t0);
    busnet_free(b);
    return 0;
}

static int dev0_up(const busnet *b)
{
    return b->dev[0].state == SLINK_CONN_ESTABLISHED && b->host[0].state == SLINK_CONN_ESTABLISHED &&
           b->host[0].session_id != 1;
}

static int restart(double *secs, double *hs_s)
{
    busnet *b = &g_b;
    busnet_opts o = opts(8, 115200, 0);
    uint64_t hs_one;
    if (one_handshake_bytes(115200, &hs_one) != 0) return -1;
    if (busnet_init(b, &o) != 0) return -1;
    busnet_run_until(b, 60 * S, busnet_all_established);
    busnet_run_until(b, b->now_ns + 10 * S, NULL);   /* idle: intervals at their cap */
    if (!busnet_all_established(b) || b->host[0].session_id != 1) { busnet_free(b); return -1; }
    uint64_t t0 = b->now_ns;
    busnet_reboot(b, 0);
    busnet_run_until(b, t0 + 60 * S, dev0_up);
    int ok = dev0_up(b);
    *secs = (double)(b->now_ns - t0) / 1e9;
    *hs_s = (double)busnet_airtime_ns(b, hs_one) / 1e9;
    busnet_free(b);
    return ok ? 0 : -1;
}

/* The restart with the other 7 devices busy; *hs_s: the new handshake on
 * that bus, from the master starting it to both sides established. */
static int restart_loaded(double *secs, double *hs_s)
{
    busnet *b = &g_b;
    busnet_opts o = opts(8, 115200, 400000);
    uint64_t t0, hs_start = 0;
    uint32_t hs0;
    int ok;
    if (busnet_init(b, &o) != 0) return -1;
    busnet_run_until(b, 60 * S, busnet_all_established);
    busnet_run_until(b, b->now_ns + 5 * S, NULL);   /* every flow under way */
    if (!busnet_all_established(b) || b->host[0].session_id != 1) { busnet_free(b); return -1; }
    t0 = b->now_ns;
    hs0 = b->host[0].stats.hs_started;
    busnet_reboot(b, 0);
    while (!dev0_up(b) && b->now_ns < t0 + 60 * S) {
        busnet_run_until(b, b->now_ns + S / 1000u, NULL);
        if (hs_start == 0 && b->host[0].stats.hs_started != hs0) hs_start = b->now_ns;
    }
    ok = dev0_up(b) && hs_start != 0;
    *secs = (double)(b->now_ns - t0) / 1e9;
    *hs_s = ok ? (double)(b->now_ns - hs_start) / 1e9 : 0.0;
    busnet_free(b);
    return ok ? 0 : -1;
}

int main(void)
{
    static const size_t ndevs[2] = {8, 32};
    static const uint32_t bauds[2] = {115200, 9600};
    double r, s, g, sh, f96, f115, rec, hs_s;
    uint64_t hs;
    uint32_t ended, retx, chunks;

    printf("{\n");
    for (int bi = 0; bi < 2; bi++)
        for (int ni = 0; ni < 2; ni++) {
            if (bringup(ndevs[ni], bauds[bi], &r, &s, &hs) != 0)
                return bfail("bring-up: not every device established");
            printf(" \"bus_bringup_ratio_%zu_%u\": %.4f,\n", ndevs[ni], bauds[bi], r);
            printf(" \"bus_bringup_s_%zu_%u\": %.4f,\n", ndevs[ni], bauds[bi], s);
            if (ni == 0) printf(" \"bus_handshake_bytes_%u\": %llu,\n", bauds[bi], (unsigned long long)hs);
        }
    if (load8(&g, &sh, &ended, &retx, &chunks, &s) != 0)
        return bfail("8 devices x 20 KB each way: not every flow completed");
    printf(" \"bus_goodput_ratio_8dev\": %.4f,\n \"bus_min_share_ratio_8dev\": %.4f,\n"
           " \"bus_sessions_ended_8dev\": %u,\n \"bus_retransmits_8dev\": %u,\n \"bus_chunks_8dev\": %u,\n"
           " \"bus_transfer_s_8dev\": %.4f,\n", g, sh, ended, retx, chunks, s);
    {
        double p50, p95, pmax, bs;
        size_t nrr;
        if (mixed8(&p50, &p95, &pmax, &bs, &nrr) != 0)
            return bfail("mixed load: the bulk transfer did not complete");
        printf(" \"bus_mixed_rr_latency_p50_s\": %.4f,\n \"bus_mixed_rr_latency_p95_s\": %.4f,\n"
               " \"bus_mixed_rr_latency_max_s\": %.4f,\n \"bus_mixed_rr_exchanges\": %zu,\n"
               " \"bus_mixed_bulk_s\": %.4f,\n", p50, p95, pmax, nrr, bs);
    }
    if (idle32(9600, &f96) != 0 || idle32(115200, &f115) != 0)
        return bfail("32 idle devices: not every device established");
    printf(" \"bus_idle_poll_fraction_32_9600\": %.5f,\n \"bus_idle_poll_fraction_32_115200\": %.5f,\n",
           f96, f115);
    if (restart(&rec, &hs_s) != 0) return bfail("restarted device: not re-established within 60 s");
    printf(" \"bus_restart_recovery_s\": %.4f,\n \"bus_restart_bound_s\": %.4f,\n", rec, 1.0 + hs_s);
    if (restart_loaded(&rec, &hs_s) != 0) return bfail("restarted device under load: not re-established within 60 s");
    printf(" \"bus_restart_recovery_loaded_s\": %.4f,\n \"bus_restart_bound_loaded_s\": %.4f\n}\n", rec, 1.0 + hs_s);
    return 0;
}

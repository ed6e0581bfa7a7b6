/* In-process RS485 bus for tests and bench figures (see busnet.h). */
#include "busnet.h"
#include "test_pki.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_MS 1000000ull
#define ARRIVAL_BATCH_NS 500000ull

static test_cred g_leaf[BUSNET_MAX];
static int g_leaf_ok[BUSNET_MAX];

static const test_cred *dev_cred(size_t i, const char *name)
{
    if (!g_leaf_ok[i]) {
        test_leaf_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.name = name;
        if (test_pki_leaf(test_pki_default_ca(), &g_leaf[i], &lo, 0xB0500u + i) != 0) return NULL;
        g_leaf_ok[i] = 1;
    }
    return &g_leaf[i];
}

/* The byte at offset off of flow (device i, direction d). */
static uint8_t pat(size_t i, int d, uint64_t off)
{
    uint64_t x = (off + 1u) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)i << 40) ^ ((uint64_t)d << 56);
    x ^= x >> 29;
    return (uint8_t)(x * 0xBF58476D1CE4E5B9ull >> 56);
}

static int dev_conn_init(busnet *b, size_t i)
{
    slink_conn_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = BUSNET_DEV_ADDR(i);
    cfg.peer_addr = BUSNET_MASTER_ADDR;
    cfg.role = SLINK_START_RESPONDER;
    cfg.baud = b->o.baud;
    cfg.half_duplex_device = 1;
    cfg.creds = &b->dev_creds[i];
    cfg.policy = test_pki_policy(TEST_PKI_HOST_NAME);
    if (i == 0) {
        cfg.mtu = b->o.dev0_mtu;
        cfg.hs_min_interval_ms = b->o.dev0_hs_min_interval_ms;
    }
    return slink_conn_init(&b->dev[i], &cfg, &b->plat[i + 1], b->now_ns / NS_PER_MS) == SLINK_OK ? 0 : -1;
}

int busnet_init(busnet *b, const busnet_opts *o)
{
    lbus_params lp;
    size_t i, n = o->ndev;
    memset(b, 0, sizeof *b);
    if (n == 0 || n > BUSNET_MAX) return -1;
    b->o = *o;
    if (b->o.baud == 0) b->o.baud = 115200;
    b->host = calloc(n, sizeof *b->host);
    b->dev = calloc(n, sizeof *b->dev);
    b->dev_creds = calloc(n, sizeof *b->dev_creds);
    b->plat = calloc(n + 1, sizeof *b->plat);
    b->px = calloc(n + 1, sizeof *b->px);
    b->names = calloc(n, sizeof *b->names);
    b->dev_ready_ns = calloc(n, sizeof *b->dev_ready_ns);
    b->rr_lat_us = calloc(BUSNET_RR_MAX, sizeof *b->rr_lat_us);
    if (!b->rr_lat_us || !b->host || !b->dev || !b->dev_creds || !b->plat || !b->px || !b->names || !b->dev_ready_ns)
        return -1;
    lbus_params_default(&lp, n + 1, b->o.baud);
    lp.seed = o->seed;
    if (o->dead_dev >= 0 && (size_t)o->dead_dev < n) lp.node[o->dead_dev + 1].dead = 1;
    if (lbus_init(&b->bus, &lp, 1) != 0) return -1;
    slink_deframer_init(&b->tap, SLINK_ADDR_NONE, 0);
    if (slink_node_init(&b->node, BUSNET_MASTER_ADDR, b->o.baud, 1, 0) != SLINK_OK) return -1;
    if (test_pki_load_creds(&b->host_creds, test_pki_default_ca(), test_pki_default_host()) != SLINK_OK)
        return -1;
    for (i = 0; i <= n; i++) {
        fake_platform_init(&b->plat[i], &b->px[i], o->seed * 97u + i + 1u);
        b->px[i].quiet = 1;
    }
    for (i = 0; i < n; i++) {
        slink_conn_cfg cfg;
        const test_cred *lf;
        snprintf(b->names[i], sizeof b->names[i], "dev-%u", (unsigned)BUSNET_DEV_ADDR(i));
        lf = dev_cred(i, b->names[i]);
        if (!lf || test_pki_load_creds(&b->dev_creds[i], test_pki_default_ca(), lf) != SLINK_OK) return -1;
        memset(&cfg, 0, sizeof cfg);
        cfg.local_addr = BUSNET_MASTER_ADDR;
        cfg.peer_addr = BUSNET_DEV_ADDR(i);
        cfg.role = SLINK_START_INITIATOR;
        cfg.baud = b->o.baud;
        cfg.creds = &b->host_creds;
        cfg.policy = test_pki_policy(b->names[i]);
        if (slink_conn_init(&b->host[i], &cfg, &b->plat[0], 0) != SLINK_OK) return -1;
        if (slink_node_add(&b->node, &b->host[i]) != SLINK_OK) return -1;
        if (dev_conn_init(b, i) != 0) return -1;
    }
    return 0;
}

void busnet_free(busnet *b)
{
    size_t i;
    for (i = 0; b->host && i < b->o.ndev; i++) {
        slink_conn_wipe(&b->host[i]);
        slink_conn_wipe(&b->dev[i]);
        slink_creds_free(&b->dev_creds[i]);
    }
    slink_creds_free(&b->host_creds);
    lbus_free(&b->bus);
    free(b->host); free(b->dev); free(b->dev_creds); free(b->plat); free(b->px);
    free(b->names); free(b->dev_ready_ns); free(b->rr_lat_us);
    memset(b, 0, sizeof *b);
}

uint64_t busnet_airtime_ns(const busnet *b, uint64_t n)
{
    return n * b->bus.byte_ns;
}

void busnet_set_dead(busnet *b, size_t i, int dead)
{
    b->bus.p.node[i + 1].dead = dead;
}

void busnet_reboot(busnet *b, size_t i)
{
    slink_conn_wipe(&b->dev[i]);
    b->px[i + 1].state ^= 0x5DEECE66Dull;
    (void)dev_conn_init(b, i);
    /* The application on the device starts over too. */
    b->flow[i][0].recvd = b->flow[i][0].done_ns = 0;
    b->flow[i][1].sent = 0;
}

/* What a passive tap sees: POLL and TURN_END bytes count as polling. */
static void tap_feed(busnet *b, const uint8_t *in, size_t n)
{
    while (n > 0) {
        size_t used = 0;
        slink_frame f;
        slink_err e = slink_deframer_push(&b->tap, in, n, b->now_ns / NS_PER_MS, &used, &f);
        if (used > n) used = n;
        b->tap_pending += used;
        if (e == SLINK_OK && (f.type == SLINK_FT_POLL || f.type == SLINK_FT_TURN_END))
            b->poll_bytes += SLINK_COBS_MAX(SLINK_FRAME_MIN) + 1u;
        /* Handshake messages, whole or in fragments: the bytes since the
         * previous frame ended are this frame's (delimiter included). */
        if (e == SLINK_OK && (f.type & SLINK_FT_RECORD_BIT) == 0 &&
            (f.type & (uint8_t)~SLINK_FT_HS_FRAG) >= SLINK_FT_HS1 && (f.type & (uint8_t)~SLINK_FT_HS_FRAG) <= SLINK_FT_HS3)
            b->hs_bytes += b->tap_pending;
        if (e != SLINK_ERR_NEED_MORE) b->tap_pending = 0;   /* a frame ended (or was dropped) */
        in += used;
        n -= used;
        if (used == 0) break;
    }
}

static int mixed_small(const busnet *b, size_t i)
{
    return b->o.rr_bytes > 0 && i > 0;
}

/* Mixed load: what the applications of small device i want to send next,
 * and the latency of an exchange when its answer is complete. */
static void rr_app(busnet *b, size_t i)
{
    busnet_flow *req = &b->flow[i][0], *rsp = &b->flow[i][1];
    uint64_t r = b->o.rr_bytes;
    if (b->rr_t0[i] == 0 && b->now_ns >= b->rr_next[i] && b->host[i].rec_valid && b->dev[i].rec_valid) {
        b->want[i][0] += r;
        b->rr_t0[i] = b->now_ns ? b->now_ns : 1;
    }
    /* the device answers each request once all of it arrived */
    while (req->recvd >= b->want[i][1] + r) b->want[i][1] += r;
    if (b->rr_t0[i] != 0 && rsp->recvd >= b->want[i][0]) {
        if (b->rr_n < BUSNET_RR_MAX) {
            uint64_t us = (b->now_ns - b->rr_t0[i]) / 1000u;
            b->rr_lat_us[b->rr_n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
        }
        b->rr_t0[i] = 0;
        b->rr_next[i] = b->now_ns + (uint64_t)b->o.rr_think_ms * NS_PER_MS;
    }
}

static int cmp_u32(const void *a, const void *c)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)c;
    return x < y ? -1 : x > y;
}

double busnet_rr_quantile(busnet *b, double q)
{
    size_t k;
    if (b->rr_n == 0) return 0;
    qsort(b->rr_lat_us, b->rr_n, sizeof *b->rr_lat_us, cmp_u32);
    k = (size_t)(q * (double)(b->rr_n - 1) + 0.5);
    return (double)b->rr_lat_us[k] / 1e6;
}

static void apps(busnet *b)
{
    uint8_t buf[4096];
    size_t i;
    int d;
    for (i = 0; i < b->o.ndev; i++) {
        if (mixed_small(b, i)) rr_app(b, i);
        else b->want[i][0] = b->want[i][1] = b->o.bytes_each;
        for (d = 0; d < 2; d++) {
            slink_conn *tx = d == 0 ? &b->host[i] : &b->dev[i];
            slink_conn *rx = d == 0 ? &b->dev[i] : &b->host[i];
            busnet_flow *f = &b->flow[i][d];
            size_t got = 0, k;
            while (f->sent < b->want[i][d] && tx->rec_valid) {
                size_t want = (size_t)(b->want[i][d] - f->sent), acc = 0;
                if (want > sizeof buf) want = sizeof buf;
                for (k = 0; k < want; k++) buf[k] = pat(i, d, f->sent + k);
                if (slink_conn_send(tx, buf, want, &acc) != SLINK_OK || acc == 0) break;
                f->sent += acc;
            }
            while (slink_conn_recv(rx, buf, sizeof buf, &got) == SLINK_OK && got > 0) {
                for (k = 0; k < got; k++)
                    if (buf[k] != pat(i, d, f->recvd + k)) f->bad++;
                f->recvd += got;
            }
            if (!mixed_small(b, i) && f->recvd >= b->o.bytes_each && b->o.bytes_each > 0 && f->done_ns == 0)
                f->done_ns = b->now_ns;
        }
    }
    if (b->first_done_ns == 0) {
        int any = 0;
        for (i = 0; i < b->o.ndev; i++)
            any |= b->flow[i][0].done_ns != 0 || b->flow[i][1].done_ns != 0;
        if (any) {
            b->first_done_ns = b->now_ns;
            for (i = 0; i < b->o.ndev; i++)
                for (d = 0; d < 2; d++) b->flow[i][d].at_first_done = b->flow[i][d].recvd;
        }
    }
}

double busnet_min_share(const busnet *b)
{
    double sum = 0, min = -1;
    size_t i, k = 0;
    int d;
    for (i = 0; i < b->o.ndev; i++) {
        if ((int)i == b->o.dead_dev) continue;
        for (d = 0; d < 2; d++) {
            double v = (double)b->flow[i][d].at_first_done;
            sum += v;
            k++;
            if (min < 0 || v < min) min = v;
        }
    }
    return k == 0 || sum <= 0 ? 0 : min / (sum / (double)k);
}

static void events(busnet *b)
{
    size_t i;
    slink_event ev;
    for (i = 0; i < b->o.ndev; i++) {
        while (slink_conn_poll_event(&b->host[i], &ev)) {
            if (ev.type == SLINK_EV_ENDED) b->ended[b->o.ndev]++;
            if (ev.type == SLINK_EV_ESTABLISHED) b->established_host++;
        }
        while (slink_conn_poll_event(&b->dev[i], &ev))
            if (ev.type == SLINK_EV_ENDED) b->ended[i]++;
        if (b->est_ns[i] == 0 && slink_conn_get_state(&b->host[i]) == SLINK_CONN_ESTABLISHED &&
            slink_conn_get_state(&b->dev[i]) == SLINK_CONN_ESTABLISHED)
            b->est_ns[i] = b->now_ns;
    }
}

static uint64_t ms_to_ns(uint64_t ms)
{
    return ms >= UINT64_MAX / NS_PER_MS ? UINT64_MAX : ms * NS_PER_MS;
}

int busnet_step(busnet *b)
{
    static uint8_t buf[65536];
    uint64_t now = b->now_ns, ms = now / NS_PER_MS, next = UINT64_MAX, t;
    size_t i, n = b->o.ndev, room, k;
    int moved = 0;

    room = lbus_room(&b->bus, 0, now);
    if (room >= SLINK_WIRE_FRAME_MAX) {
        k = slink_node_output(&b->node, buf, room, ms);
        if (k) { lbus_push(&b->bus, 0, buf, k, now); moved = 1; }
    }
    for (i = 0; i < n; i++) {
        room = lbus_room(&b->bus, i + 1, now);
        if (room < SLINK_WIRE_FRAME_MAX) continue;
        if (b->dev[i].turn && now < b->dev_ready_ns[i]) continue;
        k = slink_conn_output(&b->dev[i], buf, room, ms);
        if (k) { lbus_push(&b->bus, i + 1, buf, k, now); moved = 1; }
    }
    k = lbus_pop(&b->bus, 0, now, buf, sizeof buf);
    if (k) { (void)slink_node_input(&b->node, buf, k, ms); moved = 1; }
    for (i = 0; i < n; i++) {
        uint8_t had = b->dev[i].turn;
        k = lbus_pop(&b->bus, i + 1, now, buf, sizeof buf);
        if (!k) continue;
        (void)slink_conn_input(&b->dev[i], buf, k, ms);
        if (!had && b->dev[i].turn) b->dev_ready_ns[i] = now + (uint64_t)b->o.dev_latency_us * 1000u;
        moved = 1;
    }
    while ((k = lbus_pop(&b->bus, n + 1, now, buf, sizeof buf)) > 0) {
        b->tap_bytes += k;
        tap_feed(b, buf, k);
    }
    apps(b);
    events(b);
    if (moved) return 1;   /* again at the same time: answers may be due */

    t = ms_to_ns(slink_node_next_timeout(&b->node, ms));
    if (t < next) next = t;
    for (i = 0; i < n; i++) {
        t = ms_to_ns(slink_conn_next_timeout(&b->dev[i], ms));
        if (b->dev[i].turn && b->dev_ready_ns[i] > t) t = b->dev_ready_ns[i];
        if (t < next) next = t;
    }
    for (i = 0; i <= n + 1; i++) {
        t = lbus_next_arrival(&b->bus, i);
        /* Receivers take bytes in batches at most 0.5 ms apart, as a UART
         * FIFO does (and slink-linesim --bus): not one step per byte. */
        if (t != UINT64_MAX && t < now + ARRIVAL_BATCH_NS) t = now + ARRIVAL_BATCH_NS;
        if (t < next) next = t;
    }
    for (i = 0; i <= n; i++) {
        if (lbus_room(&b->bus, i, now) < SLINK_WIRE_FRAME_MAX) {
            t = lbus_room_time(&b->bus, i, now);
            while (lbus_room(&b->bus, i, t) < SLINK_WIRE_FRAME_MAX) t += b->bus.byte_ns;
            if (t < next) next = t;
        }
    }
    if (next == UINT64_MAX) return 0;
    /* Timers are in ms: something due "now" that did nothing waits 1 ms. */
    if (next <= now) next = (ms + 1u) * NS_PER_MS;
    b->now_ns = next;
    return 1;
}

void busnet_run_until(busnet *b, uint64_t end_ns, int (*done)(const busnet *))
{
    while (b->now_ns < end_ns) {
        if (done && done(b)) return;
        if (!busnet_step(b)) return;
    }
}

int busnet_all_established(const busnet *b)
{
    size_t i;
    for (i = 0; i < b->o.ndev; i++)
        if ((int)i != b->o.dead_dev && b->est_ns[i] == 0) return 0;
    return 1;
}

int busnet_all_done(const busnet *b)
{
    size_t i;
    for (i = 0; i < b->o.ndev; i++)
        if ((int)i != b->o.dead_dev && !mixed_small(b, i) && (b->flow[i][0].done_ns == 0 || b->flow[i][1].done_ns == 0)) return 0;
    return 1;
}

/* The multi-peer node: a host holding connections to two devices on one
 * simulated RS485 bus.  The bus garbles overlapping transmissions the way a
 * real half-duplex line does, so the tests can show that bus-master turns
 * keep it collision-free while both sessions carry data. */
#include "testutil.h"
#include "test_pki.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEP 3          /* endpoint 0: host node; 1: device 7; 2: device 9 */
#define MAXTX 256

typedef struct {
    uint64_t start, end;
    int from;
    size_t len;
    uint8_t data[SLINK_WIRE_FRAME_MAX * 6];
    int garbled;
    size_t done;         /* bytes already delivered (half duplex) */
} bus_tx;

typedef struct {
    uint32_t baud;
    int no_collisions;   /* separate pairs per direction and device: nothing overlaps */
    bus_tx tx[MAXTX];
    size_t ntx;
    uint64_t busy[NEP];
    uint32_t collisions;
    uint64_t bytes[NEP];
} bus;

typedef struct {
    slink_node node;
    slink_conn host7, host9, dev7, dev9;
    slink_creds ch, c7, c9;
    slink_platform ph, p7, p9;
    fake_plat_ctx xh, x7, x9;
    bus b;
    uint64_t now;
} rig;

static uint32_t air(uint32_t baud, size_t n) { return (uint32_t)((n * 10000u + baud - 1) / baud); }

static void bus_send(bus *b, int from, const uint8_t *p, size_t n, uint64_t now)
{
    ck_assert_uint_lt(b->ntx, MAXTX);
    ck_assert_uint_le(n, sizeof b->tx[0].data);
    bus_tx *t = &b->tx[b->ntx++];
    t->start = now > b->busy[from] ? now : b->busy[from];
    /* full duplex: +1 ms keeps one write whole behind the previous one */
    t->end = t->start + air(b->baud, n) + (b->no_collisions ? 1u : 0u);
    b->busy[from] = t->end;
    t->from = from;
    t->len = n;
    t->garbled = 0;
    t->done = 0;
    memcpy(t->data, p, n);
    b->bytes[from] += n;
    /* Two transmitters at once on a half-duplex pair: both frames garbled. */
    for (size_t i = 0; i + 1 < b->ntx; i++) {
        bus_tx *o = &b->tx[i];
        if (!b->no_collisions && o->from != from && o->start < t->end && t->start < o->end) {
            if (!o->garbled || !t->garbled) b->collisions++;
            o->garbled = t->garbled = 1;
        }
    }
}

static slink_conn *dev(rig *r, int ep) { return ep == 1 ? &r->dev7 : &r->dev9; }

static void deliver_bytes(rig *r, const bus_tx *t, const uint8_t *p, size_t n)
{
    for (int ep = 0; ep < NEP; ep++) {
        if (ep == t->from) continue;
        if (ep == 0) (void)slink_node_input(&r->node, p, n, r->now);
        else (void)slink_conn_input(dev(r, ep), p, n, r->now);
    }
}

/* Delivers what has left the line by now to every other endpoint.  Half
 * duplex: bytes as they leave, as a UART hears them (the master's response
 * timeout counts on hearing the first ones early, §2.5).  Full duplex
 * stands for separate lines into one host decoder: each write whole at its
 * end, so two senders' bytes never interleave. */
static int bus_deliver(rig *r)
{
    int moved = 0;
    if (!r->b.no_collisions) {
        for (size_t i = 0; i < r->b.ntx; i++) {
            bus_tx *t = &r->b.tx[i];
            if (t->start >= r->now) continue;
            uint64_t due = (r->now - t->start) * r->b.baud / 10000u;
            if (due > t->len) due = t->len;
            if (due > t->done) {
                if (t->garbled)
                    for (size_t k = t->done; k < due; k++)
                        if (k % 3 == 0) t->data[k] ^= 0x5A;
                deliver_bytes(r, t, t->data + t->done, (size_t)due - t->done);
                t->done = (size_t)due;
                moved = 1;
            }
        }
    }
    for (;;) {
        size_t best = (size_t)-1;
        for (size_t i = 0; i < r->b.ntx; i++)
            if (r->b.tx[i].end <= r->now && (best == (size_t)-1 || r->b.tx[i].end < r->b.tx[best].end))
                best = i;
        if (best == (size_t)-1) break;
        bus_tx t = r->b.tx[best];
        memmove(&r->b.tx[best], &r->b.tx[best + 1], (r->b.ntx - best - 1) * sizeof t);
        r->b.ntx--;
        if (t.garbled)
            for (size_t k = t.done; k < t.len; k += 1)
                if (k % 3 == 0) t.data[k] ^= 0x5A;
        if (t.len > t.done) deliver_bytes(r, &t, t.data + t.done, t.len - t.done);
        moved = 1;
    }
    return moved;
}

static void step(rig *r)
{
    static uint8_t buf[SLINK_WIRE_FRAME_MAX * 6];
    bus_deliver(r);   /* what has arrived by now counts before anyone decides */
    size_t n = slink_node_output(&r->node, buf, sizeof buf, r->now);
    if (n) bus_send(&r->b, 0, buf, n, r->now);
    for (int ep = 1; ep < NEP; ep++) {
        n = slink_conn_output(dev(r, ep), buf, sizeof buf, r->now);
        if (n) bus_send(&r->b, ep, buf, n, r->now);
    }
    bus_deliver(r);
    uint64_t next = slink_node_next_timeout(&r->node, r->now);
    for (int ep = 1; ep < NEP; ep++) {
        uint64_t t = slink_conn_next_timeout(dev(r, ep), r->now);
        if (t < next) next = t;
    }
    for (size_t i = 0; i < r->b.ntx; i++) {
        if (r->b.tx[i].end < next) next = r->b.tx[i].end;
        /* half duplex: bytes arrive every ms while a write is on the line */
        if (!r->b.no_collisions && r->b.tx[i].start <= r->now + 1 && r->now + 1 < next) next = r->now + 1;
    }
    if (next <= r->now) next = r->now + 1;   /* 1 ms granularity is enough here */
    r->now = next;
}

static void conn_setup(slink_conn *c, slink_creds *cr, slink_platform *p, uint8_t local, uint8_t peer,
                       const char *expect, slink_start_role role, int hd_device)
{
    slink_conn_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = local;
    cfg.peer_addr = peer;
    cfg.role = role;
    cfg.baud = 115200;
    cfg.creds = cr;
    cfg.policy = test_pki_policy(expect);
    cfg.half_duplex_device = (uint8_t)hd_device;
    ck_assert_int_eq(slink_conn_init(c, &cfg, p, 0), SLINK_OK);
}

static rig *rig_new(int half_duplex)
{
    rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    r->b.baud = 115200;
    fake_platform_init(&r->ph, &r->xh, 101);
    fake_platform_init(&r->p7, &r->x7, 107);
    fake_platform_init(&r->p9, &r->x9, 109);
    r->xh.quiet = r->x7.quiet = r->x9.quiet = 1;
    ck_assert_int_eq(test_pki_load_creds(&r->ch, test_pki_default_ca(), test_pki_default_host()), SLINK_OK);
    ck_assert_int_eq(test_pki_load_creds(&r->c7, test_pki_default_ca(), test_pki_default_device()), SLINK_OK);
    ck_assert_int_eq(test_pki_load_creds(&r->c9, test_pki_default_ca(), test_pki_default_device2()), SLINK_OK);
    ck_assert_int_eq(slink_node_init(&r->node, 1, 115200, (uint8_t)half_duplex, 0), SLINK_OK);
    conn_setup(&r->host7, &r->ch, &r->ph, 1, 7, TEST_PKI_DEVICE_NAME, SLINK_START_INITIATOR, 0);
    conn_setup(&r->host9, &r->ch, &r->ph, 1, 9, TEST_PKI_DEVICE2_NAME, SLINK_START_INITIATOR, 0);
    conn_setup(&r->dev7, &r->c7, &r->p7, 7, 1, TEST_PKI_HOST_NAME, SLINK_START_RESPONDER, half_duplex);
    conn_setup(&r->dev9, &r->c9, &r->p9, 9, 1, TEST_PKI_HOST_NAME, SLINK_START_RESPONDER, half_duplex);
    ck_assert_int_eq(slink_node_add(&r->node, &r->host7), SLINK_OK);
    ck_assert_int_eq(slink_node_add(&r->node, &r->host9), SLINK_OK);
    return r;
}

static void rig_free(rig *r)
{
    slink_conn_wipe(&r->host7);
    slink_conn_wipe(&r->host9);
    slink_conn_wipe(&r->dev7);
    slink_conn_wipe(&r->dev9);
    slink_creds_free(&r->ch);
    slink_creds_free(&r->c7);
    slink_creds_free(&r->c9);
    free(r);
}

static int all_up(rig *r)
{
    return r->host7.state == SLINK_CONN_ESTABLISHED && r->host9.state == SLINK_CONN_ESTABLISHED &&
           r->dev7.state == SLINK_CONN_ESTABLISHED && r->dev9.state == SLINK_CONN_ESTABLISHED;
}

/* Each device echoes; the host sends `total` bytes to each and checks. */
static void exchange(rig *r, size_t total, uint64_t max_ms)
{
    size_t sent[2] = { 0, 0 }, got[2] = { 0, 0 };
    slink_conn *hc[2] = { &r->host7, &r->host9 };
    slink_conn *dc[2] = { &r->dev7, &r->dev9 };
    uint8_t buf[1500];
    uint64_t end = r->now + max_ms;
    while (r->now < end && (got[0] < total || got[1] < total)) {
        for (int k = 0; k < 2; k++) {
            if (sent[k] < total) {
                size_t want = total - sent[k] < 300 ? total - sent[k] : 300, acc = 0;
                for (size_t i = 0; i < want; i++) buf[i] = (uint8_t)((sent[k] + i) * (k ? 7u : 13u));
                (void)slink_conn_send(hc[k], buf, want, &acc);
                sent[k] += acc;
            }
            size_t n;
            /* device echoes what it gets */
            while (slink_conn_recv(dc[k], buf, sizeof buf, &n) == SLINK_OK && n > 0) {
                size_t off = 0;
                while (off < n) {
                    size_t acc = 0;
                    slink_err e = slink_conn_send(dc[k], buf + off, n - off, &acc);
                    ck_assert(e == SLINK_OK || e == SLINK_ERR_WOULD_BLOCK);
                    off += acc;
                    if (acc == 0) step(r);
                }
            }
            while (slink_conn_recv(hc[k], buf, sizeof buf, &n) == SLINK_OK && n > 0) {
                for (size_t i = 0; i < n; i++)
                    T_REQUIRE(buf[i] == (uint8_t)((got[k] + i) * (k ? 7u : 13u)),
                              "peer %d byte %zu corrupted or out of order", k, got[k] + i);
                got[k] += n;
            }
        }
        step(r);
        static unsigned dbg_it; if (getenv("NODE_DEBUG") && ++dbg_it % 2000 == 0)
            fprintf(stderr, "t=%llu sent %zu/%zu got %zu/%zu turns %u tmo %u coll %u h7 una %u nxt %u rtx %u / d7 una %u nxt %u rtx %u rcv %u rx %zu st %d %d\n",
                    (unsigned long long)r->now, sent[0], sent[1], got[0], got[1], r->node.stats.turns_granted,
                    r->node.stats.turn_timeouts, r->b.collisions, r->host7.stream.snd_una, r->host7.stream.snd_nxt,
                    r->host7.stream.stats.retransmits, r->dev7.stream.snd_una, r->dev7.stream.snd_nxt,
                    r->dev7.stream.stats.retransmits, r->dev7.stream.rcv_nxt, r->dev7.stream.rx_count,
                    r->host7.state, r->dev7.state);
    }
    ck_assert_uint_eq(got[0], total);
    ck_assert_uint_eq(got[1], total);
}

START_TEST(half_duplex_master_two_devices_no_collisions)
{
    rig *r = rig_new(1);
    uint64_t end = r->now + 30000;
    while (!all_up(r) && r->now < end) step(r);
    ck_assert(all_up(r));
    fprintf(stderr, "half duplex: both sessions up after %llu ms of simulated time at 115200 baud\n",
            (unsigned long long)r->now);
    exchange(r, 20000, 600000);
    ck_assert_uint_eq(r->b.collisions, 0);
    ck_assert_uint_gt(r->node.stats.turns_granted, 10);
    ck_assert_uint_eq(r->host7.session_id, 1);
    ck_assert_uint_eq(r->host9.session_id, 1);
    fprintf(stderr, "half duplex: 2 x 20000 bytes echoed, %u turns, %u turn timeouts, 0 collisions\n",
            r->node.stats.turns_granted, r->node.stats.turn_timeouts);
    rig_free(r);
}
END_TEST

START_TEST(devices_without_master_collide)
{
    /* The control experiment: the same devices transmitting freely on the
     * half-duplex bus do collide, so the test above can fail. */
    rig *r = rig_new(0);
    uint64_t end = r->now + 20000;
    while (!all_up(r) && r->now < end) step(r);
    for (int i = 0; i < 4000 && r->b.collisions == 0; i++) {
        size_t acc;
        uint8_t blk[200] = { 0 };
        if (all_up(r)) {
            (void)slink_conn_send(&r->dev7, blk, sizeof blk, &acc);
            (void)slink_conn_send(&r->dev9, blk, sizeof blk, &acc);
            (void)slink_conn_send(&r->host7, blk, sizeof blk, &acc);
        }
        step(r);
    }
    ck_assert_uint_gt(r->b.collisions, 0);
    rig_free(r);
}
END_TEST

START_TEST(device_never_transmits_without_turn)
{
    rig *r = rig_new(1);
    static uint8_t buf[SLINK_WIRE_FRAME_MAX * 6];
    /* Without a POLL the device stays silent even with data and timers due. */
    ck_assert_int_eq(slink_conn_connect(&r->dev7, 0), SLINK_OK);
    for (uint64_t t = 0; t < 20000; t += 250)
        ck_assert_uint_eq(slink_conn_output(&r->dev7, buf, sizeof buf, t), 0);
    /* A POLL grants the turn: the device sends its msg1 and ends with TURN_END. */
    size_t n = 0;
    ck_assert_int_eq(slink_frame_encode(7, 1, SLINK_FT_POLL, NULL, 0, buf, sizeof buf, &n), SLINK_OK);
    ck_assert_int_eq(slink_conn_input(&r->dev7, buf, n, 20000), SLINK_OK);
    n = slink_conn_output(&r->dev7, buf, sizeof buf, 20000);
    ck_assert_uint_gt(n, 0);
    slink_deframer d;
    slink_deframer_init(&d, 0, 0);
    size_t off = 0, used;
    slink_frame f;
    int frames = 0, last_type = -1;
    while (off < n) {
        slink_err e = slink_deframer_push(&d, buf + off, n - off, 20000, &used, &f);
        off += used;
        if (e == SLINK_OK) { frames++; last_type = f.type; }
        if (e == SLINK_ERR_NEED_MORE) break;
    }
    ck_assert_msg(frames >= 2, "frames %d hs state %d pending %d out_len %zu n %zu", frames,
                  HS_R(r->dev7).state, r->dev7.hs_slot[0].tx_pending, HS_R(r->dev7).out_len, n);
    ck_assert_int_eq(last_type, SLINK_FT_TURN_END);
    ck_assert_uint_eq(slink_conn_output(&r->dev7, buf, sizeof buf, 20001), 0);
    rig_free(r);
}
END_TEST

START_TEST(full_duplex_node_serves_two_peers)
{
    /* Full duplex without shared transmit pairs (e.g. a host multiplexing
     * point-to-point lines): one decoder, dispatch by source address. */
    rig *r = rig_new(0);
    r->b.no_collisions = 1;
    uint64_t end = r->now + 60000;
    while (!all_up(r) && r->now < end) step(r);
    ck_assert(all_up(r));
    exchange(r, 5000, 600000);
    rig_free(r);
}
END_TEST

START_TEST(unknown_peer_dropped_before_crypto)
{
    rig *r = rig_new(0);
    uint8_t body[60] = { 0x11 }, w[128];
    size_t n;
    ck_assert_int_eq(slink_frame_encode(1, 42, SLINK_FT_HS1, body, 51, w, sizeof w, &n), SLINK_OK);
    ck_assert_int_eq(slink_node_input(&r->node, w, n, 0), SLINK_OK);
    ck_assert_uint_eq(r->node.stats.unknown_peer, 1);
    ck_assert_uint_eq(r->host7.stats.frames_in + r->host9.stats.frames_in, 0);
    rig_free(r);
}
END_TEST

START_TEST(node_add_rejects_bad_config)
{
    rig *r = rig_new(0);
    ck_assert_int_eq(slink_node_add(&r->node, &r->host7), SLINK_ERR_CONFIG);   /* same peer twice */
    ck_assert_int_eq(slink_node_add(&r->node, &r->dev7), SLINK_ERR_CONFIG);    /* local addr 7 != 1 */
    ck_assert_ptr_eq(slink_node_peer(&r->node, 9), &r->host9);
    ck_assert_ptr_null(slink_node_peer(&r->node, 8));
    slink_node n2;
    ck_assert_int_eq(slink_node_init(&n2, 0xFF, 9600, 0, 0), SLINK_ERR_ARG);
    rig_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("node");
    TCase *tc = tcase_create("bus");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, half_duplex_master_two_devices_no_collisions);
    tcase_add_test(tc, devices_without_master_collide);
    tcase_add_test(tc, device_never_transmits_without_turn);
    tcase_add_test(tc, full_duplex_node_serves_two_peers);
    tcase_add_test(tc, unknown_peer_dropped_before_crypto);
    tcase_add_test(tc, node_add_rejects_bad_config);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* libFuzzer target for a whole connection (src/session/conn*.c and everything below
 * it): arbitrary line bytes fed into a slink_conn at every handshake state,
 * interleaved with genuine traffic from a real peer.
 *
 * Two real connections, A (host-1, address 1, initiator) and B (dev-7,
 * address 7, responder, with transmit pacing on), are driven once, in LLVMFuzzerInitialize, to each
 * scenario below and snapshotted.  Input byte 0 picks the scenario; the rest
 * is a script of operations, each a header byte (op = h & 7, arg = h >> 3):
 *
 *   0  raw:     the next arg+1 input bytes go to the victim as line bytes
 *   1  frame:   type byte, then arg+1 body bytes, framed with a good CRC
 *               (peer -> victim addresses) so they pass the frame layer
 *   2  pump:    deliver queued genuine bytes both ways (arg bit 0: lose the
 *               victim's, bit 1: lose the peer's), then drain both outputs
 *   3  time:    advance the clock by arg * 61 ms and run both outputs
 *   4  peer app: stream (arg+1)*9 pattern bytes, or a datagram if arg & 16
 *   5  read:    the victim's application reads everything it can
 *   6  victim:  arg % 4: close, key update, connect, send stream bytes
 *   7  peer:    arg % 4: close, key update, connect, reboot to its scenario
 *
 * Invariants, abort() on violation (besides ASan/UBSan/LSan):
 *  - every stream byte the victim's application reads is the genuine peer's
 *    pattern byte for that offset of the session, every datagram has the
 *    genuine peer's datagram shape (the attacker cannot make it accept
 *    anything else);
 *  - state ESTABLISHED if and only if a record layer is installed (§7.3);
 *  - a new session id appears only with an SLINK_EV_ESTABLISHED event, the
 *    session id never goes back, and an established peer is "dev-7"/"host-1";
 *  - within one session the record epochs only increase (§3.5).
 *
 * Snapshots: slink_conn holds pointers into itself (hs.cfg.policy, hs.cfg.rng,
 * hs.cfg.peer_cert) and heap objects mbedTLS allocated (the DRBG's HMAC
 * context, the record layer's AES contexts).  So a snapshot is restored into
 * the very object it was taken from (same address: self-pointers stay right)
 * and its heap objects are deep-copied (the copy owns its own, freed by
 * slink_conn_wipe at the end of each input); the credentials, policy name and
 * platform are globals that never change.
 *
 * Caveat: the fake entropy is deterministic, so a genuine record or
 * handshake message from a seed is a valid replay of the same snapshot's
 * session; the invariants therefore never assume the attacker holds no
 * genuine bytes, only that it cannot make the victim accept bytes the
 * genuine peer never produced.
 *
 * Built with -DFUZZ_CONN_MAKE_SEEDS (no libFuzzer) it writes the seed corpus
 * into the directory given as argv[1]: per scenario the genuine peer's line
 * bytes as raw chunks, and scripts that exercise pump/time/app operations. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mbedtls/aes.h>
#include "backends/mbedtls/mbedtls_backend.h"
#include "slink/conn.h"
#include "slink/frame.h"
#include "../common/testutil.h"
/* The test PKI and its minting library are compiled into this target only
 * (as fuzz_hs does), so other fuzz targets do not link them. */
#include "../common/test_pki.c"
#include "../../tools/pki/pki_lib.c"

#define REQUIRE(c) do { if (!(c)) { fprintf(stderr, "fuzz_conn: invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

#define QCAP 16384u          /* queued genuine line bytes per direction */
#define NSCEN 9

/* ---------------------------------------------------------------- platform */

typedef struct { uint64_t ent; } fz_ent;
static fz_ent g_ent_a, g_ent_b;
static slink_platform g_plat_a, g_plat_b;
static slink_creds g_creds_a, g_creds_b;

static int fz_entropy(void *ctx, uint8_t *out, size_t len)
{
    fz_ent *s = ctx;
    for (size_t i = 0; i < len; i++) {
        s->ent ^= s->ent << 13; s->ent ^= s->ent >> 7; s->ent ^= s->ent << 17;
        out[i] = (uint8_t)(s->ent >> 32);
    }
    return 0;
}

static int fz_wall(void *ctx, int64_t *t)
{
    (void)ctx;
    *t = 1800000000;   /* inside the test PKI's validity */
    return 0;
}

/* ------------------------------------------------------------ world state */

typedef struct {
    slink_conn a, b;
    fz_ent ent_a, ent_b;
    uint64_t now;
    uint8_t q_ab[QCAP], q_ba[QCAP];   /* bytes on the line, not yet delivered */
    size_t n_ab, n_ba;
    uint64_t tx_off_a, tx_off_b;      /* stream bytes each app sent in its session */
    uint32_t tx_sid_a, tx_sid_b;
    uint8_t dgram_seq_a, dgram_seq_b;
    int victim_b;                     /* victim is B (else A) */
} world;

static world g_w;                     /* the working world (fixed address) */
static world *g_snap[NSCEN];          /* deep snapshots, one per scenario */

/* ----------------------------------------------------- deep copy / restore */

/* The fuzz build links the mbedTLS backend: a keyed slink_aead owns the
 * AES context mbedTLS's cipher layer allocated.  The DRBG is plain data
 * (src/crypto/rng.c) and is copied with the connection. */
static void clone_aead(slink_aead *dst, const slink_aead *src)
{
    const mbedtls_gcm_context *sg = slink_mbedtls_gcm((slink_aead *)src);
    const mbedtls_aes_context *sa = sg->cipher_ctx.cipher_ctx;
    mbedtls_aes_context *da;
    if (src->ready != SLINK_MBEDTLS_AEAD_READY || sa == NULL) return;   /* never keyed, or wiped */
    da = calloc(1, sizeof *da);       /* mbedtls_free() is free() in this build */
    REQUIRE(da != NULL);
    memcpy(da, sa, sizeof *da);
    da->rk = da->buf + (sa->rk - sa->buf);
    slink_mbedtls_gcm(dst)->cipher_ctx.cipher_ctx = da;
}

/* dst already holds a memcpy of src; give it heap objects of its own. */
static void clone_conn_heap(slink_conn *dst, const slink_conn *src)
{
    clone_aead(&dst->rec.tx.aead, &src->rec.tx.aead);
    for (unsigned i = 0; i < 3u; i++)   /* the rx slots: unused ones are never keyed */
        clone_aead(&dst->rec.rx[i].keys.aead, &src->rec.rx[i].keys.aead);
}

/* Copies must live at the addresses they were built at: self-pointers. */
static void world_save(world *snap)
{
    memcpy(snap, &g_w, sizeof g_w);
    clone_conn_heap(&snap->a, &g_w.a);
    clone_conn_heap(&snap->b, &g_w.b);
    /* the self-pointers in snap point into g_w, which is where it returns */
}

static void world_restore(const world *snap)
{
    memcpy(&g_w, snap, sizeof g_w);
    clone_conn_heap(&g_w.a, &snap->a);
    clone_conn_heap(&g_w.b, &snap->b);
    g_ent_a = g_w.ent_a;
    g_ent_b = g_w.ent_b;
}

static void world_release(void)
{
    slink_conn_wipe(&g_w.a);
    slink_conn_wipe(&g_w.b);
}

/* ---------------------------------------------------------- app patterns */

static uint8_t pat(uint64_t k)
{
    return (uint8_t)(k * 131u + (k >> 8) * 7u + 0x5Au);
}

static void dgram_make(uint8_t seq, uint8_t *p, size_t *n)
{
    size_t len = 1u + (size_t)(seq % 40u);
    p[0] = seq;
    for (size_t i = 1; i < len; i++) p[i] = (uint8_t)(seq * 3u + i * 29u + 1u);
    *n = len;
}

static int dgram_ok(const uint8_t *p, size_t n)
{
    uint8_t tmp[64];
    size_t m;
    if (n == 0) return 0;
    dgram_make(p[0], tmp, &m);
    return m == n && memcmp(tmp, p, n) == 0;
}

static void app_send(slink_conn *c, uint64_t *off, uint32_t *sid, size_t n)
{
    uint8_t buf[300];
    size_t acc = 0;
    if (c->session_id != *sid) { *sid = c->session_id; *off = 0; }
    if (n > sizeof buf) n = sizeof buf;
    for (size_t i = 0; i < n; i++) buf[i] = pat(*off + i);
    if (slink_conn_send(c, buf, n, &acc) == SLINK_OK) *off += acc;
}

/* ------------------------------------------------------------- invariants */

typedef struct {
    uint32_t sid;
    uint16_t tx_epoch, rx_epoch;
    uint64_t rx_off;                  /* stream bytes read in session rx_sid */
    uint32_t rx_sid;
} watch;

static watch g_watch;

static slink_conn *victim(void) { return g_w.victim_b ? &g_w.b : &g_w.a; }
static slink_conn *peer(void) { return g_w.victim_b ? &g_w.a : &g_w.b; }

static void watch_reset(void)
{
    slink_conn *v = victim();
    memset(&g_watch, 0, sizeof g_watch);
    g_watch.sid = v->session_id;
    g_watch.rx_sid = slink_conn_rx_session(v);
    if (v->rec_valid) { g_watch.tx_epoch = v->rec.tx.epoch; g_watch.rx_epoch = SLINK_REC_RX(&v->rec).epoch; }
}

static void check_victim(void)
{
    slink_conn *v = victim();
    slink_event ev;
    int established_ev = 0, nev = 0;

    REQUIRE(v->state <= SLINK_CONN_CLOSED);
    REQUIRE((v->state == SLINK_CONN_ESTABLISHED) == (v->rec_valid != 0));
    while (slink_conn_poll_event(v, &ev)) {
        nev++;
        REQUIRE(ev.type >= SLINK_EV_ESTABLISHED && ev.type <= SLINK_EV_HS_FAILED);
        if (ev.type == SLINK_EV_ESTABLISHED) {
            REQUIRE(ev.session_id > g_watch.sid);
            established_ev = 1;
        }
    }
    REQUIRE(v->session_id >= g_watch.sid);
    if (v->session_id != g_watch.sid) {
        /* the queue keeps the newest 8; an older event may have gone */
        REQUIRE(established_ev || nev >= SLINK_EVENT_QUEUE);
        g_watch.sid = v->session_id;
        g_watch.tx_epoch = g_watch.rx_epoch = 0;
    }
    if (v->rec_valid) {
        REQUIRE(strcmp(v->peer_cn, g_w.victim_b ? TEST_PKI_HOST_NAME : TEST_PKI_DEVICE_NAME) == 0);
        REQUIRE(v->rec.tx.epoch >= 2 && SLINK_REC_RX(&v->rec).epoch >= 2);
        REQUIRE(v->rec.tx.epoch >= g_watch.tx_epoch);
        REQUIRE(SLINK_REC_RX(&v->rec).epoch >= g_watch.rx_epoch);
        g_watch.tx_epoch = v->rec.tx.epoch;
        g_watch.rx_epoch = SLINK_REC_RX(&v->rec).epoch;
    }
    (void)slink_conn_poll_event(peer(), &ev);   /* keep the peer's queue moving */
}

static void victim_read(void)
{
    slink_conn *v = victim();
    uint8_t buf[512];
    size_t got;
    slink_err e;

    for (int i = 0; i < 64; i++) {
        got = 0;
        /* A new session keeps the old one's unread bytes ahead of its own:
         * offsets restart only when recv() moves on to another session. */
        uint32_t sid = slink_conn_rx_session(v);
        if (sid != g_watch.rx_sid) { g_watch.rx_sid = sid; g_watch.rx_off = 0; }
        e = slink_conn_recv(v, buf, sizeof buf, &got);
        if (e != SLINK_OK || got == 0) break;
        REQUIRE(got <= sizeof buf);
        for (size_t k = 0; k < got; k++) REQUIRE(buf[k] == pat(g_watch.rx_off + k));
        g_watch.rx_off += got;
    }
    for (int i = 0; i < SLINK_DGRAM_QUEUE + 1; i++) {
        static uint8_t d[SLINK_DGRAM_MAX];
        size_t n = 0;
        if (slink_conn_recv_dgram(v, d, sizeof d, &n) != SLINK_OK) break;
        REQUIRE(dgram_ok(d, n));
    }
}

/* ------------------------------------------------------------------ line */

static void drain(slink_conn *c, uint8_t *q, size_t *n, int lose)
{
    static uint8_t buf[4 * SLINK_WIRE_FRAME_MAX];
    for (int i = 0; i < 32; i++) {
        size_t m = slink_conn_output(c, buf, sizeof buf, g_w.now);
        if (m == 0) break;
        REQUIRE(m <= sizeof buf);
        if (!lose && *n + m <= QCAP) { memcpy(q + *n, buf, m); *n += m; }
    }
}

static void drain_both(int lose_a, int lose_b)
{
    drain(&g_w.a, g_w.q_ab, &g_w.n_ab, lose_a);
    drain(&g_w.b, g_w.q_ba, &g_w.n_ba, lose_b);
}

static void deliver(int lose_ab, int lose_ba)
{
    size_t n;
    if (g_w.n_ab) {
        n = g_w.n_ab; g_w.n_ab = 0;
        if (!lose_ab) (void)slink_conn_input(&g_w.b, g_w.q_ab, n, g_w.now);
    }
    if (g_w.n_ba) {
        n = g_w.n_ba; g_w.n_ba = 0;
        if (!lose_ba) (void)slink_conn_input(&g_w.a, g_w.q_ba, n, g_w.now);
    }
}

/* Runs the pair on a clean line until cond holds (or time runs out). */
static int run_until(int (*cond)(void), uint64_t max_ms)
{
    uint64_t end = g_w.now + max_ms;
    while (g_w.now < end) {
        if (cond && cond()) return 1;
        drain_both(0, 0);
        if (g_w.n_ab || g_w.n_ba) { deliver(0, 0); continue; }
        {
            uint64_t t = slink_conn_next_timeout(&g_w.a, g_w.now);
            uint64_t u = slink_conn_next_timeout(&g_w.b, g_w.now);
            if (u < t) t = u;
            if (t == UINT64_MAX || t <= g_w.now) t = g_w.now + 1;
            if (t > end) t = end;
            g_w.now = t;
        }
    }
    return cond ? cond() : 1;
}

/* ---------------------------------------------------------------- setup */

static void conn_setup(slink_conn *c, int side_b, slink_start_role role)
{
    slink_conn_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = side_b ? 7 : 1;
    cfg.peer_addr = side_b ? 1 : 7;
    cfg.role = role;
    cfg.baud = 115200;
    /* B (the device) paces its transmissions, so the held partial chunk,
     * its release by the clock and by later writes run under attack too */
    cfg.tx_pacing = (uint8_t)(side_b != 0);
    cfg.creds = side_b ? &g_creds_b : &g_creds_a;
    cfg.policy = test_pki_policy(side_b ? TEST_PKI_HOST_NAME : TEST_PKI_DEVICE_NAME);
    /* default first-message rate limit (1 s): op 3 moves the clock far enough */
    REQUIRE(slink_conn_init(c, &cfg, side_b ? &g_plat_b : &g_plat_a, g_w.now) == SLINK_OK);
}

static void world_fresh(slink_start_role ra, slink_start_role rb, uint64_t seed)
{
    memset(&g_w, 0, sizeof g_w);
    g_w.now = 1000;
    g_ent_a.ent = seed * 2 + 1;
    g_ent_b.ent = seed * 2 + 2;
    conn_setup(&g_w.a, 0, ra);
    conn_setup(&g_w.b, 1, rb);
}

static int both_up(void)
{
    return g_w.a.state == SLINK_CONN_ESTABLISHED && g_w.b.state == SLINK_CONN_ESTABLISHED &&
           g_w.a.hs_msg3_unconfirmed == 0;
}

static int b_wait3(void) { return HS_R(g_w.b).state == SLINK_HS_WAIT_MSG3; }

static void exchange_some(void)
{
    app_send(&g_w.a, &g_w.tx_off_a, &g_w.tx_sid_a, 200);
    app_send(&g_w.b, &g_w.tx_off_b, &g_w.tx_sid_b, 120);
    {
        uint8_t d[64]; size_t n;
        dgram_make(g_w.dgram_seq_a++, d, &n);
        (void)slink_conn_send_dgram(&g_w.a, d, n);
    }
    run_until(NULL, 300);
}

/* Stops every clock-driven action of the freshly built world where it is. */
static void build_scenario(int s)
{
    switch (s) {
    case 0:   /* fresh responder B; A initiator not started */
        world_fresh(SLINK_START_RESPONDER, SLINK_START_RESPONDER, 11);
        g_w.a.cfg.role = SLINK_START_INITIATOR;
        g_w.victim_b = 1;
        break;
    case 1:   /* A waiting for msg2; its msg1 queued on the line */
        world_fresh(SLINK_START_INITIATOR, SLINK_START_RESPONDER, 12);
        REQUIRE(slink_conn_connect(&g_w.a, g_w.now) == SLINK_OK);
        drain_both(0, 0);
        REQUIRE(HS_I(g_w.a).state == SLINK_HS_WAIT_MSG2);
        g_w.victim_b = 0;
        break;
    case 2:   /* B waiting for msg3; msg2 queued towards A */
        world_fresh(SLINK_START_INITIATOR, SLINK_START_RESPONDER, 13);
        REQUIRE(slink_conn_connect(&g_w.a, g_w.now) == SLINK_OK);
        drain_both(0, 0);
        deliver(0, 0);
        drain_both(0, 0);
        REQUIRE(b_wait3());
        g_w.victim_b = 1;
        break;
    case 3:   /* established, traffic both ways; victim A */
    case 4:   /* same, victim B */
    case 8:   /* established after key updates both ways; victim A */
        world_fresh(SLINK_START_INITIATOR, SLINK_START_RESPONDER, (uint64_t)(14 + s));
        REQUIRE(slink_conn_connect(&g_w.a, g_w.now) == SLINK_OK);
        REQUIRE(run_until(both_up, 20000));
        exchange_some();
        if (s == 8) {
            REQUIRE(slink_conn_key_update(&g_w.a) == SLINK_OK);
            REQUIRE(slink_conn_key_update(&g_w.b) == SLINK_OK);
            exchange_some();
        }
        g_w.victim_b = (s == 4);
        break;
    case 5:   /* A closing: close_notify queued towards B; victim B */
    case 6:   /* A closing, victim A waiting for the ACK of its close */
        world_fresh(SLINK_START_INITIATOR, SLINK_START_RESPONDER, (uint64_t)(20 + s));
        REQUIRE(slink_conn_connect(&g_w.a, g_w.now) == SLINK_OK);
        REQUIRE(run_until(both_up, 20000));
        exchange_some();
        REQUIRE(slink_conn_close(&g_w.a, g_w.now) == SLINK_OK);
        drain_both(0, 0);
        g_w.victim_b = (s == 5);
        break;
    case 7:   /* simultaneous open: both auto, both msg1s on the line */
        world_fresh(SLINK_START_AUTO, SLINK_START_AUTO, 27);
        REQUIRE(slink_conn_connect(&g_w.a, g_w.now) == SLINK_OK);
        REQUIRE(slink_conn_connect(&g_w.b, g_w.now) == SLINK_OK);
        drain_both(0, 0);
        g_w.victim_b = 0;
        break;
    default:
        abort();
    }
    g_w.ent_a = g_ent_a;
    g_w.ent_b = g_ent_b;
    {   /* setup's own events are not the input's */
        slink_event ev;
        while (slink_conn_poll_event(&g_w.a, &ev)) {}
        while (slink_conn_poll_event(&g_w.b, &ev)) {}
    }
}

static int g_ready;

static void fz_init(void)
{
    if (g_ready) return;
    g_plat_a.entropy = fz_entropy; g_plat_a.entropy_ctx = &g_ent_a;
    g_plat_b.entropy = fz_entropy; g_plat_b.entropy_ctx = &g_ent_b;
    g_plat_a.wall_time = fz_wall;
    g_plat_b.wall_time = fz_wall;
    REQUIRE(test_pki_load_creds(&g_creds_a, test_pki_default_ca(), test_pki_default_host()) == SLINK_OK);
    REQUIRE(test_pki_load_creds(&g_creds_b, test_pki_default_ca(), test_pki_default_device()) == SLINK_OK);
    for (int s = 0; s < NSCEN; s++) {
        g_snap[s] = calloc(1, sizeof(world));
        REQUIRE(g_snap[s] != NULL);
        build_scenario(s);
        world_save(g_snap[s]);
        world_release();
    }
    g_ready = 1;
}

/* ------------------------------------------------------------- one input */

static void peer_reboot(int s)
{
    /* The peer restarts from its scenario's state with fresh randomness: a
     * reboot as far as the victim can tell.  Its snapshot copy replaces it. */
    slink_conn *p = peer();
    slink_conn_cfg cfg = p->cfg;
    int side_b = !g_w.victim_b;
    (void)s;
    slink_conn_wipe(p);
    if (side_b) g_ent_b.ent ^= 0x9E3779B97F4A7C15ull; else g_ent_a.ent ^= 0x9E3779B97F4A7C15ull;
    REQUIRE(slink_conn_init(p, &cfg, side_b ? &g_plat_b : &g_plat_a, g_w.now) == SLINK_OK);
    /* Its session ids start again at 1, so its application's stream must
     * start again too (app_send only notices a session id change). */
    if (side_b) { g_w.tx_off_b = 0; g_w.tx_sid_b = 0; } else { g_w.tx_off_a = 0; g_w.tx_sid_a = 0; }
}

static void run_input(const uint8_t *data, size_t size)
{
    size_t i = 1;
    int s;
    if (size < 1) return;
    s = data[0] % NSCEN;
    world_restore(g_snap[s]);
    watch_reset();
    check_victim();

    while (i < size) {
        uint8_t h = data[i++];
        unsigned op = h & 7u, arg = h >> 3;
        slink_conn *v = victim(), *p = peer();
        switch (op) {
        case 0: {
            size_t n = arg + 1u;
            if (n > size - i) n = size - i;
            (void)slink_conn_input(v, data + i, n, g_w.now);
            i += n;
            break;
        }
        case 1: {
            static uint8_t wire[SLINK_WIRE_FRAME_MAX];
            size_t n = arg + 1u, wl = 0;
            uint8_t type;
            if (i >= size) break;
            type = data[i++];
            if (n > size - i) n = size - i;
            if (slink_frame_encode(v->cfg.local_addr, v->cfg.peer_addr, type, data + i, n,
                                   wire, sizeof wire, &wl) == SLINK_OK)
                (void)slink_conn_input(v, wire, wl, g_w.now);
            i += n;
            break;
        }
        case 2: {
            int lose_v = arg & 1u, lose_p = (arg >> 1) & 1u;
            /* queue direction: a->b carries A's bytes */
            deliver(g_w.victim_b ? lose_p : lose_v, g_w.victim_b ? lose_v : lose_p);
            drain_both(0, 0);
            break;
        }
        case 3:
            g_w.now += (uint64_t)arg * 61u;
            drain_both(0, 0);
            break;
        case 4:
            if (arg & 16u) {
                uint8_t d[64]; size_t n;
                uint8_t *seq = g_w.victim_b ? &g_w.dgram_seq_a : &g_w.dgram_seq_b;
                dgram_make((uint8_t)(*seq + arg), d, &n);
                (*seq)++;
                (void)slink_conn_send_dgram(p, d, n);
            } else if (g_w.victim_b) {
                app_send(p, &g_w.tx_off_a, &g_w.tx_sid_a, (arg + 1u) * 9u);
            } else {
                app_send(p, &g_w.tx_off_b, &g_w.tx_sid_b, (arg + 1u) * 9u);
            }
            break;
        case 5:
            victim_read();
            break;
        case 6:
            switch (arg % 4u) {
            case 0: (void)slink_conn_close(v, g_w.now); break;
            case 1: (void)slink_conn_key_update(v); break;
            case 2: (void)slink_conn_connect(v, g_w.now); break;
            default: {
                uint8_t buf[64]; size_t acc;
                memset(buf, (int)arg, sizeof buf);
                (void)slink_conn_send(v, buf, sizeof buf, &acc);
            }
            }
            break;
        default:
            switch (arg % 4u) {
            case 0: (void)slink_conn_close(p, g_w.now); break;
            case 1: (void)slink_conn_key_update(p); break;
            case 2: (void)slink_conn_connect(p, g_w.now); break;
            default: peer_reboot(s); break;
            }
            break;
        }
        check_victim();
    }
    victim_read();
    check_victim();
#ifdef FUZZ_CONN_MAKE_SEEDS
    printf("  scenario %d: victim %s state %d session %u, read %llu stream bytes, epochs tx %u rx %u\n",
           s, g_w.victim_b ? "B" : "A", (int)victim()->state, (unsigned)victim()->session_id,
           (unsigned long long)g_watch.rx_off, (unsigned)victim()->rec.tx.epoch,
           (unsigned)SLINK_REC_RX(&victim()->rec).epoch);
#endif
    world_release();
}

#ifndef FUZZ_CONN_MAKE_SEEDS

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init();
    run_input(data, size);
    return 0;
}

#else /* seed generator */

static void put(FILE *f, const uint8_t *p, size_t n) { if (n) fwrite(p, 1, n, f); }

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL) { perror(path); exit(1); }
    put(f, p, n);
    fclose(f);
}

/* A raw seed: scenario byte, then genuine line bytes the peer sends while
 * the pair runs from the snapshot on a clean line, as op-0 chunks of up to
 * 32 bytes, with a read at the end. */
static size_t raw_seed(int s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    uint8_t cap_q[QCAP];
    size_t cap_n = 0;
    uint64_t end;

    world_restore(g_snap[s]);
    /* the peer's application has something to say in established scenarios */
    if (g_w.victim_b) app_send(&g_w.a, &g_w.tx_off_a, &g_w.tx_sid_a, 100);
    else app_send(&g_w.b, &g_w.tx_off_b, &g_w.tx_sid_b, 100);
    if (s == 0) (void)slink_conn_connect(&g_w.a, g_w.now);
    end = g_w.now + 3000;
    while (g_w.now < end && cap_n < sizeof cap_q / 2) {
        drain_both(0, 0);
        /* record what travels peer -> victim */
        if (g_w.victim_b) { memcpy(cap_q + cap_n, g_w.q_ab, g_w.n_ab); cap_n += g_w.n_ab; }
        else { memcpy(cap_q + cap_n, g_w.q_ba, g_w.n_ba); cap_n += g_w.n_ba; }
        if (g_w.n_ab || g_w.n_ba) { deliver(0, 0); continue; }
        {
            uint64_t t = slink_conn_next_timeout(&g_w.a, g_w.now), u = slink_conn_next_timeout(&g_w.b, g_w.now);
            if (u < t) t = u;
            if (t == UINT64_MAX || t <= g_w.now) t = g_w.now + 1;
            g_w.now = t;
        }
    }
    world_release();
    out[n++] = (uint8_t)s;
    for (size_t k = 0; k < cap_n && n + 34 < cap; k += 32) {
        size_t m = cap_n - k < 32 ? cap_n - k : 32;
        out[n++] = (uint8_t)((m - 1u) << 3);    /* op 0 */
        memcpy(out + n, cap_q + k, m);
        n += m;
    }
    out[n++] = 5;   /* read */
    return n;
}

int main(int argc, char **argv)
{
    static uint8_t buf[1 << 16];
    char name[64];
    const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus/fuzz_conn";
    fz_init();
    if (argc > 2 && strcmp(argv[1], "-run") == 0) {   /* replay inputs, verbose */
        for (int k = 2; k < argc; k++) {
            FILE *f = fopen(argv[k], "rb");
            size_t n;
            if (f == NULL) { perror(argv[k]); return 1; }
            n = fread(buf, 1, sizeof buf, f);
            fclose(f);
            printf("%s:\n", argv[k]);
            run_input(buf, n);
        }
        return 0;
    }
    for (int s = 0; s < NSCEN; s++) {
        size_t n = raw_seed(s, buf, sizeof buf);
        snprintf(name, sizeof name, "s%d_genuine_line", s);
        write_file(dir, name, buf, n);
        run_input(buf, n);     /* the seed itself must pass the invariants */
        {
            /* script: peer sends stream + datagram, pump, time, pump, read,
             * key updates, more data, victim closes, pump, read */
            const uint8_t script[] = {
                (uint8_t)s, (9u << 3) | 4u, (17u << 3) | 4u, 2, 3 | (5u << 3), 2, 5,
                (1u << 3) | 7u, (1u << 3) | 6u, (3u << 3) | 4u, 2, 2, 5,
                (31u << 3) | 3u, 2, 2, 6, 2, 2, 5 };
            snprintf(name, sizeof name, "s%d_script", s);
            write_file(dir, name, script, sizeof script);
            run_input(script, sizeof script);
        }
        {
            /* noise: a few well-framed garbage frames of each kind */
            const uint8_t noise[] = {
                (uint8_t)s, (7u << 3) | 1u, 0x01, 1, 2, 3, 4, 5, 6, 7, 8,
                (3u << 3) | 1u, 0x12, 0, 0, 0, 40, (3u << 3) | 1u, 0x80, 1, 2, 3, 4,
                (1u << 3) | 1u, 0x30, 2, 40, 2, 2, 5 };
            snprintf(name, sizeof name, "s%d_framed_noise", s);
            write_file(dir, name, noise, sizeof noise);
            run_input(noise, sizeof noise);
        }
    }
    printf("fuzz_conn seeds written to %s\n", dir);
    return 0;
}

#endif

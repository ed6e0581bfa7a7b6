/* The initiator of tests/cfg/test_responder_only.c, in the core's default
 * configuration (see resp_peer.h for why it is opaque). */
#include "resp_peer.h"

#include <string.h>
#include "liveness.h"
#include "test_pki.h"
#include "testutil.h"

static slink_conn conn;
static slink_creds creds;
static slink_platform plat;
static fake_plat_ctx fx;
static int live;
static unsigned ev_up, ev_failed;

static void drain_events(void)
{
    slink_event ev;
    while (slink_conn_poll_event(&conn, &ev)) {
        if (ev.type == SLINK_EV_ESTABLISHED) ev_up++;
        if (ev.type == SLINK_EV_HS_FAILED) ev_failed++;
    }
}

slink_err peer_init(uint64_t seed, uint64_t now_ms)
{
    peer_free();
    fake_platform_init(&plat, &fx, seed);
    fx.quiet = 1;
    slink_err e = (slink_err)test_pki_load_creds(&creds, test_pki_default_ca(), test_pki_default_host());
    if (e != SLINK_OK) return e;
    slink_conn_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = 1;
    cfg.peer_addr = 7;
    cfg.role = SLINK_START_INITIATOR;
    cfg.baud = 115200;
    cfg.creds = &creds;
    cfg.policy = test_pki_policy(TEST_PKI_DEVICE_NAME);
    e = slink_conn_init(&conn, &cfg, &plat, now_ms);
    if (e != SLINK_OK) { slink_creds_free(&creds); return e; }
    live = 1;
    ev_up = ev_failed = 0;
    return slink_conn_connect(&conn, now_ms);
}

void peer_free(void)
{
    if (!live) return;
    slink_conn_wipe(&conn);
    slink_creds_free(&creds);
    live = 0;
}

slink_err peer_input(const uint8_t *p, size_t n, uint64_t now_ms)
{
    slink_err e = slink_conn_input(&conn, p, n, now_ms);
    drain_events();
    return e;
}

size_t peer_output(uint8_t *out, size_t cap, uint64_t now_ms)
{
    size_t n = slink_conn_output(&conn, out, cap, now_ms);
    drain_events();
    return n;
}

uint64_t peer_next_timeout(uint64_t now_ms) { return slink_conn_next_timeout(&conn, now_ms); }
int peer_established(void) { return slink_conn_get_state(&conn) == SLINK_CONN_ESTABLISHED; }
uint32_t peer_session_id(void) { return conn.session_id; }

unsigned peer_events_established(void)
{
    unsigned n = ev_up;
    ev_up = 0;
    return n;
}

unsigned peer_events_hs_failed(void)
{
    unsigned n = ev_failed;
    ev_failed = 0;
    return n;
}

slink_err peer_send(const uint8_t *p, size_t n, size_t *accepted) { return slink_conn_send(&conn, p, n, accepted); }
slink_err peer_recv(uint8_t *p, size_t cap, size_t *got) { return slink_conn_recv(&conn, p, cap, got); }
slink_err peer_send_dgram(const uint8_t *p, size_t n) { return slink_conn_send_dgram(&conn, p, n); }
slink_err peer_recv_dgram(uint8_t *p, size_t cap, size_t *len) { return slink_conn_recv_dgram(&conn, p, cap, len); }
slink_err peer_key_update(void) { return slink_conn_key_update(&conn); }
slink_err peer_close(uint64_t now_ms) { return slink_conn_close(&conn, now_ms); }
uint32_t peer_key_updates_tx(void) { return conn.rec.stats.key_updates_tx; }
uint32_t peer_key_updates_rx(void) { return conn.rec.stats.key_updates_rx; }
uint64_t peer_live_bound_ms(void) { return live_bound_ms(&conn, &conn); }
size_t peer_max_frame_body(void) { return SLINK_MAX_FRAME_BODY; }

static void tag(const uint8_t secret[32], uint8_t out[8])
{
    uint8_t h[32];
    (void)slink_sha256(secret, 32, h);
    memcpy(out, h, 8);
}

void peer_key_tags(uint8_t tx[8], uint8_t rx[8])
{
    tag(conn.rec.tx.secret, tx);
    tag(SLINK_REC_RX(&conn.rec).secret, rx);
}

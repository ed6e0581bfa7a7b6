/* The initiators of tests/cfg/test_responder_only.c, in the core's default
 * configuration (see resp_peer.h for why they are opaque): the host, and
 * an attacker that initiates from the host's address with credentials the
 * device must refuse. */
#include "resp_peer.h"

#include <string.h>
#include "liveness.h"
#include "test_pki.h"
#include "testutil.h"

typedef struct {
    slink_conn conn;
    slink_creds creds;
    slink_platform plat;
    fake_plat_ctx fx;
    int live;
    unsigned ev_up, ev_failed, ev_ended;
    slink_err last_failed, last_ended;
} peer_inst;

static peer_inst host, atk;

static void drain_events(peer_inst *p)
{
    slink_event ev;
    while (slink_conn_poll_event(&p->conn, &ev)) {
        if (ev.type == SLINK_EV_ESTABLISHED) p->ev_up++;
        if (ev.type == SLINK_EV_HS_FAILED) { p->ev_failed++; p->last_failed = ev.err; }
        if (ev.type == SLINK_EV_ENDED) { p->ev_ended++; p->last_ended = ev.err; }
    }
}

static void inst_free(peer_inst *p)
{
    if (!p->live) return;
    slink_conn_wipe(&p->conn);
    slink_creds_free(&p->creds);
    p->live = 0;
}

/* The connection's I/O with its events taken as they come, as an
 * application loop does. */
static slink_err inst_input(peer_inst *p, const uint8_t *in, size_t n, uint64_t now_ms)
{
    slink_err e = slink_conn_input(&p->conn, in, n, now_ms);
    drain_events(p);
    return e;
}

static size_t inst_output(peer_inst *p, uint8_t *out, size_t cap, uint64_t now_ms)
{
    size_t n = slink_conn_output(&p->conn, out, cap, now_ms);
    drain_events(p);
    return n;
}

/* host-1's address and the device's name; the leaf and its CA as given. */
static slink_err inst_init(peer_inst *p, const test_cred *ca, const test_cred *leaf, uint64_t seed,
                           uint64_t now_ms)
{
    inst_free(p);
    fake_platform_init(&p->plat, &p->fx, seed);
    p->fx.quiet = 1;
    slink_err e = (slink_err)test_pki_load_creds(&p->creds, ca, leaf);
    if (e != SLINK_OK) return e;
    slink_conn_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = 1;
    cfg.peer_addr = 7;
    cfg.role = SLINK_START_INITIATOR;
    cfg.baud = 115200;
    cfg.creds = &p->creds;
    cfg.policy = test_pki_policy(TEST_PKI_DEVICE_NAME);
    e = slink_conn_init(&p->conn, &cfg, &p->plat, now_ms);
    if (e != SLINK_OK) { slink_creds_free(&p->creds); return e; }
    p->live = 1;
    p->ev_up = p->ev_failed = p->ev_ended = 0;
    p->last_failed = p->last_ended = SLINK_OK;
    return slink_conn_connect(&p->conn, now_ms);
}

slink_err peer_init(uint64_t seed, uint64_t now_ms)
{
    return inst_init(&host, test_pki_default_ca(), test_pki_default_host(), seed, now_ms);
}

void peer_free(void) { inst_free(&host); }

slink_err peer_input(const uint8_t *p, size_t n, uint64_t now_ms) { return inst_input(&host, p, n, now_ms); }
size_t peer_output(uint8_t *out, size_t cap, uint64_t now_ms) { return inst_output(&host, out, cap, now_ms); }

uint64_t peer_next_timeout(uint64_t now_ms) { return slink_conn_next_timeout(&host.conn, now_ms); }
int peer_established(void) { return slink_conn_get_state(&host.conn) == SLINK_CONN_ESTABLISHED; }
uint32_t peer_session_id(void) { return host.conn.session_id; }

unsigned peer_events_established(void)
{
    unsigned n = host.ev_up;
    host.ev_up = 0;
    return n;
}

unsigned peer_events_hs_failed(void)
{
    unsigned n = host.ev_failed;
    host.ev_failed = 0;
    return n;
}

unsigned peer_events_ended(slink_err *last)
{
    unsigned n = host.ev_ended;
    if (last != NULL) *last = host.last_ended;
    host.ev_ended = 0;
    return n;
}

slink_err peer_send(const uint8_t *p, size_t n, size_t *accepted) { return slink_conn_send(&host.conn, p, n, accepted); }
slink_err peer_recv(uint8_t *p, size_t cap, size_t *got) { return slink_conn_recv(&host.conn, p, cap, got); }
slink_err peer_send_dgram(const uint8_t *p, size_t n) { return slink_conn_send_dgram(&host.conn, p, n); }
slink_err peer_recv_dgram(uint8_t *p, size_t cap, size_t *len) { return slink_conn_recv_dgram(&host.conn, p, cap, len); }
slink_err peer_key_update(void) { return slink_conn_key_update(&host.conn); }
slink_err peer_close(uint64_t now_ms) { return slink_conn_close(&host.conn, now_ms); }
uint32_t peer_key_updates_tx(void) { return host.conn.rec.stats.key_updates_tx; }
uint32_t peer_key_updates_rx(void) { return host.conn.rec.stats.key_updates_rx; }
uint64_t peer_live_bound_ms(void) { return live_bound_ms(&host.conn, &host.conn); }
uint64_t peer_attempt_ms(void) { return live_attempt_ms(&host.conn.cfg); }
size_t peer_max_frame_body(void) { return SLINK_MAX_FRAME_BODY; }

static void tag(const uint8_t secret[32], uint8_t out[8])
{
    uint8_t h[32];
    (void)slink_sha256(secret, 32, h);
    memcpy(out, h, 8);
}

void peer_key_tags(uint8_t tx[8], uint8_t rx[8])
{
    tag(host.conn.rec.tx.secret, tx);
    tag(SLINK_REC_RX(&host.conn.rec).secret, rx);
}

/* ---- the attacker ---- */

slink_err peer_atk_init(peer_atk_kind kind, uint64_t seed, uint64_t now_ms)
{
    static test_cred leaf[2];
    test_cred *l = &leaf[kind == PEER_ATK_WRONG_NAME ? 0 : 1];
    if (l->der_len == 0) {
        test_leaf_opts o;
        memset(&o, 0, sizeof o);
        if (kind == PEER_ATK_WRONG_NAME) {
            o.name = "host-9";
        } else {
            o.name = TEST_PKI_HOST_NAME;
            o.not_before = "20250101000000";
            o.not_after = "20260101000000";
        }
        if (test_pki_leaf(test_pki_default_ca(), l, &o, 0x5eed09 + (uint64_t)kind) != 0) return SLINK_ERR_CRYPTO;
    }
    return inst_init(&atk, test_pki_default_ca(), l, seed, now_ms);
}

void peer_atk_free(void) { inst_free(&atk); }

slink_err peer_atk_input(const uint8_t *p, size_t n, uint64_t now_ms) { return inst_input(&atk, p, n, now_ms); }
size_t peer_atk_output(uint8_t *out, size_t cap, uint64_t now_ms) { return inst_output(&atk, out, cap, now_ms); }

uint64_t peer_atk_next_timeout(uint64_t now_ms) { return slink_conn_next_timeout(&atk.conn, now_ms); }
unsigned peer_atk_events_established(void) { return atk.ev_up; }

unsigned peer_atk_events_ended(slink_err *last)
{
    if (last != NULL) *last = atk.last_ended;
    return atk.ev_ended;
}

#include "pair.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

static slink_err setup_side(pair *p, int side_b)
{
    const pair_opts *o = &p->o;
    slink_conn_cfg cfg;
    const test_cred *cert = side_b ? (o->cert_b ? o->cert_b : test_pki_default_device())
                                   : (o->cert_a ? o->cert_a : test_pki_default_host());
    const test_cred *ca = side_b ? (o->ca_b ? o->ca_b : test_pki_default_ca())
                                 : (o->ca_a ? o->ca_a : test_pki_default_ca());
    const test_cred *issuer = side_b && o->issuer_b ? o->issuer_b : ca;
    slink_creds *cr = side_b ? &p->creds_b : &p->creds_a;
    slink_err e;

    (void)issuer;
    e = (slink_err)test_pki_load_creds(cr, ca, cert);
    if (e != SLINK_OK) return e;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = side_b ? 7 : 1;
    cfg.peer_addr = side_b ? 1 : 7;
    cfg.role = side_b ? (o->role_b ? o->role_b : SLINK_START_RESPONDER)
                      : (o->role_a ? o->role_a : SLINK_START_INITIATOR);
    cfg.baud = o->baud;
    cfg.mtu = side_b ? o->mtu_b : o->mtu_a;
    cfg.idle_timeout_ms = o->idle_timeout_ms;
    /* The pair's scheduler jumps to the next timer when nothing is due; the
     * default keep-alive (30 s) would be that timer in every test loop that
     * feeds data between steps.  Off unless a test asks for it. */
    cfg.keepalive_ms = o->keepalive_ms != 0 ? o->keepalive_ms : SLINK_KEEPALIVE_OFF;
    cfg.limits = o->limits;
    cfg.stream_window = o->stream_window;
    cfg.creds = cr;
    cfg.policy = test_pki_policy(side_b ? (o->b_expects ? o->b_expects : TEST_PKI_HOST_NAME)
                                        : (o->a_expects ? o->a_expects : TEST_PKI_DEVICE_NAME));
    if (o->cached_certs) {
        const test_cred *peer = side_b ? (o->cert_a ? o->cert_a : test_pki_default_host())
                                       : (o->cert_b ? o->cert_b : test_pki_default_device());
        cfg.policy.known_cert = peer->der;
        cfg.policy.known_cert_len = peer->der_len;
    }
    return slink_conn_init(side_b ? &p->b : &p->a, &cfg, side_b ? &p->pb : &p->pa, p->now);
}

slink_err pair_init(pair *p, const pair_opts *o)
{
    slink_err e;
    memset(p, 0, sizeof *p);
    p->o = *o;
    fake_platform_init(&p->pa, &p->xa, o->seed * 2 + 1);
    fake_platform_init(&p->pb, &p->xb, o->seed * 2 + 2);
    p->xa.quiet = p->xb.quiet = 1;
    simline_init(&p->line, &o->line);
    slink_deframer_init(&p->mon[0], SLINK_ADDR_NONE, 0);
    slink_deframer_init(&p->mon[1], SLINK_ADDR_NONE, 0);
    e = setup_side(p, 0);
    if (e != SLINK_OK) return e;
    return setup_side(p, 1);
}

void pair_free(pair *p)
{
    slink_conn_wipe(&p->a);
    slink_conn_wipe(&p->b);
    slink_creds_free(&p->creds_a);
    slink_creds_free(&p->creds_b);
    simline_free(&p->line);
}

slink_err pair_reboot(pair *p, int side_b, uint64_t seed)
{
    slink_conn *c = side_b ? &p->b : &p->a;
    slink_conn_cfg cfg = c->cfg;
    fake_plat_ctx *x = side_b ? &p->xb : &p->xa;
    slink_conn_wipe(c);
    x->state = seed;
    return slink_conn_init(c, &cfg, side_b ? &p->pb : &p->pa, p->now);
}

/* Decodes what one end wrote (before the line can damage it). */
static void monitor(pair *p, int dir, const uint8_t *in, size_t n)
{
    while (n > 0) {
        size_t used = 0;
        slink_frame f;
        slink_err e = slink_deframer_push(&p->mon[dir], in, n, p->now, &used, &f);
        if (e == SLINK_OK && f.body_len > p->max_body[dir]) p->max_body[dir] = f.body_len;
        if (e == SLINK_OK && f.type == SLINK_FT_HS_REPAIR) p->repair_frames[dir]++;
        if (e == SLINK_OK && (f.type & SLINK_FT_RECORD_BIT) && f.body_len > p->max_rec_body[dir])
            p->max_rec_body[dir] = f.body_len;
        if (used == 0 || used > n) break;
        in += used;
        n -= used;
    }
}

int pair_step(pair *p)
{
    static uint8_t buf[65536];
    size_t n;
    int dir;
    uint64_t next;
    int moved = 0;

    n = slink_conn_output(&p->a, buf, sizeof buf, p->now);
    if (n) monitor(p, 0, buf, n);
    if (n) { p->wire_bytes[0] += n; moved = 1; if (!p->cut) simline_send(&p->line, 0, buf, n, p->now); }
    n = slink_conn_output(&p->b, buf, sizeof buf, p->now);
    if (n) monitor(p, 1, buf, n);
    if (n) { p->wire_bytes[1] += n; moved = 1; if (!p->cut) simline_send(&p->line, 1, buf, n, p->now); }
    while (simline_pop(&p->line, p->now, &dir, buf, sizeof buf, &n)) {
        (void)slink_conn_input(dir == 0 ? &p->b : &p->a, buf, n, p->now);
        moved = 1;
    }
    next = slink_conn_next_timeout(&p->a, p->now);
    if (slink_conn_next_timeout(&p->b, p->now) < next) next = slink_conn_next_timeout(&p->b, p->now);
    if (simline_next(&p->line) < next) next = simline_next(&p->line);
    if (next == UINT64_MAX) return 0;
    if (next <= p->now) {
        if (!moved && ++p->livelock > 1000) return -1;
        if (moved) p->livelock = 0;
        return 1;
    }
    p->livelock = 0;
    p->now = next;
    return 1;
}

int pair_run_established(pair *p, uint64_t max_ms)
{
    uint64_t end = p->now + max_ms;
    while (p->now < end) {
        if (slink_conn_get_state(&p->a) == SLINK_CONN_ESTABLISHED &&
            slink_conn_get_state(&p->b) == SLINK_CONN_ESTABLISHED)
            return 1;
        if (pair_step(p) <= 0) break;
    }
    return slink_conn_get_state(&p->a) == SLINK_CONN_ESTABLISHED &&
           slink_conn_get_state(&p->b) == SLINK_CONN_ESTABLISHED;
}

void pair_run_for(pair *p, uint64_t ms)
{
    uint64_t end = p->now + ms;
    while (p->now < end) {
        int r = pair_step(p);
        if (r < 0) { p->livelock = 1 << 20; return; }
        if (r == 0) { p->now = end; return; }
        if (p->now > end) return;
    }
}

int pair_count_events(slink_conn *c, slink_event_type t, slink_err *err)
{
    slink_event ev;
    int n = 0;
    while (slink_conn_poll_event(c, &ev))
        if (ev.type == t) { n++; if (err) *err = ev.err; }
    return n;
}

pair *pair_new(const pair_opts *o)
{
    pair *p = calloc(1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(pair_init(p, o), SLINK_OK);
    return p;
}

void pair_del(pair *p)
{
    pair_free(p);
    free(p);
}

size_t pair_take_frames(pair *p, slink_conn *c, pair_frame *out, size_t max)
{
    size_t n = 0;
    while (n < max && slink_conn_next_frame(c, p->now, &out[n].type, out[n].body,
                                            sizeof out[n].body, &out[n].len) == SLINK_OK)
        n++;
    return n;
}

slink_err pair_give(pair *p, slink_conn *to, const pair_frame *h)
{
    slink_frame f;
    f.dst = to->cfg.local_addr;
    f.src = to->cfg.peer_addr;
    f.type = h->type;
    f.body = h->body;
    f.body_len = h->len;
    return slink_conn_handle_frame(to, &f, p->now);
}

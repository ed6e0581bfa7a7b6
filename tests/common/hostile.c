#include "hostile.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HW_NEVER UINT64_MAX

void hostile_init(hostile *h, uint32_t baud)
{
    memset(h, 0, sizeof *h);
    h->baud = baud;
}

void hostile_free(hostile *h)
{
    for (size_t i = 0; i < h->nq; i++) free(h->q[i].data);
    free(h->q);
    free(h->cap);
    memset(h, 0, sizeof *h);
}

int hostile_add_conn(hostile *h, slink_conn *c)
{
    if (h->n == HW_MAX_ENDS) abort();
    memset(&h->ends[h->n], 0, sizeof h->ends[h->n]);
    h->ends[h->n].conn = c;
    return (int)h->n++;
}

int hostile_add_node(hostile *h, slink_node *n)
{
    if (h->n == HW_MAX_ENDS) abort();
    memset(&h->ends[h->n], 0, sizeof h->ends[h->n]);
    h->ends[h->n].node = n;
    return (int)h->n++;
}

void hostile_set_filter(hostile *h, hw_filter f, void *ctx)
{
    h->filter = f;
    h->filter_ctx = ctx;
}

/* ---- codecs --------------------------------------------------------------- */

size_t hw_encode(const hw_frame *f, uint8_t *out, size_t cap)
{
    size_t n = 0;
    if (slink_frame_encode(f->dst, f->src, f->type, f->body, f->body_len, out, cap, &n) != SLINK_OK)
        return 0;
    if (f->break_crc) {
        /* Re-encode with the last CRC byte changed: noise, as the line makes it. */
        uint8_t raw[SLINK_FRAME_MAX + 8];
        size_t rl = 0, el = 0;
        if (slink_cobs_decode(out, n - 1, raw, sizeof raw, &rl) != SLINK_OK || rl == 0) return 0;
        raw[rl - 1] ^= 0x01;
        if (slink_cobs_encode(raw, rl, out, cap - 1, &el) != SLINK_OK) return 0;
        out[el] = 0x00;
        n = el + 1;
    }
    return n;
}

int hw_decode(const uint8_t *p, size_t n, hw_frame *f)
{
    uint8_t raw[SLINK_COBS_MAX(SLINK_FRAME_MAX) + 8];
    size_t rl = 0;
    memset(f, 0, sizeof *f);
    if (n > 0 && p[n - 1] == 0x00) n--;
    if (n == 0 || n > sizeof raw) return 0;
    if (slink_cobs_decode(p, n, raw, sizeof raw, &rl) != SLINK_OK || rl < SLINK_FRAME_MIN ||
        rl - SLINK_FRAME_MIN > sizeof f->body)
        return 0;
    f->dst = raw[0];
    f->src = raw[1];
    f->type = raw[2];
    f->body_len = rl - SLINK_FRAME_MIN;
    memcpy(f->body, raw + SLINK_FRAME_HDR, f->body_len);
    f->crc_ok = slink_crc16(raw, rl - 2) == (uint16_t)(raw[rl - 2] << 8 | raw[rl - 1]);
    return 1;
}

slink_err hw_handle(slink_conn *c, const hw_frame *f, uint64_t now)
{
    slink_frame fr;
    fr.dst = f->dst;
    fr.src = f->src;
    fr.type = f->type;
    fr.body = f->body;
    fr.body_len = f->body_len;
    return slink_conn_handle_frame(c, &fr, now);
}

/* ---- predicates ----------------------------------------------------------- */

int hw_is_record(const hw_frame *f) { return (f->type & SLINK_FT_RECORD_BIT) != 0; }

int hw_record_ct(const hw_frame *f)
{
    if (!hw_is_record(f)) return -1;
    return (f->type & SLINK_REC_CT_MASK) >> SLINK_REC_CT_SHIFT;
}

int hw_hs_msgno(const hw_frame *f)
{
    uint8_t t = f->type & (uint8_t)~SLINK_FT_HS_FRAG;
    if (hw_is_record(f) || (f->type & 0xE0u) != 0) return 0;
    return t >= 1 && t <= 3 ? t : 0;
}

int hw_is_stream(const hw_frame *f) { return hw_record_ct(f) == SLINK_CT_STREAM; }
int hw_is_dgram(const hw_frame *f) { return hw_record_ct(f) == SLINK_CT_DATAGRAM; }
int hw_is_alert_rec(const hw_frame *f) { return hw_record_ct(f) == SLINK_CT_ALERT; }
int hw_is_hs1(const hw_frame *f) { return hw_hs_msgno(f) == 1; }
int hw_is_hs2(const hw_frame *f) { return hw_hs_msgno(f) == 2; }
int hw_is_hs3(const hw_frame *f) { return hw_hs_msgno(f) == 3; }

/* ---- queue ---------------------------------------------------------------- */

static void enqueue(hostile *h, int to, int from, const uint8_t *p, size_t n, uint64_t at)
{
    if (h->nq == h->qcap) {
        h->qcap = h->qcap ? 2 * h->qcap : 64;
        h->q = realloc(h->q, h->qcap * sizeof *h->q);
        if (!h->q) abort();
    }
    hw_pkt *k = &h->q[h->nq++];
    k->at = at;
    k->order = h->order++;
    k->to = to;
    k->from = from;
    k->len = n;
    k->data = malloc(n ? n : 1);
    if (!k->data) abort();
    memcpy(k->data, p, n);
}

/* One copy per receiving endpoint, so each can be held back on its own. */
static void fan_out(hostile *h, int to, int from, const uint8_t *p, size_t n, uint64_t at)
{
    if (to != HW_ALL) {
        enqueue(h, to, from, p, n, at);
        return;
    }
    for (size_t i = 0; i < h->n; i++)
        if ((int)i != from) enqueue(h, (int)i, from, p, n, at);
}

static uint64_t airtime(const hostile *h, size_t n)
{
    return h->baud ? ((uint64_t)n * 10000u + h->baud - 1) / h->baud : 0;
}

void hostile_inject(hostile *h, int to, const hw_frame *f, uint64_t delay_ms)
{
    uint8_t buf[SLINK_WIRE_FRAME_MAX + 16];
    size_t n = hw_encode(f, buf, sizeof buf);
    if (n == 0) abort();
    h->injected++;
    fan_out(h, to, HW_ATTACKER, buf, n, h->now + delay_ms);
}

void hostile_inject_raw(hostile *h, int to, const uint8_t *p, size_t n, uint64_t delay_ms)
{
    h->injected++;
    fan_out(h, to, HW_ATTACKER, p, n, h->now + delay_ms);
}

const hw_frame *hostile_cap(const hostile *h, size_t i)
{
    return i < h->ncap ? &h->cap[i] : NULL;
}

long hostile_find(const hostile *h, size_t start, int from, int (*pred)(const hw_frame *))
{
    for (size_t i = start; i < h->ncap; i++)
        if ((from == HW_ALL || h->cap[i].from == from) && (pred == NULL || pred(&h->cap[i])))
            return (long)i;
    return -1;
}

static void capture(hostile *h, hw_frame *f)
{
    if (h->ncap == h->capcap) {
        h->capcap = h->capcap ? 2 * h->capcap : 64;
        h->cap = realloc(h->cap, h->capcap * sizeof *h->cap);
        if (!h->cap) abort();
    }
    f->id = (uint32_t)h->ncap;
    h->cap[h->ncap++] = *f;
}

/* One frame an endpoint sent: capture, filter, re-encode, pace. */
static void on_sent(hostile *h, int from, const uint8_t *p, size_t n)
{
    hw_frame f;
    uint64_t delay = 0, start;
    uint8_t buf[SLINK_WIRE_FRAME_MAX + 16];
    size_t len = n;
    hw_end *e = &h->ends[from];

    start = h->now > e->busy_until ? h->now : e->busy_until;
    e->busy_until = start + airtime(h, n);
    e->frames_out++;
    if (!hw_decode(p, n, &f)) {
        fan_out(h, HW_ALL, from, p, n, e->busy_until);
        return;
    }
    f.from = from;
    f.t = h->now;
    if (h->capture) capture(h, &f);
    if (h->filter && h->filter(h->filter_ctx, &f, &delay) == HW_DROP) {
        h->dropped++;
        return;
    }
    len = hw_encode(&f, buf, sizeof buf);
    if (len == 0) abort();
    fan_out(h, HW_ALL, from, buf, len, e->busy_until + delay);
}

/* CPU time this thread has used: what processing a frame costs, whatever
 * else the machine is doing (wall time would charge the test for other
 * processes' turns on a loaded machine and make its figures flaky). */
static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int end_busy(const hostile *h, const hw_end *e)
{
    return e->charge_cpu && e->cpu_free_us > h->now * 1000u;
}

static void deliver(hostile *h, hw_end *e, const uint8_t *p, size_t n)
{
    uint64_t t0 = e->charge_cpu ? now_us() : 0;
    if (e->conn) (void)slink_conn_input(e->conn, p, n, h->now);
    else (void)slink_node_input(e->node, p, n, h->now);
    e->frames_in++;
    h->delivered++;
    if (e->charge_cpu) {
        uint64_t spent = now_us() - t0;
        uint64_t base = e->cpu_free_us > h->now * 1000u ? e->cpu_free_us : h->now * 1000u;
        e->cpu_free_us = base + spent;
        e->cpu_us += spent;
    }
}

static uint64_t end_next(const hostile *h, const hw_end *e)
{
    uint64_t t;
    if (h->now < e->start_ms) return e->start_ms;
    t = e->conn ? slink_conn_next_timeout(e->conn, h->now) : slink_node_next_timeout(e->node, h->now);
    if (end_busy(h, e)) {
        uint64_t f = (e->cpu_free_us + 999u) / 1000u;
        if (t < f) t = f;
    }
    return t;
}

int hostile_step(hostile *h)
{
    static uint8_t buf[65536];
    int moved = 0;
    uint64_t next = HW_NEVER;

    h->io_time = h->now;
    for (size_t i = 0; i < h->n; i++) {
        hw_end *e = &h->ends[i];
        size_t n, s = 0;
        if (h->now < e->start_ms || end_busy(h, e)) continue;
        n = e->conn ? slink_conn_output(e->conn, buf, sizeof buf, h->now)
                    : slink_node_output(e->node, buf, sizeof buf, h->now);
        if (n == 0) continue;
        moved = 1;
        if (e->detached) continue;
        for (size_t k = 0; k < n; k++) {
            if (buf[k] == 0x00) {
                on_sent(h, (int)i, buf + s, k + 1 - s);
                s = k + 1;
            }
        }
        if (s < n) on_sent(h, (int)i, buf + s, n - s);
    }
    for (;;) {
        size_t best = (size_t)-1;
        for (size_t i = 0; i < h->nq; i++) {
            hw_end *e = &h->ends[h->q[i].to];
            if (h->q[i].at > h->now || end_busy(h, e)) continue;
            if (best == (size_t)-1 || h->q[i].at < h->q[best].at ||
                (h->q[i].at == h->q[best].at && h->q[i].order < h->q[best].order))
                best = i;
        }
        if (best == (size_t)-1) break;
        hw_pkt k = h->q[best];
        memmove(&h->q[best], &h->q[best + 1], (h->nq - best - 1) * sizeof *h->q);
        h->nq--;
        hw_end *e = &h->ends[k.to];
        if (!e->detached && h->now >= e->start_ms) deliver(h, e, k.data, k.len);
        free(k.data);
        moved = 1;
    }
    for (size_t i = 0; i < h->n; i++) {
        uint64_t t = end_next(h, &h->ends[i]);
        if (t < next) next = t;
    }
    for (size_t i = 0; i < h->nq; i++) {
        uint64_t t = h->q[i].at;
        const hw_end *e = &h->ends[h->q[i].to];
        if (end_busy(h, e)) {
            uint64_t f = (e->cpu_free_us + 999u) / 1000u;
            if (t < f) t = f;
        }
        if (t < next) next = t;
    }
    if (h->wake_at > h->now && h->wake_at < next) next = h->wake_at;
    if (next == HW_NEVER) return 0;
    if (next <= h->now) {
        if (!moved && ++h->livelock > 1000) return -1;
        if (moved) h->livelock = 0;
        return 1;
    }
    h->livelock = 0;
    h->now = next;
    return 1;
}

void hostile_run_for(hostile *h, uint64_t ms)
{
    uint64_t end = h->now + ms;
    while (h->now < end) {
        uint64_t before = h->now;
        int r = hostile_step(h);
        if (r < 0) return;
        if (r == 0) { h->now = end; return; }
        if (h->now > end) {
            /* Never jump past the end: callers act at exactly that time. */
            if (before < end) h->now = end;
            return;
        }
    }
}

int hostile_run_until(hostile *h, int (*done)(void *), void *ctx, uint64_t max_ms)
{
    uint64_t end = h->now + max_ms;
    while (h->now < end) {
        if (done(ctx)) return 1;
        int r = hostile_step(h);
        if (r <= 0) break;
    }
    return done(ctx);
}

/* ---- peers ---------------------------------------------------------------- */

static const test_cred *cert_for(uint8_t addr)
{
    if (addr == 1) return test_pki_default_host();
    if (addr == 9) return test_pki_default_device2();
    return test_pki_default_device();
}

static const char *name_for(uint8_t addr)
{
    if (addr == 1) return TEST_PKI_HOST_NAME;
    if (addr == 9) return TEST_PKI_DEVICE2_NAME;
    return TEST_PKI_DEVICE_NAME;
}

static slink_err peer_setup(hw_peer *p, uint64_t now)
{
    slink_conn_cfg cfg;
    const hw_peer_opts *o = &p->o;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = o->local;
    cfg.peer_addr = o->peer;
    cfg.role = o->role ? o->role : SLINK_START_RESPONDER;
    cfg.baud = o->baud;
    cfg.mtu = o->mtu;
    cfg.idle_timeout_ms = o->idle_timeout_ms;
    cfg.hs_min_interval_ms = o->hs_min_interval_ms;
    cfg.stream_window = o->stream_window;
    cfg.limits = o->limits;
    cfg.creds = &p->creds;
    cfg.policy = test_pki_policy(o->expects ? o->expects : name_for(o->peer));
    return slink_conn_init(&p->conn, &cfg, &p->plat, now);
}

slink_err hw_peer_init(hw_peer *p, const hw_peer_opts *o, uint64_t now)
{
    slink_err e;
    memset(p, 0, sizeof *p);
    p->o = *o;
    fake_platform_init(&p->plat, &p->fx, o->seed ? o->seed : 1);
    p->fx.quiet = 1;
    e = (slink_err)test_pki_load_creds(&p->creds, test_pki_default_ca(),
                                       o->cert ? o->cert : cert_for(o->local));
    if (e != SLINK_OK) return e;
    return peer_setup(p, now);
}

slink_err hw_peer_reboot(hw_peer *p, uint64_t seed, uint64_t now)
{
    slink_conn_wipe(&p->conn);
    p->fx.state = seed ? seed : 1;
    return peer_setup(p, now);
}

void hw_peer_free(hw_peer *p)
{
    slink_conn_wipe(&p->conn);
    slink_creds_free(&p->creds);
}

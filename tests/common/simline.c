#include "simline.h"
#include "testutil.h"
#include <stdlib.h>
#include <string.h>

static double unit(simline *l)
{
    return (double)(test_rand(&l->rng) >> 11) * (1.0 / 9007199254740992.0);
}

void simline_init(simline *l, const simline_cfg *cfg)
{
    memset(l, 0, sizeof *l);
    l->cfg = *cfg;
    l->rng = cfg->seed ? cfg->seed : 12345;
}

void simline_free(simline *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->q[i].data);
    free(l->q);
    memset(l, 0, sizeof *l);
}

static void push(simline *l, int dir, const uint8_t *p, size_t n, uint64_t at)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->q = realloc(l->q, l->cap * sizeof *l->q);
        if (!l->q) abort();
    }
    simline_pkt *k = &l->q[l->n++];
    k->at = at;
    k->dir = dir;
    k->len = n;
    k->data = malloc(n ? n : 1);
    if (!k->data) abort();
    memcpy(k->data, p, n);
}

static void send_frame(simline *l, int dir, const uint8_t *p, size_t n, uint64_t now)
{
    simline_stats *s = &l->st[dir];
    /* Line time in microseconds: rounding each frame's airtime up to a
     * whole millisecond ran the line up to 1 ms per frame slower than the
     * baud rate (1.7% of the capacity with 68-byte frames at 115200). */
    uint64_t start = now * 1000u > l->busy_until[dir] ? now * 1000u : l->busy_until[dir];
    uint64_t air = l->cfg.baud ? ((uint64_t)n * 10000000u + l->cfg.baud - 1) / l->cfg.baud : 0;
    l->busy_until[dir] = start + air;
    s->frames++;
    s->bytes += n;
    if (unit(l) < l->cfg.loss) { s->lost++; return; }
    uint8_t buf[SLINK_WIRE_FRAME_MAX + 8];
    if (n > sizeof buf) n = sizeof buf;
    memcpy(buf, p, n);
    if (l->cfg.corrupt > 0 && unit(l) < l->cfg.corrupt) {
        size_t bit = (size_t)(test_rand(&l->rng) % (n * 8));
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        s->corrupted++;
        s->bits_flipped++;
    }
    if (l->cfg.ber > 0) {
        int hit = 0;
        for (size_t b = 0; b < n * 10; b++) {   /* 10 bit times per byte, 8 data bits hittable */
            if (unit(l) < l->cfg.ber && b % 10 < 8) {
                buf[b / 10] ^= (uint8_t)(1u << (b % 10));
                s->bits_flipped++;
                hit = 1;
            }
        }
        if (hit) s->corrupted++;
    }
    uint64_t at = (l->busy_until[dir] + 999u) / 1000u + l->cfg.delay_ms;
    if (l->cfg.jitter_ms) at += test_rand(&l->rng) % (l->cfg.jitter_ms + 1);
    push(l, dir, buf, n, at);
    if (l->cfg.dup > 0 && unit(l) < l->cfg.dup) {
        s->duplicated++;
        push(l, dir, buf, n, at + 1 + (l->cfg.jitter_ms ? test_rand(&l->rng) % (l->cfg.jitter_ms + 1) : 0));
    }
}

void simline_send(simline *l, int dir, const uint8_t *p, size_t n, uint64_t now_ms)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == 0x00) {
            send_frame(l, dir, p + start, i + 1 - start, now_ms);
            start = i + 1;
        }
    }
    if (start < n) send_frame(l, dir, p + start, n - start, now_ms);
}

int simline_pop(simline *l, uint64_t now_ms, int *dir, uint8_t *buf, size_t cap, size_t *len)
{
    size_t best = (size_t)-1;
    for (size_t i = 0; i < l->n; i++)
        if (l->q[i].at <= now_ms && (best == (size_t)-1 || l->q[i].at < l->q[best].at)) best = i;
    if (best == (size_t)-1) return 0;
    simline_pkt k = l->q[best];
    memmove(&l->q[best], &l->q[best + 1], (l->n - best - 1) * sizeof *l->q);
    l->n--;
    *dir = k.dir;
    *len = k.len < cap ? k.len : cap;
    memcpy(buf, k.data, *len);
    free(k.data);
    return 1;
}

uint64_t simline_next(const simline *l)
{
    uint64_t t = UINT64_MAX;
    for (size_t i = 0; i < l->n; i++) if (l->q[i].at < t) t = l->q[i].at;
    return t;
}

size_t simline_pending(const simline *l) { return l->n; }

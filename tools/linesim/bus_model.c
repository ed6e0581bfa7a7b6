/* The shared medium of slink-linesim --bus (see bus_model.h). */
#include "bus_model.h"
#include "wire_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lbus_params_default(lbus_params *p, size_t n, uint32_t baud)
{
    memset(p, 0, sizeof *p);
    p->baud = baud;
    p->seed = 1;
    p->n = n;
    p->queue_limit = 1u << 16;
    p->tx_buffer = 4096;
    for (size_t i = 0; i < LBUS_MAX_NODES; i++) {
        p->node[i].burst_len = 8;
        p->node[i].babble_len = 16;
    }
}

static double unit(uint64_t *s)
{
    return (double)(lsim_splitmix(s) >> 11) * (1.0 / 9007199254740992.0);
}

static uint8_t nonzero_byte(uint64_t *s)
{
    return (uint8_t)(1u + lsim_splitmix(s) % 255u);
}

/* Error-free received bits before the next flip (geometric, by inversion). */
static uint64_t draw_gap(const lbus_model *m, size_t i, lbus_node *d)
{
    double ber = m->p.node[i].ber;
    if (ber <= 0.0) return UINT64_MAX;
    if (ber >= 1.0) return 0;
    double u = (double)((lsim_splitmix(&d->rx_rng) >> 11) + 1u) * (1.0 / 9007199254740992.0);
    double g = floor(log(u) / m->ln_1mp[i]);
    return g >= 1.8e19 ? UINT64_MAX : (uint64_t)g;
}

/* Mean gap between babble burst starts, in ns. */
static double babble_period(const lbus_model *m, size_t i)
{
    const lbus_node_params *np = &m->p.node[i];
    return (double)np->babble_len * (double)m->byte_ns / np->babble;
}

static uint64_t next_babble(lbus_model *m, size_t i, uint64_t from)
{
    /* Exponential gaps: bursts start at random, as interference does. */
    double u = (double)((lsim_splitmix(&m->nd[i].tx_rng) >> 11) + 1u) * (1.0 / 9007199254740992.0);
    return from + (uint64_t)(-log(u) * babble_period(m, i));
}

int lbus_init(lbus_model *m, const lbus_params *p, int tap)
{
    memset(m, 0, sizeof *m);
    if (p->n < 2 || p->n > LBUS_MAX_NODES || p->baud == 0 || p->queue_limit == 0) return -1;
    for (size_t i = 0; i < p->n; i++) {
        const lbus_node_params *np = &p->node[i];
        if (np->ber < 0 || np->ber > 1 || np->burst_rate < 0 || np->burst_rate > 1 ||
            np->babble < 0 || np->babble > 1 || np->burst_len == 0 ||
            (np->babble > 0 && np->babble_len == 0))
            return -1;
    }
    m->p = *p;
    m->tap = tap;
    m->byte_ns = (10000000000ull + p->baud / 2) / p->baud;
    if (m->p.tx_buffer == 0) m->p.tx_buffer = 1;
    for (size_t i = 0; i < p->n; i++) {
        lbus_node *d = &m->nd[i];
        double ber = p->node[i].ber;
        m->ln_1mp[i] = (ber > 0 && ber < 1) ? log1p(-ber) : 0.0;
        d->cap = p->queue_limit;
        d->q = calloc(d->cap, sizeof *d->q);
        if (!d->q) { lbus_free(m); return -1; }
        /* Independent streams per node and purpose, all from the one seed. */
        d->tx_rng = p->seed ^ (0xD1B54A32D192ED03ull * (uint64_t)(2 * i + 1));
        d->rx_rng = p->seed ^ (0xD1B54A32D192ED03ull * (uint64_t)(2 * i + 2));
        (void)lsim_splitmix(&d->tx_rng);
        (void)lsim_splitmix(&d->rx_rng);
        d->bits_to_error = draw_gap(m, i, d);
        d->babble_next = p->node[i].babble > 0 ? next_babble(m, i, 0) : UINT64_MAX;
    }
    return 0;
}

void lbus_free(lbus_model *m)
{
    for (size_t i = 0; i < LBUS_MAX_NODES; i++) {
        free(m->nd[i].q);
        m->nd[i].q = NULL;
    }
}

size_t lbus_room(const lbus_model *m, size_t i, uint64_t now)
{
    uint64_t lf = m->nd[i].line_free;
    uint64_t backlog = lf > now ? lf - now : 0;
    uint64_t cap_ns = (uint64_t)m->p.tx_buffer * m->byte_ns;
    if (backlog >= cap_ns) return 0;
    return (size_t)((cap_ns - backlog) / m->byte_ns);
}

uint64_t lbus_room_time(const lbus_model *m, size_t i, uint64_t now)
{
    if (lbus_room(m, i, now) > 0) return now;
    return m->nd[i].line_free - (uint64_t)m->p.tx_buffer * m->byte_ns + m->byte_ns;
}

static lbus_entry *at(lbus_node *d, size_t k)
{
    return &d->q[(d->head + k) % d->cap];
}

/* Garbles every byte of other senders overlapping [s, s + byte_ns). */
static int collide(lbus_model *m, size_t i, uint64_t s)
{
    uint64_t e = s + m->byte_ns;
    int n = 0;
    for (size_t j = 0; j < m->p.n; j++) {
        lbus_node *o = &m->nd[j];
        if (j == i || o->len == 0) continue;
        size_t lo = 0, hi = o->len;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (at(o, mid)->tx_start + m->byte_ns > s) hi = mid;
            else lo = mid + 1;
        }
        for (size_t k = lo; k < o->len; k++) {
            lbus_entry *x = at(o, k);
            if (x->tx_start >= e) break;
            x->val ^= nonzero_byte(&m->nd[i].tx_rng);
            if (!(x->flags & LBUS_F_COLL)) {
                x->flags |= LBUS_F_COLL;
                o->st.collided++;
            }
            n++;
        }
    }
    return n;
}

static void put(lbus_model *m, size_t i, uint8_t b, uint64_t now)
{
    lbus_node *d = &m->nd[i];
    uint64_t s = d->line_free > now ? d->line_free : now;
    d->line_free = s + m->byte_ns;
    d->st.bytes_tx++;
    uint8_t flags = 0;
    if (collide(m, i, s) > 0) {
        m->collisions++;
        b ^= nonzero_byte(&d->tx_rng);
        flags |= LBUS_F_COLL;
        d->st.collided++;
    }
    if (d->len == d->cap) {
        d->st.overflow++;
        return;
    }
    lbus_entry *x = at(d, d->len);
    x->tx_start = s;
    x->arrive = s + m->byte_ns;
    x->val = b;
    x->flags = flags;
    d->len++;
}

void lbus_push(lbus_model *m, size_t i, const uint8_t *in, size_t n, uint64_t now)
{
    if (m->p.node[i].dead) {
        /* The line driver is gone: the time passes, nothing reaches the bus. */
        lbus_node *d = &m->nd[i];
        uint64_t s = d->line_free > now ? d->line_free : now;
        d->line_free = s + (uint64_t)n * m->byte_ns;
        d->st.dead_bytes += n;
        return;
    }
    for (size_t k = 0; k < n; k++) put(m, i, in[k], now);
}

void lbus_advance(lbus_model *m, uint64_t now)
{
    for (size_t i = 0; i < m->p.n; i++) {
        lbus_node *d = &m->nd[i];
        while (d->babble_next <= now) {
            uint64_t at_ns = d->babble_next;
            for (uint32_t k = 0; k < m->p.node[i].babble_len; k++) {
                put(m, i, (uint8_t)lsim_splitmix(&d->tx_rng), at_ns);
                d->st.babble_bytes++;
            }
            d->babble_next = next_babble(m, i, d->line_free);
        }
    }
}

uint64_t lbus_next_babble(const lbus_model *m)
{
    uint64_t t = UINT64_MAX;
    for (size_t i = 0; i < m->p.n; i++)
        if (m->nd[i].babble_next < t) t = m->nd[i].babble_next;
    return t;
}

static uint8_t rx_noise(lbus_model *m, size_t r, uint8_t b)
{
    lbus_node *d = &m->nd[r];
    const lbus_node_params *np = &m->p.node[r];
    if (d->burst_left == 0 && np->burst_rate > 0 && unit(&d->rx_rng) < np->burst_rate) {
        d->burst_left = np->burst_len;
        d->st.bursts++;
    }
    if (d->burst_left > 0) {
        d->burst_left--;
        d->st.burst_bytes++;
        b = (uint8_t)lsim_splitmix(&d->rx_rng);
    }
    unsigned pos = 0;
    while (d->bits_to_error < 8u - pos) {
        pos += (unsigned)d->bits_to_error;
        b ^= (uint8_t)(1u << pos);
        d->st.bits_flipped++;
        pos++;
        d->bits_to_error = draw_gap(m, r, d);
    }
    if (d->bits_to_error != UINT64_MAX) d->bits_to_error -= 8u - pos;
    return b;
}

/* Frees the bytes of sender s that every receiver has taken. */
static void release(lbus_model *m, size_t s)
{
    lbus_node *d = &m->nd[s];
    uint64_t lo = UINT64_MAX;
    for (size_t r = 0; r <= m->p.n; r++) {
        if (r == s || (r == m->p.n && !m->tap)) continue;
        if (m->cursor[s][r] < lo) lo = m->cursor[s][r];
    }
    while (d->len > 0 && d->base < lo) {
        d->head = (d->head + 1) % d->cap;
        d->base++;
        d->len--;
    }
}

static const lbus_entry *next_of(const lbus_model *m, size_t s, size_t r)
{
    const lbus_node *d = &m->nd[s];
    uint64_t c = m->cursor[s][r];
    if (c < d->base) c = d->base;
    if (c >= d->base + d->len) return NULL;
    return &d->q[(d->head + (size_t)(c - d->base)) % d->cap];
}

size_t lbus_pop(lbus_model *m, size_t rx, uint64_t now, uint8_t *out, size_t cap)
{
    size_t k = 0;
    int is_tap = rx == m->p.n;
    int deaf = !is_tap && m->p.node[rx].dead;
    uint8_t touched[LBUS_MAX_NODES] = { 0 };
    while (k < cap) {
        size_t best = SIZE_MAX;
        const lbus_entry *bx = NULL;
        for (size_t s = 0; s < m->p.n; s++) {
            if (s == rx) continue;
            const lbus_entry *x = next_of(m, s, rx);
            if (x && x->arrive <= now && (!bx || x->arrive < bx->arrive)) {
                bx = x;
                best = s;
            }
        }
        if (!bx) break;
        if (m->cursor[best][rx] < m->nd[best].base) m->cursor[best][rx] = m->nd[best].base;
        m->cursor[best][rx]++;
        touched[best] = 1;
        if (deaf) continue;
        out[k++] = is_tap ? bx->val : rx_noise(m, rx, bx->val);
        if (!is_tap) m->nd[rx].st.bytes_rx++;
    }
    for (size_t s = 0; s < m->p.n; s++)
        if (touched[s]) release(m, s);
    return k;
}

uint64_t lbus_next_arrival(const lbus_model *m, size_t rx)
{
    uint64_t t = UINT64_MAX;
    for (size_t s = 0; s < m->p.n; s++) {
        if (s == rx) continue;
        const lbus_entry *x = next_of(m, s, rx);
        if (x && x->arrive < t) t = x->arrive;
    }
    return t;
}

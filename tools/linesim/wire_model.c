/* Fault and pacing engine of slink-linesim (see wire_model.h). */
#include "wire_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lsim_params_default(lsim_params *p)
{
    memset(p, 0, sizeof *p);
    p->burst_len = 8;
    p->break_len = 16;
    p->seed = 1;
    p->queue_limit = 1u << 20;
    /* A UART FIFO plus the kernel's tty buffer hold about this much before
     * write() blocks; reading no further ahead gives the sender the same
     * backpressure a real port gives. */
    p->tx_buffer = 4096;
}

/* splitmix64: tiny, full-period, good enough for fault injection, and
 * identical on every platform (no libc rand). */
uint64_t lsim_splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rng_next(uint64_t *s)
{
    return lsim_splitmix(s);
}

/* [0, 1) */
static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static uint8_t rng_nonzero_byte(uint64_t *s)
{
    return (uint8_t)(1u + rng_next(s) % 255u);
}

/* Error-free bits before the next flipped one: geometric with parameter
 * ber, drawn by inversion so a low BER costs one draw per error, not one
 * per bit. */
static uint64_t draw_gap(lsim_model *m, lsim_dir *d)
{
    if (m->p.ber <= 0.0) return UINT64_MAX;
    if (m->p.ber >= 1.0) return 0;
    double u = (double)((rng_next(&d->rng) >> 11) + 1u) * (1.0 / 9007199254740992.0); /* (0,1] */
    double g = floor(log(u) / m->ln_1mp);
    if (g >= 1.8e19) return UINT64_MAX;
    return (uint64_t)g;
}

int lsim_init(lsim_model *m, const lsim_params *p)
{
    memset(m, 0, sizeof *m);
    if (p->queue_limit == 0 || p->ber < 0 || p->ber > 1 || p->drop < 0 || p->drop > 1 ||
        p->dup < 0 || p->dup > 1 || p->burst_rate < 0 || p->burst_rate > 1 ||
        p->break_rate < 0 || p->break_rate > 1)
        return -1;
    m->p = *p;
    if (m->p.burst_len == 0) m->p.burst_len = 1;
    if (m->p.break_len == 0) m->p.break_len = 1;
    if (m->p.tx_buffer == 0) m->p.tx_buffer = 1;
    m->byte_ns = p->baud ? (10000000000ull + p->baud / 2) / p->baud : 0;
    m->ln_1mp = (p->ber > 0 && p->ber < 1) ? log1p(-p->ber) : 0.0;
    for (int i = 0; i < 2; i++) {
        lsim_dir *d = &m->d[i];
        d->cap = p->queue_limit;
        d->q = calloc(d->cap, sizeof *d->q);
        if (!d->q) { lsim_free(m); return -1; }
        /* Independent streams per direction, derived from the one seed. */
        d->rng = p->seed ^ (0xD1B54A32D192ED03ull * (uint64_t)(i + 1));
        (void)rng_next(&d->rng);
        d->bits_to_error = draw_gap(m, d);
    }
    return 0;
}

void lsim_free(lsim_model *m)
{
    for (int i = 0; i < 2; i++) {
        free(m->d[i].q);
        m->d[i].q = NULL;
    }
}

size_t lsim_queued(const lsim_model *m, int dir)
{
    return m->d[dir].len;
}

size_t lsim_room(const lsim_model *m, int dir, uint64_t now)
{
    const lsim_dir *d = &m->d[dir];
    if (m->byte_ns == 0) {
        /* Unthrottled: an infinitely fast wire still has a finite receiver;
         * stop reading when its queue is full, so the sender blocks. */
        size_t free_q = d->cap - d->len;
        return free_q < m->p.tx_buffer ? free_q : m->p.tx_buffer;
    }
    uint64_t backlog = d->line_free > now ? d->line_free - now : 0;
    uint64_t cap_ns = (uint64_t)m->p.tx_buffer * m->byte_ns;
    if (backlog >= cap_ns) return 0;
    return (size_t)((cap_ns - backlog) / m->byte_ns);
}

uint64_t lsim_room_time(const lsim_model *m, int dir, uint64_t now)
{
    if (lsim_room(m, dir, now) > 0) return now;
    if (m->byte_ns == 0) return lsim_next_arrival(m, dir);
    uint64_t cap_ns = (uint64_t)m->p.tx_buffer * m->byte_ns;
    return m->d[dir].line_free - cap_ns + m->byte_ns;
}

static lsim_entry *at(lsim_dir *d, size_t i)
{
    return &d->q[(d->head + i) % d->cap];
}

/* Garble the other direction's bytes whose time on the wire overlaps
 * [s, s + byte_ns).  Returns how many overlapped. */
static int collide(lsim_model *m, int dir, uint64_t s)
{
    lsim_dir *o = &m->d[1 - dir];
    uint64_t e = s + m->byte_ns;
    /* Queue entries are sorted by tx_start: binary-search the first one
     * that could overlap (tx_start + byte_ns > s). */
    size_t lo = 0, hi = o->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (at(o, mid)->tx_start + m->byte_ns > s) hi = mid;
        else lo = mid + 1;
    }
    int n = 0;
    for (size_t i = lo; i < o->len; i++) {
        lsim_entry *x = at(o, i);
        if (x->tx_start >= e) break;
        x->val ^= rng_nonzero_byte(&m->d[dir].rng);
        if (!(x->flags & LSIM_F_COLL)) {
            x->flags |= LSIM_F_COLL;
            o->st.collided++;
        }
        n++;
    }
    return n;
}

static uint8_t apply_faults(lsim_model *m, lsim_dir *d, uint8_t b, uint8_t *flags)
{
    const lsim_params *p = &m->p;
    if (d->break_left == 0 && p->break_rate > 0 && rng_unit(&d->rng) < p->break_rate) {
        d->break_left = p->break_len;
        d->st.breaks++;
    }
    if (d->break_left > 0) {
        /* A break holds the line at space: a UART reads 0x00 (with a
         * framing error), or loses the span entirely. */
        d->break_left--;
        d->st.break_bytes++;
        if (p->break_drop) *flags |= LSIM_F_DROP;
        return 0x00;
    }
    if (d->burst_left == 0 && p->burst_rate > 0 && rng_unit(&d->rng) < p->burst_rate) {
        d->burst_left = p->burst_len;
        d->st.bursts++;
    }
    if (d->burst_left > 0) {
        d->burst_left--;
        d->st.burst_bytes++;
        b = (uint8_t)rng_next(&d->rng);
    }
    /* Independent bit errors on the 8 data bits. */
    unsigned pos = 0;
    while (d->bits_to_error < 8u - pos) {
        pos += (unsigned)d->bits_to_error;
        b ^= (uint8_t)(1u << pos);
        d->st.bits_flipped++;
        pos++;
        d->bits_to_error = draw_gap(m, d);
    }
    if (d->bits_to_error != UINT64_MAX) d->bits_to_error -= 8u - pos;
    if (p->drop > 0 && rng_unit(&d->rng) < p->drop) {
        *flags |= LSIM_F_DROP;
        d->st.bytes_dropped++;
    } else if (p->dup > 0 && rng_unit(&d->rng) < p->dup) {
        *flags |= LSIM_F_DUP;
    }
    return b;
}

void lsim_push(lsim_model *m, int dir, const uint8_t *in, size_t n, uint64_t now)
{
    lsim_dir *d = &m->d[dir];
    const lsim_params *p = &m->p;
    for (size_t i = 0; i < n; i++) {
        d->st.bytes_in++;
        uint64_t s = d->line_free > now ? d->line_free : now;
        uint64_t e = s + m->byte_ns;
        d->line_free = e;
        uint8_t flags = 0;
        uint8_t b = apply_faults(m, d, in[i], &flags);
        uint64_t arrive = e + p->delay_ns;
        if (p->jitter_ns) arrive += rng_next(&d->rng) % (p->jitter_ns + 1u);
        /* Jitter never reorders bytes: a wire is a FIFO. */
        if (arrive < d->last_arrive) arrive = d->last_arrive;
        if (p->half_duplex && m->byte_ns && collide(m, dir, s) > 0) {
            m->collisions++;
            b ^= rng_nonzero_byte(&d->rng);
            flags |= LSIM_F_COLL;
            d->st.collided++;
        }
        if (d->len == d->cap) {
            d->st.overflow++;
            continue;
        }
        d->last_arrive = arrive;
        lsim_entry *x = at(d, d->len);
        x->tx_start = s;
        x->arrive = arrive;
        x->val = b;
        x->flags = flags;
        d->len++;
    }
}

size_t lsim_pop(lsim_model *m, int dir, uint64_t now, uint8_t *out, size_t cap)
{
    lsim_dir *d = &m->d[dir];
    size_t k = 0;
    while (d->len > 0 && k < cap) {
        lsim_entry *x = &d->q[d->head];
        if (x->arrive > now) break;
        if (!(x->flags & LSIM_F_DROP)) {
            out[k++] = x->val;
            d->st.bytes_out++;
            if (x->flags & LSIM_F_DUP) {
                /* Deliver the copy on the next turn (it may not fit now). */
                x->flags &= (uint8_t)~LSIM_F_DUP;
                d->st.bytes_dup++;
                continue;
            }
        }
        d->head = (d->head + 1) % d->cap;
        d->len--;
    }
    return k;
}

uint64_t lsim_next_arrival(const lsim_model *m, int dir)
{
    const lsim_dir *d = &m->d[dir];
    return d->len ? d->q[d->head].arrive : UINT64_MAX;
}

/* Stream mode: selective repeat over 8-bit chunk numbers (see
 * docs/stream-design.md for the window bound and the flow-control proof).
 *
 * Send side: chunks [snd_una, snd_nxt) were sent at least once and are
 * immutable; [snd_nxt, snd_una+snd_filled) hold data not yet sent, the last
 * of them may still grow.  Slot of offset o from snd_una: (tx_head+o) % W.
 *
 * Receive side: ooo_present bit i means chunk rcv_nxt+1+i is held in slot
 * (ooo_head+i) % (W-1) (i < W-1: rcv_nxt itself is never held); both shift
 * by one whenever rcv_nxt advances.  In-order bytes wait for the
 * application at the start of rx_buf (a read moves the rest down), so a
 * new session carries them without rotating a ring. */
#include <stddef.h>
#include <string.h>
#include "slink/stream.h"
#include "slink/crypto.h"

#define SLOTS SLINK_STREAM_WINDOW
#define OOO_SLOTS SLINK_STREAM_OOO_SLOTS
#define RXB   ((size_t)SLINK_STREAM_RX_BUF)

#define DEF_RTO_INITIAL_MS 1000u   /* RFC 6298 (2.1) */
#define DEF_RTO_MAX_MS     60000u
#define DEF_MAX_TRIES      8u

static uint8_t tx_slot(const slink_stream *s, unsigned off)
{
    return (uint8_t)((s->tx_head + off) % SLOTS);
}

static uint8_t ooo_slot(const slink_stream *s, unsigned bit)
{
    return (uint8_t)((s->ooo_head + bit) % OOO_SLOTS);
}

static unsigned in_flight(const slink_stream *s)
{
    return (uint8_t)(s->snd_nxt - s->snd_una);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* a is before b, modulo 2^32: exact while they are less than 2^31 ms apart
 * (include/slink/stream.h says why the stream's times always are). */
static int before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static unsigned send_limit(const slink_stream *s)
{
    return s->peer_wnd < s->window ? s->peer_wnd : s->window;
}

/* When a transmission has left the line (the owner's model; the hand-out
 * time without one): its retransmission timer and RTT sample start there. */
static uint32_t tx_done(const slink_stream *s, uint8_t slot)
{
    return s->tx[slot].sent_ms + s->tx[slot].wait;
}

/* When the chunk's retransmission timer expires. */
static uint32_t rto_at(const slink_stream *s, uint8_t slot)
{
    return tx_done(s, slot) + s->rto;
}

/* Chunks the receive buffer can take: every window position counts as a
 * full chunk, which is what makes held out-of-order chunks always fit once
 * the gap before them is filled. */
static size_t rx_free(const slink_stream *s)
{
    if (s->rx_hold) return 0u;
    return s->rx_count < s->rx_cap ? s->rx_cap - s->rx_count : 0u;
}

static uint8_t rx_wnd(const slink_stream *s)
{
    size_t k = rx_free(s) / s->chunk_max;
    return k < s->window ? (uint8_t)k : s->window;
}

static uint8_t rx_wnd_full(const slink_stream *s)
{
    size_t k = s->rx_cap / s->chunk_max;
    return k < s->window ? (uint8_t)k : s->window;
}

/* ---- adaptive chunk size ------------------------------------------------ */

/* Per-frame overhead of the sizing model (record header, tag, chunk number,
 * frame header, CRC, COBS and delimiter: docs/PROTOCOL.md §3.6). */
#define AD_OVH      24u
/* Smallest chunk the adaptation picks (below it the overhead dominates). */
#define AD_FLOOR    32u
/* The size is chosen again every AD_STEP transmissions; the counts halve
 * at AD_SPAN, so the estimate follows the last 32 to 64 transmissions. */
#define AD_STEP     8u
#define AD_SPAN     64u
/* The line counts as lossy (next_chunk's queue rules) until this many
 * transmissions in a row were delivered. */
#define LOSSY_SPAN  256u

/* -ln(1 - i/64) in units of 1/4096 (i = 64: as if 127/128), computed
 * offline: the frame loss rate q turns into errors per frame. */
static const uint16_t NEG_LN_1MQ[65] = {
    0, 65, 130, 197, 264, 333, 403, 474, 547, 621, 696, 772, 850, 930, 1011, 1094,
    1178, 1265, 1353, 1443, 1535, 1629, 1725, 1824, 1925, 2029, 2135, 2244, 2357, 2472, 2591, 2713,
    2839, 2969, 3103, 3242, 3386, 3535, 3690, 3850, 4017, 4192, 4374, 4564, 4764, 4974, 5196, 5430,
    5678, 5943, 6225, 6529, 6857, 7213, 7603, 8035, 8517, 9064, 9696, 10443, 11357, 12535, 14196, 17035,
    19874
};

/* With bit error rate p and frames of L + AD_OVH bytes, goodput is
 * L/(L+OVH) * (1-p)^(8(L+OVH)), largest where L(L+OVH) = OVH/(8p).  The
 * measured frame loss rate q at mean frame size F gives 8p = -ln(1-q)/F,
 * so L(L+24) = 24 F / -ln(1-q): the largest L with L(L+24) <= that, found
 * by counting down from chunk_max (a few hundred steps every AD_STEP
 * transmissions at most), no lower than AD_FLOOR.  32-bit arithmetic
 * only: F is at most a few KiB, so 24 * 4096 * F stays below 2^31. */
static uint16_t ad_choose(const slink_stream *s)
{
    uint32_t i = ((uint32_t)s->ad_lost * 64u + s->ad_n / 2u) / s->ad_n;
    uint32_t f = s->ad_bytes / s->ad_n, x;
    uint32_t l = s->chunk_max, lo = AD_FLOOR < l ? AD_FLOOR : l;
    if (i > 64u) i = 64u;
    if (NEG_LN_1MQ[i] == 0) return s->chunk_max;   /* no loss */
    x = AD_OVH * 4096u * f / NEG_LN_1MQ[i];
    while (l > lo && l * (l + AD_OVH) > x) l--;
    return (uint16_t)l;
}

/* The RTO floor follows the chunk size: a chunk and its ACK cross the
 * line, plus the owner's slack (rto_min_ms).  Without the line rate the
 * configured floor stands.  The RTO limits are then kept above the floor
 * (a no-op when it did not move). */
static void rto_floor(slink_stream *s)
{
    if (s->rto_byte_us != 0)
        s->rto_min = s->rto_fixed + 2u * ((uint32_t)s->tx_size + AD_OVH + 40u) * s->rto_byte_us / 1000u;
    if (s->rto_max < s->rto_min) s->rto_max = s->rto_min;
    if (s->rto < s->rto_min) s->rto = s->rto_min;
    if (s->rto_base < s->rto_min) s->rto_base = s->rto_min;
}

/* One transmission of n chunk bytes whose fate is known: lost (it had to be
 * repeated) or delivered (acknowledged).  Counting only settled ones keeps
 * the chunks still in flight from passing for a clean line. */
static void ad_count(slink_stream *s, size_t n, int lost)
{
    uint16_t l;
    if (!s->adapt) return;
    s->ad_n++;
    if (lost) s->ad_lost++;
    if (lost) s->ad_clean = 0;
    else if (s->ad_clean < UINT16_MAX) s->ad_clean++;
    s->ad_bytes += (uint32_t)n + AD_OVH;
    if (s->ad_n % AD_STEP != 0) return;
    l = ad_choose(s);
    if (l != s->tx_size) {
        s->tx_size = l;
        s->stats.chunk_resizes++;
        rto_floor(s);
    }
    if (s->ad_n >= AD_SPAN) {
        s->ad_n /= 2u;
        s->ad_lost /= 2u;
        s->ad_bytes /= 2u;
    }
}

/* This end has measured losses lately (the adaptation's decaying count):
 * the line-queue rules of next_chunk apply only then, so a clean or
 * faster-than-modelled transport (a pty) is never held to the model. */
static int lossy(const slink_stream *s)
{
    return s->adapt && s->ad_clean < LOSSY_SPAN;
}

/* A configured value if it is set (non-zero) and at most max, else def. */
static uint32_t pick(uint32_t v, uint32_t def, uint32_t max)
{
    return v != 0 && v <= max ? v : def;
}

static void set_config(slink_stream *s, const slink_stream_cfg *cfg)
{
    slink_stream_cfg none;   /* all zero: every default */
    if (cfg == NULL) {
        memset(&none, 0, sizeof none);
        cfg = &none;
    }
    s->chunk_max = (uint16_t)pick(cfg->chunk_max, SLINK_STREAM_CHUNK_MAX, SLINK_STREAM_CHUNK_MAX);
    s->window = (uint8_t)pick(cfg->window, SLINK_STREAM_WINDOW, SLINK_STREAM_WINDOW);
    s->rto_min = pick(cfg->rto_min_ms, 1u, SLINK_STREAM_MS_MAX);
    s->rto_max = pick(cfg->rto_max_ms, DEF_RTO_MAX_MS, SLINK_STREAM_MS_MAX);
    s->rto = pick(cfg->rto_initial_ms, DEF_RTO_INITIAL_MS, UINT32_MAX);   /* then within rto_max */
    s->max_tries = (uint8_t)pick(cfg->max_tries, DEF_MAX_TRIES, UINT8_MAX);
    s->give_up_ms = cfg->give_up_ms;
    /* at least one chunk */
    s->rx_cap = pick(cfg->rx_buf_bytes, (uint32_t)RXB, (uint32_t)RXB);
    if (s->rx_cap < s->chunk_max) s->rx_cap = s->chunk_max;
    s->ack_delay_ms = cfg->ack_delay_ms < SLINK_STREAM_MS_MAX ? cfg->ack_delay_ms : SLINK_STREAM_MS_MAX;
    s->adapt = cfg->adapt != 0;
    s->tx_size = (uint16_t)pick(s->adapt ? cfg->chunk_start : 0u, s->chunk_max, s->chunk_max);
    /* a session after a noisy handshake starts out lossy (next_chunk) */
    s->ad_clean = s->tx_size < s->chunk_max ? 0u : (uint16_t)LOSSY_SPAN;
    s->rto_fixed = s->rto_min;
    s->rto_byte_us = s->adapt ? cfg->rto_byte_us : 0u;
    /* rto within [rto_min, rto_max]; rto_floor raises all three to the
     * floor for the first chunk size */
    if (s->rto > s->rto_max) s->rto = s->rto_max;
    s->rto_base = s->rto;
    rto_floor(s);
    /* Both ends were configured with the same limits by the handshake; the
     * first ACK replaces this guess with the real receive window. */
    s->peer_wnd = s->window;
    s->adv_wnd = rx_wnd(s);
    s->rep_left = SLINK_STREAM_REPEATS_PER_ACK;   /* before the first ACK */
}

void slink_stream_init(slink_stream *s, const slink_stream_cfg *cfg)
{
    if (s == NULL) return;
    memset(s, 0, sizeof *s);
    set_config(s, cfg);
}

void slink_stream_restart(slink_stream *s, const slink_stream_cfg *cfg)
{
    size_t keep, off = offsetof(slink_stream, rx_buf);
    uint8_t *base = (uint8_t *)s;
    uint32_t ends[SLINK_STREAM_ENDS_MAX];
    uint8_t nends = 0, i;
    if (s == NULL) return;
    keep = s->rx_count;
    /* Ends inside the carried bytes stay; one at their very end is the old
     * session's, and the session's own end supersedes it. */
    for (i = 0; i < s->rx_end_count; i++)
        if (s->rx_end_at[i] < keep) ends[nends++] = s->rx_end_at[i];
    /* The unread bytes are at rx_buf[0..keep): everything after them goes. */
    slink_memzero(base, off);
    slink_memzero(base + off + keep, sizeof *s - off - keep);
    set_config(s, cfg);
    s->rx_count = keep;
    memcpy(s->rx_end_at, ends, nends * sizeof ends[0]);
    s->rx_end_count = nends;
    s->adv_wnd = rx_wnd(s);
}

void slink_stream_hold_rx(slink_stream *s, int hold)
{
    if (s == NULL) return;
    s->rx_hold = hold ? 1u : 0u;
    s->adv_wnd = rx_wnd(s);
}

void slink_stream_wipe(slink_stream *s)
{
    if (s != NULL) slink_memzero(s, sizeof *s);
}

/* ---- application side --------------------------------------------------- */

/* Fills the next free slot (the caller checked snd_filled < window) with
 * an empty chunk carrying flags, and returns it. */
static uint8_t new_chunk(slink_stream *s, uint8_t flags)
{
    uint8_t slot = tx_slot(s, s->snd_filled++);
    s->tx[slot].len = 0;
    s->tx[slot].tries = 0;
    s->tx[slot].sacked = 0;
    s->tx[slot].need = 0;
    s->tx[slot].flags = flags;
    return slot;
}

/* Requested ends take the next free slots, as empty chunks: they travel,
 * are retransmitted and acknowledged like data, so a boundary can neither
 * be lost nor overtaken by the next stream's bytes. */
static void place_ends(slink_stream *s)
{
    for (; s->end_pending > 0 && s->snd_filled < s->window; s->end_pending--)
        (void)new_chunk(s, SLINK_STREAM_TXF_END);
}

slink_err slink_stream_end(slink_stream *s)
{
    SLINK_CHECK(s != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(!s->close_requested, SLINK_ERR_STATE);
    SLINK_CHECK(s->end_pending < UINT8_MAX, SLINK_ERR_WOULD_BLOCK);
    s->end_pending++;
    s->stats.ends_sent++;
    place_ends(s);
    return SLINK_OK;
}

slink_err slink_stream_write(slink_stream *s, const uint8_t *p, size_t n, size_t *accepted)
{
    size_t done = 0;
    unsigned infl;

    SLINK_CHECK(s != NULL && accepted != NULL, SLINK_ERR_ARG);
    *accepted = 0;
    SLINK_CHECK(p != NULL || n == 0, SLINK_ERR_ARG);
    SLINK_CHECK(!s->close_requested, SLINK_ERR_STATE);
    if (n == 0) return SLINK_OK;
    place_ends(s);
    if (s->end_pending) return SLINK_ERR_WOULD_BLOCK;   /* the next stream waits for the end */
    infl = in_flight(s);
    while (done < n) {
        uint8_t slot;
        size_t room, take;
        if (s->snd_filled > infl &&
            s->tx[tx_slot(s, s->snd_filled - 1u)].len < s->tx_size &&
            !(s->tx[tx_slot(s, s->snd_filled - 1u)].flags & SLINK_STREAM_TXF_END)) {
            /* the newest chunk is unsent, hence not sealed: it may grow */
            slot = tx_slot(s, s->snd_filled - 1u);
        } else if (s->snd_filled < s->window) {
            slot = new_chunk(s, 0);
        } else {
            break;
        }
        room = (size_t)s->tx_size - s->tx[slot].len;
        take = n - done < room ? n - done : room;
        memcpy(&s->tx_chunk[slot][s->tx[slot].len], p + done, take);
        s->tx[slot].len = (uint16_t)(s->tx[slot].len + take);
        done += take;
    }
    s->stats.bytes_written += done;
    *accepted = done;
    return done > 0 ? SLINK_OK : SLINK_ERR_WOULD_BLOCK;
}

size_t slink_stream_readable(const slink_stream *s)
{
    return s != NULL ? s->rx_count : 0;
}

int slink_stream_all_acked(const slink_stream *s)
{
    return s != NULL && s->snd_filled == 0 && s->end_pending == 0;
}

/* ack_due: an ACK goes out now, or (delayed ACK) at ack_due_ms unless an
 * earlier reason sends it first.  The delay is the same for every chunk,
 * so a pending delayed ACK is never due later than a new one would be. */
#define ACK_LATER 1u
#define ACK_NOW   2u

static void ack_now(slink_stream *s)
{
    s->ack_due = ACK_NOW;
}

static void ack_later(slink_stream *s, uint32_t when)
{
    if (s->ack_due) return;
    s->ack_due = ACK_LATER;
    s->ack_due_ms = when;
}

slink_err slink_stream_read(slink_stream *s, uint8_t *p, size_t cap, size_t *got)
{
    size_t n;
    uint8_t w, i;

    SLINK_CHECK(s != NULL && got != NULL, SLINK_ERR_ARG);
    *got = 0;
    SLINK_CHECK(p != NULL || cap == 0, SLINK_ERR_ARG);
    n = s->rx_count;
    if (s->rx_end_count > 0) {
        /* Never past the current stream's end: the next stream's bytes
         * belong to another application connection. */
        size_t lim = s->rx_end_at[0];
        if (lim == 0) {
            s->rx_end_count--;
            memmove(s->rx_end_at, s->rx_end_at + 1, s->rx_end_count * sizeof s->rx_end_at[0]);
            s->stats.ends_received++;
            /* an end chunk refused for want of room may now be taken */
            ack_now(s);
            return SLINK_ERR_STREAM_END;
        }
        if (lim < n) n = lim;
    }
    if (n == 0) {
        if (s->peer_closed && s->rcv_nxt == s->peer_final) return SLINK_ERR_CLOSED;
        return SLINK_ERR_AGAIN;
    }
    if (cap < n) n = cap;
    memcpy(p, s->rx_buf, n);
    s->rx_count -= n;
    memmove(s->rx_buf, s->rx_buf + n, s->rx_count);
    for (i = 0; i < s->rx_end_count; i++) s->rx_end_at[i] -= (uint32_t)n;
    s->stats.bytes_delivered += n;
    *got = n;

    /* Window update: the sender stalls on a closed window until it hears
     * it open, so announce reopening at once; growth by half the largest
     * window is worth an ACK too, smaller growth rides on the next one. */
    w = rx_wnd(s);
    if (w > s->adv_wnd) {
        unsigned half = (rx_wnd_full(s) + 1u) / 2u;
        if (s->adv_wnd == 0 || (unsigned)(w - s->adv_wnd) >= half) ack_now(s);
    }
    return SLINK_OK;
}

/* ---- send side ------------------------------------------------------------ */

/* A serial line has no congestion to back off from: losses are noise, and
 * TCP's unbounded doubling only leaves the line idle (in the BER 1e-3 soak
 * it cut goodput from 7% to 1%).  Backoff still answers a peer that is
 * busy for a while (an MCU inside ECDSA, a half-duplex bus), but only up
 * to RTO_BACKOFF_CAP times the RTT-based RTO. */
#define RTO_BACKOFF_CAP 4u

static void rto_backoff(slink_stream *s)
{
    /* A peer that answers with a shut window is alive and only slow to
     * read: its probes back off all the way (persist timer). */
    uint32_t cap = s->peer_wnd == 0 || s->rto_base > s->rto_max / RTO_BACKOFF_CAP
                   ? s->rto_max : s->rto_base * RTO_BACKOFF_CAP;
    /* twice the RTO, at most cap (compared so that nothing overflows) */
    uint32_t r = s->rto > cap / 2u ? cap : 2u * s->rto;
    s->rto = r < s->rto_min ? s->rto_min : r;
}

/* A longer RTT sample counts as this long: 74 hours, beyond any RTO (at
 * most SLINK_STREAM_MS_MAX plus the airtime floor, below 2^28 - 2^17 ms),
 * so only an owner that left the timers unrun sees it; the estimate below
 * then never overflows 32 bits (srtt and rttvar stay at most 2^28, and
 * 7 srtt + r, 3 rttvar + delta, srtt + 4 rttvar below 2^31). */
#define RTT_SAMPLE_MAX (1u << 28)

/* RFC 6298 (2.2)-(2.4) with G = 1 ms; alpha 1/8, beta 1/4. */
static void rtt_sample(slink_stream *s, uint32_t r)
{
    uint32_t rto;
    if (r > RTT_SAMPLE_MAX) r = RTT_SAMPLE_MAX;
    if (!s->rtt_valid) {
        s->srtt = r;
        s->rttvar = r / 2u;
        s->rtt_valid = 1;
    } else {
        uint32_t delta = s->srtt > r ? s->srtt - r : r - s->srtt;
        s->rttvar = (3u * s->rttvar + delta) / 4u;
        s->srtt = (7u * s->srtt + r) / 8u;
    }
    rto = s->srtt + (s->rttvar != 0 ? 4u * s->rttvar : 1u);
    if (rto < s->rto_min) rto = s->rto_min;
    if (rto > s->rto_max) rto = s->rto_max;
    s->rto = rto;
    s->rto_base = rto;
}

/* Every in-flight chunk older than the RTO is due again: on a noisy line
 * several chunks of one window die together, and resending only the oldest
 * per timeout (RFC 6298's single timer) leaves the line idle.  Nothing
 * fires while a retransmission still waits to go out, and the RTO backs
 * off once per expiry round, not per chunk. */
static slink_err run_timers(slink_stream *s, uint64_t now_ms)
{
    unsigned infl = in_flight(s), off, expired = 0;
    uint32_t now = (uint32_t)now_ms;
    uint8_t slot;

    for (off = 0; off < infl; off++) {
        slot = tx_slot(s, off);
        if (s->tx[slot].sacked) continue;
        if (s->tx[slot].need) return SLINK_OK;
    }
    for (off = 0; off < infl; off++) {
        slot = tx_slot(s, off);
        if (s->tx[slot].sacked || before(now, rto_at(s, slot))) continue;
        /* the chunk's age: exact up to 2^32 ms */
        if (s->tx[slot].tries >= s->max_tries &&
            (s->give_up_ms == 0 || now - s->tx[slot].first_ms >= s->give_up_ms))
            return SLINK_ERR_RETRANSMIT_LIMIT;
        s->tx[slot].need = 1;
        expired++;
    }
    if (expired > 0) rto_backoff(s);
    return SLINK_OK;
}

static int probe_pending(const slink_stream *s)
{
    return s->peer_wnd == 0 && in_flight(s) == 0 && s->snd_filled > 0;
}

/* Transmit pacing: the next new chunk is the newest one and not full, so
 * a write made before tx_hold_ms can still join it.  A full chunk cannot
 * grow (waiting would only idle the line), and after close nothing more
 * will be written. */
static int partial_held(const slink_stream *s)
{
    unsigned infl = in_flight(s);
    return s->tx_hold_ms != 0 && infl + 1u == s->snd_filled && !s->close_requested &&
           s->tx[tx_slot(s, infl)].len < s->tx_size &&
           !(s->tx[tx_slot(s, infl)].flags & SLINK_STREAM_TXF_END) && s->end_pending == 0;
}

/* A lossy line keeps its transmit queue to one frame: a new chunk waits
 * until the owner's line is that close to idle, so a chunk found lost
 * goes out next instead of behind a window of new chunks, and its own
 * loss is found by the new chunk sent after it (at BER 1e-3, goodput 0.17
 * of the line without this, 0.32 with it). */
static int queue_held(const slink_stream *s)
{
    return s->line_ready_ms != 0 && lossy(s) && !s->line_fast;
}

/* Repeats on an idle line (repeat_candidate) are clocked by ACKs: each ACK
 * that arrives allows a few, and a receiver that is saturated (its receive
 * ring overruns: losses, yet no ACKs) or gone gets none, so the chunks wait
 * for their RTO with its backoff instead of keeping the line full of
 * copies it cannot take.  How many: enough that on the measured loss about
 * SLINK_STREAM_REPEATS_PER_ACK (2) of them are answered, i.e. 2/d^2 with d
 * the fraction of transmissions delivered (a repeat is answered only if it
 * and its ACK both get through), at most SLINK_STREAM_REPEATS_MAX.  A
 * fixed 2 ran dry on a noisy line: at BER 1e-3 (d = 0.57) a repeat is
 * answered with probability 0.44, the 2 went unanswered after 31 % of the
 * ACKs, and the window then idled on the RTO (42 ms floor, doubling, for
 * 6 ms frames): 3-5 % of the line over seeds 1-10.  2/d^2 gives 7 there
 * (the clock runs dry after 2 % of the ACKs), 3 at BER 1e-4 and 2 on a
 * clean line. */
static unsigned repeats_per_ack(const slink_stream *s)
{
    /* smallest k with k (delivered/n)^2 >= 2; n <= AD_SPAN + AD_STEP */
    uint32_t n = s->ad_n, d = (uint32_t)(s->ad_n - s->ad_lost), k = SLINK_STREAM_REPEATS_PER_ACK;
    while (k < SLINK_STREAM_REPEATS_MAX && k * d * d < SLINK_STREAM_REPEATS_PER_ACK * n * n) k++;
    return k;
}

static int repeats_on(const slink_stream *s)
{
    unsigned infl = in_flight(s);
    return queue_held(s) && infl > 0 && infl >= send_limit(s) && s->peer_wnd != 0 &&
           s->rep_left > 0;
}

/* Only chunks the peer's window covers: one beyond it would be refused,
 * and a slow reader would be flooded with copies it cannot take. */
static int repeatable(const slink_stream *s, unsigned off)
{
    return off < s->peer_wnd && !s->tx[tx_slot(s, off)].sacked;
}

/* The window is used up on a lossy line and the line is about to idle:
 * the unacknowledged chunk whose last transmission left the line longest
 * ago goes again (it may be lost; if not, the copy costs only time the line
 * would have idled, and its duplicate ACK repeats what a lost ACK said).
 * Returns its offset, or in_flight when none is due. */
static unsigned repeat_candidate(const slink_stream *s, uint64_t now_ms)
{
    unsigned infl = in_flight(s), off, best = infl;
    if (!repeats_on(s) || now_ms < s->line_ready_ms) return infl;
    for (off = 0; off < infl; off++) {
        uint8_t slot = tx_slot(s, off);
        if (!repeatable(s, off) || before((uint32_t)now_ms, tx_done(s, slot))) continue;
        if (best == infl || (int32_t)(s->tx[slot].order - s->tx[tx_slot(s, best)].order) < 0) best = off;
    }
    return best;
}

/* Which transmission goes next, by priority: a chunk due again (timeout,
 * fast retransmit, window reopened), the next new chunk, a repeat on an
 * idle line.  Returns its offset from snd_una (in_flight for the new
 * chunk), or -1 when nothing is due. */
static int next_offset(const slink_stream *s, uint64_t now_ms)
{
    unsigned infl = in_flight(s), off;
    for (off = 0; off < infl; off++)
        if (s->tx[tx_slot(s, off)].need && !s->tx[tx_slot(s, off)].sacked) return (int)off;
    if (infl < s->snd_filled &&
        ((infl < send_limit(s) && !(partial_held(s) && now_ms < s->tx_hold_ms) &&
          !(queue_held(s) && now_ms < s->line_ready_ms)) ||
         (probe_pending(s) && now_ms >= add_sat(s->last_ack_ms, s->rto))))
        return (int)infl;
    off = repeat_candidate(s, now_ms);
    return off < infl ? (int)off : -1;
}

slink_err slink_stream_next_chunk(slink_stream *s, uint64_t now_ms,
                                  uint8_t *pt, size_t cap, size_t *len)
{
    int o;
    unsigned off;
    slink_stream_tx *t;
    uint8_t why;

    SLINK_CHECK(s != NULL && pt != NULL && len != NULL, SLINK_ERR_ARG);
    *len = 0;
    s->dep_pending = 0;
    SLINK_TRY(run_timers(s, now_ms));
    place_ends(s);
    o = next_offset(s, now_ms);
    if (o < 0) return SLINK_ERR_AGAIN;
    off = (unsigned)o;
    t = &s->tx[tx_slot(s, off)];
    why = t->need;   /* 0 for a new chunk and for a repeat */
    SLINK_CHECK(cap >= t->len + 1u, SLINK_ERR_BUFFER);
    pt[0] = (uint8_t)(s->snd_una + off);
    memcpy(pt + 1, s->tx_chunk[tx_slot(s, off)], t->len);
    *len = t->len + 1u;
    t->sent_ms = (uint32_t)now_ms;
    t->wait = 0;
    if (t->tries == 0) t->first_ms = (uint32_t)now_ms;
    t->order = ++s->send_seq;
    s->dep_pending = 1;
    s->dep_chunk = pt[0];
    if (off == in_flight(s)) {
        /* Sending seals the chunk: a later write starts the next one. */
        t->tries = 1;   /* its first try: a chunk not yet sent has none */
        s->snd_nxt++;
        s->stats.chunks_sent++;
        return SLINK_OK;
    }
    t->flags |= SLINK_STREAM_TXF_RETX;
    s->stats.retransmits++;
    if (why == 0) {
        /* A repeat is not a try: its loss is not known, and the line was idle. */
        s->stats.idle_repeats++;
        s->rep_left--;
        return SLINK_OK;
    }
    t->need = 0;
    if (t->tries < UINT8_MAX) t->tries++;
    /* why 3: the window reopened over a refused chunk, not a loss */
    if (why != 3u && s->peer_wnd != 0) ad_count(s, t->len, 1);
    if (why == 2) s->stats.fast_retransmits++;
    return SLINK_OK;
}

void slink_stream_departed(slink_stream *s, uint64_t until_ms)
{
    unsigned off;
    uint8_t slot;
    uint32_t w;
    if (s == NULL || !s->dep_pending) return;
    s->dep_pending = 0;
    off = (uint8_t)(s->dep_chunk - s->snd_una);
    if (off >= in_flight(s)) return;
    slot = tx_slot(s, off);
    w = (uint32_t)until_ms - s->tx[slot].sent_ms;
    if ((int32_t)w <= 0 || !queue_held(s)) return;
    s->tx[slot].wait = (uint16_t)(w > UINT16_MAX ? UINT16_MAX : w);
}

/* What an ACK's settled transmissions tell: the newest of them by send
 * order (and whether it was a retransmission), and the latest-sent first
 * transmission among them, the RTT sample candidate. */
typedef struct {
    uint32_t newest;
    int newest_retx, have_sample;
    uint32_t sample_sent, sample_done;
} ack_scan;

/* A transmission the ACK settles (cumulatively or by SACK) for the first
 * time: noted for the RTT sample and counted as delivered. */
static void settle(slink_stream *s, uint8_t slot, ack_scan *k)
{
    int retx = s->tx[slot].tries != 1 || (s->tx[slot].flags & SLINK_STREAM_TXF_RETX) != 0;
    if (k->newest == 0 || (int32_t)(s->tx[slot].order - k->newest) > 0) {
        k->newest = s->tx[slot].order;
        k->newest_retx = retx;
    }
    if (!retx && (!k->have_sample || before(k->sample_sent, s->tx[slot].sent_ms))) {
        k->sample_sent = s->tx[slot].sent_ms;
        k->sample_done = tx_done(s, slot);
        k->have_sample = 1;
    }
    ad_count(s, s->tx[slot].len, 0);
}

slink_err slink_stream_on_ack(slink_stream *s, const slink_ack *a, uint64_t now_ms)
{
    unsigned infl, off, acked;
    uint32_t later = 0, now = (uint32_t)now_ms;
    int have_later = 0;
    ack_scan k;

    SLINK_CHECK(s != NULL && a != NULL, SLINK_ERR_ARG);
    infl = in_flight(s);
    acked = (uint8_t)(a->cum - s->snd_una);
    /* Older than snd_una (reordered) or beyond anything sent: ignore. */
    SLINK_CHECK(acked <= infl, SLINK_ERR_STREAM_WINDOW);
    s->last_ack_ms = now_ms;
    memset(&k, 0, sizeof k);

    /* Chunks before cum are acknowledged; SACK bit i is chunk cum+1+i,
     * i.e. offset acked+1+i (bits past snd_nxt are meaningless, hostile
     * or stale, and ignored). */
    for (off = 0; off < infl; off++) {
        uint8_t slot = tx_slot(s, off);
        unsigned bit = off - acked - 1u;   /* wraps (ignored) for off <= acked */
        if (off >= acked && !(bit < 16u && ((a->sack >> bit) & 1u))) continue;
        if (!s->tx[slot].sacked) settle(s, slot, &k);
        if (off < acked) {
            s->stats.bytes_acked += s->tx[slot].len;
            s->tx[slot].len = 0;
        } else {
            s->tx[slot].sacked = 1;
            s->tx[slot].need = 0;
        }
    }
    s->tx_head = tx_slot(s, acked);
    s->snd_una = a->cum;
    s->snd_filled = (uint8_t)(s->snd_filled - acked);
    infl -= acked;

    /* Karn, extended: when the newest transmission this ACK settles is a
     * retransmission, the ACK answers it, and the first transmissions it
     * also settles had their own ACK lost: timing them would add the
     * recovery time to the RTT (at BER 1e-3, with a quarter of the ACKs
     * lost, SRTT 73 ms and RTTVAR 83 ms for 6 ms frames, an RTO of 400 ms). */
    /* Timed from when the frame left the line; an ACK before that means
     * the transport is faster than the owner's model (a pty), and the
     * hand-out time is the better start. */
    if (k.have_sample && !k.newest_retx && !before(now, k.sample_sent))
        rtt_sample(s, now - (before(now, k.sample_done) ? k.sample_sent : k.sample_done));
    /* ... and the owner's model of its line runs behind it: the queue
     * rules would only hold chunks back for a drain that already happened
     * (the model can be seconds ahead after a backlog or a port loss). */
    if (k.have_sample && before(now, k.sample_done)) s->line_fast = 1;

    s->peer_wnd = a->wnd < s->window ? a->wnd : s->window;
    /* Newest first, so that `later` is the newest SACKed transmission of
     * the chunks after this one. */
    for (off = infl; off-- > 0;) {
        uint8_t slot = tx_slot(s, off);
        if (s->tx[slot].sacked) {
            if (!have_later || (int32_t)(s->tx[slot].order - later) > 0) later = s->tx[slot].order;
            have_later = 1;
            continue;
        }
        if (off >= s->peer_wnd) {
            /* The peer is alive but has no room: not a loss, so the try
             * count restarts (persist, not give up), and the chunk goes
             * again as soon as the window covers it. */
            s->tx[slot].flags |= SLINK_STREAM_TXF_REFUSED | SLINK_STREAM_TXF_RETX;
            s->tx[slot].tries = 1;
            s->tx[slot].first_ms = now;
        } else if (s->tx[slot].flags & SLINK_STREAM_TXF_REFUSED) {
            s->tx[slot].flags = (uint8_t)(s->tx[slot].flags & ~SLINK_STREAM_TXF_REFUSED);
            if (!s->tx[slot].need) s->tx[slot].need = 3;
        }
        /* Fast retransmit: a later chunk whose last transmission followed
         * this chunk's last one arrived, so this transmission is lost (a
         * serial line does not reorder; TCP waits for 3 such SACKs because
         * IP does; one instead of two here: goodput 0.600 -> 0.649 at BER
         * 1e-4).  Counting only chunks sent after it keeps SACKs of older
         * sends from repeating a retransmission in flight. */
        if (!s->tx[slot].need && have_later && (int32_t)(later - s->tx[slot].order) > 0)
            s->tx[slot].need = 2;
    }

    /* The allowance follows the loss measured with this ACK counted, and is
     * fixed until the next ACK: timeouts meanwhile raise the measured loss
     * but must not buy a silent peer more repeats. */
    s->rep_left = (uint8_t)repeats_per_ack(s);
    place_ends(s);   /* slots freed: a waiting end goes in */
    if ((a->flags & SLINK_ACK_F_CLOSE) && s->close_requested && s->snd_filled == 0)
        s->close_acked = 1;
    return SLINK_OK;
}

/* ---- receive side --------------------------------------------------------- */

static void rx_push(slink_stream *s, const uint8_t *p, size_t n)
{
    memcpy(s->rx_buf + s->rx_count, p, n);
    s->rx_count += n;
}

/* An empty chunk is the end of the peer's application stream: its place is
 * after every byte delivered so far (room checked by rx_room). */
static void rx_take(slink_stream *s, const uint8_t *p, size_t n)
{
    if (n > 0) {
        rx_push(s, p, n);
    } else if (s->rx_end_count < SLINK_STREAM_ENDS_MAX) {
        s->rx_end_at[s->rx_end_count++] = (uint32_t)s->rx_count;
    }
}

/* Deliver the in-order chunk, then every held chunk that now follows it.
 * Returns how many held chunks were drained. */
static unsigned deliver(slink_stream *s, const uint8_t *p, size_t n)
{
    unsigned drained = 0;
    rx_take(s, p, n);
    for (;;) {
        unsigned next_held = s->ooo_present & 1u;
        uint8_t slot = s->ooo_head;
        s->rcv_nxt++;
        s->ooo_present = (uint16_t)(s->ooo_present >> 1);
        s->ooo_head = (uint8_t)((s->ooo_head + 1u) % OOO_SLOTS);
        if (!next_held) break;
        rx_take(s, s->ooo[slot], s->ooo_len[slot]);
        slink_memzero(s->ooo[slot], s->ooo_len[slot]);
        s->ooo_len[slot] = 0;
        drained++;
    }
    return drained;
}

/* Room rule (docs/stream-design.md): an out-of-order chunk at offset d is
 * taken only if every position up to the furthest held one could be a full
 * chunk in the free space, so the gap-filling chunk and all it releases
 * always fit later. */
static int rx_room(const slink_stream *s, unsigned d, size_t n)
{
    size_t free_b = rx_free(s), held = 0;
    unsigned i, top = d, ends = s->rx_end_count;
    if (s->rx_hold) return 0;   /* even an empty chunk: it would end a stream */
    for (i = 0; i + 1u < s->window; i++) {
        if (!((s->ooo_present >> i) & 1u)) continue;
        held += s->ooo_len[ooo_slot(s, i)];
        if (s->ooo_len[ooo_slot(s, i)] == 0) ends++;
        if (i + 1u > top) top = i + 1u;
    }
    /* Every end held or taken needs a boundary slot once delivered. */
    if (n == 0 && ends >= SLINK_STREAM_ENDS_MAX) return 0;
    if (d == 0) return free_b >= n + held;
    return free_b / s->chunk_max >= (size_t)top + 1u;
}

slink_err slink_stream_on_chunk(slink_stream *s, const uint8_t *pt, size_t len, uint64_t now_ms)
{
    size_t n;
    unsigned d;

    SLINK_CHECK(s != NULL && (pt != NULL || len == 0), SLINK_ERR_ARG);
    /* len 1: an empty chunk, the end of an application stream (§3.6.1) */
    SLINK_CHECK(len >= 1u, SLINK_ERR_REC_MALFORMED);
    n = len - 1u;
    SLINK_CHECK(n <= s->chunk_max, SLINK_ERR_REC_MALFORMED);
    d = (uint8_t)(pt[0] - s->rcv_nxt);
    if (d >= 256u - s->window) {
        /* Our ACK for it was lost: say again what we have. */
        s->stats.duplicates++;
        ack_now(s);
        return SLINK_ERR_STREAM_DUP;
    }
    if (d >= s->window ||
        (s->peer_closed && d >= (uint8_t)(s->peer_final - s->rcv_nxt))) {
        s->stats.out_of_window++;
        return SLINK_ERR_STREAM_WINDOW;
    }
    if (d > 0 && ((s->ooo_present >> (d - 1u)) & 1u)) {
        s->stats.duplicates++;
        ack_now(s);
        return SLINK_ERR_STREAM_DUP;
    }
    if (!rx_room(s, d, n)) {
        /* Not acknowledged, so the sender keeps it; the ACK repeats our
         * (closed) window so the sender stops probing too fast. */
        ack_now(s);
        return SLINK_ERR_WOULD_BLOCK;
    }
    s->stats.chunks_received++;
    if (d > 0) {
        uint8_t slot = ooo_slot(s, d - 1u);
        memcpy(s->ooo[slot], pt + 1, n);
        s->ooo_len[slot] = (uint16_t)n;
        s->ooo_present = (uint16_t)(s->ooo_present | (1u << (d - 1u)));
        ack_now(s);   /* the SACK tells the sender about the hole */
        return SLINK_OK;
    }
    if (s->unacked_rx < UINT8_MAX) s->unacked_rx++;
    if (deliver(s, pt + 1, n) > 0 || s->unacked_rx >= 2u || s->ack_delay_ms == 0)
        ack_now(s);
    else
        ack_later(s, (uint32_t)now_ms + s->ack_delay_ms);
    return SLINK_OK;
}

void slink_stream_fill_ack(slink_stream *s, slink_ack *a)
{
    if (s == NULL || a == NULL) return;
    a->cum = s->rcv_nxt;
    a->sack = s->ooo_present;
    a->wnd = rx_wnd(s);
    a->flags = s->peer_closed ? (uint8_t)SLINK_ACK_F_CLOSE : 0u;
    s->adv_wnd = a->wnd;
}

int slink_stream_ack_needed(const slink_stream *s, uint64_t now_ms)
{
    return s != NULL && (s->ack_due == ACK_NOW ||
                         (s->ack_due == ACK_LATER && !before((uint32_t)now_ms, s->ack_due_ms)));
}

void slink_stream_ack_sent(slink_stream *s)
{
    if (s == NULL) return;
    s->ack_due = 0;
    s->unacked_rx = 0;
}

/* ---- close ---------------------------------------------------------------- */

void slink_stream_close(slink_stream *s)
{
    if (s != NULL) s->close_requested = 1;
}

slink_err slink_stream_on_close(slink_stream *s, uint8_t final_chunk)
{
    unsigned f;

    SLINK_CHECK(s != NULL, SLINK_ERR_ARG);
    if (s->peer_closed) {
        SLINK_CHECK(final_chunk == s->peer_final, SLINK_ERR_STREAM_WINDOW);
        ack_now(s);   /* our ACK with the close flag was lost */
        return SLINK_OK;
    }
    /* The final chunk number cannot lie behind what we already took, nor
     * beyond the window, nor before a chunk we hold. */
    f = (uint8_t)(final_chunk - s->rcv_nxt);
    SLINK_CHECK(f <= s->window, SLINK_ERR_STREAM_WINDOW);
    /* ooo_present bit i is offset i+1 from rcv_nxt: none at f or beyond */
    SLINK_CHECK((((uint32_t)s->ooo_present << 1) >> f) == 0, SLINK_ERR_STREAM_WINDOW);
    s->peer_closed = 1;
    s->peer_final = final_chunk;
    ack_now(s);
    return SLINK_OK;
}

/* ---- timers --------------------------------------------------------------- */

/* A 32-bit time of the stream as the owner's 64-bit time: the stream's
 * times lie within 2^31 ms of now (include/slink/stream.h). */
static uint64_t whole_ms(uint64_t now_ms, uint32_t t)
{
    return now_ms + (uint64_t)(int64_t)(int32_t)(t - (uint32_t)now_ms);
}

/* *t becomes at, if that is sooner. */
static void sooner(uint64_t *t, uint64_t at)
{
    if (at < *t) *t = at;
}

uint64_t slink_stream_next_timer(const slink_stream *s, uint64_t now_ms)
{
    uint64_t t = UINT64_MAX;
    unsigned infl, off;

    if (s == NULL) return t;
    if (s->ack_due) t = s->ack_due == ACK_NOW ? now_ms : whole_ms(now_ms, s->ack_due_ms);
    infl = in_flight(s);
    for (off = 0; off < infl; off++) {
        uint8_t slot = tx_slot(s, off);
        uint64_t done = whole_ms(now_ms, tx_done(s, slot));
        if (s->tx[slot].sacked) continue;
        if (s->tx[slot].need) return now_ms;
        sooner(&t, done + s->rto);
        /* a repeat on an idle line (repeat_candidate) */
        if (repeats_on(s) && repeatable(s, off))
            sooner(&t, done > s->line_ready_ms ? done : s->line_ready_ms);
    }
    if (infl < s->snd_filled) {
        if (infl < send_limit(s)) {
            uint64_t r = partial_held(s) ? s->tx_hold_ms : 0u;
            if (queue_held(s) && s->line_ready_ms > r) r = s->line_ready_ms;
            sooner(&t, r);
        }
        if (probe_pending(s)) sooner(&t, add_sat(s->last_ack_ms, s->rto));
    }
    return t;
}

slink_err slink_stream_poll(slink_stream *s, uint64_t now_ms)
{
    SLINK_CHECK(s != NULL, SLINK_ERR_ARG);
    return run_timers(s, now_ms);
}

/* Fuzz target: one stream endpoint driven by an operation script.
 *   byte 0: chunk_max (1..64, small so the room rules are reached)
 *   byte 1: window (1..SLINK_STREAM_WINDOW)
 *   then ops: op(1) and its arguments; time only moves forward.  op % 9
 *   picks the operation; op 8 jumps to the next timer, and the other bytes
 *   that are 8 mod 9 (17, 26, ...) set a transmit-pacing hold instead.
 * Invariants are checked with abort() after every op. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "slink/stream.h"

static slink_stream S;

typedef struct {
    const uint8_t *p;
    size_t n;
} cursor;

static int get(cursor *c, uint8_t *b)
{
    if (c->n == 0) return 0;
    *b = *c->p++;
    c->n--;
    return 1;
}

static size_t held_bytes(const slink_stream *s)
{
    size_t h = 0;
    for (unsigned i = 0; i < 16u; i++)
        if ((s->ooo_present >> i) & 1u) h += s->ooo_len[(s->ooo_head + i) % SLINK_STREAM_OOO_SLOTS];
    return h;
}

static void check(const slink_stream *s, uint64_t accepted, uint64_t delivered)
{
    unsigned infl = (uint8_t)(s->snd_nxt - s->snd_una);
    if (s->rx_count > SLINK_STREAM_RX_BUF) abort();
    if (s->window < 1 || s->window > SLINK_STREAM_WINDOW) abort();
    if (s->snd_filled > s->window || infl > s->snd_filled) abort();
    if (s->peer_wnd > s->window) abort();
    if (s->window > 1 && (s->ooo_present >> (s->window - 1u)) != 0) abort();
    if (s->window == 1 && s->ooo_present != 0) abort();
    if (s->rto < s->rto_min || s->rto > s->rto_max) abort();
    /* every byte taken in is either read, buffered, or held out of order */
    if (delivered + s->rx_count + held_bytes(s) != accepted) abort();
    if (s->stats.bytes_delivered != delivered) abort();
    /* held out-of-order data always fits once the gap is filled */
    if (s->ooo_present != 0) {
        unsigned top = 0;
        for (unsigned i = 0; i < 16u; i++)
            if ((s->ooo_present >> i) & 1u) top = i + 1u;
        if ((SLINK_STREAM_RX_BUF - s->rx_count) / s->chunk_max < top + 1u) abort();
    }
    for (unsigned o = 0; o < s->snd_filled; o++)
        if (s->tx[(s->tx_head + o) % SLINK_STREAM_WINDOW].len > s->chunk_max) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor c = { data, size };
    slink_stream_cfg cfg;
    uint8_t b = 0, buf[SLINK_REC_PLAINTEXT_MAX + 2];
    /* time starts 2 s before 2^32 ms: the stream's 32-bit times
     * (include/slink/stream.h) wrap early in a run */
    uint64_t now = (1ull << 32) - 2000u, accepted = 0, delivered = 0, written = 0;

    memset(&cfg, 0, sizeof cfg);
    if (!get(&c, &b)) return 0;
    cfg.chunk_max = (uint16_t)(1u + b % 64u);
    if (!get(&c, &b)) return 0;
    cfg.window = (uint8_t)(1u + b % SLINK_STREAM_WINDOW);
    /* high bit: the adaptive chunk size, starting small (a lossy line), so
     * the lossy-line rules (line_ready_ms, departures, repeats) apply */
    cfg.adapt = (b & 0x80u) != 0;
    cfg.chunk_start = 1;
    cfg.rto_initial_ms = 100;
    cfg.rto_min_ms = 10;
    cfg.rto_max_ms = 1000;
    cfg.max_tries = 5;
    cfg.ack_delay_ms = 5;
    slink_stream_init(&S, &cfg);

    while (get(&c, &b)) {
        uint8_t a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0;
        size_t n = 0, got = 0, len = 0;
        slink_err e;
        switch (b % 9u) {
        case 0: {           /* chunk arrival: number, length, bytes */
            if (!get(&c, &a1) || !get(&c, &a2)) break;
            len = a2 % (cfg.chunk_max + 3u);
            buf[0] = a1;
            for (size_t i = 1; i < len; i++) buf[i] = get(&c, &a3) ? a3 : 0;
            e = slink_stream_on_chunk(&S, buf, len, now);
            if (e == SLINK_OK) accepted += len - 1u;
            else if (len >= 2u && len - 1u <= S.chunk_max && e == SLINK_ERR_REC_MALFORMED) abort();
            break;
        }
        case 1: {           /* ACK with arbitrary fields */
            slink_ack a;
            memset(&a, 0, sizeof a);
            if (!get(&c, &a1) || !get(&c, &a2) || !get(&c, &a3) || !get(&c, &a4) || !get(&c, &a5))
                break;
            a.cum = a1;
            a.sack = (uint16_t)(a2 << 8 | a3);
            a.wnd = a4;
            a.flags = a5 & 1u;
            (void)slink_stream_on_ack(&S, &a, now);
            break;
        }
        case 2:             /* read */
            if (!get(&c, &a1)) break;
            e = slink_stream_read(&S, buf, a1, &got);
            if (got > a1) abort();
            if (e == SLINK_ERR_CLOSED && (S.rx_count != 0 || !S.peer_closed)) abort();
            delivered += got;
            break;
        case 3:             /* write */
            if (!get(&c, &a1)) break;
            memset(buf, 0xC3, a1);
            e = slink_stream_write(&S, buf, a1, &n);
            if (n > a1) abort();
            written += n;
            if (S.stats.bytes_written != written) abort();
            break;
        case 4:             /* time step */
            if (!get(&c, &a1)) break;
            now += (uint64_t)a1 * (a1 > 200u ? 50u : 1u);
            (void)slink_stream_poll(&S, now);
            break;
        case 5: {           /* transmit; the owner's line says when it left */
            uint32_t reps = S.stats.idle_repeats;
            e = slink_stream_next_chunk(&S, now, buf, sizeof buf, &len);
            if (e == SLINK_OK) {
                unsigned off = (uint8_t)(buf[0] - S.snd_una);
                if (len < 2u || len - 1u > S.chunk_max) abort();
                if (off >= S.window) abort();
                /* a repeat: in flight, not SACKed, inside the peer's window */
                if (S.stats.idle_repeats != reps &&
                    (off >= (uint8_t)(S.snd_nxt - S.snd_una) || off >= S.peer_wnd ||
                     S.tx[(S.tx_head + off) % SLINK_STREAM_WINDOW].sacked))
                    abort();
                slink_stream_departed(&S, now + (len & 31u));
            }
            break;
        }
        case 6: {           /* send an ACK */
            slink_ack a;
            memset(&a, 0, sizeof a);
            (void)slink_stream_ack_needed(&S, now);
            slink_stream_fill_ack(&S, &a);
            if (a.cum != S.rcv_nxt || a.wnd > S.window) abort();
            slink_stream_ack_sent(&S);
            break;
        }
        case 7:             /* close, or the peer's close_notify */
            if (!get(&c, &a1)) break;
            if (a1 & 0x80u) slink_stream_close(&S);
            else (void)slink_stream_on_close(&S, (uint8_t)(S.rcv_nxt + (a1 & 0x1Fu) - 8u));
            break;
        default: {
            if (b >= 9u && (b & 1u)) {
                /* the owner's transmit pacing: hold a new partial chunk
                 * until a little later (op bytes 17, 35, ... 251) */
                S.tx_hold_ms = now + b;
                break;
            }
            if (b >= 9u) {
                /* the owner's line model: one frame left to send at
                 * (op bytes 26, 44, ... 242) */
                S.line_ready_ms = now + b / 8u;
                break;
            }
            uint64_t t = slink_stream_next_timer(&S, now);
            if (t != UINT64_MAX && t > now) now = t;
            /* whatever the timer says is due now, next_chunk or an ACK
             * does (a mismatch would spin the owner's loop) */
            if (t <= now && !slink_stream_ack_needed(&S, now) &&
                slink_stream_next_chunk(&S, now, buf, sizeof buf, &len) == SLINK_ERR_AGAIN)
                abort();
            break;
        }
        }
        check(&S, accepted, delivered);
    }
    slink_stream_wipe(&S);
    return 0;
}

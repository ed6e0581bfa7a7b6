/* Stream mode: reliable, ordered, flow-controlled bytes carried in STREAM
 * records; selective repeat with 8-bit chunk numbers, cumulative + SACK
 * acknowledgements and a receive window (docs/PROTOCOL.md §3.6).  Pure
 * protocol logic: it never sees keys or frames; the connection seals what it
 * produces and feeds it what records carry.  A retransmitted chunk goes out
 * in a new record (new sequence number) because the connection seals it
 * again. */
#ifndef SLINK_STREAM_H
#define SLINK_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "slink/config.h"
#include "slink/err.h"
#include "slink/wire.h"

typedef struct {
    uint32_t chunks_sent;        /* first transmissions */
    uint32_t retransmits;
    uint32_t fast_retransmits;   /* triggered by SACK holes */
    uint32_t chunks_received;    /* accepted (in-order or buffered) */
    uint32_t duplicates;
    uint32_t out_of_window;
    uint64_t bytes_written;      /* accepted from the application */
    uint64_t bytes_acked;
    uint64_t bytes_delivered;    /* handed to the application */
    uint32_t ends_sent;          /* application streams we ended (end chunks queued) */
    uint32_t ends_received;      /* the peer's stream ends handed to the application */
    uint32_t chunk_resizes;      /* changes of the adaptive chunk size */
    uint32_t idle_repeats;       /* repeats of unacknowledged chunks on an idle line (§3.6) */
} slink_stream_stats;

/* Repeats of unacknowledged chunks on an idle line (§3.6) each ACK that
 * arrives allows: as many as it takes, at the measured loss, for about
 * SLINK_STREAM_REPEATS_PER_ACK of them to be answered (2 on a clean line),
 * at most SLINK_STREAM_REPEATS_MAX; none are left once the peer stops
 * acknowledging. */
#define SLINK_STREAM_REPEATS_PER_ACK 2u
#define SLINK_STREAM_REPEATS_MAX 8u

/* tx_flags bits */
/* Out-of-order chunks held: rcv_nxt+1 .. rcv_nxt+W-1, so W-1 of them (one
 * slot for a window of 1, which never uses it). */
#define SLINK_STREAM_OOO_SLOTS (SLINK_STREAM_WINDOW > 1 ? SLINK_STREAM_WINDOW - 1 : 1)

#define SLINK_STREAM_TXF_RETX    0x02u  /* sent more than once: no RTT sample (Karn) */
#define SLINK_STREAM_TXF_REFUSED 0x04u  /* peer's window excluded it: resend when it opens */
#define SLINK_STREAM_TXF_END     0x08u  /* end-of-stream marker (empty chunk, §3.6.1) */

/* Stream ends received but not yet read by the application: an end chunk
 * beyond this is not taken (not acknowledged), so the sender keeps it. */
#define SLINK_STREAM_ENDS_MAX 4u

/* Times.  The API takes the owner's 64-bit milliseconds; the times the
 * stream keeps for its own timers (each chunk's last transmission and
 * first try, the delayed ACK) are only their low 32 bits, compared modulo
 * 2^32 (a is before b when (int32_t)(a - b) < 0), because on a 32-bit MCU
 * every 64-bit compare or sum costs several instructions and registers.
 * That is exact while the two times lie less than 2^31 ms (24.8 days)
 * apart, and every such timer is far shorter: the RTO (at most rto_max_ms,
 * or the floor rto_byte_us sets, both below 2^28 ms with the limit below)
 * plus at most 65 s of departure wait, and the ACK delay.  A chunk's age,
 * for give_up_ms, is an unsigned difference: exact up to 2^32 ms.  All
 * this asks of the owner is to run the timers (poll or next_chunk) when
 * slink_stream_next_timer says, give or take 24 days.  The times that can
 * lie unused for any length of time stay 64-bit: the last ACK (the window
 * probe counts from it) and the owner's pacing hold and line model.
 * SLINK_STREAM_MS_MAX (37 hours) bounds the configured RTO limits and ACK
 * delay (slink_stream_cfg); the RTT estimate is 32-bit too (stream.c). */
#define SLINK_STREAM_MS_MAX 0x07FFFFFFu

/* Send side: the state of one chunk in the window (a slot), kept
 * together so that the code reaches all of it from one address (parallel
 * arrays cost 120 B more code on the Cortex-M4 device).  20 bytes, no
 * padding. */
typedef struct {
    uint32_t sent_ms;            /* last transmission time (32 bits, above) */
    uint32_t first_ms;           /* first transmission of this run of tries */
    uint32_t order;              /* send_seq of the last transmission */
    uint16_t len;                /* chunk bytes in tx_chunk */
    /* ms from sent_ms until the frame has left the line, by the owner's
     * model of it (slink_stream_departed); 0: unknown */
    uint16_t wait;
    uint8_t  tries;
    uint8_t  sacked;
    uint8_t  need;               /* (re)transmission due now: 1 timeout, 2 fast, 3 window reopened */
    uint8_t  flags;              /* SLINK_STREAM_TXF_* */
} slink_stream_tx;

/* Fields sorted by size, smallest first: the scalars the code uses most
 * then sit within reach of the short (16-bit) Thumb loads and stores, whose
 * offsets stop at 31 (bytes), 62 (halfwords) and 124 (words), and a 32-bit
 * target, where this sits in every slink_conn, pads at most a few bytes
 * between the groups and the slots' tails; each field says which side
 * (send, receive, close) it belongs to. */
typedef struct {
    /* ---- bytes: send side ---- */
    uint8_t  tx_head;            /* slot of chunk snd_una (slot ring, not chunk % W) */
    uint8_t  snd_una;            /* oldest unacknowledged chunk */
    uint8_t  snd_nxt;            /* next chunk number to fill */
    uint8_t  snd_filled;         /* chunks [snd_una, snd_una+filled) hold data */
    uint8_t  peer_wnd;           /* chunks the peer accepts from snd_una */
    uint8_t  adapt;              /* from slink_stream_cfg.adapt */
    uint8_t  window;             /* <= SLINK_STREAM_WINDOW */
    uint8_t  max_tries;          /* per chunk; past it: SLINK_ERR_RETRANSMIT_LIMIT */
    uint8_t  rtt_valid;
    uint8_t  dep_pending;        /* the chunk produced last awaits slink_stream_departed */
    uint8_t  dep_chunk;          /* ... its number */
    /* Repeats on an idle line still allowed until the next ACK arrives:
     * they are clocked by ACKs (SLINK_STREAM_REPEATS_PER_ACK to _MAX per
     * ACK, by the measured loss, §3.6). */
    uint8_t  rep_left;
    /* An ACK came back before the owner's model had its chunk leave the
     * line: the transport is faster than the model (a pty), whose queue
     * the rules of §3.6 then no longer follow, for the rest of the session. */
    uint8_t  line_fast;
    uint8_t  end_pending;        /* ends requested, not yet placed in the window */

    /* ---- bytes: receive side ---- */
    uint8_t  rcv_nxt;            /* next chunk expected in order */
    uint8_t  ooo_head;           /* slot of chunk rcv_nxt+1 */
    uint8_t  ack_due;            /* an ACK should go out: now, or at ack_due_ms (stream.c) */
    uint8_t  unacked_rx;         /* chunks received since our last ACK */
    uint8_t  adv_wnd;            /* window in our last ACK (window update rule) */
    uint8_t  rx_end_count;
    /* The owner holds the receive side shut: window 0 and no chunk taken
     * (not acknowledged, so the sender keeps it).  slink_conn does this
     * while its queue of ended sessions' unread bytes is full. */
    uint8_t  rx_hold;

    /* ---- bytes: close ---- */
    uint8_t  close_requested;    /* application closed: send close_notify when drained */
    uint8_t  close_acked;        /* peer acknowledged our close_notify */
    uint8_t  peer_closed;        /* peer's close_notify received */
    uint8_t  peer_final;         /* chunk number after peer's last data */

    /* ---- 2-byte fields ---- */
    uint16_t chunk_max;          /* send: negotiated: fits the peer's MTU */
    uint16_t tx_size;            /* send: adaptive chunk size (above) */
    uint16_t ad_n, ad_lost;      /* send: adaptive chunk size (above) */
    uint16_t ad_clean;           /* send: settled transmissions since the last loss */
    uint16_t ooo_present;        /* receive: bit i: chunk rcv_nxt+1+i held */
    uint16_t ooo_len[SLINK_STREAM_OOO_SLOTS];   /* receive */

    /* ---- 4-byte fields ---- */
    uint32_t send_seq;           /* send: counts transmissions: orders them within one ms */
    /* send: adaptive chunk size (§3.6): new chunks are filled up to tx_size,
     * which follows the loss measured at this end (0 < tx_size <=
     * chunk_max).  ad_*: decaying counts of transmissions, of those that
     * had to be repeated, and of their bytes on the wire. */
    uint32_t ad_bytes;
    uint32_t rto_fixed, rto_byte_us;   /* send: RTO floor: see slink_stream_cfg */
    uint32_t give_up_ms;         /* send: ... and only once the chunk is this old (0: no floor) */
    /* send: RTO per RFC 6298 (srtt/rttvar in ms, Karn's rule) */
    uint32_t srtt, rttvar, rto, rto_min, rto_max;
    uint32_t rto_base;           /* send: RTO from the RTT estimate, before backoff */
    uint32_t rx_cap;             /* receive: buffer bytes in use (<= SLINK_STREAM_RX_BUF) */
    size_t   rx_count;           /* receive: in-order bytes at the start of rx_buf */
    uint32_t ack_delay_ms;       /* receive: from slink_stream_cfg */
    uint32_t ack_due_ms;         /* receive: when a delayed ACK is due (32 bits, above) */

    /* ---- 8-byte fields (and the rarely used end offsets, 16 bytes) ----
     * The statistics first: their first counters still get the short
     * stores. */
    slink_stream_stats stats;
    /* receive: application stream boundaries (§3.6.1) not yet read, oldest
     * first: the number of rx_buf bytes before each (a read takes them
     * off). */
    uint32_t rx_end_at[SLINK_STREAM_ENDS_MAX];
    slink_stream_tx tx[SLINK_STREAM_WINDOW];    /* send: slot ring, see tx_head */
    uint64_t last_ack_ms;        /* send: last valid ACK: window probe timer base */
    /* send: set by the owner's transmit pacing: before this time a new chunk
     * that is not full is not sent, so writes meanwhile join it.  0: no hold. */
    uint64_t tx_hold_ms;
    /* send: set by an owner that models its line's transmit queue: the time
     * from which what it has handed out leaves at most one frame to go.
     * While this end measures losses, a new chunk waits for it (so a
     * retransmission never queues behind a window of new chunks), and a
     * window used up leaves the idle line to repeats of unacknowledged
     * chunks (§3.6).  0: no model (neither happens). */
    uint64_t line_ready_ms;

    /* ---- buffers ---- */
    uint8_t  tx_chunk[SLINK_STREAM_WINDOW][SLINK_STREAM_CHUNK_MAX];        /* send */
    uint8_t  ooo[SLINK_STREAM_OOO_SLOTS][SLINK_STREAM_CHUNK_MAX];  /* receive: out-of-order chunks */
    uint8_t  rx_buf[SLINK_STREAM_RX_BUF];   /* receive: in-order bytes for the application */
} slink_stream;

typedef struct {
    uint16_t chunk_max;          /* largest chunk data per record */
    uint8_t  window;             /* 1..SLINK_STREAM_WINDOW */
    /* rto_min_ms and rto_max_ms above SLINK_STREAM_MS_MAX count as unset
     * (as 0 does); ack_delay_ms is capped at it. */
    uint32_t rto_initial_ms;     /* from the line rate: see slink_conn */
    uint32_t rto_min_ms, rto_max_ms;
    uint8_t  max_tries;
    /* With backoff capped, max_tries alone would give up within seconds of
     * a stall (a peer busy in a handshake, a flooded bus): the session ends
     * only when a chunk has also gone unacknowledged this long. */
    uint32_t give_up_ms;
    uint32_t ack_delay_ms;       /* delayed ACK; 0 = ack every chunk at once */
    uint32_t rx_buf_bytes;       /* receive buffer to use; 0 = all of SLINK_STREAM_RX_BUF */
    /* 1: size new chunks to the measured loss (starting below chunk_max,
     * see stream.c); 0: every chunk is filled up to chunk_max. */
    uint8_t  adapt;
    /* With adapt: airtime of one byte on the line (µs).  The RTO floor is
     * then rto_min_ms plus the airtime of the current chunk's frame and an
     * ACK, both ways, so small chunks on a noisy line are not left waiting
     * on a timer sized for the largest frame.  0: rto_min_ms alone. */
    uint32_t rto_byte_us;
    /* With adapt: size of the first chunks (0 = chunk_max), until the
     * first estimate of the loss. */
    uint16_t chunk_start;
} slink_stream_cfg;

void      slink_stream_init(slink_stream *s, const slink_stream_cfg *cfg);
void      slink_stream_wipe(slink_stream *s);
/* A fresh stream (as init) that keeps the previous stream's unread
 * in-order bytes at the head of the receive buffer: bytes a receiver has
 * acknowledged must reach the application even if a new session replaces
 * the one that carried them.  They count against the receive window. */
void      slink_stream_restart(slink_stream *s, const slink_stream_cfg *cfg);
/* Holds the receive side shut (window 0, every chunk refused unacknowledged)
 * or opens it again; the caller sends an ACK after opening so the peer
 * learns the window promptly. */
void      slink_stream_hold_rx(slink_stream *s, int hold);

/* Application side.  write returns bytes accepted (0 with WOULD_BLOCK when
 * the window and the chunk being filled are full). */
slink_err slink_stream_write(slink_stream *s, const uint8_t *p, size_t n, size_t *accepted);
/* AGAIN when nothing is buffered; STREAM_END once at each end of the peer's
 * application streams (after its last byte; the next stream's bytes follow);
 * CLOSED once the peer's close_notify was received and every byte before
 * it has been read. */
slink_err slink_stream_read(slink_stream *s, uint8_t *p, size_t cap, size_t *got);
size_t    slink_stream_readable(const slink_stream *s);
int       slink_stream_all_acked(const slink_stream *s);

/* Produce the plaintext of the next STREAM record to send, if any:
 * chunk(1) || data.  AGAIN when nothing is due (window closed, all sent, or
 * a partial chunk held until tx_hold_ms).  Retransmissions, full chunks,
 * window probes and everything after close are never held. */
slink_err slink_stream_next_chunk(slink_stream *s, uint64_t now_ms,
                                  uint8_t *pt, size_t cap, size_t *len);

/* The frame carrying the chunk slink_stream_next_chunk produced last leaves
 * the line at until_ms (the owner's model of its line): the chunk's
 * retransmission timer and RTT sample count from then, so a frame that
 * waits behind others is not timed for its wait.  Ignored if earlier than
 * the chunk was produced, or if it was not. */
void      slink_stream_departed(slink_stream *s, uint64_t until_ms);

/* A STREAM record's plaintext arrived (already authenticated). */
slink_err slink_stream_on_chunk(slink_stream *s, const uint8_t *pt, size_t len, uint64_t now_ms);

/* An ACK arrived (already authenticated and decoded). */
slink_err slink_stream_on_ack(slink_stream *s, const slink_ack *a, uint64_t now_ms);

/* ACK contents for the stream part (cum, sack, wnd, close flag). */
void      slink_stream_fill_ack(slink_stream *s, slink_ack *a);
int       slink_stream_ack_needed(const slink_stream *s, uint64_t now_ms);
void      slink_stream_ack_sent(slink_stream *s);

/* End the current application stream (§3.6.1): an empty chunk after
 * everything written so far; later writes belong to the next stream.  Never
 * blocks: with the window full the end waits and writes are refused
 * (WOULD_BLOCK) until it is placed. */
slink_err slink_stream_end(slink_stream *s);

/* Close handshake of the stream. */
void      slink_stream_close(slink_stream *s);
/* Peer's close_notify with its final chunk number. */
slink_err slink_stream_on_close(slink_stream *s, uint8_t final_chunk);

/* Earliest time something is due (retransmission, delayed ACK, a held
 * chunk's release), at or before now_ms if something is due already;
 * UINT64_MAX if nothing.  The stream's own times are 32-bit (above):
 * now_ms makes them whole. */
uint64_t  slink_stream_next_timer(const slink_stream *s, uint64_t now_ms);

/* Returns SLINK_ERR_RETRANSMIT_LIMIT once a chunk ran out of tries. */
slink_err slink_stream_poll(slink_stream *s, uint64_t now_ms);

#endif

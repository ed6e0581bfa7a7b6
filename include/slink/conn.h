/* A connection: one secure session with one peer over the frame layer.
 * Caller-allocated, no heap, no I/O.  The owner feeds received bytes (or, on
 * a multi-peer bus, frames from the shared decoder in slink_node), drains
 * wire bytes to send, and calls again at slink_conn_next_timeout().  Only
 * the connection dispatches between layers: frame -> record ->
 * (handshake | stream | datagram). */
#ifndef SLINK_CONN_H
#define SLINK_CONN_H

#include <stddef.h>
#include <stdint.h>
#include "slink/cert.h"
#include "slink/crypto.h"
#include "slink/frame.h"
#include "slink/handshake.h"
#include "slink/platform.h"
#include "slink/record.h"
#include "slink/stream.h"

typedef enum {
    SLINK_START_INITIATOR = 1,   /* we send msg1 */
    SLINK_START_RESPONDER = 2,   /* we wait for msg1 */
    SLINK_START_AUTO = 3         /* both may start; tie-break by address (§4.8) */
} slink_start_role;

typedef struct {
    uint8_t  local_addr, peer_addr;
    slink_start_role role;
    uint32_t baud;                 /* line rate for timers; 0 = 115200 */
    uint16_t mtu;                  /* our receivable frame body; 0 = SLINK_MAX_FRAME_BODY */
    uint32_t hs_proc_ms;           /* allowance for the peer's handshake crypto; 0 = 300 */
    uint8_t  hs_max_tries;         /* flight transmissions before giving up; 0 = 8 */
    uint32_t hs_min_interval_ms;   /* first messages from this peer that cost ECDH are
                                      processed at most once per interval; 0 = 1000 */
    uint32_t hs_restart_ms;        /* initiator/auto: wait before a new attempt after failure; 0 = 2000 */
    uint32_t idle_timeout_ms;      /* session declared dead after this silence; 0 = never */
    uint32_t keepalive_ms;         /* send an ACK when idle this long; 0 = idle_timeout/3, or
                                      SLINK_KEEPALIVE_DEFAULT_MS without an idle timeout (not
                                      for a half-duplex device); SLINK_KEEPALIVE_OFF = never */
    uint8_t  stream_window;        /* 0 = SLINK_STREAM_WINDOW */
    uint8_t  half_duplex_device;   /* transmit only after POLL from the bus master */
    uint32_t gap_ms;               /* inter-byte gap; 0 = from baud */
    /* Transmit pacing (Nagle by line rate): 1 = while the line is still busy
     * with frames output() handed out (counted at `baud`, 10 bit times per
     * byte) for more than SLINK_TX_PACING_SLACK_MS, a stream chunk that is
     * not full is held so later sends join its record; next_timeout() says
     * when it may go.  An idle line sends at once; full chunks, ACKs,
     * alerts, handshake frames, retransmissions and datagrams are never
     * held.  0 = off (default): output() hands data out as soon as it is
     * written.  Off by default because it is only right when `baud` is the
     * rate the bytes really leave at: on a faster or unthrottled transport
     * (a pty, a USB CDC link) it would cap throughput at `baud`.  No effect
     * with half_duplex_device (the turn already batches) or through
     * slink_node (the node emits the frames). */
    uint8_t  tx_pacing;
    slink_rec_limits limits;       /* zeros = defaults */
    const slink_creds *creds;
    slink_peer_policy policy;
} slink_conn_cfg;

typedef enum {
    SLINK_CONN_IDLE = 0,           /* no session, not trying (responder waiting) */
    SLINK_CONN_HANDSHAKE,          /* handshake in progress, no session yet */
    SLINK_CONN_ESTABLISHED,        /* session up (a re-handshake may run alongside) */
    SLINK_CONN_CLOSED              /* ended; see end_reason; a new handshake may follow */
} slink_conn_state;

typedef enum {
    SLINK_EV_NONE = 0,
    SLINK_EV_ESTABLISHED,          /* a new session is up (session_id changed) */
    SLINK_EV_ENDED,                /* the session ended: err says how (CLOSED = clean) */
    SLINK_EV_HS_FAILED             /* a handshake attempt failed: err says why */
} slink_event_type;

typedef struct {
    slink_event_type type;
    slink_err err;
    uint32_t session_id;
} slink_event;

typedef struct {
    uint32_t frames_in, frames_out;
    uint64_t bytes_in, bytes_out;          /* wire bytes */
    uint32_t records_in, records_out;
    uint32_t hs_started, hs_completed, hs_failed;
    uint32_t hs_retransmits;
    uint32_t hs_rate_limited;
    uint32_t hs_busy;              /* msg1 refused: a responder attempt is within its protection window */
    uint32_t hs_duplicates;
    uint32_t dgram_dropped;
    uint32_t plain_alerts;
    uint32_t records_dropped;      /* records refused (auth, replay, epoch, malformed, no session) */
    uint32_t hs_dropped;           /* handshake messages dropped */
    uint32_t records_too_long;     /* authentic STREAM/DATAGRAM records over the link MTU's
                                      limit (§3.6, §3.7): dropped */
    uint8_t  last_alert_rx;        /* last alert code received (plain or sealed) */
} slink_conn_stats;

/* Events kept until the owner polls them; when full the oldest goes (the
 * state fields still tell the truth).  A device that polls after every
 * input and output call needs few (the firmware uses 4). */
#ifndef SLINK_EVENT_QUEUE
#define SLINK_EVENT_QUEUE 8
#endif
#if SLINK_EVENT_QUEUE < 1 || SLINK_EVENT_QUEUE > 255
#error "SLINK_EVENT_QUEUE must be 1..255"
#endif

/* Ended sessions whose unread bytes (or end) the application has yet to
 * read, kept apart so each keeps its own label and end (§4.9). */
#define SLINK_CONN_CARRY_MAX 2u

/* Pacing releases a held chunk this long before the line runs dry, so the
 * owner's wake-up latency and the ms clock's rounding do not leave the line
 * idle between frames. */
#define SLINK_TX_PACING_SLACK_MS 2u

/* One handshake attempt and its flight timer. */
typedef struct {
    slink_hs hs;
    uint64_t next_tx_ms;           /* initiator: resend the flight; responder: give up */
    uint32_t rto_ms;
    uint8_t  tries;
    uint8_t  frag_next;            /* next fragment of the flight to emit */
    uint8_t  frag_shift;           /* resends so far: fragments halve each time (§4.7) */
    uint8_t  tx_pending;           /* flight must go out now */
    /* Low 32 bits of the ms clock (compared by wrap-safe differences; an
     * attempt lasts minutes at most): a duplicate was last answered (at
     * most once per dup interval), and the repair window opened (§4.7). */
    uint32_t answered_at;
    uint32_t rep_win_at;
    uint64_t protect_until_ms;     /* responder: a different msg1 cannot replace this attempt before */
    slink_err refused;             /* initiator: why the last msg2 that opened was refused */
    /* Repair requests (§4.7): what the window still allows (message
     * bytes), and the granules of our message still to resend. */
    uint16_t ans_left;
    uint8_t  rep_want[SLINK_HS_REPAIR_MAP_MAX];
} slink_hs_slot;

/* The fields are ordered for a 32-bit Thumb target (the device, where this
 * struct is most of the RAM: docs/PORTING.md).  A 2-byte load or store
 * reaches 31 bytes for a byte, 62 for a halfword and 124 for a word, a
 * 4-byte one 4,095 bytes; beyond that every use first computes an address.
 * So the 16- and 8-bit fields come first, then the counters (32 to 120),
 * the other 4-byte fields, the events and the pending frame, the
 * configuration and the 8-byte fields, and the large structs and buffers
 * last (with the buffers in between, the fields past them cost the
 * device's code about 600 bytes).  Nothing is padded on that target.  Keep
 * both so when adding a field (check with `ptype/o struct slink_conn` on
 * the firmware's ELF). */
typedef struct slink_conn {
    uint16_t probe_epoch;
    uint16_t reasm_total;
    uint16_t peer_mtu;
    uint16_t dgram_tx_len;
    uint16_t dgram_rx_len[SLINK_DGRAM_QUEUE];
    uint8_t  keepalive_defaulted;  /* cfg.keepalive_ms is SLINK_KEEPALIVE_DEFAULT_MS by default */
    uint8_t  hs_tokens;            /* msg1 budget: expensive first messages left */
    uint8_t  probe_tries;          /* 0: no probe running */
    uint8_t  probe_send;           /* the next ACK carries the probe flag */
    uint8_t  hs_msg3_unconfirmed;  /* initiator: msg3 not yet confirmed by a record */
    uint8_t  no_session_hints;     /* no_session hints answered by resending msg3 */
    uint8_t  hs_presumed_lost;     /* our attempt runs because the session looked lost */
    uint8_t  rec_valid;
    uint8_t  reasm_msgno;
    uint8_t  carry_count;          /* entries of carry[] (below) */
    uint8_t  end_read;             /* recv() has reported the current end */
    uint8_t  ack_now;              /* an ACK record should go out */
    uint8_t  dgram_rx_head, dgram_rx_count;
    uint8_t  dgram_tx_pending;
    uint8_t  rep_asks;             /* repair request due (see rep_at) */
    uint8_t  turn;                 /* half-duplex device: we hold the turn */
    uint8_t  session_turn;         /* the session's frame goes before the next handshake frame */
    uint8_t  close_tries;
    uint8_t  close_acked;          /* peer acknowledged our close_notify */
    uint8_t  ev_head, ev_count;
    slink_conn_stats stats;
    uint32_t tx_line_rem;          /* remainder of tx_line_free_ms (below), in 1/baud ms */
    const slink_platform *plat;
    slink_conn_state state;
    slink_err end_reason;
    uint32_t session_id;
    uint32_t noise_mark;           /* line-noise count at the last session install (§3.6) */
    /* Our repair request for the message being reassembled (§4.7): it goes
     * at rep_at (low 32 bits of the ms clock); rep_asks (below) is 0 when
     * none is due, else 1 + requests sent since its last new piece. */
    uint32_t rep_at;
    /* When our last repair request went (low 32 bits of the ms clock): the
     * next waits a sixth of a duplicate interval (§4.7, I3). */
    uint32_t rep_sent_at;
    uint32_t rx_since_tx;          /* records received since we last sent one */
    uint32_t turn_budget;          /* half-duplex device, in its turn: within these wire bytes (POLL, §2.5) */
    uint32_t turn_sent;            /* wire bytes of our frames in this turn */
    size_t   peer_cert_len;
    /* Unread bytes of ended sessions kept at the head of the receive
     * buffer when a new one is installed, oldest first, each with its
     * session and end code (returned by recv() once after its bytes).
     * While the queue is full the current session's receive side is held
     * shut, so it receives nothing and a further replacement never has to
     * merge two sessions' bytes under one label.  carry_count is above. */
    struct {
        size_t    bytes;
        uint32_t  session;
        slink_err end;
    } carry[SLINK_CONN_CARRY_MAX];
    slink_event events[SLINK_EVENT_QUEUE];
    uint8_t  pend_valid;           /* one-off frame waiting for output (sealed fatal alert, plain alert) */
    uint8_t  pend_type;
    uint8_t  pend_len;
    uint8_t  pend_body[40];
    slink_conn_cfg cfg;
    uint64_t hs_token_ms;          /* when the msg1 budget last grew */
    uint64_t hs_restart_at_ms;
    uint64_t hs_alert_ms;          /* rate limit of plaintext alerts we send */
    /* Authenticated probe (§4.9, I1): a no_session hint against a confirmed
     * session only makes us ask the peer for an ACK under the session keys. */
    uint64_t probe_seq;            /* the probe record's sequence number */
    uint64_t probe_next_ms;        /* resend, or give up, at */
    uint64_t probe_last_ms;        /* when the last probe started: one per interval */
    uint64_t no_session_hint_ms;   /* rate limit of NO_SESSION hints we send */
    uint64_t close_next_ms;
    uint64_t last_rx_ms, last_tx_ms;
    /* When the line finishes the frames output() has handed out: ms part
     * and remainder (units of 1/baud ms), so per-frame rounding never
     * accumulates. */
    uint64_t tx_line_free_ms;
    slink_rng rng;
    slink_deframer deframer;       /* used by slink_conn_input (point-to-point) */
    slink_record rec;
    slink_stream stream;
    /* Handshake attempts, one per role (docs/PROTOCOL.md §4.9): the
     * responder slot answers msg1 and reads msg3; the initiator slot (absent
     * in responder-only builds) sends msg1 and reads msg2.  An attempt in one
     * never cancels the other before it authenticates. */
    slink_hs_slot hs_slot[SLINK_HS_SLOTS];
    slink_ecdh_key eph_ahead;      /* secret: next attempt's key (slink_conn_precompute), or all zero */
    uint8_t  reasm[SLINK_HS_MSG_MAX];
    uint8_t  reasm_have[(SLINK_HS_MSG_MAX + 7) / 8];
    uint8_t  peer_cert[SLINK_CERT_MAX];  /* last validated peer certificate */
    char     peer_cn[64];
    uint8_t  dgram_rx[SLINK_DGRAM_QUEUE][SLINK_DGRAM_MAX];
    uint8_t  dgram_tx[SLINK_DGRAM_MAX];
} slink_conn;

slink_err slink_conn_init(slink_conn *c, const slink_conn_cfg *cfg,
                          const slink_platform *plat, uint64_t now_ms);
void      slink_conn_wipe(slink_conn *c);

/* Point-to-point: raw bytes from the line. */
slink_err slink_conn_input(slink_conn *c, const uint8_t *in, size_t n, uint64_t now_ms);
/* Multi-peer: one frame already decoded and addressed to this peer. */
slink_err slink_conn_handle_frame(slink_conn *c, const slink_frame *f, uint64_t now_ms);

/* Wire bytes to send: whole frames only; returns the byte count (0: nothing
 * now).  Runs timers.  cap >= SLINK_WIRE_FRAME_MAX guarantees progress. */
size_t    slink_conn_output(slink_conn *c, uint8_t *out, size_t cap, uint64_t now_ms);
/* Like output but one decoded frame at a time (for slink_node). */
slink_err slink_conn_next_frame(slink_conn *c, uint64_t now_ms, uint8_t *type,
                                uint8_t *body, size_t cap, size_t *body_len);

/* Absolute time at which the connection wants output()/tick again. */
uint64_t  slink_conn_next_timeout(const slink_conn *c, uint64_t now_ms);

/* Start (or restart) a handshake as initiator. */
slink_err slink_conn_connect(slink_conn *c, uint64_t now_ms);

/* Stream mode.  send: WOULD_BLOCK/NOT_READY apply back-pressure; data is
 * never sent before the session is up.  recv: AGAIN, or CLOSED / TRUNCATED /
 * PEER_RESET once the session has ended and everything was read. */
slink_err slink_conn_send(slink_conn *c, const uint8_t *p, size_t n, size_t *accepted);
slink_err slink_conn_recv(slink_conn *c, uint8_t *p, size_t cap, size_t *got);
/* End our current application stream without ending the session
 * (docs/PROTOCOL.md §3.6.1): the peer's recv() returns STREAM_END once after
 * the last byte sent so far; bytes sent afterwards are the next stream.
 * NOT_READY without a session.  recv() likewise returns STREAM_END once at
 * each end of the peer's streams, never handing one stream's bytes out
 * together with the next one's. */
slink_err slink_conn_end_stream(slink_conn *c);
/* The session the next bytes of recv() belong to.  When a new session
 * replaces one whose bytes the application has not read, recv() returns the
 * old session's bytes first, then its end code (e.g. PEER_RESET) once, then
 * the new session's bytes; an owner that gives each session its own
 * consumer (slinkd) routes by this.  One boundary is kept: if yet another
 * session replaces the second before the first one's bytes were read, the
 * two older sessions' unread bytes come out as one run under the oldest id
 * (read promptly, as slinkd does, and this cannot happen). */
uint32_t  slink_conn_rx_session(const slink_conn *c);

/* Datagram mode: whole messages or nothing, 1 to (link MTU - 22) bytes:
 * send_dgram refuses 0 bytes (ARG) and longer ones (TOO_BIG). */
slink_err slink_conn_send_dgram(slink_conn *c, const uint8_t *p, size_t n);
slink_err slink_conn_recv_dgram(slink_conn *c, uint8_t *p, size_t cap, size_t *len);

/* Authenticated close: flush the stream, then close_notify. */
slink_err slink_conn_close(slink_conn *c, uint64_t now_ms);
/* Force a key update of our send direction now. */
slink_err slink_conn_key_update(slink_conn *c);
/* Work that does not depend on the peer, done ahead while the line is
 * idle: draws the ephemeral key of the next handshake attempt (the
 * public-key operation that would otherwise run when msg1 arrives), so
 * a device answers msg1 sooner.  The key is used by one attempt only and
 * wiped when taken (or by slink_conn_wipe).  Cheap when a key is already
 * waiting; SLINK_ERR_RNG if the DRBG fails. */
slink_err slink_conn_precompute(slink_conn *c);

int       slink_conn_poll_event(slink_conn *c, slink_event *ev);
/* 1 if a handshake attempt in progress still uses these credentials (they
 * must outlive it: an owner reloading credentials waits). */
int       slink_conn_hs_uses_creds(const slink_conn *c, const slink_creds *creds);
slink_conn_state slink_conn_get_state(const slink_conn *c);

#endif

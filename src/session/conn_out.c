/* What the connection sends next, in priority order: a pending one-off frame
 * (alert), the handshake flight, then under the session keys ACKs, the
 * close_notify, a datagram, stream chunks.  Timers run here too, so a caller
 * that only ever calls output() at next_timeout() drives everything. */
#include "conn_internal.h"

#include <string.h>

#define CLOSE_MAX_TRIES 8u
#define RX_RECORDS_PER_ACK 32u

static void session_timers(slink_conn *c, uint64_t now_ms)
{
    slink_err e;
    if (!c->rec_valid) return;
    slink_rec_tick(&c->rec, now_ms);   /* old epoch's keys end with the grace period */
    e = slink_stream_poll(&c->stream, now_ms);
    if (e == SLINK_ERR_RETRANSMIT_LIMIT) {
        conn_end_session(c, e, 0);
        return;
    }
    if (c->cfg.idle_timeout_ms != 0 && now_ms > c->last_rx_ms + c->cfg.idle_timeout_ms) {
        conn_end_session(c, SLINK_ERR_IDLE_TIMEOUT, 0);
        return;
    }
    if (conn_probing(c) && !c->probe_send && now_ms >= c->probe_next_ms) {
        if (c->probe_tries < CONN_PROBE_TRIES) {
            c->probe_tries++;
            c->probe_send = 1;
        } else {
            /* Nothing under the session keys answered: the peer has lost the
             * session.  A new handshake replaces it once it authenticates. */
            c->probe_tries = 0;
            conn_log(c, SLINK_LOG_WARN, "peer did not answer %u probes: starting a new handshake",
                     CONN_PROBE_TRIES);
            (void)conn_hs_start_presumed_lost(c, now_ms);
        }
    }
    if (conn_probe_send(c)) c->ack_now = 1;
    if (c->cfg.keepalive_ms != 0 && now_ms >= c->last_tx_ms + c->cfg.keepalive_ms) c->ack_now = 1;
    if (c->rx_since_tx >= RX_RECORDS_PER_ACK) c->ack_now = 1;
    /* Both closes done: end, but only once the ACK for the peer's
     * close_notify is out (ack_now), or the peer never learns its close
     * arrived and ends its side TRUNCATED. */
    if (c->close_acked && c->stream.peer_closed && slink_stream_readable(&c->stream) == 0 &&
        !c->ack_now && !slink_stream_ack_needed(&c->stream, now_ms)) {
        conn_end_session(c, SLINK_ERR_CLOSED, 0);
        return;
    }
    if (c->stream.close_requested && !c->close_acked && c->close_tries >= CLOSE_MAX_TRIES &&
        now_ms >= c->close_next_ms)
        conn_end_session(c, SLINK_ERR_TRUNCATED, 0);
}

static int close_due(const slink_conn *c, uint64_t now_ms)
{
    return c->stream.close_requested && !c->close_acked && slink_stream_all_acked(&c->stream) &&
           c->close_tries < CLOSE_MAX_TRIES && now_ms >= c->close_next_ms;
}

static int line_modelled(const slink_conn *c)
{
    /* output() hands frames to a line of our own (not a node's, not a
     * bus turn): tx_line_free_ms models its transmit queue. */
    return c->tx_line_free_ms != 0 && !c->cfg.half_duplex_device;
}

/* When the line will have one frame of the stream's current chunk size
 * (plus 24 bytes of record and frame overhead, §3.6) left to send; 0 when
 * the line is not ours to model (the stream then never holds for it). */
static uint64_t line_ready(const slink_conn *c)
{
    uint64_t lead = (uint64_t)conn_airtime_ms(c, (size_t)c->stream.tx_size + 24u) + 1u;
    if (!line_modelled(c)) return 0;
    return c->tx_line_free_ms > lead ? c->tx_line_free_ms - lead : 1u;
}

static int pacing_on(const slink_conn *c)
{
    return c->cfg.tx_pacing && !c->cfg.half_duplex_device;
}

/* Tells the stream how long its partial chunk waits.  Called before the
 * stream is asked for a chunk (a new session's stream starts without the
 * hold) and after every frame (the line got busier). */
static void pacing_sync(slink_conn *c)
{
    uint64_t free_ms = c->tx_line_free_ms;
    c->stream.tx_hold_ms =
        pacing_on(c) && free_ms > SLINK_TX_PACING_SLACK_MS ? free_ms - SLINK_TX_PACING_SLACK_MS : 0u;
    c->stream.line_ready_ms = line_ready(c);
}

/* n wire bytes were handed out at now_ms: they leave after whatever is
 * still queued, 10 bit times each.  32-bit division only (n is one frame),
 * the remainder carried so rounding never accumulates. */
static void line_note(slink_conn *c, size_t n, uint64_t now_ms)
{
    uint32_t baud = c->cfg.baud, bits;
    uint64_t rem;
    if (c->tx_line_free_ms < now_ms) {
        c->tx_line_free_ms = now_ms;
        c->tx_line_rem = 0;
    }
    if (n > UINT32_MAX / 10000u) n = UINT32_MAX / 10000u;
    bits = (uint32_t)n * 10000u;
    c->tx_line_free_ms += bits / baud;
    rem = (uint64_t)c->tx_line_rem + bits % baud;
    if (rem >= baud) {
        rem -= baud;
        c->tx_line_free_ms++;
    }
    c->tx_line_rem = (uint32_t)rem;
}

/* The session's next record, in priority order: an ACK, the close_notify,
 * a datagram, a stream chunk.  The choice only fills the plaintext; one
 * seal serves them all, and what the record means for our state (an ACK
 * or probe out, a close try) is noted once it is sealed. */
static slink_err session_frame(slink_conn *c, uint64_t now_ms, uint8_t *type,
                               uint8_t *body, size_t cap, size_t *len)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    uint8_t *src = pt;
    size_t ptlen = 0;
    uint8_t ct;
    slink_err e;

    if (c->ack_now || slink_stream_ack_needed(&c->stream, now_ms)) {
        slink_ack a;
        memset(&a, 0, sizeof a);
        slink_rec_rx_report(&c->rec, &a.rx_epoch_lo, &a.rx_high);
        slink_stream_fill_ack(&c->stream, &a);
        if (conn_probe_send(c)) a.flags = (uint8_t)(a.flags | SLINK_ACK_F_PROBE);
        SLINK_TRY(slink_ack_encode(&a, pt, sizeof pt, &ptlen));
        ct = SLINK_CT_ACK;
    } else if (close_due(c, now_ms)) {
        /* §3.8: level(1) code(1) final_chunk(1) */
        pt[0] = SLINK_ALERT_WARNING;
        pt[1] = SLINK_ALERT_CLOSE_NOTIFY;
        pt[2] = c->stream.snd_nxt;
        ptlen = 3;
        ct = SLINK_CT_ALERT;
    } else if (c->dgram_tx_pending) {
        c->dgram_tx_pending = 0;
        src = c->dgram_tx;
        ptlen = c->dgram_tx_len;
        ct = SLINK_CT_DATAGRAM;
    } else {
        size_t max_pt = conn_effective_mtu(c) - SLINK_SEQ_MAX_LEN - SLINK_TAG_LEN;
        if (max_pt > sizeof pt) max_pt = sizeof pt;
        pacing_sync(c);
        if (slink_stream_next_chunk(&c->stream, now_ms, pt, max_pt, &ptlen) != SLINK_OK)
            return SLINK_ERR_AGAIN;
        ct = SLINK_CT_STREAM;
    }
    e = slink_rec_seal(&c->rec, ct, src, ptlen, type, body, cap, len);
    slink_memzero(src, ptlen);
    if (e != SLINK_OK) {
        if (slink_err_classify(e) == SLINK_CLASS_FATAL) conn_end_session(c, e, 0);
        return e;
    }
    c->stats.records_out++;
    c->last_tx_ms = now_ms;
    c->rx_since_tx = 0;
    if (ct == SLINK_CT_ACK) {
        slink_stream_ack_sent(&c->stream);
        c->ack_now = 0;
        if (conn_probe_send(c)) {
            /* The answer must cover this record's number. */
            c->probe_send = 0;
            c->probe_epoch = c->rec.tx.epoch;
            c->probe_seq = c->rec.tx_seq - 1u;
            c->probe_next_ms = now_ms + c->stream.rto;
        }
    } else if (ct == SLINK_CT_ALERT) {
        c->close_tries++;
        c->close_next_ms = now_ms + (uint64_t)c->stream.rto * c->close_tries;
    }
    return SLINK_OK;
}

slink_err slink_conn_next_frame(slink_conn *c, uint64_t now_ms, uint8_t *type,
                                uint8_t *body, size_t cap, size_t *body_len)
{
    SLINK_CHECK(c != NULL && type != NULL && body != NULL && body_len != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(cap >= conn_effective_mtu(c), SLINK_ERR_BUFFER);
    *body_len = 0;
    conn_hs_timers(c, now_ms);
    session_timers(c, now_ms);
    if (c->pend_valid) {
        *type = c->pend_type;
        memcpy(body, c->pend_body, c->pend_len);
        *body_len = c->pend_len;
        c->pend_valid = 0;
        return SLINK_OK;
    }
    /* A handshake beside an established session (anyone on the bus can
     * start one) alternates with the session's frames, so its flights
     * cannot starve the session's ACKs and data.  The exception is msg3 of
     * the session itself: a record that overtook it would reach a
     * responder that cannot open it yet. */
    if (c->rec_valid && c->session_turn && !conn_hs_msg3_due(c)) {
        c->session_turn = 0;
        if (session_frame(c, now_ms, type, body, cap, body_len) == SLINK_OK) return SLINK_OK;
    }
    if (conn_hs_next_frame(c, now_ms, type, body, cap, body_len)) {
        c->session_turn = 1;
        return SLINK_OK;
    }
    if (!c->rec_valid) return SLINK_ERR_AGAIN;
    return session_frame(c, now_ms, type, body, cap, body_len);
}

static size_t emit(slink_conn *c, uint8_t type, const uint8_t *body, size_t len,
                   uint8_t *out, size_t cap, uint64_t now_ms)
{
    size_t n = 0;
    if (slink_frame_encode(c->cfg.peer_addr, c->cfg.local_addr, type, body, len,
                           out, cap, &n) != SLINK_OK)
        return 0;
    c->stats.frames_out++;
    c->stats.bytes_out += n;
    line_note(c, n, now_ms);
    if (line_modelled(c)) {
        /* If this frame carries a stream chunk, its timers start when it
         * has left the line: at most one largest frame ahead of it when the
         * stream keeps the queue short, and never later than that, so a
         * transport faster than the model (a pty) delays them little. */
        uint64_t cap_ms = now_ms + conn_airtime_ms(c, n) + conn_airtime_ms(c, conn_effective_mtu(c)) + 1u;
        slink_stream_departed(&c->stream, c->tx_line_free_ms < cap_ms ? c->tx_line_free_ms : cap_ms);
    }
    pacing_sync(c);
    return n;
}

size_t slink_conn_output(slink_conn *c, uint8_t *out, size_t cap, uint64_t now_ms)
{
    uint8_t body[SLINK_MAX_FRAME_BODY];
    size_t used = 0;
    int idle = 0;
    if (c == NULL || out == NULL) return 0;
    /* next_timeout() reports the decoder's gap deadline; this is where it
     * is served, or an owner sleeping until then would wake forever. */
    (void)slink_deframer_tick(&c->deframer, now_ms);
    if (c->cfg.half_duplex_device && !c->turn) {
        /* Timers still run while we wait for our turn. */
        conn_hs_timers(c, now_ms);
        session_timers(c, now_ms);
        return 0;
    }
    if (c->cfg.half_duplex_device && !c->rec_valid && !conn_hs_busy(c) && !c->pend_valid &&
        (c->no_session_hint_ms == 0 || now_ms - c->no_session_hint_ms >= c->cfg.hs_min_interval_ms)) {
        /* Polled without a session (we restarted, or never had one): say so
         * while we hold the turn, so the master need not wait for a write
         * of its own to find out (§2.5).  Unauthenticated: the master only
         * probes its session (§4.9), and at most once per interval. */
        c->no_session_hint_ms = now_ms;
        conn_queue_plain_alert(c, SLINK_ALERT_NO_SESSION);
    }
    /* A delayed ACK cannot wait past our turn: the next one is a round of
     * the other devices away, longer than the sender's RTO (§2.5). */
    if (c->cfg.half_duplex_device && c->rec_valid && c->stream.ack_due) c->ack_now = 1;
    while (cap - used >= SLINK_WIRE_FRAME_MAX) {
        uint8_t type = 0;
        size_t len = 0, w;
        /* Our turn's byte budget (§2.5): a frame starts only within it, so
         * the last one may run past by at most one frame. */
        if (c->cfg.half_duplex_device && c->turn_sent >= c->turn_budget) break;
        if (slink_conn_next_frame(c, now_ms, &type, body, sizeof body, &len) != SLINK_OK) {
            idle = 1;
            break;
        }
        w = emit(c, type, body, len, out + used, cap - used, now_ms);
        used += w;
        c->turn_sent += (uint32_t)w;
    }
    /* The turn is over (nothing left to say, or the budget spent): yield it. */
    if (c->cfg.half_duplex_device && c->turn && (idle || c->turn_sent >= c->turn_budget) &&
        cap - used >= SLINK_FRAME_MIN + 3u) {
        used += emit(c, SLINK_FT_TURN_END, NULL, 0, out + used, cap - used, now_ms);
        c->turn = 0;
    }
    slink_memzero(body, sizeof body);
    return used;
}

uint64_t slink_conn_next_timeout(const slink_conn *c, uint64_t now_ms)
{
    uint64_t t, s;
    /* A half-duplex device without the turn cannot act on "send now": only
     * timers that run without transmitting count, or it would spin. */
    int can_send = !c->cfg.half_duplex_device || c->turn;
    if (c->cfg.half_duplex_device && c->turn) return now_ms;
    if (can_send && (c->pend_valid || c->ack_now || c->dgram_tx_pending || conn_probe_send(c))) return now_ms;
    t = conn_hs_next_timeout(c, now_ms, can_send);
    if (t < now_ms) t = now_ms;
    if (c->rec_valid) {
        if (can_send) {
            s = slink_stream_next_timer(&c->stream, now_ms);
            if (s < t) t = s;
            if (c->cfg.keepalive_ms != 0 && c->last_tx_ms + c->cfg.keepalive_ms < t)
                t = c->last_tx_ms + c->cfg.keepalive_ms;
            if (c->stream.close_requested && !c->close_acked && slink_stream_all_acked(&c->stream) &&
                c->close_next_ms < t)
                t = c->close_next_ms;
        }
        if (c->probe_tries > 0 && !c->probe_send && c->probe_next_ms < t) t = c->probe_next_ms;
        /* both closes done and acknowledged: output() ends the session now */
        if (can_send && c->close_acked && c->stream.peer_closed &&
            slink_stream_readable(&c->stream) == 0)
            t = now_ms;
        if (c->cfg.idle_timeout_ms != 0 && c->last_rx_ms + c->cfg.idle_timeout_ms + 1u < t)
            t = c->last_rx_ms + c->cfg.idle_timeout_ms + 1u;
        s = slink_rec_next_timer(&c->rec);
        if (s < t) t = s;
    }
    if (c->deframer.len > 0 && c->deframer.gap_ms != 0 &&
        c->deframer.last_ms + c->deframer.gap_ms + 1u < t)
        t = c->deframer.last_ms + c->deframer.gap_ms + 1u;
    return t < now_ms ? now_ms : t;
}

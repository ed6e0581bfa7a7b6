/* The bottom of the connection: installing a finished handshake as the
 * session, ending it, the event queue, logging, the one-off frame slot and
 * line-rate arithmetic.  Everything above calls down into this file and it
 * calls nothing above it:
 *
 *   conn.c (input dispatch, application API)   conn_out.c (what goes out)
 *                 \                               /
 *                  conn_hs.c (handshake driver table)
 *                               |
 *                  conn_session.c (this file)
 */
#include "conn_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint32_t conn_airtime_ms(const slink_conn *c, size_t n)
{
    /* Callers pass frame and handshake-message sizes (a few KiB), so the
     * bit count fits 32 bits and a 32-bit MCU needs no 64-bit division;
     * a larger n is taken as the largest that fits. */
    uint32_t bits;
    if (n > UINT32_MAX / 10000u) n = UINT32_MAX / 10000u;
    bits = (uint32_t)n * 10000u;
    return bits / c->cfg.baud + (bits % c->cfg.baud != 0u ? 1u : 0u);
}

uint16_t conn_effective_mtu(const slink_conn *c)
{
    uint16_t m = c->cfg.mtu;
    if (c->peer_mtu != 0 && c->peer_mtu < m) m = c->peer_mtu;
    return m;
}

#if SLINK_CFG_LOG_TEXT
void conn_log(const slink_conn *c, int level, const char *fmt, ...)
{
    char msg[160];
    int n;
    va_list ap;
    if (c->plat == NULL || c->plat->log == NULL) return;
    n = snprintf(msg, sizeof msg, "peer %u: ", (unsigned)c->cfg.peer_addr);
    if (n < 0 || (size_t)n >= sizeof msg) return;
    va_start(ap, fmt);
    (void)vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    c->plat->log(c->plat->log_ctx, level, msg);
}
#endif

void conn_event(slink_conn *c, slink_event_type t, slink_err e)
{
    slink_event *ev;
    if (c->ev_count == SLINK_EVENT_QUEUE) {
        /* Keep the newest: the owner has stopped polling; the state fields
         * still tell the truth. */
        c->ev_head = (uint8_t)((c->ev_head + 1u) % SLINK_EVENT_QUEUE);
        c->ev_count--;
    }
    ev = &c->events[(c->ev_head + c->ev_count) % SLINK_EVENT_QUEUE];
    ev->type = t;
    ev->err = e;
    ev->session_id = c->session_id;
    c->ev_count++;
}

void conn_queue_plain_alert(slink_conn *c, uint8_t code)
{
    c->pend_type = SLINK_FT_PLAIN_ALERT;
    c->pend_body[0] = code == SLINK_ALERT_NO_SESSION ? SLINK_ALERT_WARNING : SLINK_ALERT_FATAL;
    c->pend_body[1] = code;
    c->pend_len = 2;
    c->pend_valid = 1;
}

uint32_t conn_restart_delay_ms(slink_conn *c)
{
    /* hs_restart_ms plus up to half as much again, drawn each time: two
     * nodes whose attempts failed together (two `initiator`s, or an
     * `initiator` facing an `auto` node that keeps its own attempt) do not
     * restart in step forever, and one of them answers the other while it
     * waits. */
    uint8_t r[2] = { 0, 0 };
    uint32_t span = c->cfg.hs_restart_ms / 2u + 1u;
    if (slink_rng_bytes(&c->rng, r, sizeof r) != SLINK_OK) return c->cfg.hs_restart_ms;
    return c->cfg.hs_restart_ms + (((uint32_t)r[0] << 8) | r[1]) % span;
}

int conn_plain_alert_allowed(slink_conn *c, uint64_t now_ms)
{
    /* +1: an alert at time 0 still arms the limit */
    if (c->hs_alert_ms != 0 && now_ms + 1u < c->hs_alert_ms + c->cfg.hs_min_interval_ms) return 0;
    c->hs_alert_ms = now_ms + 1u;
    return 1;
}

void conn_end_session(slink_conn *c, slink_err reason, uint8_t alert_code)
{
    if (!c->rec_valid) return;
    if (alert_code != 0) {
        /* §3.8: level(1) code(1), like the plaintext alert's body */
        uint8_t pt[2] = { SLINK_ALERT_FATAL, alert_code };
        size_t blen = 0;
        if (slink_rec_seal(&c->rec, SLINK_CT_ALERT, pt, sizeof pt, &c->pend_type,
                           c->pend_body, sizeof c->pend_body, &blen) == SLINK_OK) {
            c->pend_len = (uint8_t)blen;
            c->pend_valid = 1;
        }
    }
    slink_rec_wipe(&c->rec);
    c->rec_valid = 0;
    c->hs_msg3_unconfirmed = 0;
    c->probe_tries = 0;
    c->probe_send = 0;
    c->state = SLINK_CONN_CLOSED;
    c->end_reason = reason;
    c->ack_now = 0;
    c->dgram_tx_pending = 0;
    conn_event(c, SLINK_EV_ENDED, reason);
    if (reason == SLINK_ERR_CLOSED)
        conn_log(c, SLINK_LOG_INFO, "session %u closed", (unsigned)c->session_id);
    else
        conn_log(c, SLINK_LOG_WARN, "session %u ended: %s", (unsigned)c->session_id,
                 slink_err_desc(reason));
    /* Restart unless the end was an orderly close: a responder waits. */
    if (!conn_is_responder(c) && reason != SLINK_ERR_CLOSED &&
        reason != SLINK_ERR_PEER_RESET)
        c->hs_restart_at_ms = c->last_rx_ms + conn_restart_delay_ms(c);
}

/* Corrupted frames and handshake flights that had to go again: what this
 * end has seen of the line's noise so far. */
static uint32_t noise_count(const slink_conn *c)
{
    const slink_frame_stats *f = &c->deframer.stats;
    return f->crc + f->cobs + f->runt + f->oversize + c->stats.hs_retransmits + c->stats.hs_duplicates;
}

/* First chunks of a session after a handshake that met noise: small enough
 * to pass a very noisy line (at BER 1e-3 about half of such frames, 88
 * bytes, survive); the first loss estimate, 8 settled transmissions later,
 * resizes them.  The window is filled before any loss is measured, so its
 * first chunks keep this size: at 128 (a 152-byte frame, 70 % lost at BER
 * 1e-3) one of them could take a dozen tries on a backed-off RTO, seconds
 * of a stream that moves 4 KB/s (soak seed 9: 0.339 of the line with 128,
 * 0.355 with 64; BER 1e-4 and 1e-5 unchanged, the adaptation grows the
 * size within a few dozen frames).  A handshake on a clean line starts at
 * the largest size. */
#define CHUNK_START_NOISY 64u

static void stream_cfg_for(slink_conn *c, slink_stream_cfg *sc)
{
    uint32_t noise = noise_count(c);
    uint16_t mtu = conn_effective_mtu(c);
    memset(sc, 0, sizeof *sc);
    /* §3.6: both ends use min(advertised MTUs) - 23, for sending and for
     * accepting (cfg.mtu is already what we advertised). */
    sc->chunk_max = (uint16_t)(mtu - SLINK_SEQ_MAX_LEN - SLINK_TAG_LEN - 1u);
    if (sc->chunk_max > SLINK_STREAM_CHUNK_MAX) sc->chunk_max = (uint16_t)SLINK_STREAM_CHUNK_MAX;
    sc->window = c->cfg.stream_window;
    /* A chunk and its ACK cross the line, plus scheduling slack. */
    sc->rto_min_ms = 2u * conn_airtime_ms(c, (size_t)mtu + 40u) + 2u * c->cfg.gap_ms + 20u;
    sc->rto_initial_ms = 2u * sc->rto_min_ms + 100u;
    sc->rto_max_ms = 2000u + 4u * conn_airtime_ms(c, (size_t)mtu + 40u);
    sc->max_tries = 20;   /* with backoff capped: 20 tries, and at least ... */
    sc->give_up_ms = 60000u;   /* ... this long (what doubling to 10 s gave before the cap) */
    sc->ack_delay_ms = 5u + conn_airtime_ms(c, 40u);
    sc->adapt = 1;   /* chunk size follows the measured loss (§3.6) */
    /* ... and the RTO floor the chunk size: rto_min_ms is then the slack
     * alone (the stream adds the frames' airtime). */
    sc->rto_byte_us = 10000000u / c->cfg.baud;
    sc->rto_min_ms = 2u * c->cfg.gap_ms + 20u;
    if (noise != c->noise_mark) sc->chunk_start = CHUNK_START_NOISY;
    c->noise_mark = noise;
}

/* Bytes we acknowledged in the session now ending are the application's:
 * they stay ahead of the new session's bytes, queued with the ended
 * session's id and end code.  The bytes still unread beyond those of older
 * queued sessions are the ending session's own. */
static void carry_ended_session(slink_conn *c)
{
    size_t readable = slink_stream_readable(&c->stream), older = 0, fresh;
    uint8_t i;
    for (i = 0; i < c->carry_count; i++) older += c->carry[i].bytes;
    fresh = readable > older ? readable - older : 0u;
    if (c->session_id == 0 || (fresh == 0 && c->end_read)) return;
    if (c->carry_count < SLINK_CONN_CARRY_MAX) {
        c->carry[c->carry_count].bytes = fresh;
        c->carry[c->carry_count].session = c->session_id;
        c->carry[c->carry_count].end = c->end_reason != SLINK_OK ? c->end_reason : SLINK_ERR_PEER_RESET;
        c->carry_count++;
        return;
    }
    /* Full: the ending session was held shut (slink_stream_hold_rx), so it
     * received nothing and only its end is left; the application learns of
     * it through the end of the newest queued session.  Should bytes ever
     * be there, they stay readable (never dropped) under that session. */
    c->carry[c->carry_count - 1u].bytes += fresh;
}

slink_err conn_install_session(slink_conn *c, slink_hs *hs, uint64_t now_ms)
{
    slink_stream_cfg sc;
    slink_err e;

    if (c->rec_valid) conn_end_session(c, SLINK_ERR_PEER_RESET, 0);
    e = slink_rec_init(&c->rec, c->cfg.local_addr, c->cfg.peer_addr,
                       hs->tx_secret, hs->rx_secret, &c->cfg.limits);
    slink_memzero(hs->tx_secret, sizeof hs->tx_secret);
    slink_memzero(hs->rx_secret, sizeof hs->rx_secret);
    if (e != SLINK_OK) {
        conn_log(c, SLINK_LOG_ERROR, "cannot install session keys: %s", slink_err_desc(e));
        c->state = SLINK_CONN_CLOSED;
        c->end_reason = e;
        conn_event(c, SLINK_EV_HS_FAILED, e);
        return e;
    }
    c->peer_mtu = hs->peer_mtu;
    /* The peer answered our last flight but one, so everything handed out
     * before that has left the line: at most our final handshake message
     * (one certificate and its signed keys) can still be queued.  The
     * model says more after a transport faster than its baud (a pty) or a
     * port loss that emptied the real queue (it adds up all airtime ever
     * handed out), and the new stream's queue rule (§3.6) would hold its
     * first chunks for that fictional backlog: seconds (faults-ci). */
    if (c->tx_line_free_ms > now_ms + conn_airtime_ms(c, SLINK_CERT_MAX + 512u)) {
        c->tx_line_free_ms = now_ms + conn_airtime_ms(c, SLINK_CERT_MAX + 512u);
        c->tx_line_rem = 0;
    }
    stream_cfg_for(c, &sc);
    carry_ended_session(c);
    slink_stream_restart(&c->stream, &sc);
    /* A full queue holds the new session's receive side shut until the
     * application has read an ended session's bytes and end. */
    slink_stream_hold_rx(&c->stream, c->carry_count >= SLINK_CONN_CARRY_MAX);
    c->end_read = 0;

    c->dgram_rx_head = c->dgram_rx_count = 0;
    c->dgram_tx_pending = 0;
    c->close_tries = 0;
    c->close_acked = 0;
    c->close_next_ms = 0;
    c->rx_since_tx = 0;
    c->probe_tries = 0;
    c->probe_send = 0;
    c->rec_valid = 1;
    c->state = SLINK_CONN_ESTABLISHED;
    c->end_reason = SLINK_OK;
    c->session_id++;
    c->last_rx_ms = now_ms;
    c->last_tx_ms = now_ms;
    c->hs_restart_at_ms = CONN_NEVER;
    if (hs->peer_cert_len > 0 && hs->peer_cert_len <= sizeof c->peer_cert) {
        memcpy(c->peer_cert, hs->peer_cert_der, hs->peer_cert_len);
        c->peer_cert_len = hs->peer_cert_len;
    }
    memcpy(c->peer_cn, hs->peer_cn, sizeof c->peer_cn);
    c->peer_cn[sizeof c->peer_cn - 1] = '\0';
    c->stats.hs_completed++;
    conn_event(c, SLINK_EV_ESTABLISHED, SLINK_OK);
    conn_log(c, SLINK_LOG_INFO, "session %u established with '%s'",
             (unsigned)c->session_id, c->peer_cn);
    return SLINK_OK;
}

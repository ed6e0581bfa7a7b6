/* The connection: lifecycle, input dispatch and the application API.
 * This is the only place that routes between layers:
 *   frame -> record -> (stream | datagram | ack | alert)
 *   frame -> handshake driver (conn_hs.c)
 * Output assembly lives in conn_out.c; both call down into conn_hs.c and
 * conn_session.c, never back. */
#include "conn_internal.h"
#include "../cc.h"

#include <string.h>

int slink_conn_poll_event(slink_conn *c, slink_event *ev)
{
    if (c == NULL || ev == NULL || c->ev_count == 0) return 0;
    *ev = c->events[c->ev_head];
    c->ev_head = (uint8_t)((c->ev_head + 1u) % SLINK_EVENT_QUEUE);
    c->ev_count--;
    return 1;
}

slink_conn_state slink_conn_get_state(const slink_conn *c)
{
    return c->state;
}

/* Not inlined into slink_conn_init: reached through k, its two dozen
 * field accesses take the short offsets from the start of the
 * configuration instead of long ones from the connection's (50 bytes on
 * a Cortex-M4). */
static SLINK_NOINLINE slink_err normalise_cfg(slink_conn_cfg *k)
{
    SLINK_CHECK(slink_addr_is_unicast(k->local_addr) && slink_addr_is_unicast(k->peer_addr),
                SLINK_ERR_CONFIG);
    SLINK_CHECK(k->local_addr != k->peer_addr, SLINK_ERR_CONFIG);
    SLINK_CHECK(k->creds != NULL && k->creds->loaded, SLINK_ERR_CONFIG);
    SLINK_CHECK(k->policy.name != NULL && k->policy.name[0] != '\0', SLINK_ERR_CONFIG);
    SLINK_CHECK(k->role >= SLINK_START_INITIATOR && k->role <= SLINK_START_AUTO, SLINK_ERR_CONFIG);
    SLINK_CHECK(SLINK_CFG_INITIATOR || k->role == SLINK_START_RESPONDER, SLINK_ERR_CONFIG);
    SLINK_CHECK(SLINK_CFG_CERT_FP_RULES || (k->policy.deny_count == 0 && k->policy.pin == NULL),
                SLINK_ERR_CONFIG);
    if (k->baud == 0) k->baud = 115200;
    if (k->mtu == 0 || k->mtu > SLINK_MAX_FRAME_BODY) k->mtu = SLINK_MAX_FRAME_BODY;
    SLINK_CHECK(k->mtu >= SLINK_MIN_FRAME_BODY, SLINK_ERR_CONFIG);
    /* The peer only learns mtu_code = MTU / 16: use the MTU it learns, or
     * the two ends would size records differently (§2.4). */
    k->mtu = (uint16_t)(k->mtu / SLINK_MTU_UNIT * SLINK_MTU_UNIT);
    if (k->hs_proc_ms == 0) k->hs_proc_ms = 300;
    if (k->hs_max_tries == 0) k->hs_max_tries = 8;
    if (k->hs_min_interval_ms == 0) k->hs_min_interval_ms = 1000;
    if (k->hs_restart_ms == 0) k->hs_restart_ms = 2000;
    /* A half-duplex device speaks when polled, and says no_session then
     * (the master's polls are its keep-alive). */
    if (k->keepalive_ms == 0 && k->idle_timeout_ms != 0) k->keepalive_ms = k->idle_timeout_ms / 3u;
    if (k->keepalive_ms == 0 && !k->half_duplex_device) k->keepalive_ms = SLINK_KEEPALIVE_DEFAULT_MS;
    if (k->keepalive_ms == SLINK_KEEPALIVE_OFF) k->keepalive_ms = 0;   /* from here on 0 is off */
    if (k->stream_window == 0 || k->stream_window > SLINK_STREAM_WINDOW)
        k->stream_window = SLINK_STREAM_WINDOW;
    if (k->gap_ms == 0) k->gap_ms = slink_gap_ms_for_baud(k->baud);
    /* k->limits: slink_rec_init puts in the defaults for zeros */
    return SLINK_OK;
}

slink_err slink_conn_init(slink_conn *c, const slink_conn_cfg *cfg,
                          const slink_platform *plat, uint64_t now_ms)
{
    /* DRBG personalisation: "slink conn" local peer, zero padded */
    uint8_t pers[16] = { 0 };
    slink_err e;
    SLINK_CHECK(c != NULL && cfg != NULL && plat != NULL && plat->entropy != NULL, SLINK_ERR_ARG);
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    c->keepalive_defaulted = cfg->keepalive_ms == 0 && cfg->idle_timeout_ms == 0;
    SLINK_TRY(normalise_cfg(&c->cfg));
    c->plat = plat;
    memcpy(pers, "slink conn", 10);
    pers[10] = c->cfg.local_addr;
    pers[11] = c->cfg.peer_addr;
    e = slink_rng_init(&c->rng, plat, pers, sizeof pers);
    if (e != SLINK_OK) {
        conn_log(c, SLINK_LOG_ERROR, "random source refused: %s", slink_err_desc(e));
        return e;
    }
    slink_deframer_init(&c->deframer, c->cfg.local_addr, c->cfg.gap_ms);
    conn_hs_init(c);
    if (c->cfg.policy.known_cert != NULL && c->cfg.policy.known_cert_len <= sizeof c->peer_cert) {
        memcpy(c->peer_cert, c->cfg.policy.known_cert, c->cfg.policy.known_cert_len);
        c->peer_cert_len = c->cfg.policy.known_cert_len;
    }
    c->state = SLINK_CONN_IDLE;
    c->end_reason = SLINK_OK;
    c->last_rx_ms = now_ms;
    c->last_tx_ms = now_ms;
    c->hs_restart_at_ms = CONN_NEVER;
    if (!conn_is_responder(c)) c->hs_restart_at_ms = now_ms;
    return SLINK_OK;
}

void slink_conn_wipe(slink_conn *c)
{
    if (c == NULL) return;
    conn_hs_wipe(c);
    if (c->rec_valid) slink_rec_wipe(&c->rec);
    slink_stream_wipe(&c->stream);
    slink_rng_free(&c->rng);
    slink_memzero(c, sizeof *c);
}

slink_err slink_conn_connect(slink_conn *c, uint64_t now_ms)
{
    SLINK_CHECK(c != NULL, SLINK_ERR_ARG);
    return conn_hs_start(c, now_ms);
}

/* ---- records ------------------------------------------------------------ */

static void on_ack(slink_conn *c, const uint8_t *pt, size_t len, uint64_t now_ms)
{
    slink_ack a;
    if (slink_ack_decode(pt, len, &a) != SLINK_OK) {
        c->stats.records_dropped++;
        return;
    }
    slink_rec_peer_ack(&c->rec, a.rx_epoch_lo, a.rx_high);
    /* The peer asks for an ACK at once: it is checking we hold the session. */
    if (a.flags & SLINK_ACK_F_PROBE) c->ack_now = 1;
    /* Our probe arrived under the session keys: the no_session hint that
     * started it was false (or stale), and the session stays. */
    if (conn_probing(c) && !c->probe_send && c->rec.peer_rx_valid &&
        c->rec.tx.epoch == c->probe_epoch && c->rec.peer_rx_high >= c->probe_seq) {
        c->probe_tries = 0;
        conn_log(c, SLINK_LOG_INFO, "peer answered the probe: its no_session hint was not genuine");
    }
    (void)slink_stream_on_ack(&c->stream, &a, now_ms);
    if ((a.flags & SLINK_ACK_F_CLOSE) && c->stream.close_requested && c->close_tries > 0)
        c->close_acked = 1;
}

static void on_alert(slink_conn *c, const uint8_t *pt, size_t len)
{
    slink_alert a;
    if (slink_alert_decode(pt, len, &a) != SLINK_OK) {
        c->stats.records_dropped++;
        return;
    }
    c->stats.last_alert_rx = a.code;
    if (a.code == SLINK_ALERT_CLOSE_NOTIFY && a.has_final) {
        if (slink_stream_on_close(&c->stream, a.final_chunk) == SLINK_OK) {
            c->ack_now = 1;
            return;
        }
        /* §3.8: a final behind what we took, beyond the window, before a
         * chunk we hold or unlike an earlier close_notify's. */
        c->stats.records_dropped++;
        conn_log(c, SLINK_LOG_WARN, "close_notify with final chunk %u ignored: stream is at chunk %u%s",
                 (unsigned)a.final_chunk, (unsigned)c->stream.rcv_nxt,
                 c->stream.peer_closed ? ", and an earlier close_notify said otherwise" : "");
        return;
    }
    if (a.level == SLINK_ALERT_FATAL) {
        conn_log(c, SLINK_LOG_WARN, "peer ended the session with fatal alert %s (%u)",
                 slink_alert_name(a.code), (unsigned)a.code);
        conn_end_session(c, SLINK_ERR_ALERT_RECEIVED, 0);
    }
}

/* Not inlined into slink_conn_handle_frame: its plaintext buffer would sit
 * under the handshake's path too, the deepest one. */
static SLINK_NOINLINE slink_err on_record(slink_conn *c, const slink_frame *f, uint64_t now_ms)
{
    uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    size_t len = 0;
    uint8_t ct = 0;
    slink_err e;

    if (!c->rec_valid) {
        /* A peer that still holds a session we lost (we rebooted) keeps
         * sending records: hint it, rate limited, to start a handshake. */
        c->stats.records_dropped++;
        if (c->no_session_hint_ms == 0 ||
            now_ms - c->no_session_hint_ms >= c->cfg.hs_min_interval_ms) {
            c->no_session_hint_ms = now_ms;
            conn_queue_plain_alert(c, SLINK_ALERT_NO_SESSION);
        }
        return SLINK_ERR_NOT_READY;
    }
    e = slink_rec_open(&c->rec, f->dst, f->src, f->type, f->body, f->body_len,
                       pt, sizeof pt, &len, &ct, now_ms);
    if (e == SLINK_ERR_INTEGRITY_LIMIT) {
        slink_memzero(pt, sizeof pt);
        conn_end_session(c, e, SLINK_ALERT_BAD_RECORD_MAC);
        return e;
    }
    if (e != SLINK_OK) {
        c->stats.records_dropped++;
        return e;
    }
    c->stats.records_in++;
    c->last_rx_ms = now_ms;
    c->rx_since_tx++;
    conn_hs_session_alive(c);
    switch (ct) {
    case SLINK_CT_ACK:
        on_ack(c, pt, len, now_ms);
        break;
    case SLINK_CT_STREAM:
        if (len > (size_t)c->stream.chunk_max + 1u) {
            /* Longer than the link MTU allows (§3.6): a peer that sizes
             * chunks by another rule would otherwise stall unseen. */
            c->stats.records_too_long++;
            e = SLINK_ERR_REC_MALFORMED;
            break;
        }
        e = slink_stream_on_chunk(&c->stream, pt, len, now_ms);
        if (e != SLINK_OK && slink_err_classify(e) == SLINK_CLASS_FATAL)
            conn_end_session(c, e, SLINK_ALERT_UNEXPECTED_MESSAGE);
        break;
    case SLINK_CT_DATAGRAM:
        if (len == 0) {
            /* §3.7: a datagram holds at least one byte. */
            c->stats.records_dropped++;
            e = SLINK_ERR_REC_MALFORMED;
        } else if (len + SLINK_SEQ_MAX_LEN + SLINK_TAG_LEN > conn_effective_mtu(c)) {
            c->stats.records_too_long++;
            e = SLINK_ERR_REC_MALFORMED;
        } else if (c->dgram_rx_count == SLINK_DGRAM_QUEUE) {
            c->stats.dgram_dropped++;
            e = SLINK_ERR_DGRAM_DROPPED;
        } else {
            uint8_t slot = (uint8_t)((c->dgram_rx_head + c->dgram_rx_count) % SLINK_DGRAM_QUEUE);
            memcpy(c->dgram_rx[slot], pt, len);
            c->dgram_rx_len[slot] = (uint16_t)len;
            c->dgram_rx_count++;
        }
        break;
    case SLINK_CT_ALERT:
        on_alert(c, pt, len);
        break;
    default:
        c->stats.records_dropped++;
        e = SLINK_ERR_REC_CONTENT;
        break;
    }
    slink_memzero(pt, len);
    return e;
}

/* A no_session hint against a confirmed session is unauthenticated: it may
 * at most make us probe (I1).  The probe is an ACK record asking for an ACK
 * at once; an answer under the session keys proves the peer holds the
 * session, and only CONN_PROBE_TRIES unanswered probes start a handshake,
 * beside the session, which it replaces only when it authenticates. */
static void probe_start(slink_conn *c, uint64_t now_ms)
{
    if (c->probe_tries > 0) return;
    if (c->probe_last_ms != 0 && now_ms + 1u < c->probe_last_ms + c->cfg.hs_min_interval_ms) return;
    c->probe_last_ms = now_ms + 1u;
    c->probe_tries = 1;
    c->probe_send = 1;
    c->probe_next_ms = CONN_NEVER;
}

void conn_probe_unanswered(slink_conn *c, uint64_t now_ms)
{
    if (conn_probing(c) && !c->probe_send && c->probe_next_ms > now_ms) c->probe_next_ms = now_ms;
}

int conn_probe_due(const slink_conn *c, uint64_t now_ms)
{
    return c->rec_valid && conn_probing(c) && (c->probe_send || now_ms >= c->probe_next_ms);
}

/* The alerts a responder sends when it refuses msg3 (handshake.c
 * alert_for).  PROTOCOL_VERSION answers a msg1, never a msg3. */
static int refuses_msg3(uint8_t code)
{
    switch (code) {
    case SLINK_ALERT_UNKNOWN_CA:
    case SLINK_ALERT_CERTIFICATE_EXPIRED:
    case SLINK_ALERT_ACCESS_DENIED:
    case SLINK_ALERT_BAD_CERTIFICATE:
    case SLINK_ALERT_HANDSHAKE_FAILURE:
    case SLINK_ALERT_DECODE_ERROR:
    case SLINK_ALERT_INTERNAL_ERROR:
        return 1;
    default:
        return 0;
    }
}

static slink_err on_plain_alert(slink_conn *c, const slink_frame *f, uint64_t now_ms)
{
    c->stats.plain_alerts++;
    if (f->body_len != 2) return SLINK_ERR_FRAME_TYPE;
    c->stats.last_alert_rx = f->body[1];
    if (f->body[1] == SLINK_ALERT_NO_SESSION) {
        /* A responder waits for the initiator to start over by itself. */
        if (!c->rec_valid || conn_is_responder(c)) return SLINK_OK;
        if (c->hs_msg3_unconfirmed) {
            conn_hs_on_hint(c, now_ms);
            return SLINK_OK;
        }
        probe_start(c, now_ms);
        return SLINK_OK;
    }
    conn_log(c, SLINK_LOG_WARN, "peer reports a handshake failure: %s (%u), unauthenticated",
             slink_alert_name(f->body[1]), (unsigned)f->body[1]);
    /* An initiator holds keys one flight before the responder accepts msg3.
     * If the responder refuses msg3, this unauthenticated alert is all we
     * will hear; dropping a session nobody confirmed costs at most a new
     * handshake, whoever sent the alert.  A confirmed session ignores it. */
    if (c->rec_valid && conn_msg3_unconfirmed(c) && f->body[0] == SLINK_ALERT_FATAL &&
        refuses_msg3(f->body[1]))
        conn_end_session(c, SLINK_ERR_ALERT_RECEIVED, 0);
    return SLINK_OK;
}

slink_err slink_conn_handle_frame(slink_conn *c, const slink_frame *f, uint64_t now_ms)
{
    SLINK_CHECK(c != NULL && f != NULL, SLINK_ERR_ARG);
    if (f->src != c->cfg.peer_addr) return SLINK_ERR_NO_PEER;
    c->stats.frames_in++;
    if (f->type & SLINK_FT_RECORD_BIT) return on_record(c, f, now_ms);
    /* handshake message 1..3, whole or a fragment */
    if ((f->type & ~SLINK_FT_HS_FRAG) >= SLINK_FT_HS1 && (f->type & ~SLINK_FT_HS_FRAG) <= SLINK_FT_HS3)
        return conn_hs_frame(c, f, now_ms);
    switch (f->type) {
    case SLINK_FT_HS_REPAIR:
        return conn_hs_repair(c, f, now_ms);
    case SLINK_FT_POLL:
        /* Unauthenticated: a POLL only lets us talk, and never for longer
         * than SLINK_TURN_BUDGET_MAX bytes (plus one frame) per POLL. */
        if (f->body_len != 0 && f->body_len != 2) return SLINK_ERR_FRAME_TYPE;
        if (c->cfg.half_duplex_device) {
            uint32_t b = f->body_len == 2 ? ((uint32_t)f->body[0] << 8) | f->body[1]
                                          : SLINK_TURN_BUDGET_DEFAULT;
            c->turn = 1;
            c->turn_sent = 0;
            c->turn_budget = b == 0 ? 1u : b > SLINK_TURN_BUDGET_MAX ? SLINK_TURN_BUDGET_MAX : b;
        }
        return SLINK_OK;
    case SLINK_FT_TURN_END:
        return SLINK_OK;
    case SLINK_FT_PLAIN_ALERT:
        return on_plain_alert(c, f, now_ms);
    default:
        return SLINK_ERR_FRAME_TYPE;
    }
}

slink_err slink_conn_input(slink_conn *c, const uint8_t *in, size_t n, uint64_t now_ms)
{
    slink_err last = SLINK_OK;
    SLINK_CHECK(c != NULL && (in != NULL || n == 0), SLINK_ERR_ARG);
    c->stats.bytes_in += n;
    while (n > 0) {
        size_t used = 0;
        slink_frame f;
        slink_err e = slink_deframer_push(&c->deframer, in, n, now_ms, &used, &f);
        if (used > n) used = n;  /* defensive: never walk past the input */
        in += used;
        n -= used;
        if (e == SLINK_OK) {
            e = slink_conn_handle_frame(c, &f, now_ms);
            if (slink_err_classify(e) == SLINK_CLASS_FATAL) last = e;
        } else if (e == SLINK_ERR_NEED_MORE) {
            break;
        } else if (e == SLINK_ERR_FRAME_CRC || e == SLINK_ERR_FRAME_COBS || e == SLINK_ERR_FRAME_RUNT) {
            /* A damaged frame may be the peer's answer to our flight: ask
             * for the pieces once the line is quiet (§4.7). */
            conn_hs_line_noise(c, now_ms);
        }
        if (used == 0 && e != SLINK_OK) break;
    }
    return last;
}

/* ---- application API ---------------------------------------------------- */

static slink_err ended_code(const slink_conn *c)
{
    return c->end_reason == SLINK_OK ? SLINK_ERR_NOT_READY : c->end_reason;
}

slink_err slink_conn_send(slink_conn *c, const uint8_t *p, size_t n, size_t *accepted)
{
    SLINK_CHECK(c != NULL && accepted != NULL && (p != NULL || n == 0), SLINK_ERR_ARG);
    *accepted = 0;
    if (!c->rec_valid) return SLINK_ERR_NOT_READY;
    return slink_stream_write(&c->stream, p, n, accepted);
}

slink_err slink_conn_recv(slink_conn *c, uint8_t *p, size_t cap, size_t *got)
{
    slink_err e;
    size_t before;
    SLINK_CHECK(c != NULL && p != NULL && got != NULL, SLINK_ERR_ARG);
    *got = 0;
    before = slink_stream_readable(&c->stream);
    if (c->carry_count > 0) {
        if (c->carry[0].bytes == 0) {
            /* That session's bytes are read: its end, then the next one's. */
            e = c->carry[0].end;
            memmove(&c->carry[0], &c->carry[1], (size_t)(c->carry_count - 1u) * sizeof c->carry[0]);
            c->carry_count--;
            if (c->stream.rx_hold && c->carry_count < SLINK_CONN_CARRY_MAX) {
                slink_stream_hold_rx(&c->stream, 0);
                if (c->rec_valid) c->ack_now = 1;   /* the window opens: say so */
            }
            return e;
        }
        /* An ended session's bytes: no further than its last. */
        if (cap > c->carry[0].bytes) cap = c->carry[0].bytes;
    } else if (before == 0 && !c->rec_valid) {
        c->end_read = 1;
        return ended_code(c);
    }
    e = slink_stream_read(&c->stream, p, cap, got);
    if (c->carry_count > 0) c->carry[0].bytes -= *got;
    /* Reading may reopen a closed window: tell the sender promptly. */
    if (c->rec_valid && before >= SLINK_STREAM_RX_BUF / 2u) c->ack_now = 1;
    return e;
}

slink_err slink_conn_end_stream(slink_conn *c)
{
    SLINK_CHECK(c != NULL, SLINK_ERR_ARG);
    if (!c->rec_valid) return SLINK_ERR_NOT_READY;
    return slink_stream_end(&c->stream);
}

uint32_t slink_conn_rx_session(const slink_conn *c)
{
    if (c == NULL) return 0;
    return c->carry_count > 0 ? c->carry[0].session : c->session_id;
}

slink_err slink_conn_send_dgram(slink_conn *c, const uint8_t *p, size_t n)
{
    /* Empty datagrams do not exist (§3.7): an application could not tell
     * one from end of file on a socket. */
    SLINK_CHECK(c != NULL && p != NULL && n > 0, SLINK_ERR_ARG);
    if (!c->rec_valid) return SLINK_ERR_NOT_READY;
    if (n > SLINK_DGRAM_MAX || n + SLINK_SEQ_MAX_LEN + SLINK_TAG_LEN > conn_effective_mtu(c))
        return SLINK_ERR_TOO_BIG;
    if (c->dgram_tx_pending) return SLINK_ERR_WOULD_BLOCK;
    memcpy(c->dgram_tx, p, n);
    c->dgram_tx_len = (uint16_t)n;
    c->dgram_tx_pending = 1;
    return SLINK_OK;
}

slink_err slink_conn_recv_dgram(slink_conn *c, uint8_t *p, size_t cap, size_t *len)
{
    uint8_t slot;
    SLINK_CHECK(c != NULL && p != NULL && len != NULL, SLINK_ERR_ARG);
    *len = 0;
    if (c->dgram_rx_count == 0) return c->rec_valid ? SLINK_ERR_AGAIN : ended_code(c);
    slot = c->dgram_rx_head;
    if (c->dgram_rx_len[slot] > cap) return SLINK_ERR_BUFFER;
    memcpy(p, c->dgram_rx[slot], c->dgram_rx_len[slot]);
    *len = c->dgram_rx_len[slot];
    slink_memzero(c->dgram_rx[slot], c->dgram_rx_len[slot]);
    c->dgram_rx_head = (uint8_t)((slot + 1u) % SLINK_DGRAM_QUEUE);
    c->dgram_rx_count--;
    return SLINK_OK;
}

slink_err slink_conn_close(slink_conn *c, uint64_t now_ms)
{
    SLINK_CHECK(c != NULL, SLINK_ERR_ARG);
    (void)now_ms;
    /* Closing stops automatic re-handshakes too. */
    c->hs_restart_at_ms = CONN_NEVER;
    if (!c->rec_valid) return SLINK_ERR_NOT_READY;
    if (!c->stream.close_requested) slink_stream_close(&c->stream);
    return SLINK_OK;
}

slink_err slink_conn_key_update(slink_conn *c)
{
    SLINK_CHECK(c != NULL, SLINK_ERR_ARG);
    if (!c->rec_valid) return SLINK_ERR_NOT_READY;
    return slink_rec_key_update(&c->rec);
}

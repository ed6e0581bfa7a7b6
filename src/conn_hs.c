/* Driving the handshake from the connection: fragmentation and reassembly of
 * handshake messages, flight retransmission with backoff derived from the
 * line rate, the rate limit on expensive first messages, the simultaneous
 * open tie-break, and installing a finished handshake as the session. */
#include "conn_internal.h"

#include <string.h>
#include <mbedtls/platform_util.h>

#define HS_RTO_MAX_MS 60000u

static void hs_cfg_for(slink_conn *c, slink_hs_cfg *k)
{
    memset(k, 0, sizeof *k);
    k->creds = c->cfg.creds;
    k->policy = &c->cfg.policy;
    k->plat = c->plat;
    k->rng = &c->rng;
    k->local_addr = c->cfg.local_addr;
    k->peer_addr = c->cfg.peer_addr;
    k->local_mtu = c->cfg.mtu;
    if (c->peer_cert_len > 0) {
        k->peer_cert = c->peer_cert;
        k->peer_cert_len = c->peer_cert_len;
    }
}

/* A flight's timer: its own airtime, the reply's (a certificate-sized
 * message), and the peer's crypto time (an MCU needs about a second). */
static void flight_begin(slink_conn *c, uint64_t now_ms)
{
    /* Our flight, the peer's answer (certificate-sized) and its work. */
    uint32_t rto = conn_airtime_ms(c, c->hs.out_len + 16u) +
                   conn_airtime_ms(c, SLINK_CERT_MAX / 2u + 200u) +
                   c->cfg.hs_proc_ms + 2u * c->cfg.gap_ms;
    c->hs_rto_ms = rto;
    c->hs_tries = 1;
    c->hs_tx_pending = 1;
    c->hs_frag_next = 0;
    c->hs_next_tx_ms = now_ms + rto;
}

static void reasm_reset(slink_conn *c)
{
    memset(c->reasm_have, 0, sizeof c->reasm_have);
    c->reasm_total = 0;
    c->reasm_msgno = 0;
}

slink_err conn_hs_start(slink_conn *c, uint64_t now_ms)
{
    slink_hs_cfg k;
    slink_err e;
    hs_cfg_for(c, &k);
    slink_hs_init(&c->hs, &k);
    e = slink_hs_start(&c->hs);
    if (e != SLINK_OK) {
        conn_log(c, SLINK_LOG_ERROR, "cannot start handshake: %s", slink_err_desc(e));
        c->hs_restart_at_ms = now_ms + c->cfg.hs_restart_ms;
        return e;
    }
    reasm_reset(c);
    flight_begin(c, now_ms);
    c->hs_restart_at_ms = CONN_NEVER;
    c->stats.hs_started++;
    if (!c->rec_valid) c->state = SLINK_CONN_HANDSHAKE;
    return SLINK_OK;
}

static void install_session(slink_conn *c, uint64_t now_ms)
{
    slink_stream_cfg sc;
    uint16_t mtu;
    slink_err e;

    if (c->rec_valid) conn_end_session(c, SLINK_ERR_PEER_RESET, 0);
    e = slink_rec_init(&c->rec, c->cfg.local_addr, c->cfg.peer_addr,
                       c->hs.tx_secret, c->hs.rx_secret, &c->cfg.limits);
    mbedtls_platform_zeroize(c->hs.tx_secret, sizeof c->hs.tx_secret);
    mbedtls_platform_zeroize(c->hs.rx_secret, sizeof c->hs.rx_secret);
    if (e != SLINK_OK) {
        conn_log(c, SLINK_LOG_ERROR, "cannot install session keys: %s", slink_err_desc(e));
        c->state = SLINK_CONN_CLOSED;
        c->end_reason = e;
        conn_event(c, SLINK_EV_HS_FAILED, e);
        return;
    }
    c->peer_mtu = c->hs.peer_mtu;
    mtu = conn_effective_mtu(c);

    memset(&sc, 0, sizeof sc);
    /* §3.6: both ends use min(advertised MTUs) - 23, for sending and for
     * accepting (cfg.mtu is already what we advertised). */
    sc.chunk_max = (uint16_t)(mtu - SLINK_SEQ_MAX_LEN - SLINK_TAG_LEN - 1u);
    if (sc.chunk_max > SLINK_STREAM_CHUNK_MAX) sc.chunk_max = (uint16_t)SLINK_STREAM_CHUNK_MAX;
    sc.window = c->cfg.stream_window;
    /* A chunk and its ACK cross the line, plus scheduling slack. */
    sc.rto_min_ms = 2u * conn_airtime_ms(c, (size_t)mtu + 40u) + 2u * c->cfg.gap_ms + 20u;
    sc.rto_initial_ms = 2u * sc.rto_min_ms + 100u;
    sc.rto_max_ms = 2000u + 4u * conn_airtime_ms(c, (size_t)mtu + 40u);
    sc.max_tries = 20;   /* with backoff capped: 20 tries, and at least ... */
    sc.give_up_ms = 60000u;   /* ... this long (what doubling to 10 s gave before the cap) */
    sc.ack_delay_ms = 5u + conn_airtime_ms(c, 40u);
    /* Bytes we acknowledged in the previous session are the application's:
     * keep them, and its end code, ahead of the new session's bytes. */
    c->rx_carry = slink_stream_readable(&c->stream);
    if (c->session_id != 0 && (c->rx_carry > 0 || !c->end_read)) {
        c->rx_carry_session = c->session_id;
        c->rx_carry_end = c->end_reason != SLINK_OK ? c->end_reason : SLINK_ERR_PEER_RESET;
    } else {
        c->rx_carry = 0;
        c->rx_carry_end = SLINK_OK;
    }
    slink_stream_restart(&c->stream, &sc);
    c->end_read = 0;

    c->dgram_rx_head = c->dgram_rx_count = 0;
    c->dgram_tx_pending = 0;
    c->close_tries = 0;
    c->close_acked = 0;
    c->close_next_ms = 0;
    c->rx_since_tx = 0;
    c->rec_valid = 1;
    c->state = SLINK_CONN_ESTABLISHED;
    c->end_reason = SLINK_OK;
    c->session_id++;
    c->last_rx_ms = now_ms;
    c->last_tx_ms = now_ms;
    c->hs_restart_at_ms = CONN_NEVER;
    c->hs_next_tx_ms = CONN_NEVER;
    if (c->hs.peer_cert_len > 0 && c->hs.peer_cert_len <= sizeof c->peer_cert) {
        memcpy(c->peer_cert, c->hs.peer_cert_der, c->hs.peer_cert_len);
        c->peer_cert_len = c->hs.peer_cert_len;
    }
    memcpy(c->peer_cn, c->hs.peer_cn, sizeof c->peer_cn);
    c->peer_cn[sizeof c->peer_cn - 1] = '\0';
    if (c->hs.role == SLINK_ROLE_INITIATOR) {
        /* msg3 has no answer of its own: it is resent when msg2 repeats
         * and on its own timer until a record under the new keys confirms
         * it (the responder sends one at once); a session nobody confirms
         * ends after the usual number of tries. */
        flight_begin(c, now_ms);
        c->hs_msg3_unconfirmed = 1;
        c->no_session_hints = 0;
    } else {
        c->ack_now = 1;            /* key confirmation for the initiator */
    }
    c->stats.hs_completed++;
    conn_event(c, SLINK_EV_ESTABLISHED, SLINK_OK);
    conn_log(c, SLINK_LOG_INFO, "session %u established with '%s'",
             (unsigned)c->session_id, c->peer_cn);
}

static void hs_failed(slink_conn *c, slink_err e, uint64_t now_ms)
{
    c->stats.hs_failed++;
    conn_log(c, SLINK_LOG_WARN, "handshake failed: %s", slink_err_desc(e));
    if (c->hs.alert != 0) conn_queue_plain_alert(c, c->hs.alert);
    slink_hs_wipe(&c->hs);
    c->hs_tx_pending = 0;
    c->hs_next_tx_ms = CONN_NEVER;
    reasm_reset(c);
    if (!c->rec_valid) {
        c->state = SLINK_CONN_CLOSED;
        c->end_reason = e;
    }
    conn_event(c, SLINK_EV_HS_FAILED, e);
    if (c->cfg.role != SLINK_START_RESPONDER && !c->rec_valid)
        c->hs_restart_at_ms = now_ms + c->cfg.hs_restart_ms;
}

static slink_err first_message_gate(slink_conn *c, const uint8_t *msg, size_t len, uint64_t now_ms)
{
    slink_hs_cfg k;
    if (c->hs.role == SLINK_ROLE_INITIATOR && c->hs.state == SLINK_HS_WAIT_MSG2) {
        /* Our own ephemeral coming back is a reflection, not a peer that
         * opened at the same time: resetting for the tie-break would throw
         * away our handshake and answer ourselves (§4.4). */
        if (len == SLINK_HS1_LEN &&
            memcmp(msg + SLINK_HS1_LEN - SLINK_ECX_LEN, c->hs.eph.x, SLINK_ECX_LEN) == 0) {
            c->stats.hs_dropped++;
            return SLINK_ERR_HS_UNEXPECTED;
        }
        /* Simultaneous open (§4.8): the higher address stays initiator. */
        if (c->cfg.local_addr > c->cfg.peer_addr) return SLINK_ERR_HS_TIE_BREAK;
    }
    /* The msg1 we already answered: resend msg2, no new ECDH work. */
    if (c->hs.role == SLINK_ROLE_RESPONDER &&
        (c->hs.state == SLINK_HS_WAIT_MSG3 || c->hs.state == SLINK_HS_DONE) &&
        len == SLINK_HS1_LEN && memcmp(msg, c->hs.msg1, len) == 0) {
        c->stats.hs_duplicates++;
        if (c->hs.state == SLINK_HS_WAIT_MSG3) {
            c->hs_tx_pending = 1;
            c->hs_frag_next = 0;
        }
        return SLINK_ERR_HS_DUPLICATE;
    }
    /* Anyone on the bus can send first messages: bound the ECDH and
     * signature work per peer address.  An established session keeps
     * serving whatever happens here. */
    if (c->hs_last_msg1_ms != 0 && now_ms < c->hs_last_msg1_ms + c->cfg.hs_min_interval_ms) {
        c->stats.hs_rate_limited++;
        return SLINK_ERR_HS_RATE_LIMIT;
    }
    /* +1 so that a first message at time 0 still arms the limit */
    c->hs_last_msg1_ms = now_ms + 1u;
    hs_cfg_for(c, &k);
    slink_hs_init(&c->hs, &k);
    return SLINK_OK;
}

static slink_err hs_message(slink_conn *c, uint8_t msgno, const uint8_t *msg, size_t len,
                            uint64_t now_ms)
{
    slink_err e;
    if (msgno == 1) {
        e = first_message_gate(c, msg, len, now_ms);
        if (e != SLINK_OK) return e;
    }
    e = slink_hs_consume(&c->hs, msgno, msg, len);
    if (e == SLINK_OK) {
        if (c->hs.state == SLINK_HS_WAIT_MSG3) {
            flight_begin(c, now_ms);
            c->stats.hs_started++;
            if (!c->rec_valid) c->state = SLINK_CONN_HANDSHAKE;
        } else if (c->hs.state == SLINK_HS_DONE) {
            c->hs_next_tx_ms = CONN_NEVER;
            install_session(c, now_ms);
        }
        return SLINK_OK;
    }
    if (e == SLINK_ERR_HS_DUPLICATE) {
        c->stats.hs_duplicates++;
        if (c->hs.out_len > 0) {
            c->hs_tx_pending = 1;
            c->hs_frag_next = 0;
        }
        return e;
    }
    if (slink_err_classify(e) == SLINK_CLASS_FATAL) {
        hs_failed(c, e, now_ms);
        return e;
    }
    c->stats.hs_dropped++;
    return e;
}

slink_err conn_hs_frame(slink_conn *c, const slink_frame *f, uint64_t now_ms)
{
    uint8_t msgno = (uint8_t)(f->type & 0x0Fu);
    uint16_t off = 0, total = 0;
    size_t dlen, i;
    slink_err e;

    if ((f->type & SLINK_FT_HS_FRAG) == 0) {
        if (f->body_len == 0 || f->body_len > SLINK_HS_MSG_MAX) return SLINK_ERR_HS_MALFORMED;
        return hs_message(c, msgno, f->body, f->body_len, now_ms);
    }
    e = slink_frag_hdr_decode(f->body, f->body_len, &off, &total);
    if (e != SLINK_OK) {
        c->stats.hs_dropped++;
        return SLINK_ERR_HS_MALFORMED;
    }
    dlen = f->body_len - SLINK_HS_FRAG_HDR;
    if (dlen == 0 || (size_t)off + dlen > total || total > SLINK_HS_MSG_MAX) {
        c->stats.hs_dropped++;
        return SLINK_ERR_HS_MALFORMED;
    }
    if (c->reasm_msgno != msgno || c->reasm_total != total) {
        reasm_reset(c);
        c->reasm_msgno = msgno;
        c->reasm_total = total;
    }
    memcpy(c->reasm + off, f->body + SLINK_HS_FRAG_HDR, dlen);
    for (i = off; i < (size_t)off + dlen; i++)
        c->reasm_have[i / 8u] = (uint8_t)(c->reasm_have[i / 8u] | (1u << (i % 8u)));
    for (i = 0; i < total; i++)
        if ((c->reasm_have[i / 8u] & (1u << (i % 8u))) == 0) return SLINK_ERR_NEED_MORE;
    reasm_reset(c);
    return hs_message(c, msgno, c->reasm, total, now_ms);
}

void conn_hs_timers(slink_conn *c, uint64_t now_ms)
{
    int confirming = c->hs.state == SLINK_HS_DONE && c->rec_valid && c->hs_msg3_unconfirmed;
    int waiting = c->hs.state == SLINK_HS_WAIT_MSG2 || c->hs.state == SLINK_HS_WAIT_MSG3 || confirming;
    if (waiting && now_ms >= c->hs_next_tx_ms && c->hs_tx_pending) {
        /* The last transmission has not gone out yet (a half-duplex device
         * waiting for its turn, or an owner not draining output): a try is
         * only spent once it is on the wire. */
        c->hs_next_tx_ms = now_ms + c->hs_rto_ms;
    } else if (waiting && now_ms >= c->hs_next_tx_ms) {
        if (c->hs_tries >= c->cfg.hs_max_tries) {
            if (confirming) {
                c->hs_next_tx_ms = CONN_NEVER;
                conn_end_session(c, SLINK_ERR_HS_TIMEOUT, 0);
            } else {
                hs_failed(c, SLINK_ERR_HS_TIMEOUT, now_ms);
            }
            return;
        }
        c->hs_tries++;
        c->hs_rto_ms = c->hs_rto_ms > HS_RTO_MAX_MS / 2u ? HS_RTO_MAX_MS : 2u * c->hs_rto_ms;
        c->hs_next_tx_ms = now_ms + c->hs_rto_ms;
        c->hs_tx_pending = 1;
        c->hs_frag_next = 0;
        c->stats.hs_retransmits++;
    }
    if (!waiting && !c->rec_valid && c->hs_restart_at_ms != CONN_NEVER &&
        now_ms >= c->hs_restart_at_ms)
        (void)conn_hs_start(c, now_ms);
}

int conn_hs_next_frame(slink_conn *c, uint8_t *type, uint8_t *body, size_t cap, size_t *len)
{
    size_t mtu, fsz, off, dlen;
    if (!c->hs_tx_pending || c->hs.out_len == 0 || c->hs.out_msgno < 1 || c->hs.out_msgno > 3) {
        c->hs_tx_pending = 0;
        return 0;
    }
    /* msg1 goes before the peer's MTU is known: the minimum every node takes. */
    mtu = c->hs.out_msgno == 1 ? SLINK_MIN_FRAME_BODY : c->hs.peer_mtu;
    if (mtu > c->cfg.mtu) mtu = c->cfg.mtu;
    if (mtu < SLINK_MIN_FRAME_BODY) mtu = SLINK_MIN_FRAME_BODY;
    if (mtu > cap) mtu = cap;
    if (c->hs.out_len <= mtu && c->hs_frag_next == 0) {
        *type = c->hs.out_msgno;
        memcpy(body, c->hs.out, c->hs.out_len);
        *len = c->hs.out_len;
        c->hs_tx_pending = 0;
        return 1;
    }
    fsz = mtu - SLINK_HS_FRAG_HDR;
    off = (size_t)c->hs_frag_next * fsz;
    if (off >= c->hs.out_len) {
        c->hs_tx_pending = 0;
        c->hs_frag_next = 0;
        return 0;
    }
    dlen = c->hs.out_len - off;
    if (dlen > fsz) dlen = fsz;
    *type = (uint8_t)(SLINK_FT_HS_FRAG | c->hs.out_msgno);
    slink_put_u16(body, (uint16_t)off);
    slink_put_u16(body + 2, (uint16_t)c->hs.out_len);
    memcpy(body + SLINK_HS_FRAG_HDR, c->hs.out + off, dlen);
    *len = SLINK_HS_FRAG_HDR + dlen;
    c->hs_frag_next++;
    if (off + dlen >= c->hs.out_len) {
        c->hs_tx_pending = 0;
        c->hs_frag_next = 0;
    }
    return 1;
}

uint64_t conn_hs_next_timeout(const slink_conn *c, int can_send)
{
    uint64_t t = CONN_NEVER;
    if (c->hs_tx_pending && can_send) return 0;
    if (c->hs.state == SLINK_HS_WAIT_MSG2 || c->hs.state == SLINK_HS_WAIT_MSG3 ||
        (c->hs.state == SLINK_HS_DONE && c->rec_valid && c->hs_msg3_unconfirmed))
        t = c->hs_next_tx_ms;
    if (!c->rec_valid && c->hs_restart_at_ms < t) t = c->hs_restart_at_ms;
    return t;
}

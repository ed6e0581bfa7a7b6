/* Shared between the connection's files.  Calls go one way only:
 *   conn.c (input dispatch, application API) and conn_out.c (what goes out)
 *   -> conn_hs.c (handshake driver) -> conn_session.c (session install/end,
 *   events, log, line arithmetic).
 * Not part of the public API (tests and fuzzers include it to enumerate the
 * driver table). */
#ifndef SLINK_CONN_INTERNAL_H
#define SLINK_CONN_INTERNAL_H

#include "slink/conn.h"

#define CONN_NEVER UINT64_MAX
/* no_session hints answered by resending msg3 before a new attempt. */
#define CONN_MSG3_RESENDS_ON_HINT 2u
/* Authenticated probes sent for a no_session hint before the session is
 * taken for lost and a new handshake starts beside it (§4.9). */
#define CONN_PROBE_TRIES 3u

/* A responder in every build; in one without the initiator
 * (SLINK_CFG_INITIATOR 0, where normalise_cfg refuses the other roles) a
 * constant, so the initiator's paths are not compiled in. */
static inline int conn_is_responder(const slink_conn *c)
{
    return !SLINK_CFG_INITIATOR || c->cfg.role == SLINK_START_RESPONDER;
}

/* Probes (§4.9) and msg3's confirmation belong to the initiator: only its
 * attempt sets hs_msg3_unconfirmed and probe_send (conn_hs.c), and only a
 * node that may initiate starts a probe (on_plain_alert).  In a build
 * without the initiator these are constant 0, and their paths go. */
static inline int conn_probing(const slink_conn *c)
{
    return SLINK_CFG_INITIATOR && c->probe_tries > 0;
}

static inline int conn_probe_send(const slink_conn *c)
{
    return SLINK_CFG_INITIATOR && c->probe_send;
}

static inline int conn_msg3_unconfirmed(const slink_conn *c)
{
    return SLINK_CFG_INITIATOR && c->hs_msg3_unconfirmed;
}

/* ---- conn_session.c ---- */

/* Time to send n bytes at the configured baud, 10 bits per byte (8N1). */
uint32_t  conn_airtime_ms(const slink_conn *c, size_t n);
uint16_t  conn_effective_mtu(const slink_conn *c);

#if SLINK_CFG_LOG_TEXT
void conn_log(const slink_conn *c, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
#else
/* No text: the arguments (formats, descriptions) are not even evaluated. */
#define conn_log(...) ((void)0)
#endif
void      conn_event(slink_conn *c, slink_event_type t, slink_err e);

/* Delay before our next attempt after a failure: hs_restart_ms plus a
 * random part, so two nodes do not restart in step. */
uint32_t  conn_restart_delay_ms(slink_conn *c);

/* One-off plaintext alert for the next output. */
void      conn_queue_plain_alert(slink_conn *c, uint8_t code);
/* Plaintext alerts answer unauthenticated input: at most one per
 * hs_min_interval_ms.  Returns 1 (and spends the allowance) if one may go. */
int       conn_plain_alert_allowed(slink_conn *c, uint64_t now_ms);

/* Ends the current session (if any) for `reason`.  When alert_code is not
 * zero and the session still has keys, a sealed fatal alert is queued first. */
void      conn_end_session(slink_conn *c, slink_err reason, uint8_t alert_code);
/* A finished handshake (hs DONE) becomes the session; an older one ends
 * with PEER_RESET.  Wipes the handshake's traffic secrets. */
slink_err conn_install_session(slink_conn *c, slink_hs *hs, uint64_t now_ms);

/* ---- conn.c ---- */

/* A half-duplex bus master gave the device its turn after our probe went
 * out, and the turn ended without an answer under the session keys: the
 * answer cannot come later (the device only sends in its turns), so the
 * probe's timer expires now instead of after a stream RTO (§2.5).  The
 * probe still needs CONN_PROBE_TRIES unanswered tries (§4.9, I1). */
void      conn_probe_unanswered(slink_conn *c, uint64_t now_ms);
/* A probe (or, after the last unanswered one, the handshake it starts) is
 * ready to go: the bus master serves such a device out of turn (node.c). */
int       conn_probe_due(const slink_conn *c, uint64_t now_ms);

/* ---- conn_hs.c: the handshake driver ---- */

typedef enum { HS_SLOT_R = 0, HS_SLOT_I = 1 } conn_hs_slot_kind;
typedef enum {
    HS_PH_IDLE = 0,   /* no attempt */
    HS_PH_WAIT,       /* our flight is out, the peer's answer is awaited */
    HS_PH_CONFIRM,    /* initiator: session installed, msg3 not yet confirmed */
    HS_PH_DONE        /* finished (its session may since have ended) */
} conn_hs_phase;
typedef enum { HS_EV_MSG1 = 0, HS_EV_MSG2, HS_EV_MSG3, HS_EV_TIMER, HS_EV_HINT, HS_EV_REPAIR } conn_hs_event;
typedef enum {
    HS_ACT_DROP = 0,  /* nothing changes but a counter */
    HS_ACT_GATE,      /* msg1: through the gate rules (conn_hs.c msg1_gate) */
    HS_ACT_CONSUME,   /* into the slot's handshake (slink_hs_consume) */
    HS_ACT_RESEND,    /* the slot's flight again (backoff, limit) */
    HS_ACT_EXPIRE,    /* forget the attempt */
    HS_ACT_REPAIR     /* resend the pieces a repair request names, within the answer window */
} conn_hs_action;
/* The driver table, indexed (slot, phase, event): the action, one byte
 * (conn_hs_action); an entry not set is 0, HS_ACT_DROP. */
#define HS_SLOT_KINDS 2
#define HS_PHASES     4
#define HS_EVENTS     6
extern const uint8_t conn_hs_table[HS_SLOT_KINDS][HS_PHASES][HS_EVENTS];
conn_hs_action conn_hs_lookup(conn_hs_slot_kind k, conn_hs_phase p, conn_hs_event ev);
conn_hs_phase  conn_hs_slot_phase(const slink_conn *c, const slink_hs_slot *s);
/* An attempt is waiting for the peer (a timer is armed for it). */
int       conn_hs_busy(const slink_conn *c);
uint32_t  conn_hs_dup_interval_ms(const slink_conn *c);

void      conn_hs_init(slink_conn *c);
void      conn_hs_wipe(slink_conn *c);
slink_err conn_hs_frame(slink_conn *c, const slink_frame *f, uint64_t now_ms);
/* A repair request (§4.7): queue the pieces it names, within the window. */
slink_err conn_hs_repair(slink_conn *c, const slink_frame *f, uint64_t now_ms);
/* A damaged frame arrived (point-to-point): if we await message 2 or 3,
 * ask for it once the line is quiet. */
void      conn_hs_line_noise(slink_conn *c, uint64_t now_ms);
/* Start our own attempt (initiator slot). */
slink_err conn_hs_start(slink_conn *c, uint64_t now_ms);
/* A record under the session keys arrived: msg3 is confirmed, and an
 * attempt started because the session looked lost is cancelled. */
void      conn_hs_session_alive(slink_conn *c);
/* Start our own attempt because the session looks lost (no_session hints,
 * unanswered probes); conn_hs_session_alive cancels it. */
slink_err conn_hs_start_presumed_lost(slink_conn *c, uint64_t now_ms);
/* A no_session hint while msg3 is unconfirmed. */
void      conn_hs_on_hint(slink_conn *c, uint64_t now_ms);
void      conn_hs_timers(slink_conn *c, uint64_t now_ms);
/* Next handshake fragment to send, if one is due. */
int       conn_hs_next_frame(slink_conn *c, uint64_t now_ms, uint8_t *type, uint8_t *body, size_t cap,
                             size_t *len);
/* msg3 of the installed session is waiting to go out: it goes before any
 * record of that session. */
int       conn_hs_msg3_due(const slink_conn *c);
uint64_t  conn_hs_next_timeout(const slink_conn *c, uint64_t now_ms, int can_send);

#endif

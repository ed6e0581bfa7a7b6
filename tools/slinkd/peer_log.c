/* One log line per peer event.  The core explains a failure in several
 * lines as it unwinds ("certificate name 'x' does not match expected 'y'",
 * then "handshake: msg2: responder certificate rejected", then "handshake
 * failed: ..."), and it announces sessions that slinkd announces too.  Here
 * the core's warnings are held as the reason of the event they lead to, and
 * the event is logged once, with that reason; a held warning that no event
 * takes is written on its own.  The core's own event lines go to debug.
 *
 * Also here: the watch on a configured peer that has not answered for a
 * while (logged at growing intervals, and when it answers again). */
#include "daemon.h"
#include "log.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define NO_ANSWER_MAX_S 3600u   /* a long silence is recalled hourly */

/* The lines of the core that name an event slinkd logs itself. */
static int core_event_line(const char *msg)
{
    const char *s;
    if (!strncmp(msg, "handshake failed:", 17))
        return 1;
    if (strncmp(msg, "session ", 8) != 0 || !isdigit((unsigned char)msg[8]))
        return 0;
    for (s = msg + 8; isdigit((unsigned char)*s); s++)
        ;
    return !strncmp(s, " established with ", 18) || !strcmp(s, " closed") || !strncmp(s, " ended: ", 8);
}

void peer_core_log(void *ctx, int level, const char *msg)
{
    slinkd_peer *p = ctx;
    char pre[16];
    int n = snprintf(pre, sizeof pre, "peer %u: ", p->cfg.addr);
    /* our log line already names the peer */
    if (n > 0 && strncmp(msg, pre, (size_t)n) == 0)
        msg += n;
    if (core_event_line(msg)) {
        logm(SLINK_LOG_DEBUG, (int)p->cfg.addr, "core: %s", msg);
        return;
    }
    if (level > SLINK_LOG_WARN) {
        logm(level, (int)p->cfg.addr, "%s", msg);
        return;
    }
    /* the first complaint is the specific one; later lines only wrap it */
    if (!p->last_core_msg[0]) {
        snprintf(p->last_core_msg, sizeof p->last_core_msg, "%s", msg);
        p->last_core_level = level;
    } else {
        logm(SLINK_LOG_DEBUG, (int)p->cfg.addr, "core: %s", msg);
    }
}

/* "<reason> (<what the code means>, <code>)", the reason being the core's
 * first complaint when it gave one */
static void reason_text(const slinkd_peer *p, slink_err e, char *out, size_t cap)
{
    if (p->last_core_msg[0] && strstr(p->last_core_msg, slink_err_str(e)))
        snprintf(out, cap, "%.240s", p->last_core_msg);
    else if (p->last_core_msg[0])
        snprintf(out, cap, "%.200s (%s, %s)", p->last_core_msg, slink_err_desc(e), slink_err_str(e));
    else
        snprintf(out, cap, "%s (%s)", slink_err_desc(e), slink_err_str(e));
}

void peer_log_hs_failed(slinkd_peer *p, slink_err e)
{
    char why[300];
    int a = (int)p->cfg.addr;
    reason_text(p, e, why, sizeof why);
    snprintf(p->last_error, sizeof p->last_error, "peer %d: %.300s", a, why);
    p->last_core_msg[0] = 0;
    /* rate-limited by its text: one line per reason, then a count */
    logm(SLINK_LOG_WARN, a, "handshake refused: %s", why);
}

void peer_log_ended(slinkd_peer *p, uint32_t session, slink_err e)
{
    char why[300];
    int a = (int)p->cfg.addr;
    if (e == SLINK_ERR_CLOSED) {
        int by_peer = !(p->close_ours && p->close_ours_session == session);
        logm(SLINK_LOG_INFO, a, "session %08x closed by authenticated close (%s)", (unsigned)session,
             by_peer ? "the peer closed it" : "ours");
    } else {
        reason_text(p, e, why, sizeof why);
        logm(SLINK_LOG_WARN, a, "session %08x ended: %s", (unsigned)session, why);
        snprintf(p->last_error, sizeof p->last_error, "peer %d: session ended: %.280s", a, why);
    }
    p->last_core_msg[0] = 0;
}

void peer_note_own_close(slinkd_peer *p)
{
    const slink_conn *c = &p->conn;
    if ((p->peer_closed_seen && p->peer_closed_session == c->session_id) || c->stream.peer_closed)
        return;   /* the peer's close came first: ours answers it */
    p->close_ours = 1;
    p->close_ours_session = c->session_id;
}

void peer_log_established(slinkd_peer *p, uint32_t session)
{
    int a = (int)p->cfg.addr;
    /* complaints about attempts that did not count (a forged msg2 before
     * the genuine one) */
    if (p->last_core_msg[0])
        logm(SLINK_LOG_DEBUG, a, "core: %s", p->last_core_msg);
    p->last_core_msg[0] = 0;
    logm(SLINK_LOG_INFO, a, "session %08x up, peer '%s'", (unsigned)session, p->conn.peer_cn);
}

/* After the events: a held complaint no event took is written on its own,
 * unless a handshake is still running (its failure will carry it). */
void peer_log_flush(slinkd_peer *p)
{
    if (!p->last_core_msg[0] || slink_conn_get_state(&p->conn) == SLINK_CONN_HANDSHAKE)
        return;
    logm(p->last_core_level, (int)p->cfg.addr, "%s", p->last_core_msg);
    p->last_core_msg[0] = 0;
}

uint64_t peer_no_answer_ms(const slinkd_peer *p, uint64_t now)
{
    if (!p->silent_since_ms || now < p->silent_since_ms)
        return 0;
    return now - p->silent_since_ms;
}

/* A peer answers when a frame from it arrives (handshake or record, good
 * or not: a peer that answers wrongly is logged by the handshake).  While a
 * session is up, silence is normal (no traffic while idle); while the port
 * is closed the port is what is missing. */
void peer_watch(slinkd_peer *p, uint64_t now)
{
    slinkd *d = p->d;
    int a = (int)p->cfg.addr;
    uint32_t first = d->cfg.no_answer_log_s;
    int up = slink_conn_get_state(&p->conn) == SLINK_CONN_ESTABLISHED;
    if (up || p->conn.stats.frames_in != p->heard_frames || !port_is_open(&d->port) || d->stopping) {
        if (p->no_answer_logged && (up || p->conn.stats.frames_in != p->heard_frames))
            logm(SLINK_LOG_INFO, a, "'%s' answers again (silent for %llu s)", p->cfg.name,
                 (unsigned long long)(peer_no_answer_ms(p, now) / 1000u));
        p->heard_frames = p->conn.stats.frames_in;
        p->silent_since_ms = up || !port_is_open(&d->port) || d->stopping ? 0 : now;
        p->no_answer_logged = 0;
        p->no_answer_next_s = first;
        return;
    }
    if (!p->silent_since_ms) {
        p->silent_since_ms = now;
        p->no_answer_next_s = first;
    }
    if (first == 0 || now - p->silent_since_ms < (uint64_t)p->no_answer_next_s * 1000u)
        return;
    if (p->cfg.role == SLINK_START_RESPONDER)
        logm(SLINK_LOG_WARN, a, "no word from '%s' for %llu s, still waiting for it to start a handshake",
             p->cfg.name, (unsigned long long)((now - p->silent_since_ms) / 1000u));
    else
        logm(SLINK_LOG_WARN, a, "no answer from '%s' for %llu s, still trying", p->cfg.name,
             (unsigned long long)((now - p->silent_since_ms) / 1000u));
    p->no_answer_logged = 1;
    p->no_answer_next_s = p->no_answer_next_s >= NO_ANSWER_MAX_S / 2u ? p->no_answer_next_s + NO_ANSWER_MAX_S
                                                                       : p->no_answer_next_s * 2u;
}

/* The handshake driver: which handshake attempt a message goes to, what it
 * may change, and what the timers do.  Every decision is in the table below
 * (conn_hs_table, (slot, phase, event) -> action) or in the ordered rules of
 * msg1_gate in front of the expensive first message; docs/PROTOCOL.md §4.9
 * states the invariants they keep:
 *
 *   I1 unauthenticated input never ends, replaces or stalls a confirmed session
 *   I2 every phase but IDLE and DONE has a timer armed
 *   I3 unauthenticated input buys at most one new msg2 per budget token, and
 *      a duplicate is answered at most once per duplicate interval
 *   I4 messages are parsed before any state changes; an attempt in progress
 *      is never abandoned for an unauthenticated message
 *
 * Two attempts can run at once, one per role (slink_hs_slot): the responder
 * slot answers msg1 and reads msg3, the initiator slot sends msg1 and reads
 * msg2.  Whichever authenticates first becomes the session and ends the
 * other.  Fragmentation and reassembly of handshake messages live here too.
 * Calls go down only: this file uses conn_session.c, never conn.c or
 * conn_out.c. */
#include "conn_internal.h"

#include <string.h>
#include "../handshake/hs_driver.h"

#define HS_RTO_MAX_MS 60000u
/* A flight's timeout doubles per resend but stops at this many times its
 * first timeout (§4.7): a serial line has no congestion to back off from,
 * and on a noisy line the later, smaller fragments are the ones that get
 * through, so long waits between them only idle the link (at BER 1e-3
 * uncapped doubling spent about 240 s per session in handshakes). */
#define HS_BACKOFF_CAP 4u

/* ---- slots and phases --------------------------------------------------- */

static slink_hs_slot *slot_r(slink_conn *c)
{
    return &c->hs_slot[0];
}

/* NULL in a responder-only build (one slot). */
static slink_hs_slot *slot_i(slink_conn *c)
{
    return SLINK_HS_SLOTS > 1u ? &c->hs_slot[SLINK_HS_SLOTS - 1u] : NULL;
}

static const slink_hs_slot *slot_i_c(const slink_conn *c)
{
    return SLINK_HS_SLOTS > 1u ? &c->hs_slot[SLINK_HS_SLOTS - 1u] : NULL;
}

/* The initiator's slot?  A constant 0 in a responder-only build (one
 * slot), so that the initiator's paths below are not compiled in there
 * (the conn_is_responder pattern, conn_internal.h). */
static int slot_is_i(const slink_conn *c, const slink_hs_slot *s)
{
    return SLINK_HS_SLOTS > 1u && s == &c->hs_slot[SLINK_HS_SLOTS - 1u];
}

conn_hs_phase conn_hs_slot_phase(const slink_conn *c, const slink_hs_slot *s)
{
    switch (s->hs.state) {
    case SLINK_HS_WAIT_MSG2:
    case SLINK_HS_WAIT_MSG3:
        return HS_PH_WAIT;
    case SLINK_HS_DONE:
        return slot_is_i(c, s) && c->hs_msg3_unconfirmed && c->rec_valid ? HS_PH_CONFIRM
                                                                          : HS_PH_DONE;
    default:
        return HS_PH_IDLE;
    }
}

int conn_hs_busy(const slink_conn *c)
{
    unsigned i;
    for (i = 0; i < SLINK_HS_SLOTS; i++) {
        conn_hs_phase p = conn_hs_slot_phase(c, &c->hs_slot[i]);
        if (p == HS_PH_WAIT || p == HS_PH_CONFIRM) return 1;
    }
    return 0;
}

int slink_conn_hs_uses_creds(const slink_conn *c, const slink_creds *creds)
{
    unsigned i;
    if (c == NULL) return 0;
    for (i = 0; i < SLINK_HS_SLOTS; i++) {
        conn_hs_phase p = conn_hs_slot_phase(c, &c->hs_slot[i]);
        if ((p == HS_PH_WAIT || p == HS_PH_CONFIRM) && c->hs_slot[i].hs.cfg.creds == creds) return 1;
    }
    return 0;
}

/* ---- the driver table --------------------------------------------------- */

/* Why each rule is as it is stays here, in comments: a string per row
 * would put about 900 bytes of text that nothing reads into every image. */
const uint8_t conn_hs_table[HS_SLOT_KINDS][HS_PHASES][HS_EVENTS] = {
    /* [slot][phase][event] = action; the drops that are set say why */
    /* answer if the msg1 gate lets it through */
    [HS_SLOT_R][HS_PH_IDLE][HS_EV_MSG1] = HS_ACT_GATE,
    /* duplicate: resend; other: only after the protection window */
    [HS_SLOT_R][HS_PH_WAIT][HS_EV_MSG1] = HS_ACT_GATE,
    /* the session's own msg1 is stale; another may start a new attempt */
    [HS_SLOT_R][HS_PH_DONE][HS_EV_MSG1] = HS_ACT_GATE,
    /* no msg2 outstanding */
    [HS_SLOT_R][HS_PH_IDLE][HS_EV_MSG3] = HS_ACT_DROP,
    /* authenticates the initiator; AEAD failure is a drop */
    [HS_SLOT_R][HS_PH_WAIT][HS_EV_MSG3] = HS_ACT_CONSUME,
    /* late copy: the session's records confirm it */
    [HS_SLOT_R][HS_PH_DONE][HS_EV_MSG3] = HS_ACT_DROP,
    /* no msg3 in time: forget the attempt (msg2 is resent only for a duplicate msg1) */
    [HS_SLOT_R][HS_PH_WAIT][HS_EV_TIMER] = HS_ACT_EXPIRE,
    /* no msg1 outstanding */
    [HS_SLOT_I][HS_PH_IDLE][HS_EV_MSG2] = HS_ACT_DROP,
    /* authenticates the responder; AEAD or key failure is a drop */
    [HS_SLOT_I][HS_PH_WAIT][HS_EV_MSG2] = HS_ACT_CONSUME,
    /* the answered msg2 again: resend msg3 (throttled); other: stale */
    [HS_SLOT_I][HS_PH_CONFIRM][HS_EV_MSG2] = HS_ACT_CONSUME,
    /* session confirmed: stale */
    [HS_SLOT_I][HS_PH_DONE][HS_EV_MSG2] = HS_ACT_DROP,
    /* resend msg1 with backoff; give up after hs_max_tries */
    [HS_SLOT_I][HS_PH_WAIT][HS_EV_TIMER] = HS_ACT_RESEND,
    /* resend msg3 with backoff; end the unconfirmed session after hs_max_tries */
    [HS_SLOT_I][HS_PH_CONFIRM][HS_EV_TIMER] = HS_ACT_RESEND,
    /* no_session before confirmation: msg3 again (throttled), then a new attempt */
    [HS_SLOT_I][HS_PH_CONFIRM][HS_EV_HINT] = HS_ACT_RESEND,
    /* pieces of our msg2 the initiator lacks: within the answer window (I3) */
    [HS_SLOT_R][HS_PH_WAIT][HS_EV_REPAIR] = HS_ACT_REPAIR,
    /* pieces of our msg3 the responder lacks: within the answer window (I3) */
    [HS_SLOT_I][HS_PH_CONFIRM][HS_EV_REPAIR] = HS_ACT_REPAIR,
};

/* Anything not in the table is a drop. */
conn_hs_action conn_hs_lookup(conn_hs_slot_kind k, conn_hs_phase p, conn_hs_event ev)
{
    return (conn_hs_action)conn_hs_table[k][p][ev];
}

/* ---- timers ------------------------------------------------------------- */

/* A slot's handshake configuration, written in place before each new
 * attempt: slink_hs_start and hs_answer_msg1 then reset every byte after
 * it (the old attempt's key released through its backend), so no blank
 * slink_hs is built first.  The credentials and the cached peer
 * certificate may have changed since the last attempt. */
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
    k->auto_role = c->cfg.role == SLINK_START_AUTO;
    k->eph_ahead = &c->eph_ahead;
    if (c->peer_cert_len > 0) {
        k->peer_cert = c->peer_cert;
        k->peer_cert_len = c->peer_cert_len;
    }
}

/* The first flight's timer: msg1's airtime, the reply's (a certificate-
 * sized message) and the peer's crypto time (an MCU needs about a second). */
static uint32_t base_rto(const slink_conn *c, size_t flight_len)
{
    return conn_airtime_ms(c, flight_len + 16u) + conn_airtime_ms(c, SLINK_CERT_MAX / 2u + 200u) +
           c->cfg.hs_proc_ms + 2u * c->cfg.gap_ms;
}

/* A duplicate (msg1 at the responder, msg2 at a confirming initiator) is
 * answered at most once per this interval: half the shortest timer after
 * which a genuine peer repeats itself, so a genuine repeat is always
 * answered and a burst of copies is answered once (I3). */
uint32_t conn_hs_dup_interval_ms(const slink_conn *c)
{
    return base_rto(c, SLINK_HS1_LEN) / 2u;
}

/* The timeout after the one of rto0 << k ... capped: the flight schedule. */
static uint32_t backoff(uint32_t rto, uint32_t rto0)
{
    /* min(rto0 * CAP, RTO_MAX) and min(2 * rto, cap), without overflow */
    uint32_t cap = rto0 < HS_RTO_MAX_MS / HS_BACKOFF_CAP ? rto0 * HS_BACKOFF_CAP : HS_RTO_MAX_MS;
    uint32_t r = rto <= cap / 2u ? 2u * rto : cap;
    return r > rto ? r : rto;
}

/* How long an initiator's flight of first timeout rto0 runs before it
 * fails: hs_max_tries timeouts along the capped schedule. */
static uint64_t flight_span_ms(const slink_conn *c, uint32_t rto0)
{
    uint64_t sum = 0;
    uint32_t rto = rto0;
    for (unsigned t = 0; t < c->cfg.hs_max_tries; t++) {
        sum += rto;
        rto = backoff(rto, rto0);
    }
    return sum;
}

static void reasm_reset(slink_conn *c);

/* ---- answer windows (I3) ------------------------------------------------
 * What unauthenticated input makes us send about a message we hold is
 * throttled per duplicate interval: a full copy for a duplicate at most
 * once (answered_at), and the granules repair requests name at most one
 * copy's bytes (rep_win_at opens the window, ans_left is what it still
 * allows).  The two are kept apart so that requests cannot use up the
 * window of a genuine duplicate (or the reverse) and stall an attempt.  Our
 * own transmission of the message (first flight, timer resend) opens both
 * windows: a duplicate right behind it is not answered, its lost pieces
 * may be repaired. */
static int elapsed(uint64_t now_ms, uint32_t at, uint32_t iv)
{
    return (uint32_t)now_ms - at >= iv;
}

static void own_copy_window(slink_hs_slot *s, uint64_t now_ms)
{
    s->answered_at = (uint32_t)now_ms;
    s->rep_win_at = (uint32_t)now_ms;
    s->ans_left = (uint16_t)s->hs.out_len;
}

/* A full copy for a duplicate: at most one per duplicate interval. */
static int answer_full_copy(slink_conn *c, slink_hs_slot *s, uint64_t now_ms)
{
    if (!elapsed(now_ms, s->answered_at, conn_hs_dup_interval_ms(c))) return 0;
    s->answered_at = (uint32_t)now_ms;
    return 1;
}

static void flight_begin(slink_conn *c, slink_hs_slot *s, uint64_t now_ms)
{
    /* A new message asks for a new answer: pieces of an earlier attempt's
     * answer (same number, and with the same certificates the same total)
     * would be mixed into it and fail its AEAD, losing every piece of the
     * real one (at BER 1e-3 attempts failed one after another for 170 s). */
    if (c->reasm_msgno == (uint8_t)(s->hs.out_msgno + 1u)) reasm_reset(c);
    s->rto_ms = base_rto(c, s->hs.out_len);
    s->tries = 1;
    s->frag_next = 0;
    s->frag_shift = 0;
    own_copy_window(s, now_ms);
    if (!slot_is_i(c, s)) {
        /* A responder never resends msg2 on its own: the initiator repeats
         * msg1 and the duplicate is answered.  It holds the attempt for the
         * initiator's whole schedule, and until one flight time has passed
         * no other msg1 may replace it (I4).  "Whole schedule": the
         * initiator's msg3 flight, taken for the largest message, plus one
         * timeout for msg3 to start after msg2. */
        uint32_t big = base_rto(c, SLINK_HS_MSG_MAX);
        s->tx_pending = 1;
        s->protect_until_ms = now_ms + s->rto_ms;
        s->next_tx_ms = now_ms + flight_span_ms(c, big) + big;
    } else {
        s->tx_pending = 1;
        s->next_tx_ms = now_ms + s->rto_ms;
    }
}

/* A flight goes again from its start, in fragments half the size of the
 * last ones (down to the minimum frame body): on a noisy line a large
 * frame rarely survives, while the receiver keeps every fragment it got
 * and takes any sizes (§4.7), so smaller pieces complete the message. */
static void resend_smaller(slink_hs_slot *s)
{
    s->frag_next = 0;
    if (s->frag_shift < 8u) s->frag_shift++;
}

/* A duplicate asks for our message again: the whole of it, in smaller
 * pieces, at most once per duplicate interval (I3). */
static void resend_copy(slink_conn *c, slink_hs_slot *s, uint64_t now_ms)
{
    if (s->hs.out_len > 0 && answer_full_copy(c, s, now_ms)) {
        s->tx_pending = 1;
        resend_smaller(s);
    }
}

static void reasm_reset(slink_conn *c)
{
    memset(c->reasm_have, 0, sizeof c->reasm_have);
    c->reasm_total = 0;
    c->reasm_msgno = 0;
    c->rep_asks = 0;
}

static void slot_wipe(slink_hs_slot *s)
{
    slink_hs_wipe(&s->hs);
    s->refused = SLINK_OK;
    s->tx_pending = 0;
    s->frag_next = 0;
    s->frag_shift = 0;
    s->next_tx_ms = CONN_NEVER;
    s->protect_until_ms = 0;
    s->ans_left = 0;
    s->rep_win_at = 0;
    memset(s->rep_want, 0, sizeof s->rep_want);
}

/* The connection's state when no session is up follows its attempts. */
static void state_after_attempt(slink_conn *c, slink_err e)
{
    if (c->rec_valid) return;
    if (conn_hs_busy(c)) {
        c->state = SLINK_CONN_HANDSHAKE;
    } else {
        c->state = SLINK_CONN_CLOSED;
        c->end_reason = e;
    }
}

slink_err conn_hs_start(slink_conn *c, uint64_t now_ms)
{
    slink_hs_slot *s = slot_i(c);
    slink_err e;
    if (s == NULL) return SLINK_ERR_CONFIG;
    hs_cfg_for(c, &s->hs.cfg);
    e = slink_hs_start(&s->hs);
    if (e != SLINK_OK) {
        conn_log(c, SLINK_LOG_ERROR, "cannot start handshake: %s", slink_err_desc(e));
        slot_wipe(s);
        c->hs_restart_at_ms = now_ms + c->cfg.hs_restart_ms;
        return e;
    }
    flight_begin(c, s, now_ms);
    s->refused = SLINK_OK;
    c->hs_msg3_unconfirmed = 0;
    c->hs_presumed_lost = 0;
    c->hs_restart_at_ms = CONN_NEVER;
    c->stats.hs_started++;
    if (!c->rec_valid) c->state = SLINK_CONN_HANDSHAKE;
    return SLINK_OK;
}

/* An attempt failed for good (authenticated failure or timeout). */
static void hs_failed(slink_conn *c, slink_hs_slot *s, slink_err e, uint64_t now_ms)
{
    c->stats.hs_failed++;
    conn_log(c, SLINK_LOG_WARN, "handshake failed: %s", slink_err_desc(e));
    /* A certificate refused may be the cached one the peer named by
     * reference (re-issued since, revoked, not the pin): forget it, so the
     * next attempt asks for the full certificate instead of failing the
     * same way forever. */
    if (e >= SLINK_ERR_CERT_PARSE && e <= SLINK_ERR_CERT_PIN) {
        slink_memzero(c->peer_cert, sizeof c->peer_cert);
        c->peer_cert_len = 0;
    }
    if (s->hs.alert != 0 && conn_plain_alert_allowed(c, now_ms)) conn_queue_plain_alert(c, s->hs.alert);
    slot_wipe(s);
    state_after_attempt(c, e);
    conn_event(c, SLINK_EV_HS_FAILED, e);
    /* Our own attempt failed: try again later.  (A responder attempt's
     * failure never moves the restart timer, or an attacker failing them
     * could keep pushing our own attempt back.) */
    if (slot_is_i(c, s) && c->cfg.role != SLINK_START_RESPONDER &&
        (!c->rec_valid || c->hs_presumed_lost) && c->hs_restart_at_ms == CONN_NEVER)
        c->hs_restart_at_ms = now_ms + conn_restart_delay_ms(c);
}

/* ---- the msg1 gate ------------------------------------------------------ */

typedef enum {
    G_PASS = 0,        /* rule does not apply: next rule */
    G_DROP,            /* drop, nothing changes */
    G_DUP,             /* answer with the kept msg2 */
    G_ACCEPT           /* new attempt in the responder slot */
} gate_verdict;

typedef struct {
    const hs_msg1 *m;
    const uint8_t *raw;
    size_t len;
    uint64_t now_ms;
    slink_err why;     /* for a drop */
} gate_in;

static int same_msg1(const slink_hs_slot *s, const gate_in *g)
{
    return g->len == SLINK_HS1_LEN && slink_ct_equal(s->hs.msg1, g->raw, SLINK_HS1_LEN);
}

/* Our own ephemeral (msg1's or msg2's) coming back is a reflection. */
static gate_verdict rule_reflection(slink_conn *c, gate_in *g)
{
    unsigned i;
    for (i = 0; i < SLINK_HS_SLOTS; i++) {
        const slink_hs_slot *s = &c->hs_slot[i];
        if (conn_hs_slot_phase(c, s) == HS_PH_WAIT &&
            slink_ct_equal(s->hs.eph.x, g->m->x, SLINK_ECX_LEN)) {
            g->why = SLINK_ERR_HS_UNEXPECTED;
            return G_DROP;
        }
    }
    return G_PASS;
}

/* The msg1 we are answering, again: the same msg2, throttled (I3). */
static gate_verdict rule_duplicate(slink_conn *c, gate_in *g)
{
    slink_hs_slot *r = slot_r(c);
    conn_hs_phase p = conn_hs_slot_phase(c, r);
    if (p == HS_PH_WAIT && same_msg1(r, g)) {
        c->stats.hs_duplicates++;
        if (!elapsed(g->now_ms, r->answered_at, conn_hs_dup_interval_ms(c))) {
            g->why = SLINK_ERR_HS_DUPLICATE;
            return G_DROP;
        }
        return G_DUP;
    }
    /* The completed session's own msg1: a late copy or a replay. */
    if (p == HS_PH_DONE && same_msg1(r, g)) {
        g->why = SLINK_ERR_HS_STALE;
        return G_DROP;
    }
    return G_PASS;
}

/* Simultaneous open (§4.8), for `auto` nodes only: while our own msg1 is
 * out, the higher address stays initiator and ignores an `auto` peer's
 * msg1 (that peer answers ours); the lower one answers it in the responder
 * slot and keeps its own attempt until one of the two authenticates.  A
 * peer whose msg1 says it is not `auto` never answers ours, so a higher
 * `auto` node answers it.  An `initiator` never answers while its own
 * attempt runs: a forged msg1 must not divert it (I4).  Whatever a forged
 * msg1 claims, answering it goes to the responder slot and never touches
 * our own attempt. */
static gate_verdict rule_tie_break(slink_conn *c, gate_in *g)
{
    const slink_hs_slot *i = slot_i_c(c);
    if (i == NULL || conn_hs_slot_phase(c, i) != HS_PH_WAIT) return G_PASS;
    if (c->cfg.role == SLINK_START_AUTO &&
        (c->cfg.local_addr < c->cfg.peer_addr || (g->m->flags & SLINK_HS_F_AUTO) == 0))
        return G_PASS;
    g->why = SLINK_ERR_HS_TIE_BREAK;
    return G_DROP;
}

/* A different msg1 replaces the attempt in progress only once the genuine
 * initiator would have answered (I4). */
static gate_verdict rule_protected(slink_conn *c, gate_in *g)
{
    slink_hs_slot *r = slot_r(c);
    if (conn_hs_slot_phase(c, r) == HS_PH_WAIT && g->now_ms < r->protect_until_ms) {
        c->stats.hs_busy++;
        g->why = SLINK_ERR_HS_UNEXPECTED;
        return G_DROP;
    }
    return G_PASS;
}

/* Anyone on the bus can send first messages: bound the ECDH and signature
 * work per peer address with a small token bucket (one token back every
 * hs_min_interval_ms, at most SLINK_HS_BURST held). */
static void budget_refill(slink_conn *c, uint64_t now_ms)
{
    uint64_t iv = c->cfg.hs_min_interval_ms;
    while (c->hs_tokens < SLINK_HS_BURST && now_ms >= c->hs_token_ms + iv) {
        c->hs_tokens++;
        c->hs_token_ms += iv;
    }
}

static gate_verdict rule_budget(slink_conn *c, gate_in *g)
{
    budget_refill(c, g->now_ms);
    if (c->hs_tokens == 0) {
        c->stats.hs_rate_limited++;
        g->why = SLINK_ERR_HS_RATE_LIMIT;
        return G_DROP;
    }
    if (c->hs_tokens == SLINK_HS_BURST) c->hs_token_ms = g->now_ms;  /* refill counts from the first use */
    c->hs_tokens--;
    return G_ACCEPT;
}

/* The rules, applied in order to a msg1 that parsed; the first verdict
 * other than PASS decides.  Nothing before rule_budget changes any state
 * but counters.  (Called one after the other rather than through a table
 * of function pointers: the compiler then makes one function of them and
 * the gate's arguments, 160 bytes less on a Cortex-M4.) */
static gate_verdict msg1_gate(slink_conn *c, gate_in *g)
{
    gate_verdict v = rule_reflection(c, g);
    if (v == G_PASS) v = rule_duplicate(c, g);
    if (v == G_PASS) v = rule_tie_break(c, g);
    if (v == G_PASS) v = rule_protected(c, g);
    if (v == G_PASS) v = rule_budget(c, g);
    return v;
}

static slink_err on_msg1(slink_conn *c, const uint8_t *msg, size_t len, uint64_t now_ms)
{
    slink_hs_slot *r = slot_r(c);
    hs_msg1 m;
    gate_in g;
    gate_verdict v;
    slink_err e;

    /* I4: parse before anything changes. */
    e = hs_msg1_decode(msg, len, &m);
    if (e != SLINK_OK) {
        c->stats.hs_dropped++;
        /* A peer on another version learns why, and the owner is told, at
         * the alert rate limit; nothing else changes. */
        if (e == SLINK_ERR_HS_VERSION && conn_plain_alert_allowed(c, now_ms)) {
            conn_queue_plain_alert(c, SLINK_ALERT_PROTOCOL_VERSION);
            c->stats.hs_failed++;
            conn_log(c, SLINK_LOG_WARN, "handshake: msg1 of another protocol version refused");
            conn_event(c, SLINK_EV_HS_FAILED, e);
        }
        return e;
    }
    g.m = &m;
    g.raw = msg;
    g.len = len;
    g.now_ms = now_ms;
    g.why = SLINK_OK;
    v = msg1_gate(c, &g);
    if (v == G_DROP) {
        if (g.why != SLINK_ERR_HS_DUPLICATE && g.why != SLINK_ERR_HS_RATE_LIMIT) c->stats.hs_dropped++;
        return g.why;
    }
    if (v == G_DUP) {
        resend_copy(c, r, now_ms);   /* rule_duplicate checked the window */
        return SLINK_ERR_HS_DUPLICATE;
    }
    /* G_ACCEPT: a new responder attempt (the old one, if any, is past its
     * protection window). */
    hs_cfg_for(c, &r->hs.cfg);
    e = hs_answer_msg1(&r->hs, &m);   /* m passed the gate: no second parse */
    if (e != SLINK_OK) {
        /* Nothing was authenticated (a msg1 whose key is not on the curve):
         * this attempt goes, nothing else changes, and no alert answers it
         * (a genuine peer never sends such a key; a bit flip is repaired by
         * its retransmission, and an alert here could only be misread by a
         * peer waiting for msg3's confirmation). */
        slot_wipe(r);
        c->stats.hs_dropped++;
        return e;
    }
    flight_begin(c, r, now_ms);
    c->stats.hs_started++;
    if (!c->rec_valid) c->state = SLINK_CONN_HANDSHAKE;
    return SLINK_OK;
}

/* ---- msg2 and msg3 ------------------------------------------------------ */

/* An attempt authenticated the peer: it becomes the session, and the other
 * slot's attempt (unauthenticated, or ours superseded) ends. */
static void hs_done(slink_conn *c, slink_hs_slot *s, uint64_t now_ms)
{
    slink_hs_slot *other = s == slot_r(c) ? slot_i(c) : slot_r(c);
    if (other != NULL && conn_hs_slot_phase(c, other) != HS_PH_IDLE) slot_wipe(other);
    s->tx_pending = 0;
    s->next_tx_ms = CONN_NEVER;
    if (conn_install_session(c, &s->hs, now_ms) != SLINK_OK) {
        slot_wipe(s);
        return;
    }
    if (!slot_is_i(c, s)) {
        c->hs_msg3_unconfirmed = 0;
        c->ack_now = 1;            /* key confirmation for the initiator */
    } else {
        /* msg3 has no answer of its own: it is resent when msg2 repeats
         * and on its own timer until a record under the new keys confirms
         * it (the responder sends one at once); a session nobody confirms
         * ends after the usual number of tries. */
        uint8_t shift = s->frag_shift;
        flight_begin(c, s, now_ms);
        /* msg3 starts in the fragments msg1 had come down to: each resend
         * of msg1 was a flight the line (or the peer) lost, and msg3 is as
         * large as msg2 (at BER 1e-3 a whole one arrives 3% of the time) */
        s->frag_shift = shift;
        c->hs_msg3_unconfirmed = 1;
        c->no_session_hints = 0;
    }
}

static slink_err hs_consume(slink_conn *c, slink_hs_slot *s, uint8_t msgno,
                            const uint8_t *msg, size_t len, uint64_t now_ms)
{
    /* The responder slot consumes only msg3 (the table), straight through
     * its reader. */
    slink_err e = slot_is_i(c, s) ? slink_hs_consume(&s->hs, msgno, msg, len)
                                  : hs_read_msg3(&s->hs, msg, len);
    if (e == SLINK_OK) {
        if (s->hs.state == SLINK_HS_DONE) hs_done(c, s, now_ms);
        return SLINK_OK;
    }
    /* Two outcomes only the initiator's msg2 reader has (the responder's
     * msg3 reader gives neither a duplicate nor a refusal that leaves the
     * attempt running): slot_is_i keeps them out of a responder-only build. */
    if (slot_is_i(c, s) && e == SLINK_ERR_HS_DUPLICATE) {
        /* msg2 again at a confirming initiator: msg3 again, throttled. */
        c->stats.hs_duplicates++;
        resend_copy(c, s, now_ms);
        return e;
    }
    if (slink_err_classify(e) == SLINK_CLASS_FATAL && s->hs.state == SLINK_HS_FAILED) {
        /* msg3 refused after its AEAD opened: only the initiator that
         * holds our msg2's keys could send it. */
        hs_failed(c, s, e, now_ms);
        return e;
    }
    if (slot_is_i(c, s) && slink_err_classify(e) == SLINK_CLASS_FATAL) {
        /* A msg2 that opened but does not authenticate the responder
         * (handshake.h): the attempt waits on for the genuine msg2 and, if
         * none comes, ends with this reason at its timer.  The peer hears
         * why, at the alert rate limit. */
        s->refused = e;
        c->stats.hs_dropped++;
        if (s->hs.alert != 0 && conn_plain_alert_allowed(c, now_ms)) conn_queue_plain_alert(c, s->hs.alert);
        return e;
    }
    c->stats.hs_dropped++;
    return e;
}

static slink_err hs_message(slink_conn *c, uint8_t msgno, const uint8_t *msg, size_t len,
                            uint64_t now_ms)
{
    conn_hs_slot_kind kind = msgno == 2 ? HS_SLOT_I : HS_SLOT_R;
    slink_hs_slot *s = kind == HS_SLOT_I ? slot_i(c) : slot_r(c);
    conn_hs_event ev = msgno == 1 ? HS_EV_MSG1 : msgno == 2 ? HS_EV_MSG2 : HS_EV_MSG3;
    conn_hs_phase ph;

    if (s == NULL) {
        c->stats.hs_dropped++;
        return SLINK_ERR_HS_UNEXPECTED;
    }
    ph = conn_hs_slot_phase(c, s);
    switch (conn_hs_lookup(kind, ph, ev)) {
    case HS_ACT_GATE:
        return on_msg1(c, msg, len, now_ms);
    case HS_ACT_CONSUME:
        return hs_consume(c, s, msgno, msg, len, now_ms);
    default:
        c->stats.hs_dropped++;
        /* A finished attempt's message again is stale; anything else has
         * no attempt to go to. */
        return ph == HS_PH_DONE ? SLINK_ERR_HS_STALE : SLINK_ERR_HS_UNEXPECTED;
    }
}

/* ---- repair requests (§4.7) ---------------------------------------------
 * The receiver of a fragmented message 2 or 3 asks, once the sender's burst
 * is over, for the granules it still lacks; the sender resends only those,
 * within its answer window.  A request is unauthenticated: it buys at most
 * one copy's bytes per duplicate interval (I3), never crypto work, and
 * never touches an attempt's phase or timers (I1, I4). */

/* Requests sent without a new piece before we leave it to the flight
 * timers (a peer without repair never answers). */
#define REP_ASKS_MAX 6u
/* The peer's turnaround for an answer that needs no crypto. */
#define REP_SLACK_MS 10u

static int rep_bit(const uint8_t *map, size_t k)
{
    return (map[k / 8u] >> (k % 8u)) & 1u;
}

static void rep_set(uint8_t *map, size_t k)
{
    map[k / 8u] = (uint8_t)(map[k / 8u] | (1u << (k % 8u)));
}

static size_t granules(size_t total)
{
    return (total + SLINK_HS_GRANULE - 1u) / SLINK_HS_GRANULE;
}

/* The line is quiet once the bytes still to come have had their airtime,
 * with the pieces' framing (a quarter more at 60-byte pieces) and the gaps. */
static uint32_t rep_quiet_ms(const slink_conn *c, size_t bytes)
{
    return conn_airtime_ms(c, bytes + bytes / 4u + 16u) + 2u * c->cfg.gap_ms + 2u;
}

/* Two requests are at least a REP_ASKS_MAX-th of a duplicate interval
 * apart, whatever arms them (pieces and damaged frames can be forged: I3). */
static uint32_t rep_spacing_ms(const slink_conn *c)
{
    return conn_hs_dup_interval_ms(c) / REP_ASKS_MAX;
}

static void rep_arm(slink_conn *c, uint64_t now_ms, uint32_t wait_ms)
{
    uint32_t at = (uint32_t)(now_ms + wait_ms), floor = c->rep_sent_at + rep_spacing_ms(c);
    c->rep_at = (int32_t)(floor - at) > 0 ? floor : at;
}

/* The message we await in pieces: 2 while our msg1 is out, 3 while our msg2
 * is; the one being reassembled first.  0: none. */
static uint8_t rep_target(const slink_conn *c)
{
    const slink_hs_slot *i = slot_i_c(c), *r = &c->hs_slot[0];
    int w2 = i != NULL && conn_hs_slot_phase(c, i) == HS_PH_WAIT && !i->tx_pending;
    int w3 = conn_hs_slot_phase(c, r) == HS_PH_WAIT && !r->tx_pending;
    if (w2 && (c->reasm_msgno == 2 || !w3 || c->reasm_msgno != 3)) return 2;
    return w3 ? 3 : 0;
}

void conn_hs_line_noise(slink_conn *c, uint64_t now_ms)
{
    if (c->rep_asks != 0 || rep_target(c) == 0) return;
    c->rep_asks = 1;
    rep_arm(c, now_ms, rep_quiet_ms(c, SLINK_HS_GRANULE));
}

slink_err conn_hs_repair(slink_conn *c, const slink_frame *f, uint64_t now_ms)
{
    hs_repair q;
    slink_hs_slot *s;
    conn_hs_slot_kind kind;
    size_t k, n, out_len;
    int added = 0;

    /* I4: parse and validate first; nothing below changes an attempt. */
    if (hs_repair_decode(f->body, f->body_len, &q) != SLINK_OK) {
        c->stats.hs_dropped++;
        return SLINK_ERR_HS_MALFORMED;
    }
    kind = q.msgno == 2 ? HS_SLOT_R : HS_SLOT_I;
    s = kind == HS_SLOT_R ? slot_r(c) : slot_i(c);
    if (s == NULL || conn_hs_lookup(kind, conn_hs_slot_phase(c, s), HS_EV_REPAIR) != HS_ACT_REPAIR ||
        s->hs.out_msgno != q.msgno || s->hs.out_len == 0 ||
        (q.total != 0 && q.total != s->hs.out_len)) {
        c->stats.hs_dropped++;
        return SLINK_ERR_HS_UNEXPECTED;
    }
    out_len = s->hs.out_len;
    n = granules(out_len);
    if (elapsed(now_ms, s->rep_win_at, conn_hs_dup_interval_ms(c))) {
        s->rep_win_at = (uint32_t)now_ms;
        s->ans_left = (uint16_t)out_len;
    }
    for (k = 0; k < n; k++) {
        size_t len = out_len - k * SLINK_HS_GRANULE;
        /* total 0: nothing arrived, every granule */
        if ((q.total != 0 && !rep_bit(q.map, k)) || rep_bit(s->rep_want, k)) continue;
        if (len > SLINK_HS_GRANULE) len = SLINK_HS_GRANULE;
        if (len > s->ans_left) break;    /* the window's copy is spent */
        s->ans_left = (uint16_t)(s->ans_left - len);
        rep_set(s->rep_want, k);
        added = 1;
    }
    if (!added) {
        c->stats.hs_duplicates++;
        return SLINK_ERR_HS_DUPLICATE;
    }
    return SLINK_OK;
}

/* Our request for the message we await: its missing granules, or nothing
 * (total 0) if no piece of it has arrived. */
static int rep_next_frame(slink_conn *c, uint64_t now_ms, uint8_t *type, uint8_t *body, size_t cap,
                          size_t *len)
{
    size_t i, total = 0, missing = SLINK_CERT_MAX / 2u + 200u;   /* unknown: a certificate-sized message */
    uint32_t wait;
    uint8_t target;
    if (c->rep_asks == 0 || (int32_t)((uint32_t)now_ms - c->rep_at) < 0) return 0;
    target = rep_target(c);
    if (target == 0 || cap < SLINK_HS_REPAIR_HDR + SLINK_HS_REPAIR_MAP_MAX) {
        c->rep_asks = 0;
        return 0;
    }
    /* msgno total map (§4.7), as hs_repair_decode reads it */
    if (c->reasm_msgno == target) total = c->reasm_total;
    memset(body, 0, SLINK_HS_REPAIR_HDR + SLINK_HS_REPAIR_MAP_MAX);
    body[0] = target;
    slink_put_u16(body + 1, (uint16_t)total);
    if (total != 0) missing = 0;
    for (i = 0; i < total; i++)
        if ((c->reasm_have[i / 8u] & (1u << (i % 8u))) == 0 &&
            !rep_bit(body + SLINK_HS_REPAIR_HDR, i / SLINK_HS_GRANULE)) {
            rep_set(body + SLINK_HS_REPAIR_HDR, i / SLINK_HS_GRANULE);
            missing += SLINK_HS_GRANULE;
        }
    *len = SLINK_HS_REPAIR_HDR + SLINK_HS_REPAIR_MAP_LEN(total);
    *type = SLINK_FT_HS_REPAIR;
    c->rep_sent_at = (uint32_t)now_ms;
    /* Ask again if the answer does not come: its airtime and the peer's
     * turnaround, doubling per unanswered request (the peer's window may
     * be spent), at most a duplicate interval apart, then leave it to the
     * flight timers. */
    if (c->rep_asks >= REP_ASKS_MAX) {
        c->rep_asks = 0;
    } else {
        wait = (rep_quiet_ms(c, missing) + REP_SLACK_MS) << (c->rep_asks - 1u);
        if (wait > conn_hs_dup_interval_ms(c)) wait = conn_hs_dup_interval_ms(c);
        c->rep_asks++;
        rep_arm(c, now_ms, wait);
    }
    return 1;
}

slink_err conn_hs_frame(slink_conn *c, const slink_frame *f, uint64_t now_ms)
{
    uint8_t msgno = (uint8_t)(f->type & 0x0Fu);
    uint16_t off = 0, total = 0;
    size_t dlen, i;
    int fresh = 0;
    slink_err e;

    if ((f->type & SLINK_FT_HS_FRAG) == 0) {
        if (f->body_len == 0 || f->body_len > SLINK_HS_MSG_MAX) {
            c->stats.hs_dropped++;
            return SLINK_ERR_HS_MALFORMED;
        }
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
    for (i = off; i < (size_t)off + dlen; i++) {
        fresh |= (c->reasm_have[i / 8u] & (1u << (i % 8u))) == 0;
        c->reasm_have[i / 8u] = (uint8_t)(c->reasm_have[i / 8u] | (1u << (i % 8u)));
    }
    for (i = 0; i < total; i++)
        if ((c->reasm_have[i / 8u] & (1u << (i % 8u))) == 0) {
            /* Incomplete: ask for the rest once the sender's burst (the
             * bytes after this piece) has had time to end; a new piece
             * restarts the count of unanswered requests. */
            if (rep_target(c) == msgno) {
                if (fresh || c->rep_asks == 0) c->rep_asks = 1;
                rep_arm(c, now_ms, rep_quiet_ms(c, (size_t)total - off - dlen));
            }
            return SLINK_ERR_NEED_MORE;
        }
    reasm_reset(c);
    return hs_message(c, msgno, c->reasm, total, now_ms);
}

/* ---- hints, confirmation, timers ---------------------------------------- */

void conn_hs_session_alive(slink_conn *c)
{
    slink_hs_slot *i = slot_i(c);
    if (c->hs_msg3_unconfirmed) {
        /* Any record under the new keys proves the responder has msg3. */
        c->hs_msg3_unconfirmed = 0;
        if (i != NULL) {
            i->hs.out_len = 0;
            i->tx_pending = 0;
            i->next_tx_ms = CONN_NEVER;
        }
    }
    /* An attempt we started only because the session looked lost (hints,
     * unanswered probes) is cancelled: the peer just proved it holds the
     * session, and completing the attempt would replace a live session
     * for unauthenticated reasons (I1). */
    if (c->hs_presumed_lost && i != NULL && conn_hs_slot_phase(c, i) == HS_PH_WAIT) {
        slot_wipe(i);
        conn_log(c, SLINK_LOG_INFO, "session is alive: handshake started for a lost session cancelled");
    }
    c->hs_presumed_lost = 0;
}

slink_err conn_hs_start_presumed_lost(slink_conn *c, uint64_t now_ms)
{
    slink_err e = conn_hs_start(c, now_ms);
    if (e == SLINK_OK) c->hs_presumed_lost = 1;
    return e;
}

void conn_hs_on_hint(slink_conn *c, uint64_t now_ms)
{
    slink_hs_slot *i = slot_i(c);
    if (i == NULL || conn_hs_lookup(HS_SLOT_I, conn_hs_slot_phase(c, i), HS_EV_HINT) != HS_ACT_RESEND)
        return;
    /* A responder that lost msg3 says no_session to our first records (the
     * repair is msg3 again), and so does one that lost the attempt or
     * rebooted.  Resend msg3 for the first hints (at most once per
     * duplicate interval: a hint usually answers the ACK right behind a
     * msg3 we just sent); if they keep coming, start a new attempt beside
     * the unconfirmed session, which replaces it only when it authenticates
     * and is cancelled if the session's records arrive after all. */
    c->no_session_hints++;
    if (c->no_session_hints <= CONN_MSG3_RESENDS_ON_HINT) {
        resend_copy(c, i, now_ms);
        return;
    }
    (void)conn_hs_start_presumed_lost(c, now_ms);
}

/* HS_ACT_RESEND: our flight again, or the end of the attempt. */
static void slot_resend(slink_conn *c, slink_hs_slot *s, conn_hs_phase p, uint64_t now_ms)
{
    if (s->tx_pending) {
        /* The last transmission has not gone out yet (a half-duplex device
         * waiting for its turn, or an owner not draining output): a try is
         * only spent once it is on the wire. */
        s->next_tx_ms = now_ms + s->rto_ms;
        return;
    }
    if (s->refused != SLINK_OK && p == HS_PH_WAIT) {
        /* A whole flight time passed with only refused answers: the
         * responder we reach is not the one configured (or an attacker
         * keeps answering for it); report that, not a timeout. */
        hs_failed(c, s, s->refused, now_ms);
        return;
    }
    if (s->tries >= c->cfg.hs_max_tries) {
        if (p == HS_PH_CONFIRM) {
            s->next_tx_ms = CONN_NEVER;
            conn_end_session(c, SLINK_ERR_HS_TIMEOUT, 0);
            slot_wipe(s);
        } else {
            hs_failed(c, s, SLINK_ERR_HS_TIMEOUT, now_ms);
        }
        return;
    }
    s->tries++;
    s->rto_ms = backoff(s->rto_ms, base_rto(c, s->hs.out_len));
    s->next_tx_ms = now_ms + s->rto_ms;
    own_copy_window(s, now_ms);
    s->tx_pending = 1;
    resend_smaller(s);
    c->stats.hs_retransmits++;
    /* msg3 unconfirmed for a whole flight time: behind it goes an ACK asking
     * for an ACK at once.  A responder holding the session answers it (the
     * confirmation its own ACK should have brought); one that lost the
     * attempt answers no_session, which starts the repair (§4.7) instead of
     * waiting out every msg3 try. */
    if (p == HS_PH_CONFIRM) c->probe_send = 1;
}

static void slot_timer(slink_conn *c, slink_hs_slot *s, conn_hs_slot_kind kind, uint64_t now_ms)
{
    conn_hs_phase p = conn_hs_slot_phase(c, s);
    conn_hs_action a = conn_hs_lookup(kind, p, HS_EV_TIMER);
    if (a == HS_ACT_DROP || now_ms < s->next_tx_ms) return;
    if (a == HS_ACT_EXPIRE) {
        c->stats.hs_failed++;
        conn_log(c, SLINK_LOG_INFO, "handshake: no msg3, responder attempt forgotten");
        slot_wipe(s);
        state_after_attempt(c, SLINK_ERR_HS_TIMEOUT);
        conn_event(c, SLINK_EV_HS_FAILED, SLINK_ERR_HS_TIMEOUT);
        return;
    }
    /* The table resends only the initiator's flights (a responder's msg2
     * goes again only for a duplicate msg1): not compiled in without it. */
    if (slot_is_i(c, s)) slot_resend(c, s, p, now_ms);
}

void conn_hs_timers(slink_conn *c, uint64_t now_ms)
{
    slink_hs_slot *i = slot_i(c);
    slot_timer(c, slot_r(c), HS_SLOT_R, now_ms);
    if (i != NULL) slot_timer(c, i, HS_SLOT_I, now_ms);
    /* Restart our own attempt: no session, or one we take for lost (an
     * attempt for it failed; the session's records would have cancelled
     * it, conn_hs_session_alive). */
    if (i != NULL && (!c->rec_valid || c->hs_presumed_lost) &&
        conn_hs_slot_phase(c, i) != HS_PH_WAIT &&
        c->hs_restart_at_ms != CONN_NEVER && now_ms >= c->hs_restart_at_ms)
        (void)(c->rec_valid ? conn_hs_start_presumed_lost(c, now_ms) : conn_hs_start(c, now_ms));
}

/* ---- output ------------------------------------------------------------- */

int conn_hs_msg3_due(const slink_conn *c)
{
    const slink_hs_slot *i = slot_i_c(c);
    return i != NULL && i->tx_pending && conn_hs_slot_phase(c, i) == HS_PH_CONFIRM;
}

/* The next frame of a slot's message: the next piece of its flight while
 * one is due, else the next granule a repair request asked for, as a
 * fragment of its own (the smallest pieces: the request says the line
 * loses larger ones; cap is at least SLINK_MIN_FRAME_BODY, conn_out.c). */
static int slot_next_frame(slink_conn *c, slink_hs_slot *s, uint8_t *type, uint8_t *body,
                           size_t cap, size_t *len)
{
    size_t mtu, fsz, off, k, n;
    slink_hs *hs = &s->hs;
    if (hs->out_len == 0 || hs->out_msgno < 1 || hs->out_msgno > 3) {
        s->tx_pending = 0;
        memset(s->rep_want, 0, sizeof s->rep_want);
        return 0;
    }
    if (!s->tx_pending) {
        n = granules(hs->out_len);
        for (k = 0; k < n && !rep_bit(s->rep_want, k); k++) {}
        /* Asked-for pieces go only while the table answers requests (the
         * attempt may have completed since). */
        if (k >= n ||
            conn_hs_lookup(slot_is_i(c, s) ? HS_SLOT_I : HS_SLOT_R, conn_hs_slot_phase(c, s),
                           HS_EV_REPAIR) != HS_ACT_REPAIR) {
            memset(s->rep_want, 0, sizeof s->rep_want);
            return 0;
        }
        s->rep_want[k / 8u] = (uint8_t)(s->rep_want[k / 8u] & ~(1u << (k % 8u)));
        off = k * SLINK_HS_GRANULE;
        fsz = SLINK_HS_GRANULE;
    } else {
        /* A whole copy covers whatever a repair request asked for. */
        if (s->frag_next == 0) memset(s->rep_want, 0, sizeof s->rep_want);
        /* msg1 goes before the peer's MTU is known: the minimum every node takes. */
        mtu = hs->out_msgno == 1 ? SLINK_MIN_FRAME_BODY : hs->peer_mtu;
        if (mtu > c->cfg.mtu) mtu = c->cfg.mtu;
        mtu >>= s->frag_shift;
        if (mtu < SLINK_MIN_FRAME_BODY) mtu = SLINK_MIN_FRAME_BODY;
        if (mtu > cap) mtu = cap;
        if (hs->out_len <= mtu && s->frag_next == 0) {
            *type = hs->out_msgno;
            memcpy(body, hs->out, hs->out_len);
            *len = hs->out_len;
            s->tx_pending = 0;
            return 1;
        }
        fsz = mtu - SLINK_HS_FRAG_HDR;
        off = (size_t)s->frag_next * fsz;
        if (off >= hs->out_len) {
            s->tx_pending = 0;
            s->frag_next = 0;
            return 0;
        }
        s->frag_next++;
        if (off + fsz >= hs->out_len) {   /* the flight's last piece */
            s->tx_pending = 0;
            s->frag_next = 0;
        }
    }
    /* off total data: up to fsz bytes of the message from off */
    if (fsz > hs->out_len - off) fsz = hs->out_len - off;
    *type = (uint8_t)(SLINK_FT_HS_FRAG | hs->out_msgno);
    slink_put_u16(body, (uint16_t)off);
    slink_put_u16(body + 2, (uint16_t)hs->out_len);
    memcpy(body + SLINK_HS_FRAG_HDR, hs->out + off, fsz);
    *len = SLINK_HS_FRAG_HDR + fsz;
    return 1;
}

int conn_hs_next_frame(slink_conn *c, uint64_t now_ms, uint8_t *type, uint8_t *body, size_t cap,
                       size_t *len)
{
    slink_hs_slot *i = slot_i(c);
    /* The initiator's flight first: msg3 must reach the responder before
     * any record of the session it starts. */
    if (i != NULL && slot_next_frame(c, i, type, body, cap, len)) return 1;
    if (slot_next_frame(c, slot_r(c), type, body, cap, len)) return 1;
    return rep_next_frame(c, now_ms, type, body, cap, len);
}

static int rep_wanted(const slink_hs_slot *s)
{
    size_t k;
    for (k = 0; k < sizeof s->rep_want; k++)
        if (s->rep_want[k] != 0) return 1;
    return 0;
}

uint64_t conn_hs_next_timeout(const slink_conn *c, uint64_t now_ms, int can_send)
{
    uint64_t t = CONN_NEVER;
    unsigned k;
    if (can_send && c->rep_asks != 0 && rep_target(c) != 0) {
        int32_t d = (int32_t)(c->rep_at - (uint32_t)now_ms);
        t = d <= 0 ? now_ms : now_ms + (uint64_t)d;
    }
    for (k = 0; k < SLINK_HS_SLOTS; k++) {
        const slink_hs_slot *s = &c->hs_slot[k];
        conn_hs_phase p = conn_hs_slot_phase(c, s);
        if ((s->tx_pending || rep_wanted(s)) && can_send && s->hs.out_len > 0) return 0;
        if ((p == HS_PH_WAIT || p == HS_PH_CONFIRM) && s->next_tx_ms < t) t = s->next_tx_ms;
    }
    if (!c->rec_valid && c->hs_restart_at_ms < t) t = c->hs_restart_at_ms;
    return t;
}

void conn_hs_init(slink_conn *c)
{
    unsigned k;
    for (k = 0; k < SLINK_HS_SLOTS; k++) c->hs_slot[k].next_tx_ms = CONN_NEVER;
    c->hs_tokens = SLINK_HS_BURST;
    c->hs_token_ms = 0;
}

void conn_hs_wipe(slink_conn *c)
{
    unsigned k;
    for (k = 0; k < SLINK_HS_SLOTS; k++) slot_wipe(&c->hs_slot[k]);
}

slink_err slink_conn_precompute(slink_conn *c)
{
    SLINK_CHECK(c != NULL, SLINK_ERR_ARG);
    if (slink_p256_scalar_ok(c->eph_ahead.d))
        return SLINK_OK;
    return slink_ecdh_keygen(&c->eph_ahead, &c->rng);
}

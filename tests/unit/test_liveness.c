/* Liveness under an active attacker (issue 12): one named regression test
 * per finding 1, 2, 3, 6, 7, 8, 9, each asserting the outcome the issue
 * specifies once the finding is fixed (invariants I1-I5), not what the core
 * does today.  The wire is tests/common/hostile (the attacker owns it:
 * injects, drops, holds, replays); time is simulated.
 *
 * Expected outcomes, from the issue:
 *  1  a malformed msg1 (1-byte body 0x21; 35 bytes with a reserved flag
 *     bit) reaching an initiator waiting for msg2 is dropped before any
 *     state change: the attempt goes on, a timer stays armed, and the
 *     session comes up exactly when it would have without the frame;
 *  2  a forged msg1 reaching a node configured `initiator` is ignored (the
 *     simultaneous-open tie-break is for `auto` nodes only): it sends no
 *     msg2 and is established as fast as without it, also when the frame
 *     is repeated;
 *  3  a forged no_session hint (8 wire bytes) while established ends
 *     nothing: same session ids, no ENDED/PEER_RESET, 64 KiB each way
 *     byte-exact, no full handshake started (at most an authenticated
 *     probe);
 *  6  a forged msg1 every second neither keeps a session from forming nor
 *     wipes the responder's handshake in progress (the genuine msg3 still
 *     completes it; PROTOCOL.md §4.11 lets a msg1 replace it only after its
 *     protection window, and then the link must still come up quickly);
 *  7  a forged msg2 with an invalid x_r (x >= p, x not on the curve, a
 *     bit flip of the genuine x_r) is a drop, not fatal: no plaintext
 *     alert, no HS_FAILED, the handshake completes on time;
 *  8  two key updates in a row do not strand the receiver: data flows, at
 *     most one update is in flight (I5), both end at epoch 4;
 *  9  100 duplicate msg1s make the responder send at most one msg2 per
 *     duplicate interval (PROTOCOL.md §4.11: half the initiator's first
 *     msg1 timeout), and its bytes out stay below the bytes in (I3, no
 *     amplifier). */
#include "duo.h"
#include "liveness.h"
#include "session/conn_internal.h"   /* the attempt slots, to check an attempt is untouched */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixture --------------------------------------------------------------- */

static void opts(hw_peer_opts *oa, hw_peer_opts *ob, uint64_t seed, uint32_t baud)
{
    duo_opts(oa, ob, seed, baud);
}

static int both_up(void *v)
{
    duo *d = v;
    return slink_conn_get_state(&d->a->conn) == SLINK_CONN_ESTABLISHED &&
           slink_conn_get_state(&d->b->conn) == SLINK_CONN_ESTABLISHED &&
           d->a->conn.hs_msg3_unconfirmed == 0;
}

/* A connection's initiator and responder attempts (docs/PROTOCOL.md §4.9). */
static slink_hs *ihs(slink_conn *c) { return &c->hs_slot[HS_SLOT_I].hs; }
static slink_hs *rhs(slink_conn *c) { return &c->hs_slot[HS_SLOT_R].hs; }

static uint64_t bound(const duo *d) { return live_bound_ms(&d->a->conn, &d->b->conn); }

#define count_events duo_count_events

/* Frames `from` sent since capture index `mark` for which pred holds. */
static int count_sent(const duo *d, size_t mark, int from, int (*pred)(const hw_frame *))
{
    int n = 0;
    for (size_t i = mark; i < d->h.ncap; i++)
        if (d->h.cap[i].from == from && (pred == NULL || pred(&d->h.cap[i]))) n++;
    return n;
}

static int is_plain_alert(const hw_frame *f) { return f->type == SLINK_FT_PLAIN_ALERT; }

/* A whole msg2, or the first fragment of one: one msg2 transmission. */
static int is_msg2_start(const hw_frame *f)
{
    if (f->type == SLINK_FT_HS2) return 1;
    return f->type == (SLINK_FT_HS_FRAG | SLINK_FT_HS2) && f->body_len >= 2 &&
           f->body[0] == 0 && f->body[1] == 0;
}

#define pat test_pat

/* Injections made while a transfer runs: every `period` ms, f to `to`. */
typedef struct {
    const hw_frame *f;
    int to;
    uint64_t period, next;
    unsigned sent;
} storm;

static void storm_due(duo *d, storm *s)
{
    if (s == NULL || s->f == NULL) return;
    while (d->h.now >= s->next) {
        hostile_inject(&d->h, s->to, s->f, 0);
        s->sent++;
        s->next += s->period;
    }
    d->h.wake_at = s->next;
}

/* `total` bytes each way, every byte checked; 1 when both sides got all.
 * The session must stay the one that was up at the start (I1): a read that
 * reports an end fails the test. */
static int transfer(duo *d, size_t total, uint64_t max_ms, storm *st)
{
    size_t sent[2] = { 0, 0 }, got[2] = { 0, 0 };
    static uint8_t buf[4096];
    uint64_t end = d->h.now + max_ms;
    int idle = 0;
    while (d->h.now < end && (got[0] < total || got[1] < total)) {
        storm_due(d, st);
        for (int s = 0; s < 2; s++) {
            slink_conn *tx = s ? &d->b->conn : &d->a->conn, *rx = s ? &d->a->conn : &d->b->conn;
            if (sent[s] < total) {
                size_t want = total - sent[s], acc = 0;
                if (want > 1000) want = 1000;
                for (size_t i = 0; i < want; i++) buf[i] = pat((uint64_t)s, sent[s] + i);
                slink_err e = slink_conn_send(tx, buf, want, &acc);
                ck_assert_msg(e == SLINK_OK || e == SLINK_ERR_WOULD_BLOCK,
                              "send side %d at %llu ms: %s", s, (unsigned long long)d->h.now,
                              slink_err_str(e));
                sent[s] += acc;
            }
            for (;;) {
                size_t n = 0;
                slink_err e = slink_conn_recv(rx, buf, sizeof buf, &n);
                ck_assert_msg(e == SLINK_OK || e == SLINK_ERR_AGAIN,
                              "recv side %d at %llu ms: %s (session ended)", s,
                              (unsigned long long)d->h.now, slink_err_str(e));
                if (e != SLINK_OK || n == 0) break;
                for (size_t i = 0; i < n; i++)
                    T_REQUIRE(buf[i] == pat((uint64_t)s, got[s] + i),
                              "dir %d byte %zu corrupted or out of order", s, got[s] + i);
                got[s] += n;
                ck_assert_uint_le(got[s], total);
            }
        }
        int r = hostile_step(&d->h);
        ck_assert_int_ge(r, 0);
        if (r == 0 && ++idle > 3) break;
        if (r != 0) idle = 0;
    }
    d->h.wake_at = 0;
    return got[0] == total && got[1] == total;
}

/* ---- attacker's frames ------------------------------------------------------ */

/* An attacker's own DRBG (not the endpoints': the baseline runs must see
 * the same randomness as the attacked ones). */
typedef struct {
    slink_platform plat;
    fake_plat_ctx fx;
    slink_rng rng;
} attacker;

static void attacker_init(attacker *at, uint64_t seed)
{
    static const uint8_t pers[] = "attacker";
    fake_platform_init(&at->plat, &at->fx, seed);
    at->fx.quiet = 1;
    ck_assert_int_eq(slink_rng_init(&at->rng, &at->plat, pers, sizeof pers), SLINK_OK);
}

static void attacker_free(attacker *at) { slink_rng_free(&at->rng); }

static hw_frame frame(uint8_t dst, uint8_t src, uint8_t type, const uint8_t *body, size_t len)
{
    hw_frame f;
    memset(&f, 0, sizeof f);
    f.dst = dst; f.src = src; f.type = type;
    ck_assert_uint_le(len, sizeof f.body);
    if (len) memcpy(f.body, body, len);
    f.body_len = len;
    return f;
}

/* A well-formed msg1 with a fresh, valid ephemeral key: every check before
 * the public-key work passes. */
static hw_frame forged_msg1(attacker *at, uint8_t dst, uint8_t src, uint8_t flags)
{
    slink_ecdh_key k;
    uint8_t m[SLINK_HS1_LEN];
    ck_assert_int_eq(slink_ecdh_keygen(&k, &at->rng), SLINK_OK);
    m[0] = SLINK_VERSION_SUITE;
    m[1] = flags;
    m[2] = slink_mtu_code(SLINK_MAX_FRAME_BODY);
    memcpy(m + 3, k.x, SLINK_ECX_LEN);
    slink_ecdh_wipe(&k);
    return frame(dst, src, SLINK_FT_HS1, m, sizeof m);
}

static hw_frame no_session_hint(uint8_t dst, uint8_t src)
{
    const uint8_t b[2] = { SLINK_ALERT_WARNING, SLINK_ALERT_NO_SESSION };
    return frame(dst, src, SLINK_FT_PLAIN_ALERT, b, sizeof b);
}

/* ---- timing baseline ---------------------------------------------------------- */

/* An attack run against a fresh duo: the attack hook is called once, when
 * the initiator waits for msg2 (B cut off from the line for `cut_ms` first
 * so the first msg1 is lost and the attack lands in WAIT_MSG2 for sure).
 * Returns the simulated time both ends were up (UINT64_MAX: never within
 * the I2 bound), and leaves the duo for further checks. */
typedef void (*attack_fn)(duo *d, void *ctx);

static uint64_t establish_time(duo *d, uint64_t cut_ms, attack_fn attack, void *ctx)
{
    d->h.ends[d->ib].detached = 1;
    hostile_run_for(&d->h, cut_ms);
    ck_assert_int_eq(ihs(&d->a->conn)->state, SLINK_HS_WAIT_MSG2);
    if (attack) attack(d, ctx);
    d->h.ends[d->ib].detached = 0;
    if (!hostile_run_until(&d->h, both_up, d, bound(d))) return UINT64_MAX;
    return d->h.io_time;   /* the step that made it true, not the next event */
}

static uint64_t baseline_time(uint64_t seed, uint64_t cut_ms)
{
    duo *d = duo_new(seed);
    uint64_t t = establish_time(d, cut_ms, NULL, NULL);
    ck_assert_msg(t != UINT64_MAX, "baseline handshake did not complete");
    duo_free(d);
    return t;
}

/* ---- finding 1: malformed msg1 while waiting for msg2 ------------------------ */

typedef struct {
    hw_frame f;
    slink_err got;
} direct_ctx;

/* Hands the frame to A directly (exact return code) and checks that the
 * attempt is untouched and a timer is still armed (I2, I4). */
static void attack_direct_to_a(duo *d, void *v)
{
    direct_ctx *x = v;
    uint8_t msg1[SLINK_HS1_LEN];
    memcpy(msg1, ihs(&d->a->conn)->msg1, sizeof msg1);
    x->got = hw_handle(&d->a->conn, &x->f, d->h.now);
    ck_assert_msg(slink_err_classify(x->got) != SLINK_CLASS_FATAL, "fatal: %s", slink_err_str(x->got));
    ck_assert_int_eq(ihs(&d->a->conn)->role, SLINK_ROLE_INITIATOR);
    ck_assert_int_eq(ihs(&d->a->conn)->state, SLINK_HS_WAIT_MSG2);
    ck_assert_int_eq(memcmp(ihs(&d->a->conn)->msg1, msg1, sizeof msg1), 0);
    ck_assert_msg(slink_conn_next_timeout(&d->a->conn, d->h.now) != UINT64_MAX,
                  "no timer armed after the frame: the handshake is dead (I2)");
}

static void malformed_msg1_case(uint64_t seed, const uint8_t *body, size_t len)
{
    direct_ctx x;
    uint64_t base = baseline_time(seed, 20);
    duo *d = duo_new(seed);
    x.f = frame(1, 7, SLINK_FT_HS1, body, len);
    uint64_t t = establish_time(d, 20, attack_direct_to_a, &x);
    ck_assert_msg(t != UINT64_MAX, "no session within the I2 bound (%llu ms) after a malformed msg1 (%s)",
                  (unsigned long long)bound(d), slink_err_str(x.got));
    /* a drop changes nothing: the same time as without the frame */
    ck_assert_msg(t <= base + 1, "established at %llu ms, %llu without the frame",
                  (unsigned long long)t, (unsigned long long)base);
    ck_assert_uint_eq(d->a->conn.session_id, 1);
    ck_assert_uint_eq(d->b->conn.session_id, 1);
    ck_assert(transfer(d, 3000, 30000, NULL));
    duo_free(d);
}

START_TEST(f1_malformed_msg1_one_byte_initiator_continues)
{
    const uint8_t b[1] = { 0x21 };
    malformed_msg1_case(1201, b, sizeof b);
}
END_TEST

START_TEST(f1_malformed_msg1_reserved_flag_initiator_continues)
{
    attacker at;
    attacker_init(&at, 99);
    hw_frame g = forged_msg1(&at, 1, 7, 0x02);   /* bit 1: reserved */
    attacker_free(&at);
    malformed_msg1_case(1202, g.body, g.body_len);
}
END_TEST

START_TEST(f1_malformed_msg1_fragment_initiator_continues)
{
    /* the same one byte as a complete fragment (off 0, total 1) */
    const uint8_t b[5] = { 0, 0, 0, 1, 0x21 };
    direct_ctx x;
    uint64_t base = baseline_time(1203, 20);
    duo *d = duo_new(1203);
    x.f = frame(1, 7, SLINK_FT_HS_FRAG | SLINK_FT_HS1, b, sizeof b);
    uint64_t t = establish_time(d, 20, attack_direct_to_a, &x);
    ck_assert_msg(t != UINT64_MAX, "no session after a malformed msg1 fragment");
    ck_assert_uint_le(t, base + 1);
    duo_free(d);
}
END_TEST

/* ---- finding 2: forged msg1 to an `initiator` node ------------------------------ */

typedef struct {
    attacker at;
    unsigned repeats;          /* further copies, one every 500 ms */
    size_t mark;
} forge_ctx;

static void attack_forged_msg1_to_a(duo *d, void *v)
{
    forge_ctx *x = v;
    x->mark = d->h.ncap;
    for (unsigned k = 0; k <= x->repeats; k++) {
        hw_frame f = forged_msg1(&x->at, 1, 7, 0);
        hostile_inject(&d->h, d->ia, &f, 1u + 500u * k);
    }
}

static void forged_msg1_initiator_case(uint64_t seed, unsigned repeats)
{
    forge_ctx x;
    memset(&x, 0, sizeof x);
    attacker_init(&x.at, seed);
    x.repeats = repeats;
    uint64_t base = baseline_time(seed, 20);
    duo *d = duo_new(seed);
    uint64_t t = establish_time(d, 20, attack_forged_msg1_to_a, &x);
    ck_assert_msg(t != UINT64_MAX, "no session within the I2 bound after forged msg1s");
    ck_assert_msg(t <= base + 1, "established at %llu ms, %llu without the forged msg1",
                  (unsigned long long)t, (unsigned long long)base);
    ck_assert_int_eq(count_sent(d, x.mark, d->ia, hw_is_hs2), 0);  /* never answered */
    hostile_run_for(&d->h, 500u * repeats + 100u);   /* the rest of the copies */
    ck_assert(both_up(d));
    ck_assert_uint_eq(d->a->conn.session_id, 1);
    ck_assert_uint_eq(d->b->conn.session_id, 1);
    ck_assert(transfer(d, 3000, 30000, NULL));
    attacker_free(&x.at);
    duo_free(d);
}

START_TEST(f2_forged_msg1_to_initiator_ignored)
{
    forged_msg1_initiator_case(1211, 0);
}
END_TEST

START_TEST(f2_forged_msg1_repeated_to_initiator_ignored)
{
    forged_msg1_initiator_case(1212, 20);
}
END_TEST

/* ---- finding 3: forged no_session while established ----------------------------- */

START_TEST(f3_forged_no_session_keeps_session)
{
    duo *d = duo_new(1221);
    ck_assert(hostile_run_until(&d->h, both_up, d, bound(d)));
    hostile_run_for(&d->h, 300);
    ck_assert(both_up(d));
    (void)count_events(&d->a->conn, SLINK_EV_ESTABLISHED, NULL);
    (void)count_events(&d->b->conn, SLINK_EV_ESTABLISHED, NULL);
    size_t mark = d->h.ncap;
    /* every 0.5 s, to each end (B is a responder: it must ignore it too) */
    hw_frame fa = no_session_hint(1, 7), fb = no_session_hint(7, 1);
    storm sa = { &fa, 0, 500, 0, 0 };
    sa.to = d->ia;
    sa.next = d->h.now;
    ck_assert_msg(transfer(d, 65536, 120000, &sa), "64 KiB each way did not get through");
    unsigned n = sa.sent;
    hostile_inject(&d->h, d->ib, &fb, 0);
    hostile_run_for(&d->h, 2000);
    ck_assert_uint_ge(n, 4);
    ck_assert_uint_eq(d->a->conn.session_id, 1);
    ck_assert_uint_eq(d->b->conn.session_id, 1);
    ck_assert_int_eq(count_events(&d->a->conn, SLINK_EV_ENDED, NULL), 0);
    ck_assert_int_eq(count_events(&d->b->conn, SLINK_EV_ENDED, NULL), 0);
    ck_assert(both_up(d));
    /* at most an authenticated probe: no full handshake started by either */
    ck_assert_int_eq(count_sent(d, mark, d->ia, hw_is_hs1), 0);
    ck_assert_int_eq(count_sent(d, mark, d->ib, hw_is_hs2), 0);
    fprintf(stderr, "f3: %u forged no_session hints during 64 KiB each way: session kept\n", n);
    duo_free(d);
}
END_TEST

/* ---- finding 6: one forged msg1 per second --------------------------------------- */

START_TEST(f6_msg1_every_second_session_still_forms)
{
    hw_peer_opts oa, ob;
    attacker at;
    opts(&oa, &ob, 1231, 115200);
    duo *d = duo_new2(&oa, &ob, 115200);
    attacker_init(&at, 1231);
    uint64_t lim = bound(d);
    /* The flood starts before the initiator and never stops.  One forged
     * msg1 per rate-limit interval, each arriving just as the previous one's
     * interval is over (hs_min_interval_ms + 1): the worst case for a plain
     * per-address limiter, whose whole budget it spends. */
    uint64_t period = d->b->conn.cfg.hs_min_interval_ms + 1u;
    d->h.ends[d->ia].start_ms = 500;
    uint64_t next = 0;
    unsigned forged = 0;
    while (!both_up(d) && d->h.now < lim) {
        while (d->h.now >= next) {
            hw_frame f = forged_msg1(&at, 7, 1, 0);
            hostile_inject(&d->h, d->ib, &f, 0);
            forged++;
            next += period;
        }
        d->h.wake_at = next;
        ck_assert_int_ge(hostile_step(&d->h), 0);
    }
    d->h.wake_at = 0;
    fprintf(stderr, "f6: %u forged msg1 (1/s); session %s at %llu ms (I2 bound %llu ms)\n", forged,
            both_up(d) ? "up" : "NOT up", (unsigned long long)d->h.now, (unsigned long long)lim);
    ck_assert_msg(both_up(d), "no session within %llu ms under one forged msg1 per second",
                  (unsigned long long)lim);
    /* and it keeps serving while the flood goes on (I1) */
    hw_frame f = forged_msg1(&at, 7, 1, 0);
    storm s = { &f, 0, 0, 0, 0 };
    s.period = period;
    s.to = d->ib;
    s.next = d->h.now;
    ck_assert(transfer(d, 8000, 60000, &s));
    ck_assert_uint_eq(d->a->conn.session_id, 1);
    ck_assert_uint_eq(d->b->conn.session_id, 1);
    attacker_free(&at);
    duo_free(d);
}
END_TEST

typedef struct {
    int on;
    int held;
    hw_frame kept;
} hold3;

static hw_verdict hold_msg3(void *v, hw_frame *f, uint64_t *delay)
{
    hold3 *c = v;
    (void)delay;
    if (!c->on || !hw_is_hs3(f)) return HW_PASS;
    if (c->held++ == 0) c->kept = *f;
    c->on = 0;            /* only the first msg3 is lost */
    return HW_DROP;
}

/* B answered the genuine msg1; the genuine msg3 is held back (lost once).
 * Returns with B in WAIT_MSG3 and the msg3 in hc->kept. */
static void responder_waiting(duo *d, hold3 *hc)
{
    memset(hc, 0, sizeof *hc);
    hc->on = 1;
    hostile_set_filter(&d->h, hold_msg3, hc);
    for (int k = 0; k < 100000 && hc->held == 0; k++) ck_assert_int_ge(hostile_step(&d->h), 0);
    ck_assert_int_eq(hc->held, 1);
    ck_assert_int_eq(rhs(&d->b->conn)->state, SLINK_HS_WAIT_MSG3);
    ck_assert_int_eq(hc->kept.type, SLINK_FT_HS3);    /* whole (fits the MTU) */
}

START_TEST(f6_forged_msg1_does_not_wipe_responder_in_progress)
{
    /* The forged msg1 arrives while the genuine msg3 is on its way (inside
     * the responder attempt's protection window, PROTOCOL.md §4.11 I4):
     * the genuine msg3 still completes the genuine handshake. */
    duo *d = duo_new(1232);
    attacker at;
    hold3 hc;
    attacker_init(&at, 1232);
    responder_waiting(d, &hc);
    hw_frame f = forged_msg1(&at, 7, 1, 0);
    /* at the times they would have arrived (the harness clock has already
     * moved on to its next event) */
    uint64_t t_forged = hc.kept.t + 1, t_msg3 = hc.kept.t + live_airtime_ms(115200, hc.kept.body_len + 8u);
    uint64_t protect = d->b->conn.hs_slot[HS_SLOT_R].protect_until_ms;
    ck_assert_uint_lt(t_msg3, protect);
    slink_err ef = hw_handle(&d->b->conn, &f, t_forged);
    slink_err e = hw_handle(&d->b->conn, &hc.kept, t_msg3);
    if (e != SLINK_OK)
        fprintf(stderr, "f6: forged msg1 at %llu ms (window until %llu): %s; genuine msg3: %s\n",
                (unsigned long long)t_forged, (unsigned long long)protect, slink_err_str(ef),
                slink_err_str(e));
    ck_assert_msg(e == SLINK_OK, "genuine msg3 after a forged msg1: %s (responder's handshake wiped)",
                  slink_err_str(e));
    ck_assert_int_eq(slink_conn_get_state(&d->b->conn), SLINK_CONN_ESTABLISHED);
    ck_assert(hostile_run_until(&d->h, both_up, d, 5000));
    ck_assert_uint_eq(d->a->conn.session_id, 1);
    ck_assert_uint_eq(d->b->conn.session_id, 1);
    ck_assert(transfer(d, 3000, 30000, NULL));
    attacker_free(&at);
    duo_free(d);
}
END_TEST

START_TEST(f6_forged_msg1_after_window_msg3_lost_once)
{
    /* The genuine msg3 is lost once; a forged msg1 arrives just after the
     * responder's protection window, before the initiator's msg3 resend.
     * The spec lets that msg1 replace the responder's attempt (I4's one
     * exception); the link must still come up with the genuine peer well
     * inside I2, and no session may be replaced twice.  The time is
     * printed next to the time without the forged frame. */
    uint64_t t_base, t_att;
    for (int attack = 0; attack < 2; attack++) {
        duo *d = duo_new(1233);
        attacker at;
        hold3 hc;
        attacker_init(&at, 1233);
        responder_waiting(d, &hc);
        uint64_t at_ms = d->b->conn.hs_slot[HS_SLOT_R].protect_until_ms;
        if (attack) {
            hostile_run_for(&d->h, at_ms > d->h.now ? at_ms - d->h.now : 0);
            hw_frame f = forged_msg1(&at, 7, 1, 0);
            hostile_inject(&d->h, d->ib, &f, 0);
        }
        ck_assert_msg(hostile_run_until(&d->h, both_up, d, bound(d)), "no session within the I2 bound");
        if (attack) t_att = d->h.io_time; else t_base = d->h.io_time;
        /* an ended first session's end code is read before the new bytes */
        for (int side = 0; side < 2; side++) {
            slink_conn *c = side ? &d->b->conn : &d->a->conn;
            uint8_t junk[64];
            size_t n;
            for (int k = 0; k < 4 && slink_conn_rx_session(c) != c->session_id; k++)
                (void)slink_conn_recv(c, junk, sizeof junk, &n);
        }
        ck_assert(transfer(d, 3000, 30000, NULL));
        ck_assert_uint_le(d->a->conn.session_id, 2);
        attacker_free(&at);
        duo_free(d);
    }
    fprintf(stderr, "f6: msg3 lost once: established at %llu ms; with a forged msg1 just after the "
            "protection window: %llu ms\n", (unsigned long long)t_base, (unsigned long long)t_att);
    /* a few flights and one restart, not the initiator's whole msg3 schedule */
    ck_assert_msg(t_att <= t_base + 10000, "one forged msg1 after the window cost %llu ms of link",
                  (unsigned long long)(t_att - t_base));
}
END_TEST

/* ---- finding 7: forged msg2 with an invalid x_r ------------------------------------ */

static int x_invalid(const uint8_t x[SLINK_ECX_LEN], slink_rng *rng)
{
    slink_ecdh_key k;
    uint8_t g[SLINK_ECX_LEN];
    slink_err e;
    ck_assert_int_eq(slink_ecdh_keygen(&k, rng), SLINK_OK);
    e = slink_ecdh_shared(&k, x, g, rng);
    slink_ecdh_wipe(&k);
    return e != SLINK_OK;
}

typedef struct {
    attacker at;
    int variant;               /* 0: x = 2^256-1 (>= p); 1: x with no point */
    size_t mark;
} msg2_ctx;

static void attack_bad_msg2(duo *d, void *v)
{
    msg2_ctx *x = v;
    direct_ctx dc;
    uint8_t m[SLINK_HS2_CLEAR_LEN + 3 + 300 + SLINK_SIG_LEN + SLINK_TAG_LEN];
    memset(m, 0x5A, sizeof m);
    m[0] = 0;
    m[1] = slink_mtu_code(SLINK_MAX_FRAME_BODY);
    if (x->variant == 0) {
        memset(m + 2, 0xFF, SLINK_ECX_LEN);
    } else {
        /* about half of all x have no point: search from a fixed start */
        for (uint8_t i = 1; i != 0; i++) {
            memset(m + 2, i, SLINK_ECX_LEN);
            m[2] = 0x10;
            if (x_invalid(m + 2, &x->at.rng)) break;
        }
    }
    ck_assert(x_invalid(m + 2, &x->at.rng));
    x->mark = d->h.ncap;
    dc.f = frame(1, 7, SLINK_FT_HS2, m, sizeof m);
    attack_direct_to_a(d, &dc);
}

static void bad_msg2_case(uint64_t seed, int variant)
{
    msg2_ctx x;
    memset(&x, 0, sizeof x);
    attacker_init(&x.at, seed);
    x.variant = variant;
    uint64_t base = baseline_time(seed, 20);
    duo *d = duo_new(seed);
    uint64_t t = establish_time(d, 20, attack_bad_msg2, &x);
    ck_assert_msg(t != UINT64_MAX, "no session after a forged msg2 with invalid x_r");
    ck_assert_msg(t <= base + 1, "established at %llu ms, %llu without the forged msg2",
                  (unsigned long long)t, (unsigned long long)base);
    ck_assert_int_eq(count_sent(d, x.mark, d->ia, is_plain_alert), 0);
    ck_assert_int_eq(count_events(&d->a->conn, SLINK_EV_HS_FAILED, NULL), 0);
    ck_assert_uint_eq(d->a->conn.stats.hs_failed, 0);
    attacker_free(&x.at);
    duo_free(d);
}

START_TEST(f7_forged_msg2_x_above_p_dropped)
{
    bad_msg2_case(1241, 0);
}
END_TEST

START_TEST(f7_forged_msg2_x_off_curve_dropped)
{
    bad_msg2_case(1242, 1);
}
END_TEST

typedef struct {
    int on, flips, done;
    int bit;
} flip2;

/* Line noise with the CRC fixed up: the genuine msg2's x_r with one bit
 * flipped, 16 different bits, then the genuine one. */
static hw_verdict flip_msg2(void *v, hw_frame *f, uint64_t *delay)
{
    flip2 *c = v;
    (void)delay;
    if (!c->on || f->type != SLINK_FT_HS2 || c->done) return HW_PASS;
    c->done = 1;
    f->body[2 + (c->bit / 8)] ^= (uint8_t)(1u << (c->bit % 8));
    return HW_PASS;
}

START_TEST(f7_bitflip_in_x_r_never_fatal)
{
    int fatal = 0;
    for (int bit = 0; bit < 256; bit += 16) {
        duo *d = duo_new(1243);
        flip2 c;
        memset(&c, 0, sizeof c);
        c.on = 1;
        c.bit = bit;
        hostile_set_filter(&d->h, flip_msg2, &c);
        int up = hostile_run_until(&d->h, both_up, d, bound(d));
        fatal += (int)d->a->conn.stats.hs_failed;
        ck_assert_msg(up, "bit %d of x_r: no session", bit);
        ck_assert_msg(d->a->conn.stats.hs_failed == 0, "bit %d of x_r flipped: handshake failed", bit);
        ck_assert_int_eq(count_sent(d, 0, d->ia, is_plain_alert), 0);
        ck_assert_uint_eq(d->a->conn.session_id, 1);
        duo_free(d);
    }
    ck_assert_int_eq(fatal, 0);
}
END_TEST

/* ---- finding 8: two key updates in a row ------------------------------------------ */

START_TEST(f8_two_key_updates_in_a_row)
{
    duo *d = duo_new(1251);
    ck_assert(hostile_run_until(&d->h, both_up, d, bound(d)));
    hostile_run_for(&d->h, 300);
    ck_assert(transfer(d, 2000, 30000, NULL));
    ck_assert_uint_eq(d->a->conn.rec.tx.epoch, 2);
    slink_err e1 = slink_conn_key_update(&d->a->conn);
    slink_err e2 = slink_conn_key_update(&d->a->conn);
    ck_assert_msg(e1 == SLINK_OK, "first key update: %s", slink_err_str(e1));
    ck_assert_msg(slink_err_classify(e2) != SLINK_CLASS_FATAL, "second key update: %s", slink_err_str(e2));
    /* I5: at most one update in flight, checked at every step */
    uint64_t end = d->h.now + 60000;
    size_t got = 0;
    uint8_t buf[2048];
    for (size_t sent = 0; (got < 20000 || sent < 20000) && d->h.now < end;) {
        if (sent < 20000) {
            size_t acc = 0;
            for (size_t i = 0; i < sizeof buf; i++) buf[i] = pat(8, sent + i);
            slink_err e = slink_conn_send(&d->a->conn, buf, 20000 - sent < sizeof buf ? 20000 - sent : sizeof buf, &acc);
            ck_assert_msg(e == SLINK_OK || e == SLINK_ERR_WOULD_BLOCK, "send: %s", slink_err_str(e));
            sent += acc;
        }
        ck_assert_int_ge(hostile_step(&d->h), 0);
        ck_assert_msg(d->b->conn.rec_valid, "receiver lost its session: %s", slink_err_str(d->b->conn.end_reason));
        ck_assert_msg(d->a->conn.rec_valid, "sender lost its session: %s", slink_err_str(d->a->conn.end_reason));
        ck_assert_msg(d->a->conn.rec.tx.epoch <= SLINK_REC_RX(&d->b->conn.rec).epoch + 1u,
                      "I5: sender at epoch %u, receiver at %u (two updates in flight)",
                      (unsigned)d->a->conn.rec.tx.epoch, (unsigned)SLINK_REC_RX(&d->b->conn.rec).epoch);
        size_t n = 0;
        while (slink_conn_recv(&d->b->conn, buf, sizeof buf, &n) == SLINK_OK && n > 0) {
            for (size_t i = 0; i < n; i++)
                T_REQUIRE(buf[i] == pat(8, got + i), "byte %zu corrupted or out of order", got + i);
            got += n;
        }
    }
    ck_assert_msg(got == 20000, "receiver stranded: %zu of 20000 bytes", got);
    /* both updates happened, one after the other */
    hostile_run_for(&d->h, 1000);
    ck_assert_uint_eq(d->a->conn.rec.tx.epoch, 4);
    ck_assert_uint_eq(SLINK_REC_RX(&d->b->conn.rec).epoch, 4);
    ck_assert_uint_eq(d->a->conn.session_id, 1);
    ck_assert_uint_eq(d->b->conn.session_id, 1);
    ck_assert(transfer(d, 2000, 30000, NULL));
    duo_free(d);
}
END_TEST

/* ---- finding 9: duplicate msg1s ---------------------------------------------------- */

typedef struct {
    int held;
    hw_frame kept;
} hold1;

static hw_verdict hold_msg1(void *v, hw_frame *f, uint64_t *delay)
{
    hold1 *c = v;
    (void)delay;
    if (!hw_is_hs1(f)) return HW_PASS;
    if (c->held++ == 0) c->kept = *f;
    return HW_DROP;
}

START_TEST(f9_duplicate_msg1_not_amplified)
{
    hw_peer_opts oa, ob;
    hold1 hc;
    opts(&oa, &ob, 1261, 9600);
    duo *d = duo_new2(&oa, &ob, 9600);
    memset(&hc, 0, sizeof hc);
    hostile_set_filter(&d->h, hold_msg1, &hc);
    for (int k = 0; k < 100000 && hc.held == 0; k++) ck_assert_int_ge(hostile_step(&d->h), 0);
    ck_assert_int_eq(hc.held, 1);
    d->h.ends[d->ia].detached = 1;   /* only the responder is measured */
    uint8_t wire[SLINK_WIRE_FRAME_MAX];
    size_t wl = hw_encode(&hc.kept, wire, sizeof wire);
    ck_assert_uint_gt(wl, 0);
    uint64_t gap = live_airtime_ms(9600, wl);
    uint64_t t0 = d->h.now, out0 = d->b->conn.stats.bytes_out;
    size_t mark = d->h.ncap;
    for (unsigned k = 0; k < 100; k++) hostile_inject(&d->h, d->ib, &hc.kept, gap * k);
    uint64_t flood_ms = gap * 100;
    hostile_run_for(&d->h, flood_ms + 1);
    uint64_t in = (uint64_t)wl * 100, out = d->b->conn.stats.bytes_out - out0;
    int msg2 = count_sent(d, mark, d->ib, is_msg2_start);
    /* PROTOCOL.md §4.11 I3: a duplicate msg1 is answered at most once per
     * duplicate interval, half the initiator's first msg1 timeout (so a
     * genuine repeat is always answered) */
    uint64_t rto = live_flight_rto_ms(&d->b->conn.cfg, SLINK_HS1_LEN) / 2u;
    int allowed = 1 + (int)(flood_ms / rto) + 1;
    fprintf(stderr, "f9: 100 duplicate msg1 (%llu bytes in over %llu ms at 9600): %d msg2 sent, "
            "%llu bytes out (allowed %d msg2, duplicate interval %llu ms)\n", (unsigned long long)in,
            (unsigned long long)flood_ms, msg2, (unsigned long long)out, allowed,
            (unsigned long long)rto);
    ck_assert_uint_eq(d->b->conn.stats.hs_started, 1);   /* one ECDH, the first copy */
    ck_assert_msg(msg2 <= allowed, "%d msg2 for 100 duplicates in %llu ms (at most %d)", msg2,
                  (unsigned long long)flood_ms, allowed);
    ck_assert_msg(out <= in, "amplifier: %llu bytes out for %llu bytes in", (unsigned long long)out,
                  (unsigned long long)in);
    (void)t0;
    /* the genuine initiator, back on the line, still completes */
    d->h.ends[d->ia].detached = 0;
    hostile_set_filter(&d->h, NULL, NULL);
    ck_assert(hostile_run_until(&d->h, both_up, d, bound(d)));
    duo_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("liveness");
    TCase *tc = tcase_create("issue12");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, f1_malformed_msg1_one_byte_initiator_continues);
    tcase_add_test(tc, f1_malformed_msg1_reserved_flag_initiator_continues);
    tcase_add_test(tc, f1_malformed_msg1_fragment_initiator_continues);
    tcase_add_test(tc, f2_forged_msg1_to_initiator_ignored);
    tcase_add_test(tc, f2_forged_msg1_repeated_to_initiator_ignored);
    tcase_add_test(tc, f3_forged_no_session_keeps_session);
    tcase_add_test(tc, f6_msg1_every_second_session_still_forms);
    tcase_add_test(tc, f6_forged_msg1_does_not_wipe_responder_in_progress);
    tcase_add_test(tc, f7_forged_msg2_x_above_p_dropped);
    tcase_add_test(tc, f7_forged_msg2_x_off_curve_dropped);
    tcase_add_test(tc, f7_bitflip_in_x_r_never_fatal);
    tcase_add_test(tc, f8_two_key_updates_in_a_row);
    tcase_add_test(tc, f9_duplicate_msg1_not_amplified);
    /* found by h5's tests after the driver rework: the ACK behind a resent
     * msg3 draws the no_session that starts the repair */
    tcase_add_test(tc, f6_forged_msg1_after_window_msg3_lost_once);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

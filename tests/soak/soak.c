/* Soak: stream mode between two connections over the in-process simulated
 * line (tests/common/simline) with a bit error rate, paced at 115200 baud in
 * simulated time, for N frames at each of BER 1e-5, 1e-4 and 1e-3.  Every
 * application byte is checked against a seeded generator at its stream
 * offset: zero corrupted, lost or duplicated bytes may be delivered.
 *
 *   soak [--frames N] [--json FILE] [--seed S]
 *   soak --ber X [--mtu N] [--min-bits N] [--sim-limit S] [--frames N] [--json FILE]
 *        one run at BER X (make bench's noisy-line figures): MTU N (0, the
 *        default: what a link gets without configuration), until at least
 *        N bits were flipped on the line (and N frames sent), at most S
 *        simulated seconds; a run that stops making progress is reported
 *        ("stalled") rather than failed, since it is a figure; delivered
 *        bytes that differ still fail it; with --min-goodput G (the CI
 *        form, mk/soak.mk) a stall, a session both ends held ending, or
 *        goodput below G fail it too, and with --min-session-goodput G
 *        goodput counted from the first session's start below G
 *        (goodput_session in the JSON: the bulk stream's own figure,
 *        without the handshake's time); with --max-first-session S a
 *        first session later than S simulated seconds (or none) fails it
 *
 * Reports frames sent, frames dropped by the frame layer (CRC, COBS, runt,
 * oversize, gap, address), frames that passed the CRC but failed
 * authentication, retransmissions and goodput (delivered bytes over the
 * line's byte capacity for the simulated time).  Exit status 0 only when
 * every byte checked out. */
#include "pair.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BAUD 115200u

static uint8_t gen(uint64_t seed, uint64_t i)
{
    uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ (seed * 0xD6E8FEB86659FD93ull);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return (uint8_t)(x >> 56);
}

typedef struct {
    double ber;
    uint16_t mtu;
    uint64_t frames_ab, frames_ba, corrupted, frame_drops, auth_fail, retransmits, fast_retransmits;
    uint64_t delivered, bad_bytes, sessions, ends, b_ends, bits_flipped, wire_ab, hs_ms;
    int stalled;
    double sim_s, goodput, goodput_session, wall_s;
} soak_result;

/* Record and stream stats die with a session; keep the last seen. */
typedef struct {
    slink_rec_stats rec[2];
    slink_stream_stats st[2];
    uint64_t auth, retx, fast;
} carry;

static void fold(carry *c, int side)
{
    c->auth += c->rec[side].auth_fail;
    c->retx += c->st[side].retransmits;
    c->fast += c->st[side].fast_retransmits;
    memset(&c->rec[side], 0, sizeof c->rec[side]);
    memset(&c->st[side], 0, sizeof c->st[side]);
}

static uint64_t frame_drops(const slink_deframer *d)
{
    const slink_frame_stats *s = &d->stats;
    return (uint64_t)s->crc + s->cobs + s->runt + s->oversize + s->timeout + s->bad_addr + s->not_for_us;
}

typedef struct {
    uint64_t min_bits;        /* keep going until this many bits were flipped */
    uint64_t sim_limit_ms;    /* 0: one second of simulated time per frame */
} soak_limits;

static int run_one(double ber, uint16_t mtu, uint64_t frames, uint64_t seed, const soak_limits *lim,
                   soak_result *r)
{
    pair_opts o;
    pair *p = calloc(1, sizeof *p);
    carry cy;
    uint8_t buf[8192];
    uint64_t sent = 0, got = 0;
    uint32_t sid[2] = { 0, 0 };
    uint8_t was_valid[2] = { 0, 0 };
    /* a starts (or resumes) a stream only once b has read everything the
     * previous session delivered (slink_conn_rx_session moved on): the new
     * stream then begins at b's delivered count. */
    int a_wait = 1;
    /* A stream that stops making progress must fail, not hang: a second
     * of simulated time per frame is far beyond any noise level here. */
    uint64_t sim_limit_ms = lim->sim_limit_ms ? lim->sim_limit_ms : frames * 1000u;
    unsigned idle_rounds = 0;
    uint32_t b_rx_sid = 0;
    struct timespec t0, t1;

    memset(&o, 0, sizeof o);
    memset(&cy, 0, sizeof cy);
    memset(r, 0, sizeof *r);
    o.seed = seed;
    o.baud = BAUD;
    o.mtu_a = o.mtu_b = mtu;
    o.line.baud = BAUD;
    o.line.ber = ber;
    o.line.seed = seed * 7919 + 1;
    if (p == NULL || pair_init(p, &o) != SLINK_OK) {
        fprintf(stderr, "soak: setup failed\n");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (p->line.st[0].frames < frames ||
           p->line.st[0].bits_flipped + p->line.st[1].bits_flipped < lim->min_bits) {
        slink_conn *c[2] = { &p->a, &p->b };
        if (p->a.rec_valid && !a_wait) {
            size_t acc = 0, want = sizeof buf;
            for (size_t i = 0; i < want; i++) buf[i] = gen(seed, sent + i);
            if (slink_conn_send(&p->a, buf, want, &acc) == SLINK_OK) sent += acc;
        }
        for (;;) {
            size_t n = 0;
            slink_err e = slink_conn_recv(&p->b, buf, sizeof buf, &n);
            if (e == SLINK_OK && n > 0) {
                for (size_t i = 0; i < n; i++)
                    if (buf[i] != gen(seed, got + i)) r->bad_bytes++;
                got += n;
                continue;
            }
            if (p->b.rec_valid && slink_conn_rx_session(&p->b) == p->b.session_id &&
                p->b.session_id != b_rx_sid) {
                b_rx_sid = p->b.session_id;
                sent = got;
                a_wait = 0;
                continue;
            }
            if (e != SLINK_OK || n == 0) break;
        }
        if (p->now > sim_limit_ms || idle_rounds > 1000) {
            fprintf(stderr, "soak: BER %g: no progress, %llu of %llu frames after %llu s simulated "
                    "(a: state %d session %u valid %d wait %d; b: state %d session %u valid %d rx-session %u)\n",
                    ber, (unsigned long long)p->line.st[0].frames, (unsigned long long)frames,
                    (unsigned long long)(p->now / 1000u), (int)p->a.state, p->a.session_id, p->a.rec_valid,
                    a_wait, (int)p->b.state, p->b.session_id, p->b.rec_valid, slink_conn_rx_session(&p->b));
            r->stalled = 1;
            break;
        }
        int st = pair_step(p);
        idle_rounds = st == 0 ? idle_rounds + 1 : 0;   /* nothing will ever happen */
        if (st < 0) {
            fprintf(stderr, "soak: livelock at %llu ms\n", (unsigned long long)p->now);
            break;
        }
        for (int s = 0; s < 2; s++) {
            slink_event ev;
            while (slink_conn_poll_event(c[s], &ev))
                if (ev.type == SLINK_EV_ENDED && s == 1) {
                    /* b installs a session only on msg3: one both ends held */
                    r->b_ends++;
                    fprintf(stderr, "soak: BER %g: b's session %u ended (%s) at %llu ms\n", ber,
                            ev.session_id, slink_err_str(ev.err), (unsigned long long)p->now);
                } else if (ev.type == SLINK_EV_ENDED && s == 0) {
                    r->ends++;
                    fprintf(stderr, "soak: BER %g: session %u ended (%s) at %llu ms\n", ber,
                            ev.session_id, slink_err_str(ev.err), (unsigned long long)p->now);
                }
            if (c[s]->rec_valid && c[s]->session_id == sid[s]) {
                cy.rec[s] = c[s]->rec.stats;
                cy.st[s] = c[s]->stream.stats;
            } else if (was_valid[s] || c[s]->session_id != sid[s]) {
                fold(&cy, s);
                if (c[s]->rec_valid) {
                    cy.rec[s] = c[s]->rec.stats;
                    cy.st[s] = c[s]->stream.stats;
                }
                if (s == 0 && c[s]->session_id != sid[s] && c[s]->rec_valid) {
                    if (r->sessions == 0) r->hs_ms = p->now;
                    r->sessions++;
                    /* A new session is a new stream: the application resumes
                     * from what the receiver has delivered, once b has read
                     * the old session's last bytes. */
                    a_wait = 1;
                }
            }
            sid[s] = c[s]->session_id;
            was_valid[s] = c[s]->rec_valid;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fold(&cy, 0);
    fold(&cy, 1);
    r->ber = ber;
    r->mtu = mtu;
    r->frames_ab = p->line.st[0].frames;
    r->frames_ba = p->line.st[1].frames;
    r->corrupted = p->line.st[0].corrupted + p->line.st[1].corrupted;
    r->bits_flipped = p->line.st[0].bits_flipped + p->line.st[1].bits_flipped;
    r->wire_ab = p->line.st[0].bytes;
    r->frame_drops = frame_drops(&p->a.deframer) + frame_drops(&p->b.deframer);
    r->auth_fail = cy.auth;
    r->retransmits = cy.retx;
    r->fast_retransmits = cy.fast;
    r->delivered = got;
    r->sim_s = (double)p->now / 1000.0;
    r->goodput = r->sim_s > 0 ? (double)got / (r->sim_s * BAUD / 10.0) : 0;
    /* The bulk stream's own goodput: from the first session's start, so
     * the handshake's time (at BER 1e-3 often longer than the transfer of
     * a 1000-flipped-bit run) is not charged to the stream. */
    {
        double up = r->sim_s - (double)r->hs_ms / 1000.0;
        r->goodput_session = r->sessions > 0 && up > 0 ? (double)got / (up * BAUD / 10.0) : 0;
    }
    r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    pair_free(p);
    free(p);
    return r->bad_bytes == 0 && r->delivered > 0 && r->sessions >= 1 && !r->stalled ? 0 : 1;
}

/* One noisy-line figure for make bench: JSON on stdout or in FILE. */
static int single(double ber, uint16_t mtu, uint64_t frames, uint64_t seed, const soak_limits *lim,
                  const char *json, double min_goodput, double min_session, double max_first)
{
    soak_result r;
    int fail = 0;
    (void)run_one(ber, mtu, frames, seed, lim, &r);
    FILE *fp = json ? fopen(json, "w") : stdout;
    if (!fp) { perror(json); return 1; }
    fprintf(fp, "{\"ber\": %g, \"mtu\": %u, \"goodput\": %.4f, \"goodput_session\": %.4f, \"bits_flipped\": %llu, "
            "\"frames_sent\": %llu, \"frames_corrupted\": %llu, \"retransmits\": %llu, \"fast_retransmits\": %llu, "
            "\"bytes_delivered\": %llu, \"bad_bytes\": %llu, \"sessions\": %llu, \"session_ends\": %llu, "
            "\"stalled\": %d, \"sim_seconds\": %.1f, \"wall_seconds\": %.1f, "
            "\"wire_bytes_ab\": %llu, \"first_session_s\": %.3f, \"established_ends\": %llu}\n",
            ber, mtu, r.goodput, r.goodput_session, (unsigned long long)r.bits_flipped, (unsigned long long)r.frames_ab,
            (unsigned long long)r.corrupted, (unsigned long long)r.retransmits,
            (unsigned long long)r.fast_retransmits, (unsigned long long)r.delivered, (unsigned long long)r.bad_bytes, (unsigned long long)r.sessions,
            (unsigned long long)r.ends, r.stalled, r.sim_s, r.wall_s,
            (unsigned long long)r.wire_ab, (double)r.hs_ms / 1000.0, (unsigned long long)r.b_ends);
    if (json) fclose(fp);
    if (r.bad_bytes) { fprintf(stderr, "soak: BER %g: %llu wrong bytes delivered\n", ber, (unsigned long long)r.bad_bytes); fail = 1; }
    if (max_first > 0) {
        /* the handshake's own bound (issue 14: repair requests, §4.7) */
        double fs = (double)r.hs_ms / 1000.0;
        int bad = r.sessions == 0 || fs > max_first;
        printf("soak: BER %g, MTU %u, seed %llu: first session after %.3f s (bound %.1f s): %s\n", ber, mtu,
               (unsigned long long)seed, fs, max_first, bad ? "FAIL" : "ok");
        fail |= bad;
    }
    if (min_goodput > 0) {
        /* the CI form: also no stall, no session both ends held ended, and
         * goodput above the floor */
        if (r.stalled) { fprintf(stderr, "soak: BER %g: stalled\n", ber); fail = 1; }
        if (r.b_ends) { fprintf(stderr, "soak: BER %g: %llu established sessions ended\n", ber, (unsigned long long)r.b_ends); fail = 1; }
        if (r.delivered == 0 || r.goodput < min_goodput) {
            fprintf(stderr, "soak: BER %g: goodput %.4f below the floor %.4f\n", ber, r.goodput, min_goodput);
            fail = 1;
        }
        if (r.goodput_session < min_session) {
            fprintf(stderr, "soak: BER %g: goodput from session start %.4f below the floor %.4f\n", ber,
                    r.goodput_session, min_session);
            fail = 1;
        }
        printf("soak: BER %g, MTU %u: goodput %.4f (floor %.4f), from session start %.4f (floor %.4f), "
               "%llu bits flipped, %.1f s simulated: %s\n",
               ber, mtu, r.goodput, min_goodput, r.goodput_session, min_session,
               (unsigned long long)r.bits_flipped, r.sim_s, fail ? "FAIL" : "ok");
    }
    return fail;
}

int main(int argc, char **argv)
{
    uint64_t frames = 1000000, seed = 1;
    const char *json = NULL;
    double one_ber = 0;
    long one_mtu = 0;
    soak_limits lim = { 0, 0 };
    double min_goodput = 0, min_session = 0, max_first = 0;
    static const double bers[3] = { 1e-5, 1e-4, 1e-3 };
    /* Frame size per noise level, as an operator would configure it: at
     * 1e-3 a 1 KiB frame almost never arrives intact (P = e^-8.8). */
    static const uint16_t mtus[3] = { 1104, 256, 64 };
    soak_result res[3];
    int failed = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--frames") && i + 1 < argc) frames = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--ber") && i + 1 < argc) one_ber = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--mtu") && i + 1 < argc) one_mtu = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--min-bits") && i + 1 < argc) lim.min_bits = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--min-goodput") && i + 1 < argc) min_goodput = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--min-session-goodput") && i + 1 < argc) min_session = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--max-first-session") && i + 1 < argc) max_first = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--sim-limit") && i + 1 < argc)
            lim.sim_limit_ms = strtoull(argv[++i], NULL, 10) * 1000u;
        else { fprintf(stderr, "usage: soak [--frames N] [--json FILE] [--seed S] "
                            "[--ber X [--mtu N] [--min-bits N] [--sim-limit S] [--min-goodput G] "
                            "[--min-session-goodput G] [--max-first-session S]]\n"); return 2; }
    }
    if (one_ber > 0) {
        if (one_mtu < 0 || one_mtu > 65535) { fprintf(stderr, "soak: --mtu out of range\n"); return 2; }
        return single(one_ber, (uint16_t)one_mtu, frames, seed, &lim, json, min_goodput, min_session, max_first);
    }
    printf("soak: stream mode, %u baud, %llu frames a->b per BER, seed %llu\n", BAUD,
           (unsigned long long)frames, (unsigned long long)seed);
    printf("%-7s %5s %9s %9s %9s %10s %9s %8s %9s %12s %6s %8s %7s %7s\n", "BER", "MTU", "frames",
           "acks/back", "corrupt", "frame-drop", "auth-fail", "exp-auth", "retx", "delivered",
           "bad", "goodput", "sim-s", "wall-s");
    for (int k = 0; k < 3; k++) {
        int f = run_one(bers[k], mtus[k], frames, seed + (uint64_t)k, &lim, &res[k]);
        soak_result *r = &res[k];
        printf("%-7.0e %5u %9llu %9llu %9llu %10llu %9llu %8.2f %9llu %12llu %6llu %7.1f%% %7.0f %7.1f\n",
               r->ber, r->mtu, (unsigned long long)r->frames_ab, (unsigned long long)r->frames_ba,
               (unsigned long long)r->corrupted, (unsigned long long)r->frame_drops,
               (unsigned long long)r->auth_fail, (double)r->corrupted / 65536.0,
               (unsigned long long)r->retransmits, (unsigned long long)r->delivered,
               (unsigned long long)r->bad_bytes, 100.0 * r->goodput, r->sim_s, r->wall_s);
        if (r->ends) printf("        (%llu session ends, %llu sessions)\n",
                            (unsigned long long)r->ends, (unsigned long long)r->sessions);
        fflush(stdout);
        failed += f;
    }
    if (json) {
        FILE *fp = fopen(json, "w");
        if (!fp) { perror(json); return 1; }
        fprintf(fp, "{\n  \"frames_per_ber\": %llu,\n  \"baud\": %u,\n", (unsigned long long)frames, BAUD);
        for (int k = 0; k < 3; k++) {
            const soak_result *r = &res[k];
            const char *tag = k == 0 ? "1e5" : k == 1 ? "1e4" : "1e3";
            fprintf(fp, "  \"ber%s_mtu\": %u,\n  \"ber%s_frames_sent\": %llu,\n  \"ber%s_frames_back\": %llu,\n"
                    "  \"ber%s_frames_corrupted\": %llu,\n  \"ber%s_frames_dropped_crc\": %llu,\n"
                    "  \"ber%s_auth_fail\": %llu,\n  \"ber%s_retransmits\": %llu,\n"
                    "  \"ber%s_bytes_delivered\": %llu,\n  \"ber%s_bad_bytes\": %llu,\n"
                    "  \"ber%s_session_ends\": %llu,\n  \"ber%s_goodput\": %.4f,\n  \"ber%s_sim_seconds\": %.1f%s\n",
                    tag, r->mtu, tag, (unsigned long long)r->frames_ab, tag, (unsigned long long)r->frames_ba,
                    tag, (unsigned long long)r->corrupted, tag, (unsigned long long)r->frame_drops,
                    tag, (unsigned long long)r->auth_fail, tag, (unsigned long long)r->retransmits,
                    tag, (unsigned long long)r->delivered, tag, (unsigned long long)r->bad_bytes,
                    tag, (unsigned long long)r->ends, tag, r->goodput, tag, r->sim_s, k < 2 ? "," : "");
        }
        fprintf(fp, "}\n");
        fclose(fp);
    }
    printf("soak: %d passed, %d failed\n", 3 - failed, failed);
    return failed ? 1 : 0;
}

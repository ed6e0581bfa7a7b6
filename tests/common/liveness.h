/* The liveness bound of invariant I2 (issue 12): once the attacker stops,
 * both ends of a link are established within this time, derived from the
 * connections' own configuration.  Header only, so the libFuzzer target and
 * the unit tests compute the very same figure.
 *
 * Derivation (docs/PROTOCOL.md §4.7, §4.9, §6; every term from the config):
 *  - a flight's first timeout is
 *      rto0 = airtime(msg + 16) + airtime(CERT_MAX/2 + 200) + hs_proc_ms + 2 gaps
 *    and it doubles per retry up to 4 * rto0 (and 60 s); after hs_max_tries
 *    transmissions the attempt fails.  One attempt therefore lasts at most
 *      attempt = sum_{k<hs_max_tries} min(rto0 * 2^k, 4 * rto0, 60 s)
 *    (taken for the largest message, a msg2/msg3 with a full certificate);
 *    a responder forgets its attempt after attempt + rto0;
 *  - worst case when the attacker stops: the initiator's attempt (or its
 *    unconfirmed msg3) was spoiled and runs out (one attempt), it waits
 *    hs_restart_ms, and the responder may still be inside a first-message
 *    rate-limit interval (hs_min_interval_ms) or in WAIT_MSG3 for a forged
 *    msg1, whose own flight runs out (one more attempt); then one clean
 *    handshake completes (one more attempt's first timeout is plenty, but a
 *    whole attempt is allowed).
 *      I2 = 3 * attempt + rto0 + 1.5 * hs_restart_ms (its random part) + hs_min_interval_ms
 *           + keepalive_ms + CONN_PROBE_TRIES * stream rto_max
 *    (the last two: an end that kept an idle session the other end lost
 *    learns it from the no_session answering its keep-alive, then probes);
 *    Generous (about 1 min at 115200 with the defaults), but finite: a
 *    deadlock (a state with no timer armed) never meets it. */
#ifndef SLINK_TEST_LIVENESS_H
#define SLINK_TEST_LIVENESS_H
#include <stdint.h>
#include "slink/conn.h"

#define LIVE_RTO_MAX_MS 60000u
#define LIVE_BACKOFF_CAP 4u

static inline uint64_t live_airtime_ms(uint32_t baud, uint64_t n)
{
    if (baud == 0) baud = 115200;
    return (n * 10000u + baud - 1u) / baud;
}

/* First timeout of a flight of msg_len bytes under the normalised config. */
static inline uint64_t live_flight_rto_ms(const slink_conn_cfg *k, uint64_t msg_len)
{
    return live_airtime_ms(k->baud, msg_len + 16u) +
           live_airtime_ms(k->baud, SLINK_CERT_MAX / 2u + 200u) +
           k->hs_proc_ms + 2u * (uint64_t)k->gap_ms;
}

/* Longest time one handshake attempt can take (every try, backoff). */
static inline uint64_t live_attempt_ms(const slink_conn_cfg *k)
{
    uint64_t rto0 = live_flight_rto_ms(k, SLINK_HS_MSG_MAX), rto = rto0, sum = 0;
    uint64_t cap = rto0 * LIVE_BACKOFF_CAP < LIVE_RTO_MAX_MS ? rto0 * LIVE_BACKOFF_CAP : LIVE_RTO_MAX_MS;
    for (unsigned t = 0; t < k->hs_max_tries; t++) {
        sum += rto;
        rto = rto * 2u > cap ? (rto > cap ? rto : cap) : rto * 2u;
    }
    return sum;
}

/* I2 for a pair: the larger of the two ends' figures. */
static inline uint64_t live_bound_ms(const slink_conn *a, const slink_conn *b)
{
    const slink_conn *c[2] = { a, b };
    uint64_t worst = 0;
    for (int i = 0; i < 2; i++) {
        const slink_conn_cfg *k = &c[i]->cfg;
        uint64_t rto_max = 2000u + 4u * live_airtime_ms(k->baud, (uint64_t)k->mtu + 40u);
        uint64_t v = 3u * live_attempt_ms(k) + live_flight_rto_ms(k, SLINK_HS_MSG_MAX) + k->hs_restart_ms * 3u / 2u + k->hs_min_interval_ms +
                     k->keepalive_ms + 3u * rto_max;
        if (v > worst) worst = v;
    }
    return worst;
}

#endif

/* A node with several peers sharing one line: one frame decoder, dispatch by
 * source address.  Full duplex: round-robin output.  Half duplex (RS485):
 * the node is bus master and runs the schedule of docs/PROTOCOL.md §2.5:
 *
 *   slot(i) = our frames for device i within a byte budget, then POLL i
 *             granting it a byte budget; device i answers with frames within
 *             it and TURN_END; if it sent frames, one ACK for them goes out
 *             at once.
 *
 * Budgets are in wire bytes, not frames, so large frames cannot stretch a
 * slot (a few KB for one device while the others wait) and small ones do not
 * waste turns.  The quantum is sized so that one round of the active
 * devices, both directions, lasts about ROUND_MS at the line rate, never
 * below one largest frame per direction; what a slot or turn ran past its
 * budget comes off the next one (deficit round robin).
 *
 * Slots go round robin over the devices that are due: one we have frames
 * for, one that is expected to answer (handshake, unacknowledged data,
 * probe), one whose idle poll interval has passed.  Our own sending per
 * slot is capped, so retransmissions can never keep the master talking and
 * every device gets a turn in both directions.  Idle intervals grow to a cap
 * that keeps polling under 4 % of the line for any baud and device count;
 * a device that does not answer backs off exponentially.  Frames from
 * addresses without a connection are dropped before any crypto. */
#include "slink/node.h"
#include "slink/wire.h"
#include "conn_internal.h"

#include <string.h>

#define NODE_NEVER UINT64_MAX
/* A round of the active devices' slots and turns aims at this long. */
#define ROUND_MS 250u
/* First idle re-poll; the interval doubles per empty turn up to the cap. */
#define IDLE_POLL_MIN_MS 20u
/* Idle polling may take at most 1/IDLE_SHARE_DIV of the line (4 %). */
#define IDLE_SHARE_DIV 25u
/* A device's wake-up and processing before its first byte. */
#define RESP_SLACK_MS 30u
/* A device that keeps silent is polled at most this rarely (or the idle cap
 * if larger), so a dead one costs one response timeout per interval. */
#define MISS_MAX_MS 1000u
/* A device that is expected to answer and sent nothing yet: poll again. */
#define EXPECT_REPOLL_MS 5u
/* A POLL or TURN_END on the wire: 5-byte frame, COBS byte, delimiter. */
#define CTRL_WIRE 7u

static uint32_t airtime_ms(uint32_t baud, size_t n)
{
    uint64_t ms = ((uint64_t)n * 10000u + baud - 1u) / baud;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* Wire bytes of a decoded frame, as the sender's encoder wrote them at most. */
static uint32_t wire_len(const slink_frame *f)
{
    return (uint32_t)(SLINK_COBS_MAX(f->body_len + SLINK_FRAME_MIN) + 1u);
}

/* Per-direction budget of an active device's slot or turn: the line's
 * bytes in ROUND_MS shared by the active devices in both directions, at
 * least the default turn (one largest frame), at most SLINK_TURN_BUDGET_MAX. */
static uint32_t quantum(const slink_node *n)
{
    uint64_t q;
    uint32_t act = 0;
    size_t i;
    for (i = 0; i < n->npeers; i++) act += n->active[i];
    if (act == 0) act = 1;
    q = (uint64_t)n->baud / 10u * ROUND_MS / 1000u / (2u * act);
    if (q < SLINK_TURN_BUDGET_DEFAULT) q = SLINK_TURN_BUDGET_DEFAULT;
    if (q > SLINK_TURN_BUDGET_MAX) q = SLINK_TURN_BUDGET_MAX;
    return (uint32_t)q;
}

/* The quantum less what the last slot or turn ran past, at least 1 byte
 * (a frame may always start).  An idle device gets the default. */
static uint32_t budget(const slink_node *n, size_t i, int32_t debt)
{
    int64_t b;
    if (!n->active[i]) return SLINK_TURN_BUDGET_DEFAULT;
    b = (int64_t)quantum(n) + debt;
    return b < 1 ? 1u : (uint32_t)b;
}

/* What a slot or turn ran past its budget, carried to the next (<= 0, at
 * most one largest frame: a frame starts only within the budget). */
static int32_t debt_after(uint32_t budget_bytes, uint32_t sent)
{
    int64_t d = (int64_t)budget_bytes - sent;
    if (d > 0) d = 0;
    if (d < -(int64_t)SLINK_WIRE_FRAME_MAX) d = -(int64_t)SLINK_WIRE_FRAME_MAX;
    return (int32_t)d;
}

static uint32_t decoder_drops(const slink_deframer *d)
{
    const slink_frame_stats *s = &d->stats;
    return s->crc + s->cobs + s->runt + s->oversize + s->timeout;
}

/* Idle polling of all devices at the cap stays under 1/IDLE_SHARE_DIV of
 * the line: one POLL and one TURN_END per device per interval. */
static void rescale(slink_node *n)
{
    uint64_t per = (uint64_t)CTRL_WIRE * 2u * 10000u * IDLE_SHARE_DIV * (n->npeers ? n->npeers : 1u);
    uint64_t ms = (per + n->baud - 1u) / n->baud;
    if (ms < IDLE_POLL_MIN_MS) ms = IDLE_POLL_MIN_MS;
    n->idle_max_ms = ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

slink_err slink_node_init(slink_node *n, uint8_t addr, uint32_t baud,
                          uint8_t half_duplex_master, uint32_t gap_ms)
{
    SLINK_CHECK(n != NULL && slink_addr_is_unicast(addr), SLINK_ERR_ARG);
    memset(n, 0, sizeof *n);
    n->addr = addr;
    n->baud = baud ? baud : 115200u;
    n->half_duplex_master = half_duplex_master ? 1u : 0u;
    slink_deframer_init(&n->deframer, addr, gap_ms ? gap_ms : slink_gap_ms_for_baud(n->baud));
    n->turn_peer = -1;
    n->ack_after = -1;
    n->resp_ms = 2u * n->deframer.gap_ms + RESP_SLACK_MS;
    rescale(n);
    return SLINK_OK;
}

slink_err slink_node_add(slink_node *n, slink_conn *c)
{
    size_t i;
    SLINK_CHECK(n != NULL && c != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(c->cfg.local_addr == n->addr, SLINK_ERR_CONFIG);
    SLINK_CHECK(n->npeers < SLINK_MAX_PEERS, SLINK_ERR_CONFIG);
    for (i = 0; i < n->npeers; i++)
        SLINK_CHECK(n->peers[i]->cfg.peer_addr != c->cfg.peer_addr, SLINK_ERR_CONFIG);
    /* The master polls every device, and a device without a session says
     * so when polled: the default keep-alive would only add turns. */
    if (c->keepalive_defaulted) c->cfg.keepalive_ms = 0;
    n->peers[n->npeers++] = c;
    rescale(n);
    return SLINK_OK;
}

static int peer_index(const slink_node *n, uint8_t addr)
{
    size_t i;
    for (i = 0; i < n->npeers; i++)
        if (n->peers[i]->cfg.peer_addr == addr) return (int)i;
    return -1;
}

slink_conn *slink_node_peer(slink_node *n, uint8_t addr)
{
    int i = peer_index(n, addr);
    return i < 0 ? NULL : n->peers[i];
}

const slink_node_peer_stats *slink_node_peer_stats_of(const slink_node *n, uint8_t addr)
{
    int i = n == NULL ? -1 : peer_index(n, addr);
    return i < 0 ? NULL : &n->pstats[i];
}

/* The master's connection waits for something from the device, so an
 * empty turn is not a sign of idleness. */
static int expecting(const slink_conn *c)
{
    if (conn_hs_busy(c)) return 1;
    if (!c->rec_valid) return 0;
    return c->stream.snd_filled > 0 || c->probe_tries > 0 ||
           (c->stream.close_requested && !c->close_acked);
}

static void note_anomaly(slink_node *n, size_t i, int anomalous)
{
    slink_node_peer_stats *ps = &n->pstats[i];
    if (!anomalous) {
        ps->anomalies = 0;
        ps->dup_suspect = 0;
        return;
    }
    if (ps->anomalies < UINT8_MAX) ps->anomalies++;
    if (ps->anomalies >= SLINK_NODE_DUP_TURNS && !ps->dup_suspect) {
        ps->dup_suspect = 1;
        n->stats.dup_suspects++;
    }
}

/* The turn of device i is over: by its TURN_END (answered) or by timeout. */
static void end_turn(slink_node *n, uint64_t now_ms, int answered)
{
    size_t i = (size_t)n->turn_peer;
    slink_node_peer_stats *ps = &n->pstats[i];
    int garbled = decoder_drops(&n->deframer) != n->turn_garbled0;
    n->turn_peer = -1;
    n->active[i] = n->turn_frames > 0 || n->slot_bytes > 0;
    n->debt_rx[i] = n->active[i] ? debt_after(n->turn_budget, n->turn_bytes) : 0;
    if (garbled) ps->garbled_turns++;
    if (!answered) n->stats.turn_timeouts++;
    if (!answered && !n->turn_heard) {
        /* Silence: the device is gone or deaf.  Back off exponentially, so
         * it costs one response timeout per interval, not per cycle. */
        uint64_t back = (uint64_t)n->resp_ms << (n->miss[i] < 16u ? n->miss[i] : 16u);
        uint64_t cap = n->idle_max_ms > MISS_MAX_MS ? n->idle_max_ms : MISS_MAX_MS;
        ps->silent++;
        if (n->miss[i] < UINT8_MAX) n->miss[i]++;
        n->miss_until_ms[i] = now_ms + (back < cap ? back : cap);
        return;
    }
    n->miss[i] = 0;
    n->miss_until_ms[i] = 0;
    note_anomaly(n, i, garbled);
    /* A probe it had the turn to answer and did not: next try at once. */
    conn_probe_unanswered(n->peers[i], now_ms);
    if (n->turn_frames > 0) {
        /* It had something: its next slot comes in the next round, and
         * what it sent is acknowledged now, so its retransmission timer
         * never has to cover a whole round of the others' turns. */
        n->idle_ms[i] = 0;
        n->next_poll_ms[i] = now_ms;
        if (n->peers[i]->rec_valid) n->ack_after = (int)i;
        return;
    }
    if (expecting(n->peers[i])) {
        n->next_poll_ms[i] = now_ms + EXPECT_REPOLL_MS;
        return;
    }
    n->idle_ms[i] = n->idle_ms[i] == 0 ? IDLE_POLL_MIN_MS : n->idle_ms[i] * 2u;
    if (n->idle_ms[i] > n->idle_max_ms) n->idle_ms[i] = n->idle_max_ms;
    n->next_poll_ms[i] = now_ms + n->idle_ms[i];
}

slink_err slink_node_input(slink_node *n, const uint8_t *in, size_t len, uint64_t now_ms)
{
    slink_err last = SLINK_OK;
    SLINK_CHECK(n != NULL && (in != NULL || len == 0), SLINK_ERR_ARG);
    if (len > 0 && n->turn_peer >= 0) {
        n->turn_heard = 1;
        n->last_rx_ms = now_ms;
    }
    while (len > 0) {
        size_t used = 0;
        slink_frame f;
        int i;
        slink_err e = slink_deframer_push(&n->deframer, in, len, now_ms, &used, &f);
        if (used > len) used = len;
        in += used;
        len -= used;
        if (e == SLINK_ERR_NEED_MORE) break;
        if (e != SLINK_OK) {
            n->stats.garbled = decoder_drops(&n->deframer);
            if (used == 0) break;
            continue;
        }
        i = peer_index(n, f.src);
        if (i < 0) {
            n->stats.unknown_peer++;
            continue;
        }
        if (n->half_duplex_master && f.type == SLINK_FT_TURN_END) {
            /* Unauthenticated: it only ever ends the turn of its own source
             * address, and only while that address holds the turn. */
            if (n->turn_peer == i) {
                end_turn(n, now_ms, 1);
            } else {
                n->pstats[i].stray_turn_ends++;
                note_anomaly(n, (size_t)i, 1);
            }
            continue;
        }
        if (n->half_duplex_master) {
            if (n->turn_peer == i) {
                n->turn_frames++;
                n->turn_bytes += wire_len(&f);
            } else {
                n->pstats[i].off_turn_frames++;
            }
        }
        n->peers[i]->stats.bytes_in += used;
        e = slink_conn_handle_frame(n->peers[i], &f, now_ms);
        if (slink_err_classify(e) == SLINK_CLASS_FATAL) last = e;
    }
    n->stats.garbled = decoder_drops(&n->deframer);
    return last;
}

static size_t emit(slink_node *n, slink_conn *c, uint8_t type, const uint8_t *body, size_t blen,
                   uint8_t *out, size_t cap)
{
    size_t w = 0;
    if (slink_frame_encode(c->cfg.peer_addr, n->addr, type, body, blen, out, cap, &w) != SLINK_OK)
        return 0;
    c->stats.frames_out++;
    c->stats.bytes_out += w;
    return w;
}

static size_t output_full_duplex(slink_node *n, uint8_t *body, uint8_t *out, size_t cap,
                                 uint64_t now_ms)
{
    size_t used = 0, tried = 0;
    while (tried < n->npeers && cap - used >= SLINK_WIRE_FRAME_MAX) {
        slink_conn *c = n->peers[n->rr];
        uint8_t type = 0;
        size_t blen = 0;
        if (slink_conn_next_frame(c, now_ms, &type, body, SLINK_MAX_FRAME_BODY, &blen) == SLINK_OK) {
            used += emit(n, c, type, body, blen, out + used, cap - used);
            tried = 0;
        } else {
            tried++;
        }
        n->rr = (n->rr + 1u) % n->npeers;
    }
    return used;
}

static int poll_allowed(const slink_node *n, size_t i, uint64_t now_ms)
{
    return now_ms >= n->miss_until_ms[i];
}

static int poll_due(const slink_node *n, size_t i, uint64_t now_ms)
{
    return poll_allowed(n, i, now_ms) && now_ms >= n->next_poll_ms[i];
}

/* When the turn of the device holding it ends if nothing more comes. */
static uint64_t turn_deadline(const slink_node *n)
{
    uint64_t d;
    if (!n->turn_heard) {
        /* Waiting for the first byte: a device answering a handshake
         * message computes first (the allowance the connection uses). */
        uint32_t extra = conn_hs_busy(n->peers[n->turn_peer]) ? n->peers[n->turn_peer]->cfg.hs_proc_ms : 0u;
        d = n->turn_start_ms + n->resp_ms + extra;
    } else {
        d = n->last_rx_ms + n->resp_ms;
    }
    return d < n->turn_hard_ms ? d : n->turn_hard_ms;
}

/* POLL device i, granting it turn_budget bytes; slot: what we sent it just
 * before in its slot.  used: the bytes already in out; returns the total. */
static size_t grant_turn(slink_node *n, size_t i, uint32_t slot, uint32_t turn_budget,
                         uint8_t *out, size_t cap, size_t used, uint64_t now_ms)
{
    slink_conn *c = n->peers[i];
    uint8_t grant[2];
    size_t w;
    if (slot > 0) n->active[i] = 1;
    n->turn_budget = turn_budget;
    grant[0] = (uint8_t)(n->turn_budget >> 8);
    grant[1] = (uint8_t)n->turn_budget;
    /* The default budget goes as an empty POLL (idle polls stay 7 bytes). */
    w = emit(n, c, SLINK_FT_POLL, grant,
             n->turn_budget == SLINK_TURN_BUDGET_DEFAULT ? 0u : sizeof grant, out + used, cap - used);
    if (n->tx_free_ms < now_ms) n->tx_free_ms = now_ms;
    used += w;
    n->tx_free_ms += airtime_ms(n->baud, used);
    n->turn_peer = (int)i;
    n->turn_frames = 0;
    n->turn_bytes = 0;
    n->slot_bytes = slot;
    n->turn_heard = 0;
    n->turn_start_ms = n->tx_free_ms;
    /* Its budget, one frame run past it, its TURN_END, the gaps. */
    n->turn_hard_ms = n->tx_free_ms +
                      airtime_ms(n->baud, (size_t)n->turn_budget + SLINK_WIRE_FRAME_MAX + CTRL_WIRE) + 50u;
    n->turn_garbled0 = decoder_drops(&n->deframer);
    n->pstats[i].turns++;
    n->stats.turns_granted++;
    if (slot == 0 && !expecting(c)) n->stats.idle_polls++;
    return used;
}

/* A device that said no_session while we hold a session with it is probed
 * (§4.9); its probes go out in a short slot of their own, ahead of the
 * round and without moving it: one frame of ours (the probe, or after the
 * last unanswered one the msg1 it starts) and a default turn.  Served in
 * turn, each probe would wait a round of the other devices' slots, and a
 * restarted device would be found only after CONN_PROBE_TRIES rounds
 * (3.1 s with 7 busy devices at 115200).  What a forged hint buys is
 * bounded by the connection: CONN_PROBE_TRIES probes per hs_min_interval,
 * so as many default turns, and none while the device is backed off for
 * silence.  Returns the bytes written, or 0 with *none set if no device is
 * being probed. */
static size_t output_probe(slink_node *n, uint8_t *body, uint8_t *out, size_t cap, size_t used,
                           uint64_t now_ms, int *none)
{
    size_t i;
    *none = 1;
    for (i = 0; i < n->npeers; i++) {
        slink_conn *c = n->peers[i];
        uint8_t type = 0;
        size_t blen = 0;
        uint32_t slot = 0;
        if (!conn_probe_due(c, now_ms) || !poll_allowed(n, i, now_ms)) continue;
        if (cap - used < SLINK_WIRE_FRAME_MAX + CTRL_WIRE + 2u) return used;
        *none = 0;
        if (slink_conn_next_frame(c, now_ms, &type, body, SLINK_MAX_FRAME_BODY, &blen) == SLINK_OK) {
            size_t w = emit(n, c, type, body, blen, out + used, cap - used);
            used += w;
            slot = (uint32_t)w;
        }
        return grant_turn(n, i, slot, SLINK_TURN_BUDGET_DEFAULT, out, cap, used, now_ms);
    }
    return used;
}

static size_t output_master(slink_node *n, uint8_t *body, uint8_t *out, size_t cap, uint64_t now_ms)
{
    size_t used = 0, k;
    uint8_t type = 0;
    size_t blen = 0;
    int none;

    if (n->turn_peer >= 0) {
        if (now_ms < turn_deadline(n)) return 0;   /* the device holds the bus */
        end_turn(n, now_ms, 0);
    }
    if (n->ack_after >= 0) {
        size_t i = (size_t)n->ack_after;
        slink_conn *c = n->peers[i];
        n->ack_after = -1;
        /* A turn that said no_session leaves a probe due: the probe is an
         * ACK itself, and goes below with the POLL its answer needs (sent
         * here, it would go without one and expire only after an RTO). */
        if (c->rec_valid && cap - used >= SLINK_WIRE_FRAME_MAX &&
            !(conn_probe_due(c, now_ms) && poll_allowed(n, i, now_ms))) {
            uint32_t sent = 0;
            c->ack_now = 1;
            /* msg3 answering the msg2 of that turn goes whole, all its
             * fragments (a small MTU splits it), within a default budget:
             * what one maximum frame here may take.  Its rest would
             * otherwise wait for the device's next slot, a round away. */
            do {
                size_t w;
                if (slink_conn_next_frame(c, now_ms, &type, body, SLINK_MAX_FRAME_BODY, &blen) != SLINK_OK)
                    break;
                w = emit(n, c, type, body, blen, out + used, cap - used);
                used += w;
                sent += (uint32_t)w;
            } while (conn_hs_msg3_due(c) && sent < SLINK_TURN_BUDGET_DEFAULT &&
                     cap - used >= SLINK_WIRE_FRAME_MAX);
        }
    }
    used = output_probe(n, body, out, cap, used, now_ms, &none);
    if (!none) return used;
    for (k = 0; k < n->npeers; k++) {
        size_t i = (n->rr + k) % n->npeers;
        slink_conn *c = n->peers[i];
        uint32_t tx_budget = budget(n, i, n->debt_tx[i]), slot = 0;
        /* Our sending for it: frames start only within the slot's budget,
         * retransmissions included, so we can never crowd out the polls. */
        while (slot < tx_budget && cap - used >= SLINK_WIRE_FRAME_MAX &&
               slink_conn_next_frame(c, now_ms, &type, body, SLINK_MAX_FRAME_BODY, &blen) == SLINK_OK) {
            size_t w = emit(n, c, type, body, blen, out + used, cap - used);
            used += w;
            slot += (uint32_t)w;
        }
        n->debt_tx[i] = slot > 0 ? debt_after(tx_budget, slot) : 0;
        if (slot == 0 && !poll_due(n, i, now_ms)) continue;
        n->rr = (i + 1u) % n->npeers;
        if (!poll_allowed(n, i, now_ms) || cap - used < CTRL_WIRE + 2u) break;
        return grant_turn(n, i, slot, budget(n, i, n->debt_rx[i]), out, cap, used, now_ms);
    }
    if (n->tx_free_ms < now_ms) n->tx_free_ms = now_ms;
    n->tx_free_ms += airtime_ms(n->baud, used);
    return used;
}

size_t slink_node_output(slink_node *n, uint8_t *out, size_t cap, uint64_t now_ms)
{
    uint8_t body[SLINK_MAX_FRAME_BODY];
    size_t used;
    if (n == NULL || out == NULL || n->npeers == 0) return 0;
    /* Serve the decoder's gap deadline that next_timeout() reports. */
    (void)slink_deframer_tick(&n->deframer, now_ms);
    used = n->half_duplex_master ? output_master(n, body, out, cap, now_ms)
                                 : output_full_duplex(n, body, out, cap, now_ms);
    memset(body, 0, sizeof body);
    return used;
}

uint64_t slink_node_next_timeout(const slink_node *n, uint64_t now_ms)
{
    uint64_t t = NODE_NEVER;
    size_t i;
    if (n->half_duplex_master) {
        if (n->turn_peer >= 0) {
            uint64_t d = turn_deadline(n);
            return d > now_ms ? d : now_ms;
        }
        if (n->ack_after >= 0) return now_ms;
        for (i = 0; i < n->npeers; i++) {
            uint64_t p = n->next_poll_ms[i];
            if (p < n->miss_until_ms[i]) p = n->miss_until_ms[i];
            if (p < t) t = p;
        }
    }
    for (i = 0; i < n->npeers; i++) {
        uint64_t c = slink_conn_next_timeout(n->peers[i], now_ms);
        if (c < t) t = c;
    }
    if (n->deframer.len > 0 && n->deframer.gap_ms != 0 &&
        n->deframer.last_ms + n->deframer.gap_ms + 1u < t)
        t = n->deframer.last_ms + n->deframer.gap_ms + 1u;
    return t < now_ms ? now_ms : t;
}

/* A node with several peers sharing one line: one frame decoder, dispatch by
 * source address, round-robin output.  On half-duplex links (RS485) the node
 * is bus master: it sends its own frames, then grants the turn to one device
 * with POLL and listens until that device's TURN_END or a turn timeout.
 * Frames from addresses without a connection are dropped before any crypto. */
#include "slink/node.h"
#include "slink/wire.h"

#include <string.h>

#define NODE_NEVER UINT64_MAX
/* A device with nothing to say is polled again after this long. */
#define IDLE_POLL_MS 20u

static uint32_t airtime_ms(uint32_t baud, size_t n)
{
    uint64_t ms = ((uint64_t)n * 10000u + baud - 1u) / baud;
    return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
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
    /* Room for a device's burst of frames per turn plus the line's gaps. */
    n->turn_ms = 4u * airtime_ms(n->baud, SLINK_WIRE_FRAME_MAX) + 50u;
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
    n->peers[n->npeers++] = c;
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

slink_err slink_node_input(slink_node *n, const uint8_t *in, size_t len, uint64_t now_ms)
{
    slink_err last = SLINK_OK;
    SLINK_CHECK(n != NULL && (in != NULL || len == 0), SLINK_ERR_ARG);
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
            if (used == 0) break;
            continue;
        }
        i = peer_index(n, f.src);
        if (i < 0) {
            n->stats.unknown_peer++;
            continue;
        }
        if (n->half_duplex_master && f.type == SLINK_FT_TURN_END) {
            if (n->turn_peer == i) {
                n->turn_peer = -1;
                /* Only a device that used its turn for nothing waits. */
                n->peer_idle_until[i] = n->turn_frames ? 0 : now_ms + IDLE_POLL_MS;
            }
            continue;
        }
        if (n->turn_peer == i) n->turn_frames++;
        n->peers[i]->stats.bytes_in += used;
        e = slink_conn_handle_frame(n->peers[i], &f, now_ms);
        if (slink_err_classify(e) == SLINK_CLASS_FATAL) last = e;
    }
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

size_t slink_node_output(slink_node *n, uint8_t *out, size_t cap, uint64_t now_ms)
{
    uint8_t body[SLINK_MAX_FRAME_BODY];
    size_t used = 0, tried = 0;
    if (n == NULL || out == NULL || n->npeers == 0) return 0;
    /* Serve the decoder's gap deadline that next_timeout() reports. */
    (void)slink_deframer_tick(&n->deframer, now_ms);

    if (n->half_duplex_master && n->turn_peer >= 0) {
        if (now_ms < n->turn_deadline_ms) return 0;   /* the device holds the bus */
        n->stats.turn_timeouts++;
        n->turn_peer = -1;
    }
    /* Our own frames, round robin so one busy peer cannot starve the rest. */
    while (tried < n->npeers && cap - used >= SLINK_WIRE_FRAME_MAX) {
        slink_conn *c = n->peers[n->rr];
        uint8_t type = 0;
        size_t blen = 0;
        if (slink_conn_next_frame(c, now_ms, &type, body, sizeof body, &blen) == SLINK_OK) {
            used += emit(n, c, type, body, blen, out + used, cap - used);
            tried = 0;
        } else {
            tried++;
        }
        n->rr = (n->rr + 1u) % n->npeers;
    }
    /* The bytes are queued behind whatever we sent before: track when the
     * line will actually be free, or a turn could expire while the device
     * is still answering. */
    if (n->tx_free_ms < now_ms) n->tx_free_ms = now_ms;
    n->tx_free_ms += airtime_ms(n->baud, used);
    if (n->half_duplex_master && tried >= n->npeers && cap - used >= SLINK_FRAME_MIN + 3u) {
        /* Nothing more of ours: hand the bus to the next device that is due. */
        size_t k;
        for (k = 0; k < n->npeers; k++) {
            size_t i = (n->poll_rr + k) % n->npeers;
            if (now_ms < n->peer_idle_until[i]) continue;
            size_t w = emit(n, n->peers[i], SLINK_FT_POLL, NULL, 0, out + used, cap - used);
            used += w;
            n->tx_free_ms += airtime_ms(n->baud, w);
            n->turn_peer = (int)i;
            n->turn_frames = 0;
            n->turn_deadline_ms = n->tx_free_ms + n->turn_ms;
            n->poll_rr = (i + 1u) % n->npeers;
            n->stats.turns_granted++;
            break;
        }
    }
    memset(body, 0, sizeof body);
    return used;
}

uint64_t slink_node_next_timeout(const slink_node *n, uint64_t now_ms)
{
    uint64_t t = NODE_NEVER;
    size_t i;
    if (n->half_duplex_master) {
        if (n->turn_peer >= 0) return n->turn_deadline_ms > now_ms ? n->turn_deadline_ms : now_ms;
        for (i = 0; i < n->npeers; i++) {
            uint64_t p = n->peer_idle_until[i] > now_ms ? n->peer_idle_until[i] : now_ms;
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

/* A multi-peer node: the host side of an RS485 bus (or any node talking to
 * several peers) holds one shared frame decoder and several connections.
 * Frames are dispatched by source address; frames for unknown peers are
 * dropped before any crypto.  On half-duplex links the node is bus master:
 * it sends its own frames, then grants the turn to one device with POLL and
 * waits for TURN_END (or a turn timeout) before the next (§2.5). */
#ifndef SLINK_NODE_H
#define SLINK_NODE_H

#include <stddef.h>
#include <stdint.h>
#include "slink/conn.h"
#include "slink/frame.h"

typedef struct {
    uint32_t unknown_peer;   /* frames from addresses with no connection */
    uint32_t turns_granted;
    uint32_t turn_timeouts;
} slink_node_stats;

typedef struct {
    uint8_t  addr;
    uint8_t  half_duplex_master;
    uint32_t baud;
    slink_deframer deframer;
    slink_conn *peers[SLINK_MAX_PEERS];
    size_t   npeers;
    size_t   rr;              /* round-robin cursor */
    /* half-duplex master state */
    int      turn_peer;       /* index holding the turn, -1 = ours */
    uint64_t turn_deadline_ms;
    uint32_t turn_ms;         /* how long a device may hold the turn */
    size_t   poll_rr;         /* next device to poll */
    uint32_t turn_frames;     /* frames received during the current turn */
    uint64_t tx_free_ms;      /* when our queued transmission will have left */
    uint64_t peer_idle_until[SLINK_MAX_PEERS];  /* device had nothing: poll again after */
    slink_node_stats stats;
} slink_node;

slink_err slink_node_init(slink_node *n, uint8_t addr, uint32_t baud,
                          uint8_t half_duplex_master, uint32_t gap_ms);
/* Registers a caller-allocated, initialised connection (its local_addr must
 * equal the node's). */
slink_err slink_node_add(slink_node *n, slink_conn *c);
slink_conn *slink_node_peer(slink_node *n, uint8_t addr);

slink_err slink_node_input(slink_node *n, const uint8_t *in, size_t len, uint64_t now_ms);
size_t    slink_node_output(slink_node *n, uint8_t *out, size_t cap, uint64_t now_ms);
uint64_t  slink_node_next_timeout(const slink_node *n, uint64_t now_ms);

#endif

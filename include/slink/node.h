/* A multi-peer node: the host side of an RS485 bus (or any node talking to
 * several peers) holds one shared frame decoder and several connections.
 * Frames are dispatched by source address; frames for unknown peers are
 * dropped before any crypto.  On half-duplex links the node is bus master
 * and runs the schedule of §2.5: devices take turns in slots (our frames for
 * the device within a byte budget, then its POLL granting it a byte budget),
 * idle devices are polled at a rate
 * scaled to the baud and their number, silent ones back off. */
#ifndef SLINK_NODE_H
#define SLINK_NODE_H

#include <stddef.h>
#include <stdint.h>
#include "slink/conn.h"
#include "slink/frame.h"

typedef struct {
    uint32_t unknown_peer;   /* frames from addresses with no connection */
    uint32_t turns_granted;
    uint32_t turn_timeouts;  /* turns that ended without the device's TURN_END */
    uint32_t garbled;        /* frames the decoder dropped (CRC, COBS, runt, oversize,
                                gap): collisions and noise */
    uint32_t idle_polls;     /* POLLs to a device the master had nothing for */
    uint32_t dup_suspects;   /* a device's turns looked like a duplicate address (§2.5) */
} slink_node_stats;

/* Per device, half-duplex master (§2.5).  Counters are kept per source
 * address: what a node at one address sends only ever moves its own. */
typedef struct {
    uint32_t turns;          /* POLLs sent to it */
    uint32_t silent;         /* turns in which nothing at all was heard */
    uint32_t garbled_turns;  /* turns in which the decoder dropped damaged frames */
    uint32_t stray_turn_ends;/* TURN_END from it while it did not hold the turn */
    uint32_t off_turn_frames;/* frames from it while it did not hold the turn */
    uint8_t  anomalies;      /* consecutive garbled turns or stray TURN_ENDs */
    uint8_t  dup_suspect;    /* anomalies reached SLINK_NODE_DUP_TURNS */
} slink_node_peer_stats;

/* Consecutive anomalous turns of one device that flag it as a suspected
 * duplicate address (two nodes answering its polls collide every time). */
#define SLINK_NODE_DUP_TURNS 4u

typedef struct {
    uint8_t  addr;
    uint8_t  half_duplex_master;
    uint32_t baud;
    slink_deframer deframer;
    slink_conn *peers[SLINK_MAX_PEERS];
    size_t   npeers;
    size_t   rr;              /* round-robin cursor: next device's slot */
    /* half-duplex master state (§2.5) */
    int      turn_peer;       /* index holding the turn, -1 = ours */
    uint64_t turn_start_ms;   /* when our POLL has left the line */
    uint64_t turn_hard_ms;    /* the turn ends at the latest then */
    uint64_t last_rx_ms;      /* last byte heard during the turn */
    uint8_t  turn_heard;      /* some byte arrived during the turn */
    uint32_t turn_frames;     /* frames from the holder during the turn */
    uint32_t turn_garbled0;   /* decoder drops when the turn started */
    uint32_t turn_budget;     /* wire bytes the holder may start frames within */
    uint32_t turn_bytes;      /* wire bytes of the holder's frames in the turn */
    uint32_t slot_bytes;      /* our wire bytes for the holder in its slot */
    uint32_t resp_ms;         /* a device starts answering within this */
    uint32_t idle_max_ms;     /* idle poll interval cap: polls <= 4 % of the line */
    uint64_t tx_free_ms;      /* when our queued transmission will have left */
    int      ack_after;       /* device whose turn brought frames: ACK it at once */
    uint64_t next_poll_ms[SLINK_MAX_PEERS];  /* idle device: poll again from */
    uint32_t idle_ms[SLINK_MAX_PEERS];       /* its current idle interval */
    uint64_t miss_until_ms[SLINK_MAX_PEERS]; /* silent device: no POLL before */
    uint8_t  miss[SLINK_MAX_PEERS];          /* consecutive silent turns */
    /* Byte budgets (§2.5): what a slot or turn ran past its budget (<= 0)
     * comes off the next one, so every active device gets the same bytes
     * per round in each direction whatever its frame sizes. */
    int32_t  debt_tx[SLINK_MAX_PEERS];       /* our sending to it */
    int32_t  debt_rx[SLINK_MAX_PEERS];       /* its turns */
    uint8_t  active[SLINK_MAX_PEERS];        /* its last slot or turn carried frames */
    slink_node_peer_stats pstats[SLINK_MAX_PEERS];
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
/* Per-device scheduling counters (NULL: no such peer). */
const slink_node_peer_stats *slink_node_peer_stats_of(const slink_node *n, uint8_t addr);

#endif

/* The shared half-duplex medium of `slink-linesim --bus` (an RS485 bus),
 * free of I/O so it can be unit-tested: N nodes, each with a transmitter
 * that sends at the baud rate, 10 bit times per byte (8N1).  Every byte one
 * node sends reaches every other node (a node never hears itself, as an
 * RS485 transceiver with its receiver disabled while driving); bytes of two
 * nodes that overlap on the line are garbled for everyone (a collision).
 * Time is nanoseconds on any monotonic scale the caller chooses.
 *
 * Faults per node: noise on what the node receives (BER, bursts, each node
 * its own seeded generator, so what one receiver suffers does not depend on
 * how many others there are), a dead node (its transmitter never reaches
 * the bus and it hears nothing) and a babbling node (random bytes at a given
 * share of the line time, on top of whatever it sends).  A passive tap
 * (receiver index n) sees every byte as the medium carries it, without any
 * node's receive noise: that is the capture slink-dump reads. */
#ifndef SLINK_BUS_MODEL_H
#define SLINK_BUS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define LBUS_MAX_NODES 64

typedef struct {
    double   ber;           /* bit error probability on the bytes this node receives */
    double   burst_rate;    /* per received byte: probability that a burst starts */
    uint32_t burst_len;     /* bytes randomised by one burst */
    int      dead;          /* transmits nothing onto the bus, hears nothing */
    double   babble;        /* share of the line time filled with random bytes (0..1) */
    uint32_t babble_len;    /* bytes per babble burst */
} lbus_node_params;

typedef struct {
    uint32_t baud;          /* > 0: the medium is timed */
    uint64_t seed;
    size_t   n;             /* nodes, 2..LBUS_MAX_NODES */
    size_t   queue_limit;   /* bytes held per transmitter before overflow drops */
    size_t   tx_buffer;     /* bytes a node may hand over ahead of the line */
    lbus_node_params node[LBUS_MAX_NODES];
} lbus_params;

void lbus_params_default(lbus_params *p, size_t n, uint32_t baud);

typedef struct {
    uint64_t bytes_tx;      /* sent onto the bus (babble included) */
    uint64_t bytes_rx;      /* delivered to this node */
    uint64_t collided;      /* bytes this node sent that a collision garbled */
    uint64_t bits_flipped;  /* receive noise */
    uint64_t bursts, burst_bytes;
    uint64_t babble_bytes;
    uint64_t dead_bytes;    /* handed over by a dead node: never on the bus */
    uint64_t overflow;      /* lost: transmit queue full */
} lbus_node_stats;

enum { LBUS_F_COLL = 1 };

typedef struct {
    uint64_t tx_start;
    uint64_t arrive;        /* end of the byte on the line: receivers see it then */
    uint8_t  val;
    uint8_t  flags;
} lbus_entry;

typedef struct {
    /* transmitter */
    lbus_entry *q;          /* this node's bytes on the line or not yet heard by all */
    size_t   cap, head, len;
    uint64_t base;          /* absolute index of q[head] */
    uint64_t line_free;
    uint64_t tx_rng;        /* collision garbling, babble */
    uint64_t babble_next;   /* start of the next babble burst */
    /* receiver */
    uint64_t rx_rng;
    uint64_t bits_to_error;
    uint32_t burst_left;
    lbus_node_stats st;
} lbus_node;

typedef struct {
    lbus_params p;
    uint64_t byte_ns;
    double   ln_1mp[LBUS_MAX_NODES];
    lbus_node nd[LBUS_MAX_NODES];
    /* cursor[s][r]: absolute index of the next byte of sender s that
     * receiver r (n = the tap) has not taken yet */
    uint64_t cursor[LBUS_MAX_NODES][LBUS_MAX_NODES + 1];
    int      tap;           /* 1: the tap is read (lbus_pop with rx = n) */
    uint64_t collisions;    /* overlap events */
} lbus_model;

/* -1 on bad parameters or no memory. */
int      lbus_init(lbus_model *m, const lbus_params *p, int tap);
void     lbus_free(lbus_model *m);

/* Bytes node i may hand over at `now` without running further ahead of the
 * line than tx_buffer, and when that becomes non-zero. */
size_t   lbus_room(const lbus_model *m, size_t i, uint64_t now);
uint64_t lbus_room_time(const lbus_model *m, size_t i, uint64_t now);

/* Node i sends n bytes, starting no earlier than now. */
void     lbus_push(lbus_model *m, size_t i, const uint8_t *in, size_t n, uint64_t now);
/* Starts the babble bursts due by now. */
void     lbus_advance(lbus_model *m, uint64_t now);
/* Next babble burst start (UINT64_MAX: no babbler). */
uint64_t lbus_next_babble(const lbus_model *m);

/* Bytes receiver rx (0..n-1, or n for the tap) hears by now, in order of
 * their end on the line, at most cap. */
size_t   lbus_pop(lbus_model *m, size_t rx, uint64_t now, uint8_t *out, size_t cap);
uint64_t lbus_next_arrival(const lbus_model *m, size_t rx);

#endif

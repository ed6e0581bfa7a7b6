/* The line simulator's fault and pacing engine, kept free of I/O so it can
 * be unit-tested without pseudo-terminals: bytes go in with the time they
 * were handed to the "UART", bytes come out at the time the far end would
 * see them.  Time is nanoseconds on any monotonic scale the caller chooses.
 *
 * Direction 0 is A->B, direction 1 is B->A.  Each direction has its own
 * seeded generator, so the faults a direction suffers depend only on the
 * seed and on the bytes sent in that direction, not on how the two
 * directions interleave in real time.  Only half-duplex collisions depend
 * on timing, because on a real bus they do. */
#ifndef SLINK_WIRE_MODEL_H
#define SLINK_WIRE_MODEL_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t baud;          /* 0 = unthrottled (no pacing, no collisions) */
    double   ber;           /* independent bit error probability per data bit */
    double   drop;          /* per-byte loss probability */
    double   dup;           /* per-byte duplication probability */
    double   burst_rate;    /* per-byte probability that a burst starts */
    uint32_t burst_len;     /* bytes randomised by one burst */
    double   break_rate;    /* per-byte probability that a line break starts */
    uint32_t break_len;     /* bytes a break lasts */
    int      break_drop;    /* 0: break reads as 0x00 bytes; 1: the span is lost */
    uint64_t delay_ns;      /* fixed propagation delay */
    uint64_t jitter_ns;     /* extra uniform random delay in [0, jitter] */
    int      half_duplex;   /* overlapping transmissions garble both */
    uint64_t seed;
    size_t   queue_limit;   /* bytes held per direction before overflow drops */
    size_t   tx_buffer;     /* bytes the "UART" may hold before the line (backpressure) */
} lsim_params;

void lsim_params_default(lsim_params *p);

/* The seeded generator both models use (splitmix64). */
uint64_t lsim_splitmix(uint64_t *s);

typedef struct {
    uint64_t bytes_in;      /* accepted from the sender */
    uint64_t bytes_out;     /* delivered to the receiver (duplicates included) */
    uint64_t bits_flipped;  /* by the bit error rate */
    uint64_t bytes_dropped; /* by --drop */
    uint64_t bytes_dup;     /* extra copies delivered */
    uint64_t bursts;
    uint64_t burst_bytes;
    uint64_t breaks;
    uint64_t break_bytes;
    uint64_t collided;      /* bytes of this direction garbled by a collision */
    uint64_t overflow;      /* bytes lost because the queue was full */
} lsim_dir_stats;

enum { LSIM_F_DROP = 1, LSIM_F_DUP = 2, LSIM_F_COLL = 4 };

typedef struct {
    uint64_t tx_start;      /* when the byte's start bit goes on the line */
    uint64_t arrive;        /* when the receiver sees it (monotonic in the queue) */
    uint8_t  val;
    uint8_t  flags;
} lsim_entry;

typedef struct {
    lsim_entry *q;          /* ring of bytes on the line or in flight */
    size_t   cap, head, len;
    uint64_t line_free;     /* the transmitter is busy until this time */
    uint64_t last_arrive;
    uint64_t rng;
    uint64_t bits_to_error; /* data bits until the next BER flip */
    uint32_t burst_left;
    uint32_t break_left;
    lsim_dir_stats st;
} lsim_dir;

typedef struct {
    lsim_params p;
    uint64_t byte_ns;       /* 10 bit-times (8N1) */
    double   ln_1mp;        /* log(1 - ber), cached for the geometric draw */
    lsim_dir d[2];
    uint64_t collisions;    /* overlap events (each garbles both ends' bytes) */
} lsim_model;

/* Allocates the queues (queue_limit entries each); -1 on bad params or no memory. */
int    lsim_init(lsim_model *m, const lsim_params *p);
void   lsim_free(lsim_model *m);

/* Bytes direction `dir` may accept at time now without exceeding its
 * transmit buffer (paced) or its queue (unthrottled). */
size_t lsim_room(const lsim_model *m, int dir, uint64_t now);
/* Earliest time at which lsim_room becomes non-zero (now if it already is). */
uint64_t lsim_room_time(const lsim_model *m, int dir, uint64_t now);

/* Hand n bytes to the line at time now.  Every byte is accepted: a byte
 * that does not fit in the queue still occupies the line but is counted as
 * overflow and lost, as a UART overrun would lose it. */
void   lsim_push(lsim_model *m, int dir, const uint8_t *in, size_t n, uint64_t now);

/* Bytes the receiver of `dir` sees by time now, in order, at most cap. */
size_t lsim_pop(lsim_model *m, int dir, uint64_t now, uint8_t *out, size_t cap);

/* Earliest arrival still queued in dir; UINT64_MAX if none. */
uint64_t lsim_next_arrival(const lsim_model *m, int dir);
size_t   lsim_queued(const lsim_model *m, int dir);

#endif

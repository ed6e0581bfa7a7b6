/* A simulated serial line for in-process tests: two directions, baud-rate
 * pacing, and seeded per-frame faults (loss, duplication, bit corruption,
 * delay with jitter that reorders).  Deterministic for a given seed. */
#ifndef SLINK_SIMLINE_H
#define SLINK_SIMLINE_H
#include <stddef.h>
#include <stdint.h>
#include "slink/config.h"

typedef struct {
    uint32_t baud;        /* 0 = instantaneous */
    double loss;          /* per frame */
    double dup;           /* per frame */
    double corrupt;       /* per frame: one random bit flipped */
    double ber;           /* per bit, on top of corrupt */
    uint32_t delay_ms;
    uint32_t jitter_ms;   /* uniform 0..jitter added: reorders frames */
    uint64_t seed;
} simline_cfg;

typedef struct {
    uint64_t at;
    int dir;
    size_t len;
    uint8_t *data;
} simline_pkt;

typedef struct {
    uint64_t frames, lost, duplicated, corrupted, bits_flipped, bytes;
} simline_stats;

typedef struct {
    simline_cfg cfg;
    simline_pkt *q;
    size_t n, cap;
    uint64_t rng;
    uint64_t busy_until[2];   /* µs: when each direction's transmitter is free */
    simline_stats st[2];
} simline;

void     simline_init(simline *l, const simline_cfg *cfg);
void     simline_free(simline *l);
/* Bytes written by one end (dir 0: a->b, 1: b->a); split into frames at 0x00. */
void     simline_send(simline *l, int dir, const uint8_t *p, size_t n, uint64_t now_ms);
/* Pops the earliest packet due at or before now; returns 0 if none. */
int      simline_pop(simline *l, uint64_t now_ms, int *dir, uint8_t *buf, size_t cap, size_t *len);
uint64_t simline_next(const simline *l);
/* Frames queued towards dir's receiver */
size_t   simline_pending(const simline *l);
#endif

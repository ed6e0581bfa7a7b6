/* Shared helpers of the benchmark programs (tools/bench/): monotonic time
 * that every process on the machine shares (so two peers' timestamps can be
 * subtracted), a raw tty, file loading, the host platform for the core, and
 * the "link" that carries raw wire bytes either over a tty or through an
 * in-memory queue (the in-process cross-check). */
#ifndef SLINK_BENCH_UTIL_H
#define SLINK_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "slink/platform.h"

/* CLOCK_MONOTONIC: one clock for all processes on the machine. */
uint64_t bench_now_us(void);
static inline uint64_t bench_now_ms(void) { return bench_now_us() / 1000u; }

/* Fatal error: message on stderr, exit status 2. */
void bench_die(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* Whole file into a heap buffer with a trailing NUL (counted in *len when
 * the file is PEM, as mbedTLS wants; DER length otherwise). */
uint8_t *bench_load(const char *prog, const char *path, size_t *len);

/* Open a tty (or pty slave) read/write, raw 8N1, non-blocking. */
int bench_tty_open(const char *prog, const char *path);

/* Host platform: getrandom entropy, wall clock. */
void bench_platform(slink_platform *p);
int  bench_entropy(void *ctx, uint8_t *out, size_t len);

/* Initial DTLS handshake retransmission timeout for a line rate: the
 * libraries' default of 1 s, or more on a slow line, where a flight of two
 * full frames and the peer's work (300 ms) must fit before it fires, as
 * slink's own handshake timer scales with cfg.baud.  At 115200 it is 1 s. */
uint32_t bench_dtls_rto_ms(uint32_t baud);

/* A byte link: tty file descriptor or one end of an in-memory pair. */
typedef struct bench_mem_q {
    uint8_t buf[1 << 16];
    size_t head, len;
} bench_mem_q;

typedef struct {
    int fd;                 /* >= 0: tty */
    bench_mem_q *rx, *tx;   /* fd < 0: memory queues */
    uint64_t bytes_out;     /* everything written, framing included */
    uint64_t bytes_in;
} bench_link;

/* Write all of p (blocks on a tty until written; memory: fails when full). */
int  bench_link_write(bench_link *l, const uint8_t *p, size_t n);
/* Read what is there, waiting up to timeout_ms (tty only) for the first byte.
 * Returns bytes read (0 on timeout), -1 on error or hang-up. */
long bench_link_read(bench_link *l, uint8_t *p, size_t cap, int timeout_ms);

/* Flat JSON object writer: numbers only. */
typedef struct { FILE *f; int n; } bench_json;
void bench_json_begin(bench_json *j, FILE *f);
void bench_json_num(bench_json *j, const char *key, double v);
void bench_json_end(bench_json *j);

#endif

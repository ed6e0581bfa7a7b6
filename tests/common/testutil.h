/* Shared test support: a deterministic fake platform and helpers. */
#ifndef SLINK_TESTUTIL_H
#define SLINK_TESTUTIL_H
#include <check.h>
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#include "slink/slink.h"

/* Deterministic entropy: xorshift64* stream from a seed.  Tests that need a
 * broken source set `constant` to make every block identical. */
typedef struct {
    uint64_t state;
    int constant;
    int fail;
    int64_t wall;       /* returned by wall_time when has_wall */
    int has_wall;
    int quiet;          /* suppress log output */
    char last_log[256];
    unsigned log_count;
} fake_plat_ctx;

void fake_platform_init(slink_platform *p, fake_plat_ctx *ctx, uint64_t seed);

/* Deterministic PRNG for simulated lines (loss, corruption). */
uint64_t test_rand(uint64_t *state);

/* Files in a test's scratch directory (the tests that run the openssl
 * CLI).  test_read_file NUL-terminates what it read and counts the NUL in
 * the length when the content is PEM (mbedTLS's convention); a missing
 * file fails the test and names it. */
void   test_write_file(const char *dir, const char *name, const uint8_t *b, size_t n);
size_t test_read_file(const char *dir, const char *name, uint8_t *b, size_t cap);
/* Removes a scratch directory and what is in it; an empty dir is a no-op. */
void   test_rm_dir(const char *dir);

/* A check for a test's hot loops (every byte of a transfer, every
 * simulated millisecond).  check records each ck_assert that passes with
 * a write(2) to its result pipe ("last passed here"): per byte that is
 * hundreds of thousands of system calls in one test, 0.6 s of an idle
 * machine and more than the 4 s per-test timeout on a loaded one
 * (test_frame timed out so under a parallel build).  This calls into
 * check only when the condition fails, with the same file, line and
 * message. */
#define T_REQUIRE(cond, ...) \
    do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

/* Runs a suite with check's runner, printing check's summary line; returns
 * the process exit status. */
int run_suite(Suite *s);

/* A connection's handshake attempts (src/session/conn_hs.c): the initiator slot
 * (msg1 out, msg2 in) and the responder slot (msg1 in, msg3 in). */
#define HS_I(conn) ((conn).hs_slot[SLINK_HS_SLOTS - 1].hs)
#define HS_R(conn) ((conn).hs_slot[0].hs)

/* Deterministic byte pattern: byte i of a stream seeded s (transfers
 * checked byte by byte on arrival). */
static inline uint8_t test_pat(uint64_t s, uint64_t i)
{
    uint64_t x = (i + 1) * 0x9E3779B97F4A7C15ull ^ s;
    x ^= x >> 29;
    return (uint8_t)(x * 0xBF58476D1CE4E5B9ull >> 56);
}

#endif

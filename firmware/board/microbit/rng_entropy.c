/* Entropy from the nRF51's hardware RNG, in place of firmware/port/
 * fw_entropy.c (same interface, fw_port.h): the part has a true random
 * number generator, so no NV seed record is kept.  Each 32-byte output
 * block is SHA-256 over 64 fresh RNG bytes (bias correction on: twice the
 * bytes the block gives out) and a secret pool that is ratcheted after
 * every block.  The
 * provisioned device seed goes into the pool at boot: it costs nothing
 * and keeps outputs unpredictable to anyone without it even if the RNG
 * were weak.
 *
 * Health tests, beside the core's repetition test on every 32-byte block
 * (src/crypto/rng.c): at boot, 64 bytes must not all be equal and must take more
 * than 8 distinct values; every read must come within the time a working
 * RNG needs.  A failure refuses to start, or fails the read (the core
 * then reports SLINK_ERR_RNG): never output from a stuck source.
 * Hashing goes through the core's crypto port (slink_sha256_v), so this
 * file depends on no crypto library. */
#include <string.h>
#include "board.h"
#include "fw_port.h"
#include "slink/crypto.h"

#define RAW_PER_BLOCK 64u

static int rng_fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int v = board_rng_byte();
        if (v < 0)
            return -1;
        p[i] = (uint8_t)v;
    }
    return 0;
}

/* At least 9 distinct byte values among the 64: a source stuck at one
 * value, or toggling between a few, fails; a working one passes with
 * overwhelming probability (64 uniform bytes take ~57 distinct values). */
static int rng_looks_alive(const uint8_t raw[RAW_PER_BLOCK])
{
    uint8_t seen[32];
    unsigned distinct = 0;
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < RAW_PER_BLOCK; i++) {
        uint8_t bit = (uint8_t)(1u << (raw[i] & 7u));
        if (!(seen[raw[i] >> 3] & bit)) {
            seen[raw[i] >> 3] |= bit;
            distinct++;
        }
    }
    return distinct > 8u;
}

static int pool_mix(fw_entropy_state *st, const char *label, const uint8_t *a, size_t an,
                    uint8_t out[32])
{
    uint8_t ctr[4];
    slink_cbuf part[4];
    ctr[0] = (uint8_t)(st->counter >> 24);
    ctr[1] = (uint8_t)(st->counter >> 16);
    ctr[2] = (uint8_t)(st->counter >> 8);
    ctr[3] = (uint8_t)st->counter;
    part[0].p = (const uint8_t *)label; part[0].n = strlen(label) + 1u;
    part[1].p = st->pool;               part[1].n = sizeof st->pool;
    part[2].p = ctr;                    part[2].n = sizeof ctr;
    part[3].p = a;                      part[3].n = an;
    return slink_sha256_v(part, 4, out) == SLINK_OK ? 0 : -1;
}

int fw_entropy_boot(fw_entropy_state *st, const uint8_t device_seed[32])
{
    uint8_t raw[RAW_PER_BLOCK];
    int r = FW_ENTROPY_RNG_FAIL;

    memset(st, 0, sizeof *st);
    if (rng_fill(raw, sizeof raw) == 0 && rng_looks_alive(raw)) {
        memcpy(st->pool, device_seed, 32);
        if (pool_mix(st, "slink-fw rng boot", raw, sizeof raw, st->pool) == 0) {
            st->boot_count = 1;   /* not persisted: nothing depends on it here */
            st->ready = 1;
            r = 0;
        }
    }
    slink_memzero(raw, sizeof raw);
    return r;
}

int fw_entropy(void *ctx, uint8_t *out, size_t len)
{
    fw_entropy_state *st = ctx;
    uint8_t raw[RAW_PER_BLOCK], block[32];
    int r = 0;

    if (st == NULL || !st->ready)
        return -1;
    while (len > 0 && r == 0) {
        st->counter++;
        r = rng_fill(raw, sizeof raw);
        if (r == 0) r = pool_mix(st, "slink-fw rng out", raw, sizeof raw, block);
        if (r == 0) r = pool_mix(st, "slink-fw rng ratchet", NULL, 0, st->pool);
        if (r == 0) {
            size_t n = len < sizeof block ? len : sizeof block;
            memcpy(out, block, n);
            out += n;
            len -= n;
        }
    }
    slink_memzero(raw, sizeof raw);
    slink_memzero(block, sizeof block);
    return r;
}

const char *fw_entropy_strerror(int r)
{
    switch (r) {
    case 0: return "ok";
    case FW_ENTROPY_RNG_FAIL: return "hardware RNG gave no value or a stuck one: refusing to start";
    default: return "entropy: unknown error";
    }
}

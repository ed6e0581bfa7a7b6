/* Entropy without a TRNG, as small MCUs do it: a secret per-device seed
 * provisioned into flash at manufacture, a seed record in an NV sector
 * that is replaced on every boot (so no two boots start from the same
 * state even if nothing else varies), a boot counter, and whatever timing
 * jitter the board offers (SysTick phase at boot and at each UART byte).
 * The output is SHA-256 over a secret pool that is ratcheted after every
 * block, so a later read of RAM does not reveal earlier outputs.
 *
 * The strength rests on the device seed staying secret and the NV record
 * being written before first use; the jitter is a bonus, not a source to
 * rely on (on real silicon SysTick at reset is nearly deterministic).  A
 * missing or damaged NV record is therefore fatal, never a "first boot":
 * the first record is provisioned with the device seed. */
#include <string.h>
/* SHA-256 names that work on mbedTLS 2.28 (the host unit test) and 3.6
 * (the firmware): the mbedTLS backend's compat header. */
#include "../../src/backends/mbedtls/mbedtls_compat.h"
#include <mbedtls/sha256.h>
#include <mbedtls/platform_util.h>
#include "board.h"
#include "fw_port.h"

/* NV record: "SLNV" ver(1) rsv(3) boot_count(4, BE) seed(32) check(16)
 * where check = SHA-256(everything before it)[0..16].  The provisioning
 * tool writes the first one (firmware/tools/gen_nv_seed.py, same layout). */
#define NV_MAGIC_LEN 4
#define NV_REC_LEN   FW_NV_REC_LEN
#if NV_REC_LEN != 4 + 4 + 4 + 32 + 16
#error "FW_NV_REC_LEN does not match the record layout"
#endif
#define NV_VERSION   1u

static const uint8_t nv_magic[NV_MAGIC_LEN] = { 'S', 'L', 'N', 'V' };

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);  p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void sha_label(mbedtls_sha256_context *h, const char *label)
{
    mbedtls_sha256_init(h);
    (void)slink_sha256_starts(h, 0);
    (void)slink_sha256_update(h, (const uint8_t *)label, strlen(label) + 1);
}

static void sha_u32(mbedtls_sha256_context *h, uint32_t v)
{
    uint8_t b[4];
    put_be32(b, v);
    (void)slink_sha256_update(h, b, 4);
}

/* The record as read: erased flash (all 0xFF, or all 0x00 on parts and
 * emulators that erase to zero), or present but failing its check.
 * Neither is a first boot: the first record is written at provisioning
 * (firmware/tools/gen_nv_seed.py), so a device that finds none has lost
 * its seed state, and starting from the device seed and a boot counter of
 * 1 would repeat an earlier boot's (or, with a cloned image, another
 * device's) ephemerals and DRBG output. */
int fw_entropy_nv_check(const uint8_t rec[FW_NV_REC_LEN])
{
    uint8_t check[32], ff = 0xFF, zero = 0;
    for (size_t i = 0; i < FW_NV_REC_LEN; i++) {
        ff &= rec[i];
        zero |= rec[i];
    }
    if (ff == 0xFF || zero == 0)
        return FW_ENTROPY_NV_ERASED;
    if (memcmp(rec, nv_magic, NV_MAGIC_LEN) != 0 || rec[4] != NV_VERSION)
        return FW_ENTROPY_NV_CORRUPT;
    (void)slink_sha256_oneshot(rec, NV_REC_LEN - 16, check);
    /* Integrity of our own storage, not an authentication check: a plain
     * compare is fine here. */
    return memcmp(check, rec + NV_REC_LEN - 16, 16) == 0 ? 0 : FW_ENTROPY_NV_CORRUPT;
}

const char *fw_entropy_strerror(int r)
{
    switch (r) {
    case 0: return "ok";
    case FW_ENTROPY_NV_WRITE: return "NV seed record could not be written";
    case FW_ENTROPY_NV_ERASED: return "NV seed record erased: device not provisioned, refusing to start";
    case FW_ENTROPY_NV_CORRUPT: return "NV seed record corrupt: refusing to start (re-provision the device)";
    default: return "NV seed: unknown error";
    }
}

int fw_entropy_boot(fw_entropy_state *st, const uint8_t device_seed[32])
{
    uint8_t rec[NV_REC_LEN];
    mbedtls_sha256_context h;
    int r;

    memset(st, 0, sizeof *st);
    board_nv_read(rec, sizeof rec);
    /* Fail closed: no entropy (st->ready stays 0) and the sector is left
     * as found, for whoever investigates. */
    r = fw_entropy_nv_check(rec);
    if (r != 0) {
        mbedtls_platform_zeroize(rec, sizeof rec);
        return r;
    }
    st->boot_count = get_be32(rec + 8) + 1u;

    sha_label(&h, "slink-fw boot");
    (void)slink_sha256_update(&h, device_seed, 32);
    (void)slink_sha256_update(&h, rec + 12, 32);
    sha_u32(&h, st->boot_count);
    /* SysTick phase after loops whose length depends on the previous
     * sample: on an emulator or a board with a free-running RC oscillator
     * this varies; on others it adds nothing and costs nothing. */
    for (uint32_t i = 0; i < 64; i++) {
        uint32_t t = board_systick_now();
        sha_u32(&h, t);
        for (volatile uint32_t k = 0; k < (t & 0x3Fu); k++)
            ;
    }
    sha_u32(&h, (uint32_t)board_millis());
    (void)slink_sha256_finish(&h, st->pool);
    mbedtls_sha256_free(&h);

    /* Next boot's seed comes from a one-way function of this pool, written
     * before any output is produced: a reset at any point after this never
     * replays the state this boot will use. */
    memcpy(rec, nv_magic, NV_MAGIC_LEN);
    rec[4] = NV_VERSION;
    rec[5] = rec[6] = rec[7] = 0;
    put_be32(rec + 8, st->boot_count);
    sha_label(&h, "slink-fw nv next");
    (void)slink_sha256_update(&h, st->pool, 32);
    (void)slink_sha256_finish(&h, rec + 12);
    mbedtls_sha256_free(&h);
    uint8_t check[32];
    (void)slink_sha256_oneshot(rec, NV_REC_LEN - 16, check);
    memcpy(rec + NV_REC_LEN - 16, check, 16);
    board_nv_write(rec, sizeof rec);

    uint8_t readback[NV_REC_LEN];
    board_nv_read(readback, sizeof readback);
    int ok = memcmp(readback, rec, sizeof rec) == 0;
    mbedtls_platform_zeroize(rec, sizeof rec);
    mbedtls_platform_zeroize(readback, sizeof readback);
    if (!ok)
        return FW_ENTROPY_NV_WRITE;   /* refuse to produce entropy */

    /* Separate the pool from what went to NV. */
    sha_label(&h, "slink-fw pool");
    (void)slink_sha256_update(&h, st->pool, 32);
    (void)slink_sha256_finish(&h, st->pool);
    mbedtls_sha256_free(&h);
    st->ready = 1;
    return 0;
}

int fw_entropy(void *ctx, uint8_t *out, size_t len)
{
    fw_entropy_state *st = ctx;
    mbedtls_sha256_context h;
    uint8_t block[32];

    if (st == NULL || !st->ready)
        return -1;
    while (len > 0) {
        uint32_t samples;
        uint32_t jitter = board_take_jitter(&samples);
        st->counter++;
        sha_label(&h, "slink-fw out");
        (void)slink_sha256_update(&h, st->pool, 32);
        sha_u32(&h, st->counter);
        sha_u32(&h, jitter);
        sha_u32(&h, samples);
        sha_u32(&h, board_systick_now());
        sha_u32(&h, (uint32_t)board_millis());
        (void)slink_sha256_finish(&h, block);
        mbedtls_sha256_free(&h);

        sha_label(&h, "slink-fw ratchet");
        (void)slink_sha256_update(&h, st->pool, 32);
        sha_u32(&h, st->counter);
        (void)slink_sha256_finish(&h, st->pool);
        mbedtls_sha256_free(&h);

        size_t n = len < sizeof block ? len : sizeof block;
        memcpy(out, block, n);
        out += n;
        len -= n;
    }
    mbedtls_platform_zeroize(block, sizeof block);
    return 0;
}

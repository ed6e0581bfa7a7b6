/* The microbit's entropy source (firmware/board/microbit/rng_entropy.c),
 * built for the host with the RNG peripheral played by the test: a dead
 * or stuck RNG refuses to start or fails the read (never output from it),
 * a working one gives outputs that differ from call to call and depend on
 * both the RNG bytes and the device seed. */
#include "testutil.h"
#include "board.h"
#include "fw_port.h"

#include <string.h>

enum { RNG_OK, RNG_DEAD, RNG_STUCK, RNG_FEW, RNG_DIES_LATER };
static int mode;
static uint64_t state;
static unsigned reads;

int board_rng_byte(void)
{
    reads++;
    switch (mode) {
    case RNG_DEAD: return -1;
    case RNG_STUCK: return 0x5A;
    case RNG_FEW: return (int)(reads % 8u);            /* 8 distinct values */
    case RNG_DIES_LATER: if (reads > 64u) return -1;   /* after boot's 64 */
    /* fall through */
    default: return (int)(test_rand(&state) & 0xFFu);
    }
}

static const uint8_t seed_a[32] = { 1, 2, 3 };
static const uint8_t seed_b[32] = { 1, 2, 4 };

static void set(int m, uint64_t s)
{
    mode = m;
    state = s;
    reads = 0;
}

START_TEST(dead_stuck_or_narrow_rng_refuses_to_start)
{
    static const int bad[] = { RNG_DEAD, RNG_STUCK, RNG_FEW };
    uint8_t out[16];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fw_entropy_state st;
        set(bad[i], 1);
        ck_assert_int_eq(fw_entropy_boot(&st, seed_a), FW_ENTROPY_RNG_FAIL);
        ck_assert_int_eq(st.ready, 0);
        ck_assert_int_eq(fw_entropy(&st, out, sizeof out), -1);
        ck_assert_ptr_nonnull(strstr(fw_entropy_strerror(FW_ENTROPY_RNG_FAIL), "RNG"));
    }
}
END_TEST

START_TEST(rng_that_dies_after_boot_fails_the_read)
{
    fw_entropy_state st;
    uint8_t out[32];
    set(RNG_DIES_LATER, 7);
    ck_assert_int_eq(fw_entropy_boot(&st, seed_a), 0);
    ck_assert_int_eq(fw_entropy(&st, out, sizeof out), -1);
}
END_TEST

START_TEST(outputs_differ_and_use_seed_and_rng)
{
    fw_entropy_state a, b, c;
    uint8_t o1[48], o2[48], o3[48], o4[48];
    set(RNG_OK, 42);
    ck_assert_int_eq(fw_entropy_boot(&a, seed_a), 0);
    ck_assert_uint_eq(reads, 64);
    ck_assert_int_eq(fw_entropy(&a, o1, sizeof o1), 0);
    ck_assert_uint_eq(reads, 64 + 2 * 64);          /* 64 RNG bytes per 32-byte block */
    ck_assert_int_eq(fw_entropy(&a, o2, sizeof o2), 0);
    ck_assert(memcmp(o1, o2, sizeof o1) != 0);
    ck_assert(memcmp(o1, o1 + 32, 16) != 0);
    /* same RNG stream, other device seed: other output */
    set(RNG_OK, 42);
    ck_assert_int_eq(fw_entropy_boot(&b, seed_b), 0);
    ck_assert_int_eq(fw_entropy(&b, o3, sizeof o3), 0);
    ck_assert(memcmp(o1, o3, sizeof o1) != 0);
    /* same seed, other RNG stream: other output */
    set(RNG_OK, 43);
    ck_assert_int_eq(fw_entropy_boot(&c, seed_a), 0);
    ck_assert_int_eq(fw_entropy(&c, o4, sizeof o4), 0);
    ck_assert(memcmp(o1, o4, sizeof o1) != 0);
    /* and the same of both gives the same (it is a function of them) */
    set(RNG_OK, 42);
    ck_assert_int_eq(fw_entropy_boot(&c, seed_a), 0);
    ck_assert_int_eq(fw_entropy(&c, o4, sizeof o4), 0);
    ck_assert(memcmp(o1, o4, sizeof o1) == 0);
}
END_TEST

START_TEST(drbg_seeds_from_it)
{
    /* the core's DRBG over this source, as the firmware's platform has it */
    fw_entropy_state st;
    slink_platform p;
    slink_rng r;
    uint8_t out[64];
    set(RNG_OK, 9);
    ck_assert_int_eq(fw_entropy_boot(&st, seed_a), 0);
    memset(&p, 0, sizeof p);
    p.entropy = fw_entropy;
    p.entropy_ctx = &st;
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_OK);
    ck_assert_int_eq(slink_rng_bytes(&r, out, sizeof out), SLINK_OK);
    slink_rng_free(&r);
    /* a stuck RNG after boot: the source fails, so does the DRBG */
    set(RNG_DEAD, 0);
    ck_assert_int_ne(slink_rng_init(&r, &p, NULL, 0), SLINK_OK);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mb_entropy");
    TCase *t = tcase_create("rng");
    tcase_add_test(t, dead_stuck_or_narrow_rng_refuses_to_start);
    tcase_add_test(t, rng_that_dies_after_boot_fails_the_read);
    tcase_add_test(t, outputs_differ_and_use_seed_and_rng);
    tcase_add_test(t, drbg_seeds_from_it);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return run_suite(suite());
}

/* Anti-replay window and sequence number reconstruction. */
#include "testutil.h"
#include <string.h>

#define M SLINK_SEQ_MAX

START_TEST(fresh_window_accepts_anything_valid)
{
    slink_replay w;
    slink_replay_init(&w);
    ck_assert_int_eq(slink_replay_check(&w, 0), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, 12345), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, M), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, M + 1), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(NULL, 1), SLINK_ERR_ARG);
}
END_TEST

START_TEST(duplicate_rejected)
{
    slink_replay w;
    slink_replay_init(&w);
    slink_replay_mark(&w, 0);
    ck_assert_int_eq(slink_replay_check(&w, 0), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 1), SLINK_OK);
    slink_replay_mark(&w, 10);
    ck_assert_int_eq(slink_replay_check(&w, 10), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 0), SLINK_ERR_REC_REPLAY);
    for (uint64_t s = 1; s < 10; s++)
        ck_assert_int_eq(slink_replay_check(&w, s), SLINK_OK);
}
END_TEST

START_TEST(reordered_within_window)
{
    slink_replay w;
    slink_replay_init(&w);
    slink_replay_mark(&w, 100);
    ck_assert_int_eq(slink_replay_check(&w, 50), SLINK_OK);
    slink_replay_mark(&w, 50);
    ck_assert_int_eq(slink_replay_check(&w, 50), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 51), SLINK_OK);
    ck_assert_uint_eq(w.top, 100);   /* an older record does not move the top */
}
END_TEST

/* top - 63 is the oldest still tracked; top - 64 is too old. */
START_TEST(too_old_edge)
{
    slink_replay w;
    slink_replay_init(&w);
    slink_replay_mark(&w, 100);
    ck_assert_int_eq(slink_replay_check(&w, 100 - 64), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 100 - 63), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, 0), SLINK_ERR_REC_REPLAY);
    slink_replay_mark(&w, 100 - 63);
    ck_assert_int_eq(slink_replay_check(&w, 100 - 63), SLINK_ERR_REC_REPLAY);
}
END_TEST

START_TEST(far_ahead_shifts_window)
{
    slink_replay w;
    slink_replay_init(&w);
    slink_replay_mark(&w, 100);
    slink_replay_mark(&w, 1000);
    ck_assert_uint_eq(w.top, 1000);
    ck_assert_int_eq(slink_replay_check(&w, 1000), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 999), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, 937), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, 936), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 100), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 1001), SLINK_OK);
    /* a jump to the very top of the sequence space */
    slink_replay_mark(&w, M);
    ck_assert_int_eq(slink_replay_check(&w, M), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, M - 1), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, 1000), SLINK_ERR_REC_REPLAY);
}
END_TEST

/* Shifts of 63 and 64 bits are the undefined-behaviour edges of a 64-bit
 * bitmap: 63 keeps the old top as the oldest bit, 64 drops it. */
START_TEST(shift_by_63_and_64)
{
    slink_replay w;
    slink_replay_init(&w);
    slink_replay_mark(&w, 0);
    slink_replay_mark(&w, 63);
    ck_assert_int_eq(slink_replay_check(&w, 0), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 1), SLINK_OK);
    ck_assert_uint_eq(w.bitmap, 0x8000000000000001ull);
    slink_replay_init(&w);
    slink_replay_mark(&w, 0);
    slink_replay_mark(&w, 64);
    ck_assert_uint_eq(w.bitmap, 1u);
    ck_assert_int_eq(slink_replay_check(&w, 0), SLINK_ERR_REC_REPLAY);  /* too old now */
    ck_assert_int_eq(slink_replay_check(&w, 1), SLINK_OK);
    /* a 64-record jump must clear every old bit, not leave them in place */
    slink_replay_init(&w);
    slink_replay_mark(&w, 0);
    slink_replay_mark(&w, 1);
    slink_replay_mark(&w, 2);
    slink_replay_mark(&w, 66);
    ck_assert_uint_eq(w.bitmap, 1u);
    ck_assert_int_eq(slink_replay_check(&w, 65), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, 64), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, 3), SLINK_OK);
    ck_assert_int_eq(slink_replay_check(&w, 2), SLINK_ERR_REC_REPLAY);
}
END_TEST

START_TEST(check_never_mutates)
{
    slink_replay w, before;
    slink_replay_init(&w);
    slink_replay_mark(&w, 500);
    slink_replay_mark(&w, 470);
    memcpy(&before, &w, sizeof w);
    for (uint64_t s = 0; s < 2000; s += 7)
        (void)slink_replay_check(&w, s);
    (void)slink_replay_check(&w, M);
    ck_assert_mem_eq(&w, &before, sizeof w);
}
END_TEST

/* A record whose tag fails is checked but never marked: the genuine record
 * with the same number is still accepted afterwards, and a forged "far
 * ahead" number does not push genuine records out of the window. */
START_TEST(mark_only_after_verify)
{
    slink_replay w;
    slink_replay_init(&w);
    slink_replay_mark(&w, 10);
    ck_assert_int_eq(slink_replay_check(&w, 11), SLINK_OK);       /* forged: not marked */
    ck_assert_int_eq(slink_replay_check(&w, 1000000), SLINK_OK);  /* forged: not marked */
    ck_assert_uint_eq(w.top, 10);
    ck_assert_int_eq(slink_replay_check(&w, 11), SLINK_OK);       /* genuine arrives */
    slink_replay_mark(&w, 11);
    ck_assert_int_eq(slink_replay_check(&w, 11), SLINK_ERR_REC_REPLAY);
    ck_assert_int_eq(slink_replay_check(&w, 9), SLINK_OK);
}
END_TEST

START_TEST(mark_of_too_old_is_ignored)
{
    slink_replay w, before;
    slink_replay_init(&w);
    slink_replay_mark(&w, 200);
    memcpy(&before, &w, sizeof w);
    slink_replay_mark(&w, 100);
    slink_replay_mark(&w, M + 5);
    ck_assert_mem_eq(&w, &before, sizeof w);
}
END_TEST

/* Against a naive model: accepted = above top, or within 64 and never seen. */
START_TEST(random_against_model)
{
    static uint8_t seen[1u << 16];
    memset(seen, 0, sizeof seen);
    slink_replay w;
    slink_replay_init(&w);
    uint64_t top = 0, st = 77;
    int any = 0, accepted = 0, rejected = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t base = top > 80 ? top - 80 : 0;
        uint64_t s = base + test_rand(&st) % 100;
        if (s >= sizeof seen) break;
        int want_ok = !any || s > top || (top - s < 64 && !seen[s]);
        slink_err e = slink_replay_check(&w, s);
        ck_assert_int_eq(e, want_ok ? SLINK_OK : SLINK_ERR_REC_REPLAY);
        /* one in four "records" is a forgery that is checked but not marked */
        if (e == SLINK_OK && (test_rand(&st) & 3u) != 0u) {
            slink_replay_mark(&w, s);
            seen[s] = 1;
            if (!any || s > top) top = s;
            any = 1;
            accepted++;
        } else if (e != SLINK_OK) {
            rejected++;
        }
    }
    ck_assert_int_gt(accepted, 5000);
    ck_assert_int_gt(rejected, 500);
}
END_TEST

START_TEST(seq_reconstruct_table)
{
    static const struct { uint64_t exp, low; unsigned bits; uint64_t want; } t[] = {
        /* 8 bits */
        {0, 0x00, 8, 0x00},
        {0, 0xFF, 8, 0xFF},                 /* cannot go below 0 */
        {0x100, 0xFF, 8, 0xFF},             /* just behind: previous window */
        {0x1FE, 0x01, 8, 0x201},            /* wrapped ahead */
        {0x180, 0x00, 8, 0x200},            /* exactly half a window: ties go up */
        {0x180, 0x01, 8, 0x101},
        {0x12345, 0x45, 8, 0x12345},
        {0x12345, 0x44, 8, 0x12344},
        {M, 0x05, 8, 0xFFFFFFFFFF05ull},    /* cannot go above 2^48-1 */
        {M - 2, 0xFF, 8, M},
        {M, 0xFF, 8, M},
        {1ull << 60, 0x03, 8, 0xFFFFFFFFFF03ull}, /* expected clamped to 2^48-1 */
        /* 16 bits */
        {0x10000, 0xFFFF, 16, 0xFFFF},
        {0x1FFF0, 0x0005, 16, 0x20005},
        {5, 0xFFF0, 16, 0xFFF0},
        {M, 0x0000, 16, 0xFFFFFFFF0000ull},
        {M - 0x10, 0x0020, 16, 0xFFFFFFFF0020ull},
        {0xABCD1234ull, 0x1235, 16, 0xABCD1235ull},
        /* 48 bits: the value itself */
        {12345, 999, 48, 999},
        {0, M, 48, M},
        {M, 0, 48, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint64_t got = slink_seq_reconstruct(t[i].exp, t[i].low, t[i].bits);
        ck_assert_msg(got == t[i].want, "row %zu: got 0x%llx want 0x%llx", i,
                      (unsigned long long)got, (unsigned long long)t[i].want);
    }
}
END_TEST

/* Brute force: the result has the right low bits, stays in range, and no
 * other value with those low bits is closer to expected. */
START_TEST(seq_reconstruct_is_closest)
{
    static const unsigned bitsv[] = {8, 16};
    uint64_t st = 123;
    for (size_t b = 0; b < 2; b++) {
        uint64_t win = 1ull << bitsv[b];
        for (int i = 0; i < 20000; i++) {
            uint64_t r = test_rand(&st);
            uint64_t exp;
            switch (i % 3) {
            case 0: exp = r % (3 * win); break;
            case 1: exp = M - r % (3 * win); break;
            default: exp = r & M; break;
            }
            uint64_t low = test_rand(&st) % win;
            uint64_t got = slink_seq_reconstruct(exp, low, bitsv[b]);
            uint64_t dist = got > exp ? got - exp : exp - got;
            T_REQUIRE((got & (win - 1)) == low && got <= M, "expected %llu low %llu (%u bits): %llu",
                      (unsigned long long)exp, (unsigned long long)low, bitsv[b], (unsigned long long)got);
            /* within half a window unless the range edge forbids it */
            T_REQUIRE(!(exp >= win && exp <= M - win) || dist <= win / 2, "expected %llu: %llu is %llu away",
                      (unsigned long long)exp, (unsigned long long)got, (unsigned long long)dist);
            /* neighbours one window away, where they exist, are not closer */
            T_REQUIRE(got < win || (exp > got - win ? exp - (got - win) : (got - win) - exp) >= dist,
                      "expected %llu: %llu, one window below is closer", (unsigned long long)exp,
                      (unsigned long long)got);
            T_REQUIRE(got > M - win || (got + win > exp ? got + win - exp : exp - got - win) >= dist,
                      "expected %llu: %llu, one window above is closer", (unsigned long long)exp,
                      (unsigned long long)got);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("replay");
    TCase *tw = tcase_create("window");
    tcase_add_test(tw, fresh_window_accepts_anything_valid);
    tcase_add_test(tw, duplicate_rejected);
    tcase_add_test(tw, reordered_within_window);
    tcase_add_test(tw, too_old_edge);
    tcase_add_test(tw, far_ahead_shifts_window);
    tcase_add_test(tw, shift_by_63_and_64);
    tcase_add_test(tw, check_never_mutates);
    tcase_add_test(tw, mark_only_after_verify);
    tcase_add_test(tw, mark_of_too_old_is_ignored);
    tcase_add_test(tw, random_against_model);
    suite_add_tcase(s, tw);
    TCase *tr = tcase_create("reconstruct");
    tcase_add_test(tr, seq_reconstruct_table);
    tcase_add_test(tr, seq_reconstruct_is_closest);
    suite_add_tcase(s, tr);
    return run_suite(s);
}

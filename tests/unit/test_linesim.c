/* Unit tests of slink-linesim's pure fault and pacing engine. */
#include "testutil.h"
#include "wire_model.h"

#include <stdlib.h>
#include <string.h>

#define MS 1000000ull

static lsim_params base(uint32_t baud)
{
    lsim_params p;
    lsim_params_default(&p);
    p.baud = baud;
    return p;
}

static uint8_t *pattern(size_t n, uint64_t seed)
{
    uint8_t *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(test_rand(&seed) >> 56);
    return b;
}

static unsigned popcount8(uint8_t v)
{
    unsigned c = 0;
    for (; v; v &= (uint8_t)(v - 1u)) c++;
    return c;
}

/* Pushes n bytes unthrottled in chunks and collects everything delivered. */
static size_t run_unthrottled(lsim_model *m, int dir, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t got = 0;
    for (size_t i = 0; i < n; i += 4096) {
        size_t k = n - i < 4096 ? n - i : 4096;
        lsim_push(m, dir, in + i, k, 0);
        got += lsim_pop(m, dir, 0, out + got, cap - got);
    }
    got += lsim_pop(m, dir, 0, out + got, cap - got);
    return got;
}

START_TEST(pacing_9600_is_ten_bit_times_per_byte)
{
    lsim_params p = base(9600);
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    ck_assert_uint_eq(m.byte_ns, 1041667u);  /* 10 / 9600 s, rounded to the ns */
    uint8_t in[100], out[100];
    memset(in, 0x55, sizeof in);
    lsim_push(&m, 0, in, sizeof in, 0);
    ck_assert_uint_eq(lsim_pop(&m, 0, m.byte_ns - 1, out, sizeof out), 0);
    ck_assert_uint_eq(lsim_pop(&m, 0, m.byte_ns, out, sizeof out), 1);
    ck_assert_uint_eq(lsim_pop(&m, 0, 100 * m.byte_ns - 1, out, sizeof out), 98);
    ck_assert_uint_eq(lsim_next_arrival(&m, 0), 100 * m.byte_ns);
    ck_assert_uint_eq(lsim_pop(&m, 0, 100 * m.byte_ns, out, sizeof out), 1);
    ck_assert_uint_eq(lsim_queued(&m, 0), 0);
    ck_assert_uint_eq(lsim_next_arrival(&m, 0), UINT64_MAX);
    /* A byte handed over while the line is idle starts at once. */
    lsim_push(&m, 0, in, 1, 500 * MS);
    ck_assert_uint_eq(lsim_next_arrival(&m, 0), 500 * MS + m.byte_ns);
    lsim_free(&m);
}
END_TEST

START_TEST(pacing_115200_one_second_of_bytes)
{
    lsim_params p = base(115200);
    p.tx_buffer = 20000;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    ck_assert_uint_eq(m.byte_ns, 86806u);
    static uint8_t in[11520], out[11520];
    memset(in, 0xA5, sizeof in);
    lsim_push(&m, 0, in, sizeof in, 0);
    /* 11520 bytes = 115200 bits: one second, within the ns rounding. */
    uint64_t last = 11520ull * m.byte_ns;
    ck_assert_uint_ge(last, 1000000000ull);
    ck_assert_uint_le(last, 1000010000ull);
    ck_assert_uint_eq(lsim_pop(&m, 0, 500 * MS, out, sizeof out), 5759);  /* 5760th ends at 500.0026 ms */
    ck_assert_uint_eq(lsim_pop(&m, 0, last, out, sizeof out), 5761);
    lsim_free(&m);
}
END_TEST

START_TEST(tx_buffer_gives_backpressure)
{
    lsim_params p = base(9600);
    p.tx_buffer = 100;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    uint8_t in[100] = {0};
    ck_assert_uint_eq(lsim_room(&m, 0, 0), 100);
    lsim_push(&m, 0, in, 100, 0);
    ck_assert_uint_eq(lsim_room(&m, 0, 0), 0);
    ck_assert_uint_eq(lsim_room(&m, 1, 0), 100);   /* other direction unaffected */
    uint64_t t = lsim_room_time(&m, 0, 0);
    ck_assert_uint_eq(t, m.byte_ns);
    ck_assert_uint_eq(lsim_room(&m, 0, t - 1), 0);
    ck_assert_uint_eq(lsim_room(&m, 0, t), 1);
    ck_assert_uint_eq(lsim_room(&m, 0, 10 * m.byte_ns), 10);
    lsim_free(&m);
}
END_TEST

START_TEST(clean_unthrottled_line_is_exact)
{
    lsim_params p = base(0);
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    size_t n = 100000;
    uint8_t *in = pattern(n, 7), *out = malloc(n);
    ck_assert_uint_eq(run_unthrottled(&m, 1, in, n, out, n), n);
    ck_assert_mem_eq(in, out, n);
    ck_assert_uint_eq(m.d[1].st.bytes_in, n);
    ck_assert_uint_eq(m.d[1].st.bytes_out, n);
    ck_assert_uint_eq(m.d[1].st.bits_flipped, 0);
    free(in);
    free(out);
    lsim_free(&m);
}
END_TEST

START_TEST(ber_statistics_match_the_rate)
{
    lsim_params p = base(0);
    p.ber = 1e-3;
    p.seed = 42;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    size_t n = 1000000;
    uint8_t *in = pattern(n, 3), *out = malloc(n);
    ck_assert_uint_eq(run_unthrottled(&m, 0, in, n, out, n), n);
    uint64_t diff = 0, bytes_bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = popcount8((uint8_t)(in[i] ^ out[i]));
        diff += c;
        bytes_bad += c != 0;
    }
    /* The counter tells the truth about what was done to the bytes. */
    ck_assert_uint_eq(diff, m.d[0].st.bits_flipped);
    /* 8e6 bits at 1e-3: mean 8000, sigma ~89; 4% is 3.6 sigma. */
    ck_assert_uint_ge(diff, 7680);
    ck_assert_uint_le(diff, 8320);
    /* P(byte hit) = 1 - (1 - 1e-3)^8 = 0.7972%. */
    ck_assert_uint_ge(bytes_bad, 7650);
    ck_assert_uint_le(bytes_bad, 8290);
    free(in);
    free(out);
    lsim_free(&m);
}
END_TEST

START_TEST(ber_one_flips_every_bit)
{
    lsim_params p = base(0);
    p.ber = 1.0;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    uint8_t in[4] = {0x00, 0xFF, 0x5A, 0x81}, out[4];
    lsim_push(&m, 0, in, 4, 0);
    ck_assert_uint_eq(lsim_pop(&m, 0, 0, out, 4), 4);
    for (int i = 0; i < 4; i++) ck_assert_uint_eq(out[i], (uint8_t)~in[i]);
    ck_assert_uint_eq(m.d[0].st.bits_flipped, 32);
    lsim_free(&m);
}
END_TEST

static size_t faulty_run(uint64_t seed, const uint8_t *in, size_t n, uint8_t *out, size_t cap, lsim_dir_stats *st)
{
    lsim_params p = base(0);
    p.seed = seed;
    p.ber = 1e-4;
    p.drop = 0.002;
    p.dup = 0.002;
    p.burst_rate = 1e-4;
    p.burst_len = 6;
    p.break_rate = 5e-5;
    p.break_len = 10;
    p.jitter_ns = 0;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    size_t got = run_unthrottled(&m, 0, in, n, out, cap);
    *st = m.d[0].st;
    lsim_free(&m);
    return got;
}

START_TEST(same_seed_same_faults)
{
    size_t n = 200000, cap = 2 * n;
    uint8_t *in = pattern(n, 11), *o1 = malloc(cap), *o2 = malloc(cap), *o3 = malloc(cap);
    lsim_dir_stats s1, s2, s3;
    size_t g1 = faulty_run(99, in, n, o1, cap, &s1);
    size_t g2 = faulty_run(99, in, n, o2, cap, &s2);
    size_t g3 = faulty_run(100, in, n, o3, cap, &s3);
    ck_assert_uint_eq(g1, g2);
    ck_assert_mem_eq(o1, o2, g1);
    ck_assert_mem_eq(&s1, &s2, sizeof s1);
    ck_assert_uint_gt(s1.bits_flipped, 0);
    ck_assert_uint_gt(s1.bytes_dropped, 0);
    ck_assert_uint_gt(s1.bytes_dup, 0);
    ck_assert_uint_gt(s1.bursts, 0);
    ck_assert_uint_gt(s1.breaks, 0);
    /* Output length is fully explained by the counters. */
    ck_assert_uint_eq(g1, n - s1.bytes_dropped + s1.bytes_dup);
    /* A different seed gives a different line. */
    ck_assert(g3 != g1 || memcmp(o1, o3, g1) != 0);
    free(in); free(o1); free(o2); free(o3);
}
END_TEST

START_TEST(drop_and_dup_rates)
{
    lsim_params p = base(0);
    p.drop = 0.01;
    p.dup = 0.01;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    size_t n = 1000000, cap = 2 * n;
    uint8_t *in = pattern(n, 5), *out = malloc(cap);
    size_t got = run_unthrottled(&m, 0, in, n, out, cap);
    /* mean 10000, sigma ~100 */
    ck_assert_uint_ge(m.d[0].st.bytes_dropped, 9600);
    ck_assert_uint_le(m.d[0].st.bytes_dropped, 10400);
    /* dup is drawn only for bytes not dropped: mean 9900 */
    ck_assert_uint_ge(m.d[0].st.bytes_dup, 9500);
    ck_assert_uint_le(m.d[0].st.bytes_dup, 10300);
    ck_assert_uint_eq(got, n - m.d[0].st.bytes_dropped + m.d[0].st.bytes_dup);
    ck_assert_uint_eq(m.d[0].st.bytes_out, got);
    free(in);
    free(out);
    lsim_free(&m);
}
END_TEST

START_TEST(bursts_and_breaks)
{
    lsim_params p = base(0);
    p.burst_rate = 1e-3;
    p.burst_len = 8;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    size_t n = 1000000;
    uint8_t *in = pattern(n, 9), *out = malloc(n);
    ck_assert_uint_eq(run_unthrottled(&m, 0, in, n, out, n), n);
    /* No burst starts inside a burst: rate 1e-3 / (1 + 8e-3) -> ~992. */
    ck_assert_uint_ge(m.d[0].st.bursts, 880);
    ck_assert_uint_le(m.d[0].st.bursts, 1100);
    ck_assert_uint_ge(m.d[0].st.burst_bytes, 8 * m.d[0].st.bursts - 7);
    ck_assert_uint_le(m.d[0].st.burst_bytes, 8 * m.d[0].st.bursts);
    lsim_free(&m);

    /* Break as zeros: a run of break_len 0x00 bytes replaces the data. */
    lsim_params q = base(0);
    q.break_rate = 1.0;
    q.break_len = 5;
    ck_assert_int_eq(lsim_init(&m, &q), 0);
    uint8_t ones[5] = {1, 2, 3, 4, 5}, o[5];
    lsim_push(&m, 0, ones, 5, 0);
    ck_assert_uint_eq(lsim_pop(&m, 0, 0, o, 5), 5);
    for (int i = 0; i < 5; i++) ck_assert_uint_eq(o[i], 0);
    ck_assert_uint_eq(m.d[0].st.breaks, 1);
    ck_assert_uint_eq(m.d[0].st.break_bytes, 5);
    lsim_free(&m);

    /* Break as a lost span. */
    q.break_drop = 1;
    ck_assert_int_eq(lsim_init(&m, &q), 0);
    lsim_push(&m, 0, ones, 5, 0);
    ck_assert_uint_eq(lsim_pop(&m, 0, 0, o, 5), 0);
    ck_assert_uint_eq(lsim_queued(&m, 0), 0);
    lsim_free(&m);
    free(in);
    free(out);
}
END_TEST

START_TEST(half_duplex_overlap_garbles_both)
{
    lsim_params p = base(9600);
    p.half_duplex = 1;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    uint8_t a = 0x3C, b = 0xC3, o;
    lsim_push(&m, 0, &a, 1, 0);
    lsim_push(&m, 1, &b, 1, m.byte_ns / 2);   /* starts mid-byte: overlap */
    ck_assert_uint_eq(m.collisions, 1);
    ck_assert_uint_eq(lsim_pop(&m, 0, 10 * m.byte_ns, &o, 1), 1);
    ck_assert_uint_ne(o, a);
    ck_assert_uint_eq(lsim_pop(&m, 1, 10 * m.byte_ns, &o, 1), 1);
    ck_assert_uint_ne(o, b);
    ck_assert_uint_eq(m.d[0].st.collided, 1);
    ck_assert_uint_eq(m.d[1].st.collided, 1);

    /* Back to back without overlap: both arrive intact. */
    uint64_t t = 20 * m.byte_ns;
    lsim_push(&m, 0, &a, 1, t);
    lsim_push(&m, 1, &b, 1, t + m.byte_ns);
    ck_assert_uint_eq(m.collisions, 1);
    ck_assert_uint_eq(lsim_pop(&m, 0, t + 5 * m.byte_ns, &o, 1), 1);
    ck_assert_uint_eq(o, a);
    ck_assert_uint_eq(lsim_pop(&m, 1, t + 5 * m.byte_ns, &o, 1), 1);
    ck_assert_uint_eq(o, b);
    lsim_free(&m);

    /* The same timing on a full-duplex line does no harm. */
    p.half_duplex = 0;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    lsim_push(&m, 0, &a, 1, 0);
    lsim_push(&m, 1, &b, 1, m.byte_ns / 2);
    ck_assert_uint_eq(m.collisions, 0);
    ck_assert_uint_eq(lsim_pop(&m, 0, 10 * m.byte_ns, &o, 1), 1);
    ck_assert_uint_eq(o, a);
    lsim_free(&m);
}
END_TEST

START_TEST(half_duplex_long_frames_collide_bytewise)
{
    /* Two 10-byte frames, the second starting 3.5 bytes into the first:
     * 6.5 byte-times of overlap touch 7 bytes of each. */
    lsim_params p = base(19200);
    p.half_duplex = 1;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    uint8_t f[10], o[10];
    memset(f, 0x11, sizeof f);
    lsim_push(&m, 0, f, 10, 0);
    lsim_push(&m, 1, f, 10, 3 * m.byte_ns + m.byte_ns / 2);
    ck_assert_uint_eq(m.d[0].st.collided, 7);
    ck_assert_uint_eq(m.d[1].st.collided, 7);
    ck_assert_uint_eq(lsim_pop(&m, 0, 100 * m.byte_ns, o, 10), 10);
    for (int i = 0; i < 3; i++) ck_assert_uint_eq(o[i], 0x11);
    for (int i = 3; i < 10; i++) ck_assert_uint_ne(o[i], 0x11);
    ck_assert_uint_eq(lsim_pop(&m, 1, 100 * m.byte_ns, o, 10), 10);
    for (int i = 0; i < 7; i++) ck_assert_uint_ne(o[i], 0x11);
    for (int i = 7; i < 10; i++) ck_assert_uint_eq(o[i], 0x11);
    lsim_free(&m);
}
END_TEST

START_TEST(delay_and_jitter_keep_order)
{
    lsim_params p = base(115200);
    p.delay_ns = 5 * MS;
    p.jitter_ns = 3 * MS;
    p.tx_buffer = 100000;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    size_t n = 2000;
    uint8_t *in = pattern(n, 13), *out = malloc(n);
    /* Sender writes in bursts of 50 every 2 ms; receiver polls every 0.1 ms. */
    size_t pushed = 0, got = 0;
    uint64_t prev_arr = 0;
    for (uint64_t t = 0; got < n && t < 10000 * MS; t += MS / 10) {
        if (pushed < n && t % (2 * MS) == 0) {
            lsim_push(&m, 0, in + pushed, 50, t);
            pushed += 50;
        }
        uint64_t na = lsim_next_arrival(&m, 0);
        if (na != UINT64_MAX) {
            ck_assert_uint_ge(na, prev_arr);
            prev_arr = na;
        }
        size_t k = lsim_pop(&m, 0, t, out + got, n - got);
        /* nothing before the first byte's time on the wire plus the delay */
        if (t < m.byte_ns + 5 * MS) ck_assert_uint_eq(k, 0);
        got += k;
    }
    ck_assert_uint_eq(got, n);
    ck_assert_mem_eq(in, out, n);
    free(in);
    free(out);
    lsim_free(&m);
}
END_TEST

START_TEST(queue_overflow_is_counted)
{
    lsim_params p = base(0);
    p.queue_limit = 10;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    ck_assert_uint_eq(lsim_room(&m, 0, 0), 10);
    uint8_t in[20], out[20];
    for (int i = 0; i < 20; i++) in[i] = (uint8_t)i;
    lsim_push(&m, 0, in, 20, 0);
    ck_assert_uint_eq(m.d[0].st.overflow, 10);
    ck_assert_uint_eq(lsim_room(&m, 0, 0), 0);
    ck_assert_uint_eq(lsim_pop(&m, 0, 0, out, 20), 10);
    ck_assert_mem_eq(in, out, 10);
    lsim_free(&m);
}
END_TEST

START_TEST(dup_copy_survives_a_full_output)
{
    lsim_params p = base(0);
    p.dup = 1.0;
    lsim_model m;
    ck_assert_int_eq(lsim_init(&m, &p), 0);
    uint8_t in[2] = {7, 9}, out[4];
    lsim_push(&m, 0, in, 2, 0);
    ck_assert_uint_eq(lsim_pop(&m, 0, 0, out, 1), 1);
    ck_assert_uint_eq(lsim_pop(&m, 0, 0, out + 1, 3), 3);
    ck_assert_uint_eq(out[0], 7);
    ck_assert_uint_eq(out[1], 7);
    ck_assert_uint_eq(out[2], 9);
    ck_assert_uint_eq(out[3], 9);
    ck_assert_uint_eq(m.d[0].st.bytes_dup, 2);
    lsim_free(&m);
}
END_TEST

START_TEST(bad_parameters_rejected)
{
    lsim_model m;
    lsim_params p = base(0);
    p.ber = 1.5;
    ck_assert_int_eq(lsim_init(&m, &p), -1);
    p = base(0);
    p.drop = -0.1;
    ck_assert_int_eq(lsim_init(&m, &p), -1);
    p = base(0);
    p.queue_limit = 0;
    ck_assert_int_eq(lsim_init(&m, &p), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("linesim");
    TCase *tc = tcase_create("model");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, pacing_9600_is_ten_bit_times_per_byte);
    tcase_add_test(tc, pacing_115200_one_second_of_bytes);
    tcase_add_test(tc, tx_buffer_gives_backpressure);
    tcase_add_test(tc, clean_unthrottled_line_is_exact);
    tcase_add_test(tc, ber_statistics_match_the_rate);
    tcase_add_test(tc, ber_one_flips_every_bit);
    tcase_add_test(tc, same_seed_same_faults);
    tcase_add_test(tc, drop_and_dup_rates);
    tcase_add_test(tc, bursts_and_breaks);
    tcase_add_test(tc, half_duplex_overlap_garbles_both);
    tcase_add_test(tc, half_duplex_long_frames_collide_bytewise);
    tcase_add_test(tc, delay_and_jitter_keep_order);
    tcase_add_test(tc, queue_overflow_is_counted);
    tcase_add_test(tc, dup_copy_survives_a_full_output);
    tcase_add_test(tc, bad_parameters_rejected);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* COBS known answers (the examples of Cheshire & Baker's paper as listed on
 * Wikipedia's "Consistent Overhead Byte Stuffing" page), round trips of
 * every length 0..600, and malformed encodings with their exact code. */
#include "testutil.h"
#include <string.h>

typedef struct { uint8_t raw[300]; size_t raw_len; uint8_t enc[300]; size_t enc_len; } kat;

static void ramp(uint8_t *p, uint8_t from, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(from + i);
}

/* Builds the long examples (cases 7-11) into k. */
static void long_kat(int which, kat *k)
{
    memset(k, 0, sizeof *k);
    switch (which) {
    case 7:  /* 01..FE -> FF 01..FE */
        ramp(k->raw, 0x01, 254); k->raw_len = 254;
        k->enc[0] = 0xFF; ramp(k->enc + 1, 0x01, 254); k->enc_len = 255;
        break;
    case 8:  /* 00 01..FE -> 01 FF 01..FE */
        k->raw[0] = 0; ramp(k->raw + 1, 0x01, 254); k->raw_len = 255;
        k->enc[0] = 0x01; k->enc[1] = 0xFF; ramp(k->enc + 2, 0x01, 254); k->enc_len = 256;
        break;
    case 9:  /* 01..FF -> FF 01..FE 02 FF */
        ramp(k->raw, 0x01, 255); k->raw_len = 255;
        k->enc[0] = 0xFF; ramp(k->enc + 1, 0x01, 254); k->enc[255] = 0x02; k->enc[256] = 0xFF;
        k->enc_len = 257;
        break;
    case 10: /* 02..FF 00 -> FF 02..FF 01 01 */
        ramp(k->raw, 0x02, 254); k->raw[254] = 0; k->raw_len = 255;
        k->enc[0] = 0xFF; ramp(k->enc + 1, 0x02, 254); k->enc[255] = 0x01; k->enc[256] = 0x01;
        k->enc_len = 257;
        break;
    case 11: /* 03..FF 00 01 -> FE 03..FF 02 01 */
        ramp(k->raw, 0x03, 253); k->raw[253] = 0; k->raw[254] = 0x01; k->raw_len = 255;
        k->enc[0] = 0xFE; ramp(k->enc + 1, 0x03, 253); k->enc[254] = 0x02; k->enc[255] = 0x01;
        k->enc_len = 256;
        break;
    default:
        ck_abort_msg("no such example");
    }
}

static void check_kat(const uint8_t *raw, size_t raw_len, const uint8_t *enc, size_t enc_len)
{
    uint8_t out[320];
    size_t n = 0;
    ck_assert_int_eq(slink_cobs_encode(raw, raw_len, out, sizeof out, &n), SLINK_OK);
    ck_assert_uint_eq(n, enc_len);
    ck_assert_mem_eq(out, enc, enc_len);
    ck_assert_int_eq(slink_cobs_decode(enc, enc_len, out, sizeof out, &n), SLINK_OK);
    ck_assert_uint_eq(n, raw_len);
    if (raw_len) ck_assert_mem_eq(out, raw, raw_len);
}

START_TEST(kat_short_examples)
{
    static const struct { uint8_t raw[8]; size_t rl; uint8_t enc[8]; size_t el; } t[] = {
        {{0}, 0, {0x01}, 1},                                   /* empty */
        {{0x00}, 1, {0x01, 0x01}, 2},
        {{0x00, 0x00}, 2, {0x01, 0x01, 0x01}, 3},
        {{0x00, 0x11, 0x00}, 3, {0x01, 0x02, 0x11, 0x01}, 4},
        {{0x11, 0x22, 0x00, 0x33}, 4, {0x03, 0x11, 0x22, 0x02, 0x33}, 5},
        {{0x11, 0x22, 0x33, 0x44}, 4, {0x05, 0x11, 0x22, 0x33, 0x44}, 5},
        {{0x11, 0x00, 0x00, 0x00}, 4, {0x02, 0x11, 0x01, 0x01, 0x01}, 5},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        check_kat(t[i].raw, t[i].rl, t[i].enc, t[i].el);
}
END_TEST

START_TEST(kat_long_examples)
{
    kat k;
    long_kat(_i, &k);
    check_kat(k.raw, k.raw_len, k.enc, k.enc_len);
}
END_TEST

START_TEST(round_trip_all_lengths_0_to_600)
{
    static uint8_t raw[600], enc[SLINK_COBS_MAX(600)], dec[600];
    uint64_t st = 0x5EED;
    for (size_t len = 0; len <= 600; len++) {
        /* vary zero density: none, some, mostly zeros */
        unsigned mode = (unsigned)(len % 3);
        for (size_t i = 0; i < len; i++) {
            uint8_t b = (uint8_t)test_rand(&st);
            if (mode == 0 && b == 0) b = 1;
            if (mode == 2 && (b & 3u)) b = 0;
            raw[i] = b;
        }
        size_t n = 0, m = 0;
        ck_assert_int_eq(slink_cobs_encode(raw, len, enc, sizeof enc, &n), SLINK_OK);
        ck_assert_uint_le(n, SLINK_COBS_MAX(len));
        ck_assert_ptr_null(memchr(enc, 0, n));
        ck_assert_int_eq(slink_cobs_decode(enc, n, dec, sizeof dec, &m), SLINK_OK);
        ck_assert_uint_eq(m, len);
        if (len) ck_assert_mem_eq(dec, raw, len);
    }
}
END_TEST

/* Worst case (no zeros at all) is exactly one byte per 254 plus one. */
START_TEST(worst_case_overhead)
{
    static uint8_t raw[1017], enc[1100];
    memset(raw, 0x7E, sizeof raw);
    size_t n = 0;
    /* 4 full blocks of 254: 4 code bytes, no trailing empty block */
    ck_assert_int_eq(slink_cobs_encode(raw, 1016, enc, sizeof enc, &n), SLINK_OK);
    ck_assert_uint_eq(n, 1016u + 4u);
    /* one more byte opens a fifth block */
    ck_assert_int_eq(slink_cobs_encode(raw, 1017, enc, sizeof enc, &n), SLINK_OK);
    ck_assert_uint_eq(n, 1017u + 5u);
    ck_assert_uint_le(n, SLINK_COBS_MAX(1017u));
}
END_TEST

START_TEST(decode_rejects_zero_inside)
{
    static const uint8_t bad[] = {0x03, 0x11, 0x00, 0x01};
    uint8_t out[8]; size_t n = 0;
    ck_assert_int_eq(slink_cobs_decode(bad, sizeof bad, out, sizeof out, &n), SLINK_ERR_FRAME_COBS);
}
END_TEST

START_TEST(decode_rejects_zero_code_byte)
{
    static const uint8_t bad[] = {0x02, 0x11, 0x00};
    uint8_t out[8]; size_t n = 0;
    ck_assert_int_eq(slink_cobs_decode(bad, sizeof bad, out, sizeof out, &n), SLINK_ERR_FRAME_COBS);
}
END_TEST

START_TEST(decode_rejects_truncated_block)
{
    static const uint8_t bad[] = {0x05, 0x11, 0x22};
    uint8_t out[8]; size_t n = 0;
    ck_assert_int_eq(slink_cobs_decode(bad, sizeof bad, out, sizeof out, &n), SLINK_ERR_FRAME_COBS);
    static const uint8_t bad2[] = {0x02, 0x11, 0x03, 0x22};
    ck_assert_int_eq(slink_cobs_decode(bad2, sizeof bad2, out, sizeof out, &n), SLINK_ERR_FRAME_COBS);
}
END_TEST

START_TEST(decode_rejects_empty)
{
    uint8_t out[4] = {0}; size_t n = 0;
    ck_assert_int_eq(slink_cobs_decode(out, 0, out, sizeof out, &n), SLINK_ERR_FRAME_COBS);
}
END_TEST

START_TEST(encode_buffer_too_small)
{
    static const uint8_t raw[] = {0x11, 0x22, 0x00, 0x33};
    uint8_t out[8]; size_t n = 0;
    for (size_t cap = 0; cap < 5; cap++)
        ck_assert_int_eq(slink_cobs_encode(raw, sizeof raw, out, cap, &n), SLINK_ERR_BUFFER);
    ck_assert_int_eq(slink_cobs_encode(raw, sizeof raw, out, 5, &n), SLINK_OK);
}
END_TEST

START_TEST(decode_buffer_too_small)
{
    static const uint8_t enc[] = {0x03, 0x11, 0x22, 0x02, 0x33};
    uint8_t out[8]; size_t n = 0;
    ck_assert_int_eq(slink_cobs_decode(enc, sizeof enc, out, 3, &n), SLINK_ERR_BUFFER);
    ck_assert_int_eq(slink_cobs_decode(enc, sizeof enc, out, 4, &n), SLINK_OK);
    ck_assert_uint_eq(n, 4);
}
END_TEST

START_TEST(null_arguments)
{
    uint8_t out[4] = {0}; size_t n;
    ck_assert_int_eq(slink_cobs_encode(NULL, 1, out, sizeof out, &n), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_cobs_encode(out, 1, NULL, 4, &n), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_cobs_decode(NULL, 1, out, sizeof out, &n), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_cobs_decode(out, 1, out, sizeof out, NULL), SLINK_ERR_ARG);
}
END_TEST

/* The deframer decodes in place; the frame encoder encodes into the head of
 * a buffer whose tail holds the input.  Both must match the out-of-place
 * result exactly. */
START_TEST(in_place_decode_and_shifted_encode)
{
    static uint8_t raw[700], ref[800], buf[800];
    uint64_t st = 99;
    for (size_t i = 0; i < sizeof raw; i++) {
        uint8_t b = (uint8_t)test_rand(&st);
        raw[i] = (i % 97 == 0) ? 0 : (b ? b : 1);
    }
    size_t n = 0, m = 0;
    ck_assert_int_eq(slink_cobs_encode(raw, sizeof raw, ref, sizeof ref, &n), SLINK_OK);
    memcpy(buf, ref, n);
    ck_assert_int_eq(slink_cobs_decode(buf, n, buf, sizeof buf, &m), SLINK_OK);
    ck_assert_uint_eq(m, sizeof raw);
    ck_assert_mem_eq(buf, raw, sizeof raw);

    /* non-zero input is the worst case for the shifted encode */
    memset(raw, 0x55, sizeof raw);
    ck_assert_int_eq(slink_cobs_encode(raw, sizeof raw, ref, sizeof ref, &n), SLINK_OK);
    size_t k = sizeof raw / 254 + 1;
    memcpy(buf + k, raw, sizeof raw);
    ck_assert_int_eq(slink_cobs_encode(buf + k, sizeof raw, buf, sizeof buf, &m), SLINK_OK);
    ck_assert_uint_eq(m, n);
    ck_assert_mem_eq(buf, ref, n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cobs");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, kat_short_examples);
    tcase_add_loop_test(tc, kat_long_examples, 7, 12);
    tcase_add_test(tc, round_trip_all_lengths_0_to_600);
    tcase_add_test(tc, worst_case_overhead);
    tcase_add_test(tc, decode_rejects_zero_inside);
    tcase_add_test(tc, decode_rejects_zero_code_byte);
    tcase_add_test(tc, decode_rejects_truncated_block);
    tcase_add_test(tc, decode_rejects_empty);
    tcase_add_test(tc, encode_buffer_too_small);
    tcase_add_test(tc, decode_buffer_too_small);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, in_place_decode_and_shifted_encode);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

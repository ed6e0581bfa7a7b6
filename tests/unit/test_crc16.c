/* CRC-16/CCITT-FALSE known answers.  Expected values come from the
 * catalogue check value and from a bitwise reference implementation written
 * independently of src/frame/crc16.c's table (docs/PROTOCOL.md, Appendix A). */
#include "testutil.h"
#include <string.h>

START_TEST(check_value_123456789)
{
    const char *s = "123456789";
    ck_assert_uint_eq(slink_crc16((const uint8_t *)s, 9), SLINK_CRC16_CHECK);
    ck_assert_uint_eq(slink_crc16((const uint8_t *)s, 9), 0x29B1u);
}
END_TEST

START_TEST(empty_is_init_value)
{
    ck_assert_uint_eq(slink_crc16((const uint8_t *)"", 0), 0xFFFFu);
    ck_assert_uint_eq(slink_crc16(NULL, 0), 0xFFFFu);
}
END_TEST

START_TEST(known_answer_table)
{
    static uint8_t a256[256], ramp[256];
    memset(a256, 'A', sizeof a256);
    for (int i = 0; i < 256; i++) ramp[i] = (uint8_t)i;
    static const uint8_t z1[1] = {0x00};
    static const uint8_t z2[2] = {0x00, 0x00};
    static const uint8_t f4[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    struct { const uint8_t *p; size_t n; uint16_t want; } kat[] = {
        {(const uint8_t *)"A", 1, 0xB915u},
        {z1, 1, 0xE1F0u},
        {z2, 2, 0x1D0Fu},
        {f4, 4, 0x1D0Fu},
        {a256, 256, 0xEA0Bu},
        {ramp, 256, 0x3FBDu},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++)
        ck_assert_msg(slink_crc16(kat[i].p, kat[i].n) == kat[i].want,
                      "vector %zu: got 0x%04X want 0x%04X", i,
                      slink_crc16(kat[i].p, kat[i].n), kat[i].want);
}
END_TEST

START_TEST(update_in_pieces_equals_whole)
{
    const uint8_t *s = (const uint8_t *)"123456789";
    for (size_t cut = 0; cut <= 9; cut++) {
        uint16_t c = slink_crc16_update(0xFFFFu, s, cut);
        c = slink_crc16_update(c, s + cut, 9 - cut);
        ck_assert_uint_eq(c, 0x29B1u);
    }
}
END_TEST

/* A CRC-16 with this polynomial detects every single-bit error. */
START_TEST(every_single_bit_flip_detected)
{
    uint8_t buf[64];
    uint64_t st = 7;
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)test_rand(&st);
    uint16_t good = slink_crc16(buf, sizeof buf);
    for (size_t bit = 0; bit < sizeof buf * 8; bit++) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ck_assert_uint_ne(slink_crc16(buf, sizeof buf), good);
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}
END_TEST

/* Appending the big-endian CRC gives residue 0 (no xorout, no reflection):
 * the property a receiver could use instead of comparing. */
START_TEST(appended_crc_gives_zero_residue)
{
    uint8_t buf[11];
    memcpy(buf, "123456789", 9);
    buf[9] = 0x29; buf[10] = 0xB1;
    ck_assert_uint_eq(slink_crc16(buf, 11), 0x0000u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crc16");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, check_value_123456789);
    tcase_add_test(tc, empty_is_init_value);
    tcase_add_test(tc, known_answer_table);
    tcase_add_test(tc, update_in_pieces_equals_whole);
    tcase_add_test(tc, every_single_bit_flip_detected);
    tcase_add_test(tc, appended_crc_gives_zero_residue);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Handshake message layouts (src/handshake/hs_msg.c): round trips, exact lengths and
 * every malformed shape with its exact error code. */
#include "testutil.h"
#include <string.h>
#include "handshake/hs_msg.h"

static hs_msg1 sample_msg1(void)
{
    hs_msg1 m;
    m.vs = SLINK_VERSION_SUITE;
    m.flags = SLINK_HS_F_HAVE_PEER_CERT;
    m.mtu_code = 69;
    for (size_t i = 0; i < SLINK_ECX_LEN; i++) m.x[i] = (uint8_t)(0x80 + i);
    return m;
}

START_TEST(msg1_round_trip_is_35_bytes_in_order)
{
    hs_msg1 m = sample_msg1(), d;
    uint8_t b[64];
    size_t n = 0;
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_OK);
    ck_assert_uint_eq(n, 35);   /* 1+1+1+32 (SLINK_HS1_LEN), no nonce in version 2 */
    ck_assert_uint_eq(b[0], 0x21);
    ck_assert_uint_eq(b[1], 0x01);
    ck_assert_uint_eq(b[2], 69);
    ck_assert_uint_eq(b[3], 0x80);       /* x starts at 3 */
    ck_assert_uint_eq(b[34], 0x9F);
    ck_assert_int_eq(hs_msg1_decode(b, n, &d), SLINK_OK);
    ck_assert_mem_eq(&d, &m, sizeof m);
}
END_TEST

START_TEST(msg1_version_checked_before_length)
{
    hs_msg1 m = sample_msg1(), d;
    uint8_t b[80];
    size_t n = 0;
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_OK);
    b[0] = 0x12;
    ck_assert_int_eq(hs_msg1_decode(b, 35, &d), SLINK_ERR_HS_VERSION);
    /* A version 1 peer's msg1 (0x11, 51 bytes with its 16-byte nonce) gets
     * the version answer, not a length complaint or a misparse. */
    b[0] = 0x11;
    ck_assert_int_eq(hs_msg1_decode(b, 51, &d), SLINK_ERR_HS_VERSION);
    ck_assert_int_eq(hs_msg1_decode(b, 35, &d), SLINK_ERR_HS_VERSION);
    b[0] = 0x31;  /* a later version with a longer msg1 still gets a version answer */
    ck_assert_int_eq(hs_msg1_decode(b, 70, &d), SLINK_ERR_HS_VERSION);
    ck_assert_int_eq(hs_msg1_decode(b, 1, &d), SLINK_ERR_HS_VERSION);
}
END_TEST

START_TEST(msg1_wrong_lengths_malformed)
{
    hs_msg1 m = sample_msg1(), d;
    uint8_t b[80];
    size_t n = 0;
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_OK);
    ck_assert_int_eq(hs_msg1_decode(b, 0, &d), SLINK_ERR_HS_MALFORMED);
    for (size_t l = 1; l < 35; l++)
        ck_assert_int_eq(hs_msg1_decode(b, l, &d), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_msg1_decode(b, 36, &d), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_msg1_decode(b, 51, &d), SLINK_ERR_HS_MALFORMED);
}
END_TEST

START_TEST(msg1_unknown_flags_malformed)
{
    hs_msg1 m = sample_msg1(), d;
    uint8_t b[64];
    size_t n = 0;
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_OK);
    /* bit 0 have-peer-cert, bit 1 auto (§4.2); the others are reserved */
    for (unsigned bit = 2; bit < 8; bit++) {
        b[1] = (uint8_t)(1u << bit);
        ck_assert_int_eq(hs_msg1_decode(b, n, &d), SLINK_ERR_HS_MALFORMED);
    }
    b[1] = SLINK_HS_F_HAVE_PEER_CERT | SLINK_HS_F_AUTO;
    ck_assert_int_eq(hs_msg1_decode(b, n, &d), SLINK_OK);
    ck_assert_uint_eq(d.flags, 0x03);
    b[1] = 0;
    ck_assert_int_eq(hs_msg1_decode(b, n, &d), SLINK_OK);
    ck_assert_uint_eq(d.flags, 0);
}
END_TEST

START_TEST(msg1_mtu_code_below_4_malformed)
{
    hs_msg1 m = sample_msg1(), d;
    uint8_t b[64];
    size_t n = 0;
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_OK);
    b[2] = 3;
    ck_assert_int_eq(hs_msg1_decode(b, n, &d), SLINK_ERR_HS_MALFORMED);
    b[2] = 0;
    ck_assert_int_eq(hs_msg1_decode(b, n, &d), SLINK_ERR_HS_MALFORMED);
    b[2] = 4;
    ck_assert_int_eq(hs_msg1_decode(b, n, &d), SLINK_OK);
    b[2] = 255;
    ck_assert_int_eq(hs_msg1_decode(b, n, &d), SLINK_OK);
}
END_TEST

START_TEST(msg1_encoder_refuses_what_decoder_drops)
{
    hs_msg1 m = sample_msg1();
    uint8_t b[64];
    size_t n = 0;
    ck_assert_int_eq(hs_msg1_encode(&m, b, 34, &n), SLINK_ERR_BUFFER);
    m.vs = 0x12;
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_ERR_ARG);
    m.vs = 0x11;  /* version 1 is not spoken any more */
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_ERR_ARG);
    m = sample_msg1(); m.flags = 0x80;
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_ERR_ARG);
    m = sample_msg1(); m.mtu_code = 3;
    ck_assert_int_eq(hs_msg1_encode(&m, b, sizeof b, &n), SLINK_ERR_ARG);
}
END_TEST

static void build_msg2(uint8_t *b, size_t total)
{
    hs_msg2_clear c;
    size_t n = 0;
    c.flags = 0; c.mtu_code = 8;
    memset(c.x, 0x44, sizeof c.x);
    ck_assert_int_eq(hs_msg2_clear_encode(&c, b, total, &n), SLINK_OK);
    ck_assert_uint_eq(n, 34);
    for (size_t i = n; i < total; i++) b[i] = (uint8_t)i;
}

START_TEST(msg2_split_points_at_ciphertext_and_tag)
{
    uint8_t b[HS_MSG2_MIN + 10];
    hs_msg2_clear c;
    const uint8_t *ct = NULL, *tag = NULL;
    size_t ct_len = 0;
    build_msg2(b, sizeof b);
    ck_assert_int_eq(hs_msg2_decode(b, sizeof b, &c, &ct, &ct_len, &tag), SLINK_OK);
    ck_assert_uint_eq(c.mtu_code, 8);
    ck_assert_uint_eq(c.x[0], 0x44);
    ck_assert_uint_eq(c.x[31], 0x44);
    ck_assert_ptr_eq(ct, b + 34);
    ck_assert_uint_eq(ct_len, sizeof b - 34 - 16);
    ck_assert_ptr_eq(tag, b + sizeof b - 16);
}
END_TEST

START_TEST(msg2_length_bounds)
{
    static uint8_t b[HS_MSG2_MAX + 1];
    hs_msg2_clear c;
    const uint8_t *ct, *tag;
    size_t ct_len;
    build_msg2(b, sizeof b);
    ck_assert_uint_eq(HS_MSG2_MIN, 123);   /* reference credential */
    ck_assert_int_eq(hs_msg2_decode(b, HS_MSG2_MIN, &c, &ct, &ct_len, &tag), SLINK_OK);
    ck_assert_int_eq(hs_msg2_decode(b, HS_MSG2_MIN - 1, &c, &ct, &ct_len, &tag),
                     SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_msg2_decode(b, 0, &c, &ct, &ct_len, &tag), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_msg2_decode(b, HS_MSG2_MAX, &c, &ct, &ct_len, &tag), SLINK_OK);
    ck_assert_int_eq(hs_msg2_decode(b, HS_MSG2_MAX + 1, &c, &ct, &ct_len, &tag),
                     SLINK_ERR_HS_MALFORMED);
}
END_TEST

START_TEST(msg2_clear_part_checked)
{
    uint8_t b[HS_MSG2_MIN];
    hs_msg2_clear c;
    const uint8_t *ct, *tag;
    size_t ct_len;
    build_msg2(b, sizeof b);
    b[0] = 0x02;
    ck_assert_int_eq(hs_msg2_decode(b, sizeof b, &c, &ct, &ct_len, &tag), SLINK_ERR_HS_MALFORMED);
    b[0] = 0x01;
    b[1] = 2;
    ck_assert_int_eq(hs_msg2_decode(b, sizeof b, &c, &ct, &ct_len, &tag), SLINK_ERR_HS_MALFORMED);
}
END_TEST

START_TEST(msg3_length_bounds)
{
    static uint8_t b[HS_MSG3_MAX + 1];
    const uint8_t *ct, *tag;
    size_t ct_len;
    ck_assert_uint_eq(HS_MSG3_MIN, 89);
    ck_assert_int_eq(hs_msg3_decode(b, 89, &ct, &ct_len, &tag), SLINK_OK);
    ck_assert_uint_eq(ct_len, 73);
    ck_assert_ptr_eq(tag, b + 73);
    ck_assert_int_eq(hs_msg3_decode(b, 88, &ct, &ct_len, &tag), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_msg3_decode(b, HS_MSG3_MAX, &ct, &ct_len, &tag), SLINK_OK);
    ck_assert_int_eq(hs_msg3_decode(b, HS_MSG3_MAX + 1, &ct, &ct_len, &tag),
                     SLINK_ERR_HS_MALFORMED);
}
END_TEST

static uint8_t SIG[SLINK_SIG_LEN];

START_TEST(plain_reference_round_trip)
{
    hs_cred c, d;
    uint8_t b[128], sig[64];
    size_t n = 0;
    memset(&c, 0, sizeof c);
    memset(SIG, 0x5A, sizeof SIG);
    c.type = SLINK_CRED_REF;
    memcpy(c.ref, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, sizeof b, &n), SLINK_OK);
    ck_assert_uint_eq(n, 73);
    ck_assert_uint_eq(b[0], 0x02);
    ck_assert_int_eq(hs_plain_decode(b, n, &d, sig), SLINK_OK);
    ck_assert_uint_eq(d.type, SLINK_CRED_REF);
    ck_assert_mem_eq(d.ref, c.ref, 8);
    ck_assert_mem_eq(sig, SIG, 64);
}
END_TEST

/* No signature given: the field is zeroed (whatever the buffer held),
 * for the handshake's signer to write in place. */
START_TEST(plain_without_signature_leaves_it_zero)
{
    hs_cred c;
    uint8_t b[128], zero[64];
    size_t n = 0;
    memset(&c, 0, sizeof c);
    memset(b, 0xEE, sizeof b);
    memset(zero, 0, sizeof zero);
    c.type = SLINK_CRED_REF;
    memcpy(c.ref, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    ck_assert_int_eq(hs_plain_encode(&c, NULL, b, sizeof b, &n), SLINK_OK);
    ck_assert_uint_eq(n, 73);
    ck_assert_uint_eq(b[0], 0x02);
    ck_assert_mem_eq(b + 1, c.ref, 8);
    ck_assert_mem_eq(b + 9, zero, 64);
    ck_assert_uint_eq(b[73], 0xEE);
}
END_TEST

START_TEST(plain_full_round_trip_points_into_buffer)
{
    uint8_t der[500], b[600], sig[64];
    hs_cred c, d;
    size_t n = 0;
    for (size_t i = 0; i < sizeof der; i++) der[i] = (uint8_t)(i * 3);
    memset(&c, 0, sizeof c);
    c.type = SLINK_CRED_FULL; c.der = der; c.der_len = sizeof der;
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, sizeof b, &n), SLINK_OK);
    ck_assert_uint_eq(n, 3 + 500 + 64);
    ck_assert_uint_eq(b[0], 0x01);
    ck_assert_uint_eq(b[1], 0x01);  /* 500 = 0x01F4, big-endian */
    ck_assert_uint_eq(b[2], 0xF4);
    ck_assert_int_eq(hs_plain_decode(b, n, &d, sig), SLINK_OK);
    ck_assert_uint_eq(d.type, SLINK_CRED_FULL);
    ck_assert_ptr_eq(d.der, b + 3);
    ck_assert_uint_eq(d.der_len, 500);
    ck_assert_mem_eq(d.der, der, 500);
}
END_TEST

START_TEST(plain_trailing_or_missing_bytes_malformed)
{
    uint8_t der[100], b[200], sig[64];
    hs_cred c, d;
    size_t n = 0;
    memset(der, 0x30, sizeof der);
    memset(&c, 0, sizeof c);
    c.type = SLINK_CRED_FULL; c.der = der; c.der_len = sizeof der;
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, sizeof b, &n), SLINK_OK);
    b[n] = 0;
    ck_assert_int_eq(hs_plain_decode(b, n + 1, &d, sig), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_plain_decode(b, n - 1, &d, sig), SLINK_ERR_HS_MALFORMED);
    c.type = SLINK_CRED_REF;
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, sizeof b, &n), SLINK_OK);
    ck_assert_int_eq(hs_plain_decode(b, n + 1, &d, sig), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_plain_decode(b, n - 1, &d, sig), SLINK_ERR_HS_MALFORMED);
    /* shorter than any plaintext: refused before a byte is read */
    ck_assert_int_eq(hs_plain_decode(b, 0, &d, sig), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_plain_decode(b, HS_PLAIN_MIN - 1, &d, sig), SLINK_ERR_HS_MALFORMED);
}
END_TEST

START_TEST(plain_bad_cred_type_malformed)
{
    uint8_t b[73], sig[64];
    hs_cred d;
    memset(b, 0, sizeof b);
    for (unsigned t = 0; t < 256; t++) {
        if (t == SLINK_CRED_FULL || t == SLINK_CRED_REF) continue;
        b[0] = (uint8_t)t;
        ck_assert_int_eq(hs_plain_decode(b, sizeof b, &d, sig), SLINK_ERR_HS_MALFORMED);
    }
}
END_TEST

START_TEST(plain_der_length_checks)
{
    static uint8_t b[SLINK_CERT_MAX + 200];
    uint8_t sig[64];
    hs_cred d;
    memset(b, 0x30, sizeof b);
    b[0] = SLINK_CRED_FULL;
    /* length 0 */
    slink_put_u16(b + 1, 0);
    ck_assert_int_eq(hs_plain_decode(b, 3 + 64, &d, sig), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_plain_decode(b, 3 + 6 + 64, &d, sig), SLINK_ERR_HS_MALFORMED);
    /* above SLINK_CERT_MAX even though the bytes are there */
    slink_put_u16(b + 1, SLINK_CERT_MAX + 1);
    ck_assert_int_eq(hs_plain_decode(b, 3 + SLINK_CERT_MAX + 1 + 64, &d, sig),
                     SLINK_ERR_HS_MALFORMED);
    /* exactly SLINK_CERT_MAX is fine */
    slink_put_u16(b + 1, SLINK_CERT_MAX);
    ck_assert_int_eq(hs_plain_decode(b, 3 + SLINK_CERT_MAX + 64, &d, sig), SLINK_OK);
    /* beyond the message */
    slink_put_u16(b + 1, 200);
    ck_assert_int_eq(hs_plain_decode(b, 3 + 100 + 64, &d, sig), SLINK_ERR_HS_MALFORMED);
    slink_put_u16(b + 1, 0xFFFF);
    ck_assert_int_eq(hs_plain_decode(b, 3 + 100 + 64, &d, sig), SLINK_ERR_HS_MALFORMED);
}
END_TEST

START_TEST(plain_encoder_refuses_bad_credentials)
{
    static uint8_t der[SLINK_CERT_MAX + 1], b[SLINK_CERT_MAX + 100];
    hs_cred c;
    size_t n = 0;
    memset(&c, 0, sizeof c);
    c.type = 3;
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, sizeof b, &n), SLINK_ERR_ARG);
    c.type = SLINK_CRED_FULL; c.der = der; c.der_len = 0;
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, sizeof b, &n), SLINK_ERR_ARG);
    c.der_len = SLINK_CERT_MAX + 1;
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, sizeof b, &n), SLINK_ERR_ARG);
    c.der_len = 100;
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, 3 + 100 + 63, &n), SLINK_ERR_BUFFER);
    c.type = SLINK_CRED_REF;
    ck_assert_int_eq(hs_plain_encode(&c, SIG, b, 72, &n), SLINK_ERR_BUFFER);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hs_msg");
    TCase *tc = tcase_create("msg1");
    tcase_add_test(tc, msg1_round_trip_is_35_bytes_in_order);
    tcase_add_test(tc, msg1_version_checked_before_length);
    tcase_add_test(tc, msg1_wrong_lengths_malformed);
    tcase_add_test(tc, msg1_unknown_flags_malformed);
    tcase_add_test(tc, msg1_mtu_code_below_4_malformed);
    tcase_add_test(tc, msg1_encoder_refuses_what_decoder_drops);
    suite_add_tcase(s, tc);
    tc = tcase_create("msg2_msg3");
    tcase_add_test(tc, msg2_split_points_at_ciphertext_and_tag);
    tcase_add_test(tc, msg2_length_bounds);
    tcase_add_test(tc, msg2_clear_part_checked);
    tcase_add_test(tc, msg3_length_bounds);
    suite_add_tcase(s, tc);
    tc = tcase_create("plaintext");
    tcase_add_test(tc, plain_reference_round_trip);
    tcase_add_test(tc, plain_without_signature_leaves_it_zero);
    tcase_add_test(tc, plain_full_round_trip_points_into_buffer);
    tcase_add_test(tc, plain_trailing_or_missing_bytes_malformed);
    tcase_add_test(tc, plain_bad_cred_type_malformed);
    tcase_add_test(tc, plain_der_length_checks);
    tcase_add_test(tc, plain_encoder_refuses_bad_credentials);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

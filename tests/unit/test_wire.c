/* Pure wire codecs: the record type byte, ACK, alert, handshake fragment
 * header and big-endian integers.  Known answers with exact bytes, round
 * trips, and every malformed input with its exact error code. */
#include "testutil.h"
#include <string.h>

START_TEST(rec_hdr_type_known_answers)
{
    static const struct { uint8_t ct; uint16_t epoch; uint8_t seq_len; uint8_t type; } t[] = {
        {SLINK_CT_STREAM, 2, 1, 0xCC},
        {SLINK_CT_ACK, 5, 2, 0xA9},          /* epoch 5 -> bits 01 */
        {SLINK_CT_DATAGRAM, 3, 6, 0xF2},
        {SLINK_CT_ALERT, 4, 1, 0x84},        /* epoch 4 -> bits 00 */
        {SLINK_CT_ALERT, 0xFFFF, 6, 0xE6},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint8_t ty = slink_rec_hdr_type(t[i].ct, t[i].epoch, t[i].seq_len);
        ck_assert_msg(ty == t[i].type, "row %zu: 0x%02X want 0x%02X", i, ty, t[i].type);
        slink_rec_hdr h;
        ck_assert_int_eq(slink_rec_hdr_parse(ty, &h), SLINK_OK);
        ck_assert_uint_eq(h.content_type, t[i].ct);
        ck_assert_uint_eq(h.epoch_bits, t[i].epoch & 3u);
        ck_assert_uint_eq(h.seq_len, t[i].seq_len);
    }
}
END_TEST

START_TEST(rec_hdr_parse_rejects_reserved)
{
    static const uint8_t bad[] = {
        0x00, 0x01, 0x7F,          /* record bit clear: plaintext frame types */
        0x80, 0x81, 0x82,          /* content type 0 */
        0x94, 0x98, 0x9C, 0xFC,    /* content types 5, 6, 7 */
        0x87, 0x8B, 0x8F, 0x93, 0xF3, /* seq_len code 3 */
    };
    slink_rec_hdr h;
    for (size_t i = 0; i < sizeof bad; i++)
        ck_assert_msg(slink_rec_hdr_parse(bad[i], &h) == SLINK_ERR_REC_MALFORMED,
                      "type 0x%02X accepted", bad[i]);
    ck_assert_int_eq(slink_rec_hdr_parse(0xCC, NULL), SLINK_ERR_ARG);
}
END_TEST

/* All 256 type bytes: exactly 4 epochs x 4 content types x 3 lengths = 48
 * parse, and each re-encodes to itself. */
START_TEST(rec_hdr_exhaustive)
{
    int ok = 0;
    for (int v = 0; v < 256; v++) {
        slink_rec_hdr h;
        if (slink_rec_hdr_parse((uint8_t)v, &h) != SLINK_OK) continue;
        ok++;
        ck_assert_uint_eq(slink_rec_hdr_type(h.content_type, h.epoch_bits, h.seq_len), (unsigned)v);
    }
    ck_assert_int_eq(ok, 48);
}
END_TEST

START_TEST(rec_hdr_type_bad_seq_len_is_unparseable)
{
    slink_rec_hdr h;
    static const uint8_t lens[] = {0, 3, 4, 5, 7, 255};
    for (size_t i = 0; i < sizeof lens; i++)
        ck_assert_int_eq(slink_rec_hdr_parse(slink_rec_hdr_type(SLINK_CT_STREAM, 2, lens[i]), &h),
                         SLINK_ERR_REC_MALFORMED);
}
END_TEST

START_TEST(ack_known_answer_and_round_trip)
{
    slink_ack a = {.rx_epoch_lo = 0x02, .rx_high = 0x1234, .cum = 0x56, .sack = 0x8001,
                   .wnd = 8, .flags = SLINK_ACK_F_CLOSE};
    static const uint8_t want[8] = {0x02, 0x12, 0x34, 0x56, 0x80, 0x01, 0x08, 0x01};
    uint8_t out[16];
    size_t n = 0;
    ck_assert_int_eq(slink_ack_encode(&a, out, sizeof out, &n), SLINK_OK);
    ck_assert_uint_eq(n, SLINK_ACK_LEN);
    ck_assert_mem_eq(out, want, 8);
    slink_ack b;
    memset(&b, 0xEE, sizeof b);
    ck_assert_int_eq(slink_ack_decode(want, 8, &b), SLINK_OK);
    ck_assert_uint_eq(b.rx_epoch_lo, 0x02);
    ck_assert_uint_eq(b.rx_high, 0x1234);
    ck_assert_uint_eq(b.cum, 0x56);
    ck_assert_uint_eq(b.sack, 0x8001);
    ck_assert_uint_eq(b.wnd, 8);
    ck_assert_uint_eq(b.flags, SLINK_ACK_F_CLOSE);
}
END_TEST

START_TEST(ack_wrong_length_malformed)
{
    uint8_t in[16] = {0};
    slink_ack a;
    for (size_t len = 0; len < sizeof in; len++) {
        if (len == SLINK_ACK_LEN) continue;
        ck_assert_int_eq(slink_ack_decode(in, len, &a), SLINK_ERR_REC_MALFORMED);
    }
    ck_assert_int_eq(slink_ack_decode(in, SLINK_ACK_LEN, &a), SLINK_OK);
}
END_TEST

START_TEST(alert_names)
{
    /* §3.8 / §4.10: the names the receiving side logs */
    ck_assert_str_eq(slink_alert_name(SLINK_ALERT_CLOSE_NOTIFY), "close_notify");
    ck_assert_str_eq(slink_alert_name(40), "handshake_failure");
    ck_assert_str_eq(slink_alert_name(44), "certificate_revoked");
    ck_assert_str_eq(slink_alert_name(48), "unknown_ca");
    ck_assert_str_eq(slink_alert_name(49), "access_denied");
    ck_assert_str_eq(slink_alert_name(70), "protocol_version");
    ck_assert_str_eq(slink_alert_name(100), "no_session");
    ck_assert_str_eq(slink_alert_name(41), "unknown");
}
END_TEST

START_TEST(ack_unknown_flags_rejected)
{
    uint8_t in[8] = {0};
    slink_ack a;
    /* 0x01 close, 0x02 probe (§3.6, §4.9); the rest are reserved */
    for (int f = 4; f < 256; f <<= 1) {
        in[7] = (uint8_t)f;
        ck_assert_int_eq(slink_ack_decode(in, 8, &a), SLINK_ERR_REC_MALFORMED);
    }
    in[7] = SLINK_ACK_F_CLOSE | SLINK_ACK_F_PROBE;
    ck_assert_int_eq(slink_ack_decode(in, 8, &a), SLINK_OK);
    ck_assert_uint_eq(a.flags, 0x03);
    memset(&a, 0, sizeof a);
    a.flags = 0x04;
    uint8_t out[8];
    size_t n;
    ck_assert_int_eq(slink_ack_encode(&a, out, sizeof out, &n), SLINK_ERR_ARG);
}
END_TEST

START_TEST(ack_encode_buffer_and_null)
{
    slink_ack a;
    memset(&a, 0, sizeof a);
    uint8_t out[8];
    size_t n;
    ck_assert_int_eq(slink_ack_encode(&a, out, 7, &n), SLINK_ERR_BUFFER);
    ck_assert_int_eq(slink_ack_encode(NULL, out, 8, &n), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_ack_decode(NULL, 8, &a), SLINK_ERR_ARG);
}
END_TEST

START_TEST(alert_known_answers)
{
    uint8_t out[4];
    size_t n = 0;
    slink_alert f = {.level = SLINK_ALERT_FATAL, .code = SLINK_ALERT_HANDSHAKE_FAILURE};
    ck_assert_int_eq(slink_alert_encode(&f, out, sizeof out, &n), SLINK_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(out[0], 0x02);
    ck_assert_uint_eq(out[1], 0x28);
    slink_alert c = {.level = SLINK_ALERT_WARNING, .code = SLINK_ALERT_CLOSE_NOTIFY,
                     .has_final = 1, .final_chunk = 7};
    ck_assert_int_eq(slink_alert_encode(&c, out, sizeof out, &n), SLINK_OK);
    ck_assert_uint_eq(n, 3);
    static const uint8_t want[3] = {0x01, 0x00, 0x07};
    ck_assert_mem_eq(out, want, 3);
    slink_alert d;
    ck_assert_int_eq(slink_alert_decode(want, 3, &d), SLINK_OK);
    ck_assert_uint_eq(d.level, 1);
    ck_assert_uint_eq(d.code, 0);
    ck_assert_uint_eq(d.has_final, 1);
    ck_assert_uint_eq(d.final_chunk, 7);
    static const uint8_t two[2] = {0x01, 0x00};   /* close_notify without final */
    ck_assert_int_eq(slink_alert_decode(two, 2, &d), SLINK_OK);
    ck_assert_uint_eq(d.has_final, 0);
}
END_TEST

START_TEST(alert_decode_malformed)
{
    slink_alert a;
    static const uint8_t lvl0[2] = {0x00, 0x28}, lvl3[2] = {0x03, 0x28}, lvlff[2] = {0xFF, 0x00};
    ck_assert_int_eq(slink_alert_decode(lvl0, 2, &a), SLINK_ERR_REC_MALFORMED);
    ck_assert_int_eq(slink_alert_decode(lvl3, 2, &a), SLINK_ERR_REC_MALFORMED);
    ck_assert_int_eq(slink_alert_decode(lvlff, 2, &a), SLINK_ERR_REC_MALFORMED);
    static const uint8_t final_on_fatal[3] = {0x02, 0x28, 0x05};
    ck_assert_int_eq(slink_alert_decode(final_on_fatal, 3, &a), SLINK_ERR_REC_MALFORMED);
    static const uint8_t four[4] = {0x01, 0x00, 0x05, 0x00};
    ck_assert_int_eq(slink_alert_decode(four, 0, &a), SLINK_ERR_REC_MALFORMED);
    ck_assert_int_eq(slink_alert_decode(four, 1, &a), SLINK_ERR_REC_MALFORMED);
    ck_assert_int_eq(slink_alert_decode(four, 4, &a), SLINK_ERR_REC_MALFORMED);
}
END_TEST

START_TEST(alert_encode_rejects_bad_input)
{
    uint8_t out[4];
    size_t n;
    slink_alert a = {.level = 3, .code = 40};
    ck_assert_int_eq(slink_alert_encode(&a, out, sizeof out, &n), SLINK_ERR_ARG);
    a.level = 0;
    ck_assert_int_eq(slink_alert_encode(&a, out, sizeof out, &n), SLINK_ERR_ARG);
    slink_alert b = {.level = 2, .code = 40, .has_final = 1, .final_chunk = 1};
    ck_assert_int_eq(slink_alert_encode(&b, out, sizeof out, &n), SLINK_ERR_ARG);
    slink_alert c = {.level = 1, .code = 0, .has_final = 1};
    ck_assert_int_eq(slink_alert_encode(&c, out, 2, &n), SLINK_ERR_BUFFER);
    ck_assert_int_eq(slink_alert_encode(&c, out, 3, &n), SLINK_OK);
}
END_TEST

static slink_err frag(uint16_t off, uint16_t total, size_t data_len, uint16_t *o, uint16_t *t)
{
    static uint8_t buf[SLINK_HS_FRAG_HDR + 2048];
    slink_put_u16(buf, off);
    slink_put_u16(buf + 2, total);
    return slink_frag_hdr_decode(buf, SLINK_HS_FRAG_HDR + data_len, o, t);
}

START_TEST(frag_hdr_valid)
{
    static const uint8_t in[] = {0x01, 0x2C, 0x02, 0x58, 0xAA};  /* off 300 total 600 */
    uint16_t o = 0, t = 0;
    ck_assert_int_eq(slink_frag_hdr_decode(in, sizeof in, &o, &t), SLINK_OK);
    ck_assert_uint_eq(o, 300);
    ck_assert_uint_eq(t, 600);
    ck_assert_int_eq(frag(0, SLINK_HS_MSG_MAX, SLINK_HS_MSG_MAX, &o, &t), SLINK_OK);
    ck_assert_int_eq(frag(SLINK_HS_MSG_MAX - 1, SLINK_HS_MSG_MAX, 1, &o, &t), SLINK_OK);
    ck_assert_int_eq(frag(250, 256, 6, &o, &t), SLINK_OK);
    ck_assert_int_eq(frag(0, 1, 0, &o, &t), SLINK_OK);
}
END_TEST

START_TEST(frag_hdr_malformed)
{
    uint16_t o = 0xAAAA, t = 0xBBBB;
    ck_assert_int_eq(frag(0, 0, 0, &o, &t), SLINK_ERR_HS_MALFORMED);                    /* total 0 */
    ck_assert_int_eq(frag(0, SLINK_HS_MSG_MAX + 1, 1, &o, &t), SLINK_ERR_HS_MALFORMED);  /* too big */
    ck_assert_int_eq(frag(0, 0xFFFF, 1, &o, &t), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(frag(256, 256, 0, &o, &t), SLINK_ERR_HS_MALFORMED);                /* off == total */
    ck_assert_int_eq(frag(300, 256, 0, &o, &t), SLINK_ERR_HS_MALFORMED);                /* off > total */
    ck_assert_int_eq(frag(250, 256, 7, &o, &t), SLINK_ERR_HS_MALFORMED);                /* data overruns */
    ck_assert_uint_eq(o, 0xAAAA);   /* outputs untouched on error */
    ck_assert_uint_eq(t, 0xBBBB);
    static const uint8_t shrt[3] = {0, 0, 1};
    for (size_t len = 0; len < 4; len++)
        ck_assert_int_eq(slink_frag_hdr_decode(shrt, len, &o, &t), SLINK_ERR_HS_MALFORMED);
}
END_TEST

START_TEST(integers_big_endian)
{
    uint8_t b[8];
    memset(b, 0, sizeof b);
    slink_put_u16(b, 0x0102);
    ck_assert_uint_eq(b[0], 0x01);
    ck_assert_uint_eq(b[1], 0x02);
    ck_assert_uint_eq(slink_get_u16(b), 0x0102);
    static const uint8_t ffff[2] = {0xFF, 0xFE};
    ck_assert_uint_eq(slink_get_u16(ffff), 0xFFFE);

    memset(b, 0xEE, sizeof b);
    slink_put_u48(b, 0x010203040506ull);
    static const uint8_t want[8] = {1, 2, 3, 4, 5, 6, 0xEE, 0xEE};
    ck_assert_mem_eq(b, want, 8);                 /* writes exactly 6 bytes */
    ck_assert_uint_eq(slink_get_u48(b), 0x010203040506ull);
    slink_put_u48(b, SLINK_SEQ_MAX);
    ck_assert_uint_eq(slink_get_u48(b), SLINK_SEQ_MAX);
    slink_put_u48(b, 0xABCD000000000001ull);      /* only the low 48 bits travel */
    ck_assert_uint_eq(slink_get_u48(b), 1);
    uint64_t st = 5;
    for (int i = 0; i < 1000; i++) {
        uint64_t v = test_rand(&st) & SLINK_SEQ_MAX;
        slink_put_u48(b, v);
        ck_assert_uint_eq(slink_get_u48(b), v);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wire");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, rec_hdr_type_known_answers);
    tcase_add_test(tc, rec_hdr_parse_rejects_reserved);
    tcase_add_test(tc, rec_hdr_exhaustive);
    tcase_add_test(tc, rec_hdr_type_bad_seq_len_is_unparseable);
    tcase_add_test(tc, ack_known_answer_and_round_trip);
    tcase_add_test(tc, ack_wrong_length_malformed);
    tcase_add_test(tc, ack_unknown_flags_rejected);
    tcase_add_test(tc, alert_names);
    tcase_add_test(tc, ack_encode_buffer_and_null);
    tcase_add_test(tc, alert_known_answers);
    tcase_add_test(tc, alert_decode_malformed);
    tcase_add_test(tc, alert_encode_rejects_bad_input);
    tcase_add_test(tc, frag_hdr_valid);
    tcase_add_test(tc, frag_hdr_malformed);
    tcase_add_test(tc, integers_big_endian);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Frame encoder known answers (docs/PROTOCOL.md, Appendix A) and the deframer:
 * chunking, resynchronisation, every drop reason with its exact code and
 * counter, the inter-byte gap, addressing and monitor mode. */
#include "testutil.h"
#include <string.h>

/* ---- worked vectors: identical bytes are in docs/PROTOCOL.md, Appendix A ---- */
static const uint8_t V1_WIRE[] = {0x06, 0x02, 0x01, 0x20, 0xB5, 0xAF, 0x00};
static const uint8_t V1B_BODY[] = {0x08, 0x2E};   /* POLL granting a 2094-byte turn */
static const uint8_t V1B_WIRE[] = {0x08, 0x02, 0x01, 0x20, 0x08, 0x2E, 0xE9, 0xF8, 0x00};
static const uint8_t V2_BODY[] = {0x11, 0x00, 0x40, 0x00};
static const uint8_t V2_WIRE[] = {0x05, 0x01, 0x02, 0x01, 0x11, 0x02, 0x40, 0x03, 0x08, 0x61, 0x00};
static const uint8_t V3_BODY[] = {0x02, 0x28};
static const uint8_t V3_WIRE[] = {0x08, 0xFF, 0x05, 0x30, 0x02, 0x28, 0xF1, 0x4B, 0x00};
/* HS_REPAIR: msg2 of 461 bytes, granules 2 and 7 missing (§4.7) */
static const uint8_t V5_BODY[] = {0x02, 0x01, 0xCD, 0x84};
static const uint8_t V5_WIRE[] = {0x0A, 0x02, 0x01, 0x18, 0x02, 0x01, 0xCD, 0x84, 0xB9, 0xA6, 0x00};

/* Results of feeding a buffer completely, calling push until it is used up. */
typedef struct {
    slink_err errs[64];
    size_t nerr;
    slink_frame frames[64];
    uint8_t bodies[64][64];
    size_t nframes;
} feed_log;

static void feed(slink_deframer *d, const uint8_t *p, size_t n, uint64_t now, feed_log *lg)
{
    int guard = 0;
    while (n > 0) {
        size_t used = 0;
        slink_frame f;
        slink_err e = slink_deframer_push(d, p, n, now, &used, &f);
        ck_assert_uint_le(used, n);
        ck_assert_uint_gt(used, 0);
        ck_assert_int_lt(++guard, 10000);
        p += used;
        n -= used;
        if (e == SLINK_ERR_NEED_MORE) {
            ck_assert_uint_eq(n, 0);
            break;
        }
        if (e == SLINK_OK) {
            ck_assert_uint_lt(lg->nframes, 64);
            /* the body lives in the decoder: copy before the next push */
            size_t keep = f.body_len < 64 ? f.body_len : 64;
            memcpy(lg->bodies[lg->nframes], f.body, keep);
            lg->frames[lg->nframes++] = f;
        } else {
            ck_assert_uint_lt(lg->nerr, 64);
            lg->errs[lg->nerr++] = e;
        }
    }
}

static size_t enc(uint8_t dst, uint8_t src, uint8_t type, const uint8_t *body, size_t bl,
                  uint8_t *out, size_t cap)
{
    size_t n = 0;
    ck_assert_int_eq(slink_frame_encode(dst, src, type, body, bl, out, cap, &n), SLINK_OK);
    return n;
}

/* A raw (not yet COBS-encoded) frame with a correct CRC, to craft frames the
 * encoder would also produce but with any address. */
static size_t wire_from_raw(const uint8_t *raw, size_t n, uint8_t *out, size_t cap)
{
    size_t m = 0;
    ck_assert_int_eq(slink_cobs_encode(raw, n, out, cap, &m), SLINK_OK);
    out[m] = 0;
    return m + 1;
}

/* ---- encoder ---- */

START_TEST(encode_vector1_poll_empty_body)
{
    uint8_t out[32];
    size_t n = enc(0x02, 0x01, SLINK_FT_POLL, NULL, 0, out, sizeof out);
    ck_assert_uint_eq(n, sizeof V1_WIRE);
    ck_assert_mem_eq(out, V1_WIRE, sizeof V1_WIRE);
}
END_TEST

START_TEST(encode_vector1b_poll_with_budget)
{
    uint8_t out[32];
    size_t n = enc(0x02, 0x01, SLINK_FT_POLL, V1B_BODY, sizeof V1B_BODY, out, sizeof out);
    ck_assert_uint_eq(n, sizeof V1B_WIRE);
    ck_assert_mem_eq(out, V1B_WIRE, sizeof V1B_WIRE);
}
END_TEST

START_TEST(encode_vector2_body_with_zeros)
{
    uint8_t out[32];
    size_t n = enc(0x01, 0x02, SLINK_FT_HS1, V2_BODY, sizeof V2_BODY, out, sizeof out);
    ck_assert_uint_eq(n, sizeof V2_WIRE);
    ck_assert_mem_eq(out, V2_WIRE, sizeof V2_WIRE);
}
END_TEST

START_TEST(encode_vector3_broadcast_plain_alert)
{
    uint8_t out[32];
    size_t n = enc(SLINK_ADDR_BROADCAST, 0x05, SLINK_FT_PLAIN_ALERT, V3_BODY, sizeof V3_BODY,
                   out, sizeof out);
    ck_assert_uint_eq(n, sizeof V3_WIRE);
    ck_assert_mem_eq(out, V3_WIRE, sizeof V3_WIRE);
}
END_TEST

START_TEST(encode_vector5_hs_repair)
{
    uint8_t out[32];
    size_t n = enc(0x02, 0x01, SLINK_FT_HS_REPAIR, V5_BODY, sizeof V5_BODY, out, sizeof out);
    ck_assert_uint_eq(SLINK_FT_HS_REPAIR, 0x18);
    ck_assert_uint_eq(n, sizeof V5_WIRE);
    ck_assert_mem_eq(out, V5_WIRE, sizeof V5_WIRE);
}
END_TEST

/* 100-byte body 01..64 in a record frame: 7 bytes of framing overhead. */
START_TEST(encode_vector4_100_byte_body)
{
    uint8_t body[100], out[200], want[107];
    for (int i = 0; i < 100; i++) body[i] = (uint8_t)(i + 1);
    want[0] = 0x6A; want[1] = 0x02; want[2] = 0x01; want[3] = 0x8C;
    memcpy(want + 4, body, 100);
    want[104] = 0x88; want[105] = 0xAC; want[106] = 0x00;
    size_t n = enc(0x02, 0x01, 0x8C, body, sizeof body, out, sizeof out);
    ck_assert_uint_eq(n, 107);
    ck_assert_uint_eq(n - sizeof body, 7);
    ck_assert_mem_eq(out, want, sizeof want);
}
END_TEST

/* Overhead is 7 bytes for every body up to 249 bytes, whatever its content. */
START_TEST(encode_overhead_is_7_up_to_249)
{
    static uint8_t body[260], out[300];
    uint64_t st = 3;
    for (size_t bl = 0; bl <= 249; bl++) {
        for (size_t i = 0; i < bl; i++) body[i] = (uint8_t)test_rand(&st);
        ck_assert_uint_eq(enc(0x02, 0x01, 0x01, body, bl, out, sizeof out), bl + 7);
    }
}
END_TEST

START_TEST(encode_rejects_oversized_body)
{
    static uint8_t body[SLINK_MAX_FRAME_BODY + 1], out[SLINK_WIRE_FRAME_MAX + 16];
    size_t n = 0;
    ck_assert_int_eq(slink_frame_encode(2, 1, 1, body, SLINK_MAX_FRAME_BODY + 1, out, sizeof out, &n),
                     SLINK_ERR_TOO_BIG);
    memset(body, 0xAB, sizeof body);
    ck_assert_int_eq(slink_frame_encode(2, 1, 1, body, SLINK_MAX_FRAME_BODY, out, sizeof out, &n),
                     SLINK_OK);
    ck_assert_uint_le(n, SLINK_WIRE_FRAME_MAX);
}
END_TEST

START_TEST(encode_rejects_small_buffer_and_null)
{
    uint8_t out[32];
    size_t n = 0;
    /* documented need: SLINK_COBS_MAX(4 + 5) + 1 = 11 for a 4-byte body */
    ck_assert_int_eq(slink_frame_encode(1, 2, 1, V2_BODY, 4, out, 10, &n), SLINK_ERR_BUFFER);
    ck_assert_int_eq(slink_frame_encode(1, 2, 1, V2_BODY, 4, out, 11, &n), SLINK_OK);
    ck_assert_int_eq(slink_frame_encode(1, 2, 1, NULL, 4, out, sizeof out, &n), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_frame_encode(1, 2, 1, V2_BODY, 4, NULL, sizeof out, &n), SLINK_ERR_ARG);
}
END_TEST

/* ---- deframer: delivery ---- */

START_TEST(decode_vectors_byte_at_a_time)
{
    slink_deframer d;
    slink_deframer_init(&d, 0x02, 0);
    static feed_log lg;
    memset(&lg, 0, sizeof lg);
    for (size_t i = 0; i < sizeof V1_WIRE; i++)
        feed(&d, V1_WIRE + i, 1, 0, &lg);
    slink_deframer_init(&d, 0x01, 0);
    for (size_t i = 0; i < sizeof V2_WIRE; i++)
        feed(&d, V2_WIRE + i, 1, 0, &lg);
    ck_assert_uint_eq(lg.nerr, 0);
    ck_assert_uint_eq(lg.nframes, 2);
    ck_assert_uint_eq(lg.frames[0].dst, 0x02);
    ck_assert_uint_eq(lg.frames[0].src, 0x01);
    ck_assert_uint_eq(lg.frames[0].type, SLINK_FT_POLL);
    ck_assert_uint_eq(lg.frames[0].body_len, 0);
    ck_assert_uint_eq(lg.frames[1].type, SLINK_FT_HS1);
    ck_assert_uint_eq(lg.frames[1].body_len, sizeof V2_BODY);
    ck_assert_mem_eq(lg.bodies[1], V2_BODY, sizeof V2_BODY);
    ck_assert_uint_eq(d.stats.frames_ok, 1);
    ck_assert_uint_eq(d.stats.bytes_in, sizeof V2_WIRE);
}
END_TEST

START_TEST(push_returns_after_each_frame)
{
    uint8_t buf[64];
    memcpy(buf, V2_WIRE, sizeof V2_WIRE);
    memcpy(buf + sizeof V2_WIRE, V2_WIRE, sizeof V2_WIRE);
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 0);
    size_t used = 0;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(&d, buf, 2 * sizeof V2_WIRE, 0, &used, &f), SLINK_OK);
    ck_assert_uint_eq(used, sizeof V2_WIRE);
    /* no copy: the body is the decoder's buffer, after dst src type */
    ck_assert_ptr_eq(f.body, (const uint8_t *)d.buf + SLINK_FRAME_HDR);
    ck_assert_int_eq(slink_deframer_push(&d, buf + used, sizeof V2_WIRE, 0, &used, &f), SLINK_OK);
    ck_assert_uint_eq(used, sizeof V2_WIRE);
    ck_assert_int_eq(slink_deframer_push(&d, buf, 3, 0, &used, &f), SLINK_ERR_NEED_MORE);
    ck_assert_uint_eq(used, 3);
    ck_assert_int_eq(slink_deframer_push(&d, buf, 0, 0, &used, &f), SLINK_ERR_NEED_MORE);
    ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(many_frames_in_one_buffer_random_chunks)
{
    static uint8_t line[20000], body[200];
    static uint8_t want[40][200];
    size_t wlen[40];
    uint64_t st = 11;
    size_t n = 0;
    for (int i = 0; i < 40; i++) {
        wlen[i] = (size_t)(test_rand(&st) % 200);
        for (size_t j = 0; j < wlen[i]; j++) body[j] = (uint8_t)test_rand(&st);
        memcpy(want[i], body, wlen[i]);
        n += enc(i % 2 ? 0x07 : SLINK_ADDR_BROADCAST, 0x03, (uint8_t)i, body, wlen[i],
                 line + n, sizeof line - n);
    }
    slink_deframer d;
    slink_deframer_init(&d, 0x07, 50);
    size_t pos = 0;
    int got = 0;
    while (pos < n) {
        size_t chunk = 1 + (size_t)(test_rand(&st) % 300);
        if (chunk > n - pos) chunk = n - pos;
        size_t off = 0;
        while (off < chunk) {
            size_t used = 0;
            slink_frame f;
            slink_err e = slink_deframer_push(&d, line + pos + off, chunk - off, 5, &used, &f);
            off += used;
            if (e == SLINK_ERR_NEED_MORE) break;
            ck_assert_int_eq(e, SLINK_OK);
            ck_assert_int_lt(got, 40);
            ck_assert_uint_eq(f.type, (unsigned)got);
            ck_assert_uint_eq(f.body_len, wlen[got]);
            if (f.body_len) ck_assert_mem_eq(f.body, want[got], f.body_len);
            got++;
        }
        pos += chunk;
    }
    ck_assert_int_eq(got, 40);
    ck_assert_uint_eq(d.stats.frames_ok, 40);
    ck_assert_uint_eq(d.stats.bytes_in, n);
}
END_TEST

START_TEST(empty_frames_ignored_not_counted)
{
    uint8_t buf[32] = {0, 0, 0};
    memcpy(buf + 3, V1_WIRE, sizeof V1_WIRE);
    buf[3 + sizeof V1_WIRE] = 0;
    static feed_log lg;
    memset(&lg, 0, sizeof lg);
    slink_deframer d;
    slink_deframer_init(&d, 0x02, 0);
    feed(&d, buf, 4 + sizeof V1_WIRE, 0, &lg);
    ck_assert_uint_eq(lg.nframes, 1);
    ck_assert_uint_eq(lg.nerr, 0);
    slink_frame_stats z;
    memset(&z, 0, sizeof z);
    z.frames_ok = 1;
    z.bytes_in = (uint32_t)(4 + sizeof V1_WIRE);
    ck_assert_mem_eq(&d.stats, &z, sizeof z);
}
END_TEST

/* ---- deframer: every drop reason ---- */

static slink_err one_drop(uint8_t own, const uint8_t *wire, size_t n, slink_deframer *d)
{
    slink_deframer_init(d, own, 0);
    size_t used = 0;
    slink_frame f;
    slink_err e = slink_deframer_push(d, wire, n, 0, &used, &f);
    ck_assert_uint_eq(used, n);
    return e;
}

START_TEST(drop_cobs_invalid)
{
    static const uint8_t w[] = {0x05, 0x01, 0x02, 0x00};  /* block claims 4, has 2 */
    slink_deframer d;
    ck_assert_int_eq(one_drop(0x01, w, sizeof w, &d), SLINK_ERR_FRAME_COBS);
    ck_assert_uint_eq(d.stats.cobs, 1);
    ck_assert_uint_eq(d.stats.frames_ok, 0);
}
END_TEST

/* The deframer decodes COBS as the bytes arrive; slink_cobs_decode is the
 * reference.  Random delimiter-free segments (biased to the block
 * boundaries: 0x01, 0xFF, runs of 254 and more), pushed byte by byte in
 * monitor mode: COBS dropped exactly when slink_cobs_decode refuses, and
 * otherwise the same decoded bytes (the CRC, fixed up in half the cases,
 * lets them through as a frame). */
START_TEST(cobs_as_bytes_arrive_matches_cobs_decode)
{
    static uint8_t seg[SLINK_COBS_MAX(SLINK_FRAME_MAX)], dec[sizeof seg], raw[SLINK_FRAME_MAX];
    static slink_deframer d;
    uint32_t x = 0x2545F491u;
    unsigned cobs_bad = 0, delivered = 0;

    for (int round = 0; round < 800; round++) {
        size_t n, m = 0, used = 0;
        slink_frame f;
        slink_err e = SLINK_ERR_NEED_MORE, want;
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        if (x % 2u == 0u) {
            /* a valid encoding of random raw bytes, perhaps cut or altered */
            size_t rl = SLINK_FRAME_MIN + (x >> 8) % (SLINK_FRAME_MAX - SLINK_FRAME_MIN + 1u);
            for (size_t i = 0; i < rl; i++) {
                x ^= x << 13; x ^= x >> 17; x ^= x << 5;
                raw[i] = (x % 5u == 0u) ? 0 : (uint8_t)(x >> 8);
            }
            raw[1] = 0x02;   /* a unicast source */
            slink_put_u16(raw + rl - 2u, slink_crc16(raw, rl - 2u));
            ck_assert_int_eq(slink_cobs_encode(raw, rl, seg, sizeof seg, &n), SLINK_OK);
            if ((x >> 4) % 4u == 0u) n -= 1u + (x >> 12) % n;
        } else {
            n = 1u + (x >> 8) % sizeof seg;
            for (size_t i = 0; i < n; i++) {
                x ^= x << 13; x ^= x >> 17; x ^= x << 5;
                seg[i] = (x % 4u == 0u) ? 0xFFu : (x % 4u == 1u) ? (uint8_t)(1u + (x >> 8) % 6u)
                                                                 : (uint8_t)(1u + (x >> 8) % 255u);
            }
        }
        if (n == 0)
            continue;
        want = slink_cobs_decode(seg, n, dec, sizeof dec, &m);
        ck_assert(want == SLINK_OK || want == SLINK_ERR_FRAME_COBS);
        slink_deframer_init(&d, SLINK_ADDR_NONE, 0);
        for (size_t i = 0; i <= n; i++) {
            uint8_t b = i < n ? seg[i] : 0x00;
            e = slink_deframer_push(&d, &b, 1, 0, &used, &f);
            T_REQUIRE(used == 1, "round %d byte %zu: used %zu", round, i, used);
            T_REQUIRE(i == n || e == SLINK_ERR_NEED_MORE, "round %d byte %zu: %d before the delimiter",
                      round, i, (int)e);
        }
        if (want != SLINK_OK) {
            ck_assert_int_eq(e, SLINK_ERR_FRAME_COBS);
            cobs_bad++;
            continue;
        }
        ck_assert_int_ne(e, SLINK_ERR_FRAME_COBS);
        /* what the reference's bytes say must happen to them */
        if (m >= SLINK_FRAME_MIN && m <= SLINK_FRAME_MAX && slink_addr_is_unicast(dec[1]) &&
            slink_crc16(dec, m - 2u) == slink_get_u16(dec + m - 2u))
            ck_assert_int_eq(e, SLINK_OK);
        else
            ck_assert_int_ne(e, SLINK_OK);
        if (e == SLINK_OK) {
            ck_assert_uint_eq(m, SLINK_FRAME_HDR + f.body_len + SLINK_FRAME_CRC);
            ck_assert(f.dst == dec[0] && f.src == dec[1] && f.type == dec[2]);
            ck_assert_mem_eq(f.body, dec + SLINK_FRAME_HDR, f.body_len);
            delivered++;
        }
    }
    /* both verdicts were exercised many times */
    ck_assert_uint_gt(cobs_bad, 100);
    ck_assert_uint_gt(delivered, 100);
}
END_TEST

START_TEST(drop_runt)
{
    /* 4 decoded bytes: dst src type and one CRC byte */
    static const uint8_t raw[] = {0x01, 0x02, 0x20, 0x55};
    uint8_t w[16];
    size_t n = wire_from_raw(raw, sizeof raw, w, sizeof w);
    slink_deframer d;
    ck_assert_int_eq(one_drop(0x01, w, n, &d), SLINK_ERR_FRAME_RUNT);
    ck_assert_uint_eq(d.stats.runt, 1);
    static const uint8_t one[] = {0x01, 0x00};  /* decodes to nothing at all */
    ck_assert_int_eq(one_drop(0x01, one, sizeof one, &d), SLINK_ERR_FRAME_RUNT);
    ck_assert_uint_eq(d.stats.runt, 1);
}
END_TEST

START_TEST(drop_crc_any_single_bit_flip)
{
    slink_deframer d;
    uint8_t w[sizeof V3_WIRE];
    /* flip each bit of every non-delimiter byte that keeps it non-zero */
    for (size_t i = 0; i + 1 < sizeof V3_WIRE; i++) {
        for (int b = 0; b < 8; b++) {
            memcpy(w, V3_WIRE, sizeof w);
            w[i] ^= (uint8_t)(1u << b);
            if (w[i] == 0) continue;
            slink_err e = one_drop(0x05 + 1, w, sizeof w, &d);
            /* flipping the code byte breaks COBS or the length instead */
            if (i == 0)
                ck_assert(e == SLINK_ERR_FRAME_COBS || e == SLINK_ERR_FRAME_RUNT ||
                          e == SLINK_ERR_FRAME_CRC);
            else
                ck_assert_int_eq(e, SLINK_ERR_FRAME_CRC);
        }
    }
    memcpy(w, V3_WIRE, sizeof w);
    w[4] ^= 0x01;
    ck_assert_int_eq(one_drop(0x06, w, sizeof w, &d), SLINK_ERR_FRAME_CRC);
    ck_assert_uint_eq(d.stats.crc, 1);
    ck_assert_uint_eq(d.stats.frames_ok, 0);
}
END_TEST

static slink_err addr_case(uint8_t own, uint8_t dst, uint8_t src, slink_deframer *d)
{
    uint8_t w[32];
    size_t n = enc(dst, src, 0x01, V3_BODY, sizeof V3_BODY, w, sizeof w);
    return one_drop(own, w, n, d);
}

START_TEST(drop_bad_source_address)
{
    static const uint8_t bad_src[] = {0x00, 0xF0, 0xF7, 0xFE, 0xFF};
    slink_deframer d;
    for (size_t i = 0; i < sizeof bad_src; i++) {
        ck_assert_int_eq(addr_case(0x01, 0x01, bad_src[i], &d), SLINK_ERR_FRAME_ADDR);
        ck_assert_uint_eq(d.stats.bad_addr, 1);
        /* monitor mode does not excuse a bad source */
        ck_assert_int_eq(addr_case(SLINK_ADDR_NONE, 0x01, bad_src[i], &d), SLINK_ERR_FRAME_ADDR);
    }
    ck_assert_int_eq(addr_case(0x01, 0x01, 0xEF, &d), SLINK_OK);
    ck_assert_int_eq(addr_case(0xEF, 0xEF, 0x01, &d), SLINK_OK);
}
END_TEST

START_TEST(drop_reserved_destination)
{
    static const uint8_t bad_dst[] = {0x00, 0xF0, 0xF5, 0xFE};
    slink_deframer d;
    for (size_t i = 0; i < sizeof bad_dst; i++) {
        ck_assert_int_eq(addr_case(0x01, bad_dst[i], 0x02, &d), SLINK_ERR_FRAME_ADDR);
        ck_assert_uint_eq(d.stats.bad_addr, 1);
        ck_assert_uint_eq(d.stats.not_for_us, 0);
    }
}
END_TEST

START_TEST(drop_not_for_us_and_accept_broadcast)
{
    slink_deframer d;
    ck_assert_int_eq(addr_case(0x01, 0x03, 0x02, &d), SLINK_ERR_FRAME_NOT_FOR_US);
    ck_assert_uint_eq(d.stats.not_for_us, 1);
    ck_assert_uint_eq(d.stats.frames_ok, 0);
    ck_assert_int_eq(addr_case(0x01, SLINK_ADDR_BROADCAST, 0x02, &d), SLINK_OK);
    ck_assert_uint_eq(d.stats.frames_ok, 1);
    ck_assert_int_eq(addr_case(0x01, 0x01, 0x02, &d), SLINK_OK);
}
END_TEST

START_TEST(monitor_mode_accepts_every_destination)
{
    static const uint8_t dsts[] = {0x00, 0x01, 0x42, 0xEF, 0xF0, 0xFE, 0xFF};
    slink_deframer d;
    for (size_t i = 0; i < sizeof dsts; i++) {
        uint8_t w[32];
        size_t n = enc(dsts[i], 0x09, 0x21, NULL, 0, w, sizeof w);
        slink_deframer_init(&d, SLINK_ADDR_NONE, 0);
        size_t used = 0;
        slink_frame f;
        ck_assert_int_eq(slink_deframer_push(&d, w, n, 0, &used, &f), SLINK_OK);
        ck_assert_uint_eq(f.dst, dsts[i]);
        ck_assert_uint_eq(f.src, 0x09);
    }
}
END_TEST

/* Encoded frame longer than the buffer: one OVERSIZE, then silence until the
 * delimiter, then the next frame arrives intact. */
START_TEST(oversize_counted_once_then_resync)
{
    static uint8_t line[3000];
    memset(line, 0x41, 2000);
    line[2000] = 0x00;
    memcpy(line + 2001, V2_WIRE, sizeof V2_WIRE);
    size_t total = 2001 + sizeof V2_WIRE;
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 0);
    size_t used = 0;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(&d, line, total, 0, &used, &f), SLINK_ERR_FRAME_OVERSIZE);
    ck_assert_uint_eq(used, sizeof d.buf + 1);
    size_t rest = total - used;
    size_t used2 = 0;
    ck_assert_int_eq(slink_deframer_push(&d, line + used, rest, 0, &used2, &f), SLINK_OK);
    ck_assert_uint_eq(used2, rest);
    ck_assert_uint_eq(f.body_len, sizeof V2_BODY);
    ck_assert_uint_eq(d.stats.oversize, 1);
    ck_assert_uint_eq(d.stats.frames_ok, 1);
    ck_assert_uint_eq(d.stats.bytes_in, total);
}
END_TEST

/* Fits the encoded buffer but decodes to more than SLINK_FRAME_MAX bytes. */
START_TEST(oversize_after_decode)
{
    static uint8_t raw[SLINK_FRAME_MAX + 1], w[SLINK_FRAME_MAX + 64];
    memset(raw, 0, sizeof raw);          /* all zeros: encoded = raw + 1 */
    raw[0] = 0x01; raw[1] = 0x02;
    size_t n = wire_from_raw(raw, sizeof raw, w, sizeof w);
    slink_deframer d;
    ck_assert_uint_le(n - 1, sizeof d.buf);
    ck_assert_int_eq(one_drop(0x01, w, n, &d), SLINK_ERR_FRAME_OVERSIZE);
    ck_assert_uint_eq(d.stats.oversize, 1);
}
END_TEST

/* Largest legal frame passes. */
START_TEST(max_body_frame_delivered)
{
    static uint8_t body[SLINK_MAX_FRAME_BODY], w[SLINK_WIRE_FRAME_MAX];
    memset(body, 0xC3, sizeof body);
    size_t n = enc(0x01, 0x02, 0x84, body, sizeof body, w, sizeof w);
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 0);
    size_t used = 0;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(&d, w, n, 0, &used, &f), SLINK_OK);
    ck_assert_uint_eq(f.body_len, SLINK_MAX_FRAME_BODY);
    ck_assert_mem_eq(f.body, body, sizeof body);
}
END_TEST

START_TEST(garbage_before_and_between_frames)
{
    static uint8_t line[512];
    size_t n = 0;
    static const uint8_t junk1[] = {0x13, 0x37, 0xFF, 0x00};      /* stray bytes + delimiter */
    static const uint8_t junk2[] = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0x00};
    memcpy(line + n, junk1, sizeof junk1); n += sizeof junk1;
    memcpy(line + n, V2_WIRE, sizeof V2_WIRE); n += sizeof V2_WIRE;
    memcpy(line + n, junk2, sizeof junk2); n += sizeof junk2;
    memcpy(line + n, V2_WIRE, sizeof V2_WIRE); n += sizeof V2_WIRE;
    static feed_log lg;
    memset(&lg, 0, sizeof lg);
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 0);
    feed(&d, line, n, 0, &lg);
    ck_assert_uint_eq(lg.nframes, 2);
    ck_assert_uint_eq(lg.nerr, 2);
    ck_assert_int_eq(lg.errs[0], SLINK_ERR_FRAME_COBS);  /* 0x13 claims 18 bytes */
    ck_assert_int_eq(lg.errs[1], SLINK_ERR_FRAME_COBS);  /* 0xAA claims 169 */
    ck_assert_uint_eq(d.stats.cobs, 2);
    ck_assert_uint_eq(d.stats.frames_ok, 2);
}
END_TEST

/* Noise inside one frame costs that frame only. */
START_TEST(resync_after_corrupted_frame)
{
    uint8_t line[64];
    size_t n = 0;
    memcpy(line + n, V2_WIRE, sizeof V2_WIRE);
    line[4] ^= 0x40;                       /* corrupt a body byte of the first copy */
    n += sizeof V2_WIRE;
    memcpy(line + n, V2_WIRE, sizeof V2_WIRE); n += sizeof V2_WIRE;
    static feed_log lg;
    memset(&lg, 0, sizeof lg);
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 0);
    feed(&d, line, n, 0, &lg);
    ck_assert_uint_eq(lg.nerr, 1);
    ck_assert_int_eq(lg.errs[0], SLINK_ERR_FRAME_CRC);
    ck_assert_uint_eq(lg.nframes, 1);
    ck_assert_mem_eq(lg.bodies[0], V2_BODY, sizeof V2_BODY);
}
END_TEST

/* A lost delimiter merges two frames: both are lost, the third arrives. */
START_TEST(resync_after_lost_delimiter)
{
    uint8_t line[64];
    size_t n = 0;
    memcpy(line + n, V2_WIRE, sizeof V2_WIRE - 1); n += sizeof V2_WIRE - 1;
    memcpy(line + n, V2_WIRE, sizeof V2_WIRE); n += sizeof V2_WIRE;
    memcpy(line + n, V2_WIRE, sizeof V2_WIRE); n += sizeof V2_WIRE;
    static feed_log lg;
    memset(&lg, 0, sizeof lg);
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 0);
    feed(&d, line, n, 0, &lg);
    ck_assert_uint_eq(lg.nerr, 1);
    ck_assert_int_eq(lg.errs[0], SLINK_ERR_FRAME_CRC);
    ck_assert_uint_eq(lg.nframes, 1);
}
END_TEST

/* ---- inter-byte gap ---- */

START_TEST(gap_timeout_via_tick)
{
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 10);
    size_t used = 0;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE, 5, 1000, &used, &f), SLINK_ERR_NEED_MORE);
    ck_assert_int_eq(slink_deframer_tick(&d, 1010), SLINK_OK);          /* exactly the gap */
    ck_assert_uint_eq(d.len, 5);
    ck_assert_int_eq(slink_deframer_tick(&d, 1011), SLINK_ERR_FRAME_TIMEOUT);
    ck_assert_uint_eq(d.stats.timeout, 1);
    ck_assert_uint_eq(d.len, 0);
    ck_assert_int_eq(slink_deframer_tick(&d, 5000), SLINK_OK);          /* nothing pending */
    ck_assert_uint_eq(d.stats.timeout, 1);
    /* the next whole frame is delivered */
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE, sizeof V2_WIRE, 5000, &used, &f), SLINK_OK);
}
END_TEST

START_TEST(gap_timeout_via_push)
{
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 10);
    size_t used = 99;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE, 5, 1000, &used, &f), SLINK_ERR_NEED_MORE);
    /* bytes after a long silence: the stale half frame is dropped and
     * reported with the first new byte, which starts the next frame */
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE, sizeof V2_WIRE, 1011, &used, &f),
                     SLINK_ERR_FRAME_TIMEOUT);
    ck_assert_uint_eq(used, 1);
    ck_assert_uint_eq(d.stats.timeout, 1);
    ck_assert_uint_eq(d.len, 1);
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE + 1, sizeof V2_WIRE - 1, 1011, &used, &f),
                     SLINK_OK);
    ck_assert_uint_eq(used, sizeof V2_WIRE - 1);
    ck_assert_mem_eq(f.body, V2_BODY, sizeof V2_BODY);
    ck_assert_uint_eq(d.stats.bytes_in, 5 + sizeof V2_WIRE);
}
END_TEST

/* A caller that stops at the first call consuming nothing must still see
 * every frame: push never returns without progress when given input. */
START_TEST(push_always_makes_progress)
{
    uint8_t line[64];
    memcpy(line, V2_WIRE, 5);
    memcpy(line + 5, V2_WIRE, sizeof V2_WIRE);
    static const uint8_t lead0[] = {0x00};
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 10);
    size_t used = 0;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(&d, line, 5, 0, &used, &f), SLINK_ERR_NEED_MORE);
    /* timeout reported on a leading delimiter too, which is then consumed */
    ck_assert_int_eq(slink_deframer_push(&d, lead0, 1, 50, &used, &f), SLINK_ERR_FRAME_TIMEOUT);
    ck_assert_uint_eq(used, 1);
    ck_assert_uint_eq(d.len, 0);
    static feed_log lg;
    memset(&lg, 0, sizeof lg);
    feed(&d, line, 5, 100, &lg);
    feed(&d, line + 5, sizeof V2_WIRE, 200, &lg);  /* first 5 bytes went stale */
    ck_assert_uint_eq(lg.nerr, 1);
    ck_assert_int_eq(lg.errs[0], SLINK_ERR_FRAME_TIMEOUT);
    ck_assert_uint_eq(lg.nframes, 1);
    ck_assert_uint_eq(d.stats.timeout, 2);
}
END_TEST

START_TEST(gap_measured_from_last_byte)
{
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 10);
    size_t used = 0;
    slink_frame f;
    /* a slow trickle never exceeds the gap between bytes */
    for (size_t i = 0; i + 1 < sizeof V2_WIRE; i++)
        ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE + i, 1, 100 + 10 * i, &used, &f),
                         SLINK_ERR_NEED_MORE);
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE + sizeof V2_WIRE - 1, 1,
                                         100 + 10 * (sizeof V2_WIRE - 1), &used, &f), SLINK_OK);
    ck_assert_uint_eq(d.stats.timeout, 0);
}
END_TEST

START_TEST(gap_zero_never_times_out_and_clock_step_back)
{
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 0);
    size_t used = 0;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE, 5, 0, &used, &f), SLINK_ERR_NEED_MORE);
    ck_assert_int_eq(slink_deframer_tick(&d, UINT64_MAX), SLINK_OK);
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE + 5, sizeof V2_WIRE - 5, UINT64_MAX, &used, &f),
                     SLINK_OK);
    slink_deframer_init(&d, 0x01, 10);
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE, 5, 1000, &used, &f), SLINK_ERR_NEED_MORE);
    ck_assert_int_eq(slink_deframer_tick(&d, 10), SLINK_OK);   /* earlier than last byte */
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE + 5, sizeof V2_WIRE - 5, 10, &used, &f),
                     SLINK_OK);
}
END_TEST

/* A gap also ends the discarding of an oversized frame (already counted). */
START_TEST(gap_ends_oversize_discard_silently)
{
    static uint8_t junk[1200];
    memset(junk, 0x41, sizeof junk);
    slink_deframer d;
    slink_deframer_init(&d, 0x01, 10);
    size_t used = 0, off = 0;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(&d, junk, sizeof junk, 0, &used, &f), SLINK_ERR_FRAME_OVERSIZE);
    off = used;
    ck_assert_int_eq(slink_deframer_push(&d, junk + off, sizeof junk - off, 0, &used, &f),
                     SLINK_ERR_NEED_MORE);
    ck_assert_int_eq(slink_deframer_tick(&d, 100), SLINK_OK);
    ck_assert_uint_eq(d.discarding, 0);
    ck_assert_int_eq(slink_deframer_push(&d, V2_WIRE, sizeof V2_WIRE, 100, &used, &f), SLINK_OK);
    ck_assert_uint_eq(d.stats.oversize, 1);
    ck_assert_uint_eq(d.stats.timeout, 0);
}
END_TEST

START_TEST(gap_ms_for_baud_table)
{
    static const struct { uint32_t baud, ms; } t[] = {
        {0, 100}, {300, 100}, {400, 100}, {401, 100}, {1200, 34}, {3999, 11}, {4000, 10},
        {4001, 10}, {9600, 5}, {19200, 3}, {20000, 2}, {38400, 2}, {115200, 2},
        {1000000, 2}, {UINT32_MAX, 2},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        ck_assert_msg(slink_gap_ms_for_baud(t[i].baud) == t[i].ms, "baud %u: got %u want %u",
                      t[i].baud, slink_gap_ms_for_baud(t[i].baud), t[i].ms);
}
END_TEST

START_TEST(null_arguments)
{
    slink_deframer d;
    slink_deframer_init(&d, 1, 0);
    size_t used;
    slink_frame f;
    ck_assert_int_eq(slink_deframer_push(NULL, V1_WIRE, 1, 0, &used, &f), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_deframer_push(&d, NULL, 1, 0, &used, &f), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_deframer_push(&d, V1_WIRE, 1, 0, NULL, &f), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_deframer_push(&d, V1_WIRE, 1, 0, &used, NULL), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_deframer_tick(NULL, 0), SLINK_ERR_ARG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("frame");
    TCase *te = tcase_create("encode");
    tcase_add_test(te, encode_vector1_poll_empty_body);
    tcase_add_test(te, encode_vector1b_poll_with_budget);
    tcase_add_test(te, encode_vector2_body_with_zeros);
    tcase_add_test(te, encode_vector3_broadcast_plain_alert);
    tcase_add_test(te, encode_vector5_hs_repair);
    tcase_add_test(te, encode_vector4_100_byte_body);
    tcase_add_test(te, encode_overhead_is_7_up_to_249);
    tcase_add_test(te, encode_rejects_oversized_body);
    tcase_add_test(te, encode_rejects_small_buffer_and_null);
    suite_add_tcase(s, te);
    TCase *td = tcase_create("deframe");
    tcase_add_test(td, decode_vectors_byte_at_a_time);
    tcase_add_test(td, push_returns_after_each_frame);
    tcase_add_test(td, many_frames_in_one_buffer_random_chunks);
    tcase_add_test(td, empty_frames_ignored_not_counted);
    tcase_add_test(td, max_body_frame_delivered);
    tcase_add_test(td, null_arguments);
    suite_add_tcase(s, td);
    TCase *tx = tcase_create("drops");
    tcase_add_test(tx, drop_cobs_invalid);
    tcase_add_test(tx, cobs_as_bytes_arrive_matches_cobs_decode);
    tcase_add_test(tx, drop_runt);
    tcase_add_test(tx, drop_crc_any_single_bit_flip);
    tcase_add_test(tx, drop_bad_source_address);
    tcase_add_test(tx, drop_reserved_destination);
    tcase_add_test(tx, drop_not_for_us_and_accept_broadcast);
    tcase_add_test(tx, monitor_mode_accepts_every_destination);
    tcase_add_test(tx, oversize_counted_once_then_resync);
    tcase_add_test(tx, oversize_after_decode);
    tcase_add_test(tx, garbage_before_and_between_frames);
    tcase_add_test(tx, resync_after_corrupted_frame);
    tcase_add_test(tx, resync_after_lost_delimiter);
    suite_add_tcase(s, tx);
    TCase *tg = tcase_create("gap");
    tcase_add_test(tg, gap_timeout_via_tick);
    tcase_add_test(tg, gap_timeout_via_push);
    tcase_add_test(tg, push_always_makes_progress);
    tcase_add_test(tg, gap_measured_from_last_byte);
    tcase_add_test(tg, gap_zero_never_times_out_and_clock_step_back);
    tcase_add_test(tg, gap_ends_oversize_discard_silently);
    tcase_add_test(tg, gap_ms_for_baud_table);
    suite_add_tcase(s, tg);
    return run_suite(s);
}

/* libFuzzer target for the frame layer.  Input: own_addr(1) gap_ms(1)
 * seed(2) then the line bytes.  The bytes go through a deframer in
 * pseudo-random chunks with a clock that advances by pseudo-random steps
 * (sometimes past the gap, sometimes backwards through a tick).  Checked:
 * every delivered frame obeys the address rules and re-encodes to wire
 * bytes that decode to the identical frame; the drop counters match the
 * codes returned; every byte is consumed exactly once; COBS round-trips the
 * raw input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "slink/frame.h"
#include "slink/wire.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5;
    return *s;
}

static void check_frame(const slink_deframer *d, const slink_frame *f)
{
    static uint8_t wire[SLINK_WIRE_FRAME_MAX];
    static slink_deframer d2;
    REQUIRE(f->body_len <= SLINK_MAX_FRAME_BODY);
    REQUIRE(slink_addr_is_unicast(f->src));
    if (d->addr != SLINK_ADDR_NONE)
        REQUIRE(f->dst == d->addr || f->dst == SLINK_ADDR_BROADCAST);

    size_t n = 0;
    REQUIRE(slink_frame_encode(f->dst, f->src, f->type, f->body, f->body_len,
                               wire, sizeof wire, &n) == SLINK_OK);
    REQUIRE(n >= SLINK_FRAME_MIN + 2u && n <= sizeof wire);
    REQUIRE(memchr(wire, 0, n - 1) == NULL && wire[n - 1] == 0);

    slink_deframer_init(&d2, d->addr, 0);
    size_t used = 0;
    slink_frame g;
    REQUIRE(slink_deframer_push(&d2, wire, n, 0, &used, &g) == SLINK_OK);
    REQUIRE(used == n);
    REQUIRE(g.dst == f->dst && g.src == f->src && g.type == f->type);
    REQUIRE(g.body_len == f->body_len);
    REQUIRE(f->body_len == 0 || memcmp(g.body, f->body, f->body_len) == 0);
}

static void check_cobs(const uint8_t *p, size_t n)
{
    static uint8_t enc[SLINK_COBS_MAX(4096)], dec[4096];
    if (n > sizeof dec)
        n = sizeof dec;
    size_t e = 0, m = 0;
    REQUIRE(slink_cobs_encode(p, n, enc, sizeof enc, &e) == SLINK_OK);
    REQUIRE(e <= SLINK_COBS_MAX(n) && memchr(enc, 0, e) == NULL);
    REQUIRE(slink_cobs_decode(enc, e, dec, sizeof dec, &m) == SLINK_OK);
    REQUIRE(m == n && (n == 0 || memcmp(dec, p, n) == 0));
    /* the raw input as an encoding: must not crash, and in place equals copy */
    size_t m2 = 0;
    slink_err r1 = slink_cobs_decode(p, n, dec, sizeof dec, &m);
    memcpy(enc, p, n);
    slink_err r2 = slink_cobs_decode(enc, n, enc, sizeof enc, &m2);
    REQUIRE(r1 == r2);
    if (r1 == SLINK_OK)
        REQUIRE(m == m2 && memcmp(dec, enc, m) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static slink_deframer d;
    if (size < 4)
        return 0;
    uint8_t own = data[0];
    uint32_t gap = data[1] % 32u;
    uint32_t rng = ((uint32_t)data[2] << 8 | data[3]) + 1u;
    const uint8_t *p = data + 4;
    size_t n = size - 4;

    check_cobs(p, n);
    slink_deframer_init(&d, own, gap);

    slink_frame_stats want;
    memset(&want, 0, sizeof want);
    uint64_t now = 1000;
    size_t pos = 0;
    while (pos < n) {
        uint32_t r = next(&rng);
        size_t chunk = 1u + r % 64u;
        if (chunk > n - pos)
            chunk = n - pos;
        now += (r >> 8) % (gap * 2u + 2u);
        if ((r >> 20) % 8u == 0u) {
            slink_err t = slink_deframer_tick(&d, (r >> 24) % 4u == 0u ? now - 5u : now);
            REQUIRE(t == SLINK_OK || t == SLINK_ERR_FRAME_TIMEOUT);
            if (t == SLINK_ERR_FRAME_TIMEOUT) want.timeout++;
        }
        size_t off = 0;
        while (off < chunk) {
            size_t used = 0;
            slink_frame f;
            slink_err e = slink_deframer_push(&d, p + pos + off, chunk - off, now, &used, &f);
            REQUIRE(used <= chunk - off);
            off += used;
            want.bytes_in += (uint32_t)used;
            /* input given: progress every call, or callers could spin */
            REQUIRE(used > 0);
            switch (e) {
            case SLINK_ERR_NEED_MORE: REQUIRE(off == chunk); break;
            case SLINK_OK: want.frames_ok++; check_frame(&d, &f); break;
            case SLINK_ERR_FRAME_CRC: want.crc++; break;
            case SLINK_ERR_FRAME_RUNT: want.runt++; break;
            case SLINK_ERR_FRAME_OVERSIZE: want.oversize++; break;
            case SLINK_ERR_FRAME_COBS: want.cobs++; break;
            case SLINK_ERR_FRAME_NOT_FOR_US: want.not_for_us++; break;
            case SLINK_ERR_FRAME_ADDR: want.bad_addr++; break;
            case SLINK_ERR_FRAME_TIMEOUT: want.timeout++; break;
            default: abort();
            }
            REQUIRE(d.len <= sizeof d.buf);
        }
        pos += chunk;
    }
    REQUIRE(memcmp(&want, &d.stats, sizeof want) == 0);
    return 0;
}

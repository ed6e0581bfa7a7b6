/* Frame encoder and the byte-driven deframer (docs/PROTOCOL.md §2).
 *
 * The deframer decodes COBS as the bytes arrive (only the decoded frame is
 * kept) and, when the 0x00 delimiter arrives, checks in order: COBS,
 * length, CRC, source address, destination.  The order matters: the CRC
 * is checked before the addresses so that line noise in an address byte is counted as
 * noise, and the destination is checked before anything above this layer
 * sees the frame, so traffic for other nodes never reaches crypto.
 * Every drop is counted; every corruption ends at the next delimiter. */
#include <string.h>
#include "slink/frame.h"
#include "slink/wire.h"
#include "../cc.h"

slink_err slink_frame_encode(uint8_t dst, uint8_t src, uint8_t type,
                             const uint8_t *body, size_t body_len,
                             uint8_t *out, size_t cap, size_t *out_len)
{
    SLINK_CHECK(out != NULL && out_len != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(body != NULL || body_len == 0u, SLINK_ERR_ARG);
    SLINK_CHECK(body_len <= SLINK_MAX_FRAME_BODY, SLINK_ERR_TOO_BIG);

    /* Addresses are not policed here: which addresses a node may use is the
     * connection's business, and tools and tests must be able to produce
     * frames a receiver has to reject. */
    size_t raw = SLINK_FRAME_HDR + body_len + SLINK_FRAME_CRC;
    size_t need = SLINK_COBS_MAX(raw) + 1u;
    SLINK_CHECK(cap >= need, SLINK_ERR_BUFFER);

    /* Build the plain frame at the tail of out and COBS-encode it forward
     * into the head: the gap k is exactly the encoder's worst-case growth,
     * so no scratch buffer of SLINK_FRAME_MAX bytes is needed on the stack. */
    size_t k = need - 1u - raw;
    uint8_t *f = out + k;
    if (body_len > 0u)
        memmove(f + SLINK_FRAME_HDR, body, body_len);
    f[0] = dst;
    f[1] = src;
    f[2] = type;
    slink_put_u16(f + SLINK_FRAME_HDR + body_len,
                  slink_crc16(f, SLINK_FRAME_HDR + body_len));

    size_t enc = 0;
    SLINK_TRY(slink_cobs_encode(f, raw, out, need - 1u, &enc));
    out[enc] = SLINK_DELIM;
    *out_len = enc + 1u;
    return SLINK_OK;
}

/* The deframer's length type holds the longest encoded frame. */
typedef char deframer_len_fits[sizeof ((slink_deframer *)0)->buf <= 0xFFFFu ? 1 : -1];

void slink_deframer_init(slink_deframer *d, uint8_t own_addr, uint32_t gap_ms)
{
    if (d == NULL)
        return;
    memset(d, 0, sizeof *d);
    d->addr = own_addr;
    d->gap_ms = gap_ms;
}

/* The next frame starts from nothing: no bytes, no COBS block open. */
static void restart(slink_deframer *d)
{
    d->len = 0;
    d->out = 0;
    d->left = 0;
    d->zero = 0;
}

static int gap_expired(const slink_deframer *d, uint64_t now_ms)
{
    if (d->gap_ms == 0u || (d->len == 0u && !d->discarding))
        return 0;
    /* a clock that stepped back is not a gap */
    return now_ms > d->last_ms && now_ms - d->last_ms > d->gap_ms;
}

/* Abandon what the gap interrupted.  A partial frame is a drop to report;
 * an oversized one was already counted when it overflowed, so the gap only
 * ends the discarding (the next frame need not wait for a delimiter). */
static slink_err abandon_partial(slink_deframer *d)
{
    int had_bytes = d->len > 0u;
    restart(d);
    d->discarding = 0;
    if (!had_bytes)
        return SLINK_OK;
    d->stats.timeout++;
    return SLINK_ERR_FRAME_TIMEOUT;
}

static int dst_reserved(uint8_t dst)
{
    return dst == SLINK_ADDR_NONE ||
           (dst >= SLINK_ADDR_RESERVED_MIN && dst != SLINK_ADDR_BROADCAST);
}

/* The delimiter arrived: vet the decoded frame.  Between delimiters no
 * byte is 0x00, so the one way the bytes can fail to be COBS is a last
 * block cut short (what slink_cobs_decode refuses as truncated). */
static slink_err finish_frame(slink_deframer *d, slink_frame *out)
{
    size_t n = d->out;
    int truncated = d->left != 0u;
    restart(d);
    if (truncated) {
        d->stats.cobs++;
        return SLINK_ERR_FRAME_COBS;
    }
    if (n < SLINK_FRAME_MIN) {
        d->stats.runt++;
        return SLINK_ERR_FRAME_RUNT;
    }
    /* the encoded buffer holds a few bytes more than the largest frame */
    if (n > SLINK_FRAME_MAX) {
        d->stats.oversize++;
        return SLINK_ERR_FRAME_OVERSIZE;
    }
    size_t covered = n - SLINK_FRAME_CRC;
    if (slink_crc16(d->buf, covered) != slink_get_u16(d->buf + covered)) {
        d->stats.crc++;
        return SLINK_ERR_FRAME_CRC;
    }
    uint8_t dst = d->buf[0];
    uint8_t src = d->buf[1];
    if (!slink_addr_is_unicast(src)) {
        d->stats.bad_addr++;
        return SLINK_ERR_FRAME_ADDR;
    }
    /* monitor mode (own address NONE) sees everything, reserved included */
    if (d->addr != SLINK_ADDR_NONE) {
        if (dst_reserved(dst)) {
            d->stats.bad_addr++;
            return SLINK_ERR_FRAME_ADDR;
        }
        if (dst != d->addr && dst != SLINK_ADDR_BROADCAST) {
            d->stats.not_for_us++;
            return SLINK_ERR_FRAME_NOT_FOR_US;
        }
    }
    out->dst = dst;
    out->src = src;
    out->type = d->buf[2];
    out->body = d->buf + SLINK_FRAME_HDR;
    out->body_len = covered - SLINK_FRAME_HDR;
    d->stats.frames_ok++;
    return SLINK_OK;
}

/* One encoded byte.  SLINK_ERR_NEED_MORE unless it completed or dropped a
 * frame.  A frame may take up to sizeof buf encoded bytes, as when they
 * were kept encoded; decoding as they come writes fewer (each block's code
 * byte becomes at most one zero), so the decoded bytes always fit.  Not
 * inlined: push's loop around it then stays one small loop (inlined, the
 * device image grew by about 100 bytes). */
static SLINK_NOINLINE slink_err take_byte(slink_deframer *d, uint8_t b, slink_frame *out)
{
    if (b != SLINK_DELIM) {
        if (d->discarding)
            return SLINK_ERR_NEED_MORE;
        if (d->len == sizeof d->buf) {
            d->discarding = 1;
            restart(d);
            d->stats.oversize++;
            return SLINK_ERR_FRAME_OVERSIZE;
        }
        d->len++;
        if (d->left != 0u) {
            d->buf[d->out++] = b;
            d->left--;
        } else {
            /* a code byte: the block before it, unless a full one of 254,
             * ended in a zero */
            if (d->zero)
                d->buf[d->out++] = 0;
            d->left = (uint8_t)(b - 1u);
            d->zero = b != 0xFFu;
        }
        return SLINK_ERR_NEED_MORE;
    }
    if (d->discarding) {
        d->discarding = 0;
        return SLINK_ERR_NEED_MORE;
    }
    if (d->len == 0u)
        return SLINK_ERR_NEED_MORE;   /* empty frame: a sender may flush the line with 0x00 */
    return finish_frame(d, out);
}

/* Every call with input consumes at least one byte, so a caller looping
 * "until used == 0" can never spin nor skip input.  A gap timeout is
 * reported together with the first new byte, which already belongs to the
 * next frame (it cannot complete or overflow one on its own). */
slink_err slink_deframer_push(slink_deframer *d, const uint8_t *in, size_t n,
                              uint64_t now_ms, size_t *used, slink_frame *out)
{
    SLINK_CHECK(d != NULL && used != NULL && out != NULL, SLINK_ERR_ARG);
    *used = 0;
    SLINK_CHECK(in != NULL || n == 0u, SLINK_ERR_ARG);
    if (n == 0u)
        return SLINK_ERR_NEED_MORE;

    slink_err stale = slink_deframer_tick(d, now_ms);
    d->last_ms = now_ms;

    for (size_t i = 0; i < n; i++) {
        slink_err e = take_byte(d, in[i], out);
        if (e == SLINK_ERR_NEED_MORE && stale == SLINK_OK)
            continue;
        *used = i + 1u;
        d->stats.bytes_in += (uint32_t)(i + 1u);
        return e == SLINK_ERR_NEED_MORE ? stale : e;
    }
    *used = n;
    d->stats.bytes_in += (uint32_t)n;
    return SLINK_ERR_NEED_MORE;
}

/* Also the first step of every push with input: the gap is measured
 * before the first new byte. */
slink_err slink_deframer_tick(slink_deframer *d, uint64_t now_ms)
{
    SLINK_CHECK(d != NULL, SLINK_ERR_ARG);
    if (!gap_expired(d, now_ms))
        return SLINK_OK;
    return abandon_partial(d);
}

uint32_t slink_gap_ms_for_baud(uint32_t baud)
{
    /* 4 characters of 10 bits (8N1) */
    const uint32_t bits_x1000 = 4u * 10u * 1000u;
    if (baud == 0u)
        return 100u;
    uint32_t ms = bits_x1000 / baud + (bits_x1000 % baud != 0u);
    if (ms < 2u)
        ms = 2u;
    if (ms > 100u)
        ms = 100u;
    return ms;
}

/* libFuzzer target for the pure wire codecs (src/frame/wire.c) and the replay
 * window (src/record/replay.c).  Every decoder runs on the input; whatever decodes
 * must re-encode to the same bytes, and what is rejected must be rejected
 * for a reason the re-encoder would also refuse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "slink/record.h"
#include "slink/wire.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

static void rec_hdr(uint8_t type)
{
    slink_rec_hdr h;
    if (slink_rec_hdr_parse(type, &h) != SLINK_OK)
        return;
    REQUIRE(h.content_type >= SLINK_CT_ALERT && h.content_type <= SLINK_CT_DATAGRAM);
    REQUIRE(h.epoch_bits < 4u);
    REQUIRE(h.seq_len == 1u || h.seq_len == 2u || h.seq_len == 6u);
    REQUIRE(slink_rec_hdr_type(h.content_type, h.epoch_bits, h.seq_len) == type);
}

static void ack(const uint8_t *p, size_t n)
{
    slink_ack a;
    if (slink_ack_decode(p, n, &a) != SLINK_OK)
        return;
    uint8_t out[SLINK_ACK_LEN];
    size_t m = 0;
    REQUIRE(slink_ack_encode(&a, out, sizeof out, &m) == SLINK_OK);
    REQUIRE(m == n && memcmp(out, p, n) == 0);
}

static void alert(const uint8_t *p, size_t n)
{
    slink_alert a;
    if (slink_alert_decode(p, n, &a) != SLINK_OK)
        return;
    uint8_t out[3];
    size_t m = 0;
    REQUIRE(slink_alert_encode(&a, out, sizeof out, &m) == SLINK_OK);
    REQUIRE(m == n && memcmp(out, p, n) == 0);
}

static void frag(const uint8_t *p, size_t n)
{
    uint16_t off, total;
    if (slink_frag_hdr_decode(p, n, &off, &total) != SLINK_OK)
        return;
    REQUIRE(total > 0u && total <= SLINK_HS_MSG_MAX && off < total);
    REQUIRE(n - SLINK_HS_FRAG_HDR <= (size_t)(total - off));
    uint8_t out[4];
    slink_put_u16(out, off);
    slink_put_u16(out + 2, total);
    REQUIRE(memcmp(out, p, 4) == 0);
}

static void integers(const uint8_t *p, size_t n)
{
    if (n < 8)
        return;
    uint8_t out[6];
    uint64_t v = slink_get_u48(p);
    REQUIRE(v <= SLINK_SEQ_MAX);
    slink_put_u48(out, v);
    REQUIRE(memcmp(out, p, 6) == 0);

    static const unsigned widths[3] = {8, 16, 48};
    unsigned bits = widths[p[7] % 3u];
    uint64_t low = slink_get_u16(p + 6) & (bits == 8u ? 0xFFu : 0xFFFFu);
    uint64_t r = slink_seq_reconstruct(v, low, bits);
    REQUIRE(r <= SLINK_SEQ_MAX);
    if (bits < 48u) {
        uint64_t win = 1ull << bits;
        REQUIRE((r & (win - 1u)) == low);
        uint64_t dist = r > v ? r - v : v - r;
        if (r >= win) REQUIRE((v > r - win ? v - (r - win) : (r - win) - v) >= dist);
        if (r <= SLINK_SEQ_MAX - win) REQUIRE((r + win > v ? r + win - v : v - r - win) >= dist);
    }
}

/* Input pairs drive the window: a delta around the top and a verify bit. */
static void replay(const uint8_t *p, size_t n)
{
    slink_replay w, before;
    slink_replay_init(&w);
    uint64_t top = 1000;
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint64_t seq = top + (uint64_t)p[i] - 160u;
        memcpy(&before, &w, sizeof w);
        slink_err e = slink_replay_check(&w, seq);
        REQUIRE(memcmp(&before, &w, sizeof w) == 0);
        REQUIRE(e == SLINK_OK || e == SLINK_ERR_REC_REPLAY);
        if (w.any && seq > w.top) REQUIRE(e == SLINK_OK);
        if (w.any && w.top - seq >= SLINK_REPLAY_WINDOW && seq <= w.top) REQUIRE(e != SLINK_OK);
        if (e == SLINK_OK && (p[i + 1] & 1u)) {
            slink_replay_mark(&w, seq);
            REQUIRE(slink_replay_check(&w, seq) == SLINK_ERR_REC_REPLAY);
            if (seq > top) top = seq;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    rec_hdr(data[0]);
    /* the decoders see the input whole and after a one-byte selector, so
     * short valid encodings are reachable from longer seeds */
    ack(data, size);
    ack(data + 1, size - 1);
    alert(data, size);
    alert(data + 1, size - 1);
    frag(data, size);
    frag(data + 1, size - 1);
    integers(data, size);
    replay(data, size);
    return 0;
}

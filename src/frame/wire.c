/* Pure codecs for the small fixed layouts of include/slink/wire.h: the record
 * type byte, ACK, alert and handshake fragment headers, and big-endian
 * integers.  Every decoder checks the exact length before reading and
 * rejects reserved values, so the layers above never see a half-parsed
 * structure. */
#include <string.h>
#include "slink/wire.h"

void slink_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

uint16_t slink_get_u16(const uint8_t *p)
{
    return (uint16_t)(((uint16_t)p[0] << 8) | p[1]);
}

void slink_put_be(uint8_t *p, uint64_t v, unsigned n)
{
    while (n-- > 0u) {
        p[n] = (uint8_t)v;
        v >>= 8;
    }
}

uint64_t slink_get_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* §3.1: 1 | epoch&3 | content type (3) | seq_len code (2).  The code is the
 * index into this table; code 3 is reserved (0). */
static const uint8_t seq_len_of_code[4] = { 1, 2, 6, 0 };

slink_err slink_rec_hdr_parse(uint8_t type, slink_rec_hdr *h)
{
    SLINK_CHECK(h != NULL, SLINK_ERR_ARG);
    uint8_t ct = (uint8_t)((type & SLINK_REC_CT_MASK) >> SLINK_REC_CT_SHIFT);
    uint8_t seq_len = seq_len_of_code[type & SLINK_REC_SEQLEN_MASK];
    SLINK_CHECK((type & SLINK_FT_RECORD_BIT) != 0u && seq_len != 0u &&
                ct >= SLINK_CT_ALERT && ct <= SLINK_CT_DATAGRAM, SLINK_ERR_REC_MALFORMED);
    h->content_type = ct;
    h->epoch_bits = (uint8_t)((type & SLINK_REC_EPOCH_MASK) >> SLINK_REC_EPOCH_SHIFT);
    h->seq_len = seq_len;
    return SLINK_OK;
}

/* A seq_len other than 1, 2 or 6 yields the reserved code 3, so a caller's
 * mistake produces a record every receiver rejects rather than one that is
 * parsed with the wrong sequence width. */
uint8_t slink_rec_hdr_type(uint8_t content_type, uint16_t epoch, uint8_t seq_len)
{
    unsigned code = 0;
    while (code < SLINK_REC_SEQLEN_MASK && seq_len_of_code[code] != seq_len)
        code++;
    return (uint8_t)(SLINK_FT_RECORD_BIT |
                     ((unsigned)(epoch & 3u) << SLINK_REC_EPOCH_SHIFT) |
                     ((unsigned)(content_type << SLINK_REC_CT_SHIFT) & SLINK_REC_CT_MASK) |
                     code);
}

/* §3.6: rx_epoch_lo(1) rx_high(2) cum(1) sack(2) wnd(1) flags(1) */
slink_err slink_ack_encode(const slink_ack *a, uint8_t *out, size_t cap, size_t *len)
{
    SLINK_CHECK(a != NULL && out != NULL && len != NULL, SLINK_ERR_ARG);
    SLINK_CHECK((a->flags & (uint8_t)~(SLINK_ACK_F_CLOSE | SLINK_ACK_F_PROBE)) == 0u, SLINK_ERR_ARG);
    SLINK_CHECK(cap >= SLINK_ACK_LEN, SLINK_ERR_BUFFER);
    out[0] = a->rx_epoch_lo;
    slink_put_u16(out + 1, a->rx_high);
    out[3] = a->cum;
    slink_put_u16(out + 4, a->sack);
    out[6] = a->wnd;
    out[7] = a->flags;
    *len = SLINK_ACK_LEN;
    return SLINK_OK;
}

/* Unknown flag bits are rejected: version 1 defines only CLOSE, and a
 * peer setting others speaks a protocol we do not. */
slink_err slink_ack_decode(const uint8_t *in, size_t len, slink_ack *a)
{
    SLINK_CHECK(in != NULL && a != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(len == SLINK_ACK_LEN, SLINK_ERR_REC_MALFORMED);
    SLINK_CHECK((in[7] & (uint8_t)~(SLINK_ACK_F_CLOSE | SLINK_ACK_F_PROBE)) == 0u, SLINK_ERR_REC_MALFORMED);
    a->rx_epoch_lo = in[0];
    a->rx_high = slink_get_u16(in + 1);
    a->cum = in[3];
    a->sack = slink_get_u16(in + 4);
    a->wnd = in[6];
    a->flags = in[7];
    return SLINK_OK;
}

static int alert_level_ok(uint8_t level)
{
    return level == SLINK_ALERT_WARNING || level == SLINK_ALERT_FATAL;
}

/* §3.8: level(1) code(1) [final_chunk(1), close_notify only] */
slink_err slink_alert_encode(const slink_alert *a, uint8_t *out, size_t cap, size_t *len)
{
    SLINK_CHECK(a != NULL && out != NULL && len != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(alert_level_ok(a->level), SLINK_ERR_ARG);
    SLINK_CHECK(!a->has_final || a->code == SLINK_ALERT_CLOSE_NOTIFY, SLINK_ERR_ARG);
    size_t n = a->has_final ? 3u : 2u;
    SLINK_CHECK(cap >= n, SLINK_ERR_BUFFER);
    out[0] = a->level;
    out[1] = a->code;
    if (a->has_final)
        out[2] = a->final_chunk;
    *len = n;
    return SLINK_OK;
}

slink_err slink_alert_decode(const uint8_t *in, size_t len, slink_alert *a)
{
    SLINK_CHECK(in != NULL && a != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(len == 2u || len == 3u, SLINK_ERR_REC_MALFORMED);
    SLINK_CHECK(alert_level_ok(in[0]), SLINK_ERR_REC_MALFORMED);
    SLINK_CHECK(len == 2u || in[1] == SLINK_ALERT_CLOSE_NOTIFY, SLINK_ERR_REC_MALFORMED);
    memset(a, 0, sizeof *a);
    a->level = in[0];
    a->code = in[1];
    if (len == 3u) {
        a->has_final = 1;
        a->final_chunk = in[2];
    }
    return SLINK_OK;
}

/* Handshake fragment: off(2) total(2) data.  `len` is the whole fragment
 * body; when it carries data, the data must also end within total, so the
 * reassembler can copy it without re-checking. */
slink_err slink_frag_hdr_decode(const uint8_t *in, size_t len, uint16_t *off, uint16_t *total)
{
    SLINK_CHECK(in != NULL && off != NULL && total != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(len >= SLINK_HS_FRAG_HDR, SLINK_ERR_HS_MALFORMED);
    uint16_t o = slink_get_u16(in);
    uint16_t t = slink_get_u16(in + 2);
    SLINK_CHECK(t != 0u && t <= SLINK_HS_MSG_MAX, SLINK_ERR_HS_MALFORMED);
    SLINK_CHECK(o < t, SLINK_ERR_HS_MALFORMED);
    SLINK_CHECK(len - SLINK_HS_FRAG_HDR <= (size_t)(t - o), SLINK_ERR_HS_MALFORMED);
    *off = o;
    *total = t;
    return SLINK_OK;
}

/* Alert names as TLS spells them (§3.8): for logs on the side that receives
 * an alert, slink-dump and the dissector's tests. */
const char *slink_alert_name(uint8_t code)
{
    switch (code) {
    case SLINK_ALERT_CLOSE_NOTIFY:        return "close_notify";
    case SLINK_ALERT_UNEXPECTED_MESSAGE:  return "unexpected_message";
    case SLINK_ALERT_BAD_RECORD_MAC:      return "bad_record_mac";
    case SLINK_ALERT_HANDSHAKE_FAILURE:   return "handshake_failure";
    case SLINK_ALERT_BAD_CERTIFICATE:     return "bad_certificate";
    case SLINK_ALERT_CERTIFICATE_REVOKED: return "certificate_revoked";
    case SLINK_ALERT_CERTIFICATE_EXPIRED: return "certificate_expired";
    case SLINK_ALERT_UNKNOWN_CA:          return "unknown_ca";
    case SLINK_ALERT_ACCESS_DENIED:       return "access_denied";
    case SLINK_ALERT_DECODE_ERROR:        return "decode_error";
    case SLINK_ALERT_PROTOCOL_VERSION:    return "protocol_version";
    case SLINK_ALERT_INTERNAL_ERROR:      return "internal_error";
    case SLINK_ALERT_NO_SESSION:          return "no_session";
    default:                              return "unknown";
    }
}

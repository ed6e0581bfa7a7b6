/* slink-dump: one output line per frame or drop, as key=value text or as
 * one JSON object.  Field names are the same in both forms. */
#include "dump.h"

#include <inttypes.h>
#include <string.h>

#include <mbedtls/platform_util.h>

typedef struct {
    dump_ctx *c;
    int first;
} line;

static void l_begin(line *l, dump_ctx *c)
{
    l->c = c;
    l->first = 1;
    if (c->json) fputc('{', c->out);
}

static void l_sep(line *l)
{
    if (!l->first) fputc(l->c->json ? ',' : ' ', l->c->out);
    l->first = 0;
}

static void l_end(line *l)
{
    if (l->c->json) fputc('}', l->c->out);
    fputc('\n', l->c->out);
}

static void kv_u(line *l, const char *k, uint64_t v)
{
    l_sep(l);
    fprintf(l->c->out, l->c->json ? "\"%s\":%" PRIu64 : "%s=%" PRIu64, k, v);
}

/* Bytes shown as 0x.. in text, plain numbers in JSON. */
static void kv_x(line *l, const char *k, unsigned v, int width)
{
    l_sep(l);
    if (l->c->json) fprintf(l->c->out, "\"%s\":%u", k, v);
    else fprintf(l->c->out, "%s=0x%0*x", k, width, v);
}

/* Values are identifiers from fixed tables: nothing to escape. */
static void kv_s(line *l, const char *k, const char *v)
{
    l_sep(l);
    fprintf(l->c->out, l->c->json ? "\"%s\":\"%s\"" : "%s=%s", k, v);
}

static void kv_hex(line *l, const char *k, const uint8_t *p, size_t n)
{
    l_sep(l);
    fprintf(l->c->out, l->c->json ? "\"%s\":\"" : "%s=", k);
    for (size_t i = 0; i < n; i++) fprintf(l->c->out, "%02x", p[i]);
    if (l->c->json) fputc('"', l->c->out);
}

static void kv_time(line *l, double t)
{
    l_sep(l);
    fprintf(l->c->out, l->c->json ? "\"time\":%.6f" : "time=%.6f", t);
}

static const char *ct_name(unsigned ct)
{
    switch (ct) {
    case SLINK_CT_ALERT: return "ALERT";
    case SLINK_CT_ACK: return "ACK";
    case SLINK_CT_STREAM: return "STREAM";
    case SLINK_CT_DATAGRAM: return "DATAGRAM";
    default: return "RESERVED";
    }
}

static const char *alert_level_name(unsigned v)
{
    return v == SLINK_ALERT_WARNING ? "warning" : v == SLINK_ALERT_FATAL ? "fatal" : "invalid";
}

static void describe_alert(line *l, const uint8_t *p, size_t n)
{
    slink_alert a;
    if (slink_alert_decode(p, n, &a) != SLINK_OK) {
        kv_s(l, "bad", slink_err_str(SLINK_ERR_REC_MALFORMED));
        return;
    }
    kv_s(l, "level", alert_level_name(a.level));
    kv_s(l, "alert", slink_alert_name(a.code));
    kv_u(l, "code", a.code);
    if (a.has_final) kv_u(l, "final", a.final_chunk);
}

static void describe_mtu(line *l, uint8_t code)
{
    kv_u(l, "mtu_code", code);
    kv_u(l, "mtu", (uint64_t)code * SLINK_MTU_UNIT);
}

static void describe_vs(line *l, uint8_t vs)
{
    kv_x(l, "vs", vs, 2);
    kv_u(l, "version", vs >> 4);
    kv_u(l, "suite", vs & 0x0Fu);
}

/* §4.2 message 1.  The version byte is judged before the length, as the
 * core does, so a version 1 peer (51 bytes with a nonce) shows as such. */
static void describe_msg1(line *l, const uint8_t *p, size_t n)
{
    if (n >= 1 && p[0] != SLINK_VERSION_SUITE) {
        describe_vs(l, p[0]);
        kv_s(l, "bad", "version");
        return;
    }
    if (n != SLINK_HS1_LEN) {
        kv_s(l, "bad", "length");
        return;
    }
    describe_vs(l, p[0]);
    kv_x(l, "flags", p[1], 2);
    describe_mtu(l, p[2]);
    kv_hex(l, "x", p + 3, SLINK_ECX_LEN);
}

/* §4.3 message 2: the clear part, then the size of the AEAD part */
static void describe_msg2(line *l, const uint8_t *p, size_t n)
{
    if (n < SLINK_HS2_CLEAR_LEN + SLINK_TAG_LEN) {
        kv_s(l, "bad", "length");
        return;
    }
    kv_x(l, "flags", p[0], 2);
    describe_mtu(l, p[1]);
    kv_hex(l, "x", p + 2, SLINK_ECX_LEN);
    kv_u(l, "enc_len", n - SLINK_HS2_CLEAR_LEN);
}

static void describe_msg(line *l, unsigned msg, const uint8_t *p, size_t n)
{
    if (msg == 1) describe_msg1(l, p, n);
    else if (msg == 2) describe_msg2(l, p, n);
    else if (n < SLINK_TAG_LEN) kv_s(l, "bad", "length");
    else kv_u(l, "enc_len", n);
}

/* Fragments are gathered per (dst, src, message, total); the fragment that
 * completes a message also shows the decoded message. */
static void describe_frag(dump_ctx *c, line *l, const slink_frame *f)
{
    unsigned msg = f->type & 0x0Fu;
    uint16_t off, total;
    if (slink_frag_hdr_decode(f->body, f->body_len, &off, &total) != SLINK_OK) {
        kv_s(l, "bad", slink_err_str(SLINK_ERR_HS_MALFORMED));
        return;
    }
    size_t dlen = f->body_len - SLINK_HS_FRAG_HDR;
    kv_u(l, "frag_off", off);
    kv_u(l, "total", total);
    kv_u(l, "data", dlen);

    dump_reasm *r = NULL;
    for (unsigned i = 0; i < DUMP_REASM_SLOTS; i++) {
        dump_reasm *x = &c->reasm[i];
        if (x->used && x->dst == f->dst && x->src == f->src && x->msg == msg && x->total == total)
            r = x;
    }
    if (!r) {
        r = &c->reasm[c->reasm_next];
        c->reasm_next = (c->reasm_next + 1u) % DUMP_REASM_SLOTS;
        memset(r->have, 0, sizeof r->have);
        r->used = 1;
        r->dst = f->dst;
        r->src = f->src;
        r->msg = (uint8_t)msg;
        r->total = total;
    }
    /* slink_frag_hdr_decode guarantees off + dlen <= total <= SLINK_HS_MSG_MAX */
    memcpy(r->buf + off, f->body + SLINK_HS_FRAG_HDR, dlen);
    memset(r->have + off, 1, dlen);
    if (memchr(r->have, 0, total) != NULL) return;
    r->used = 0;
    kv_s(l, "complete", "yes");
    describe_msg(l, msg, r->buf, total);
}

/* Repair request (§4.7): msgno(1) total(2) and a map of the 60-byte
 * granules the sender of the request lacks; total 0 (no map) asks for all.
 * Checked as a receiver checks it. */
static void describe_repair(line *l, const slink_frame *f)
{
    const uint8_t *b = f->body;
    size_t n = f->body_len, grans, mlen, i, missing = 0;
    unsigned total;
    int beyond = 0;
    if (n < SLINK_HS_REPAIR_HDR) {
        kv_s(l, "bad", slink_err_str(SLINK_ERR_HS_MALFORMED));
        return;
    }
    total = ((unsigned)b[1] << 8) | b[2];
    grans = (total + SLINK_HS_GRANULE - 1u) / SLINK_HS_GRANULE;
    mlen = SLINK_HS_REPAIR_MAP_LEN(total);
    if ((b[0] != 2 && b[0] != 3) || total > SLINK_HS_MSG_MAX || n != SLINK_HS_REPAIR_HDR + mlen) {
        kv_s(l, "bad", slink_err_str(SLINK_ERR_HS_MALFORMED));
        return;
    }
    for (i = 0; i < mlen * 8u; i++)
        if ((b[SLINK_HS_REPAIR_HDR + i / 8u] >> (i % 8u)) & 1u) {
            if (i < grans) missing++;
            else beyond = 1;
        }
    if (beyond || (total > 0 && missing == 0)) {
        kv_s(l, "bad", slink_err_str(SLINK_ERR_HS_MALFORMED));
        return;
    }
    kv_u(l, "repair_msg", b[0]);
    kv_u(l, "repair_total", total);
    if (total > 0) kv_u(l, "missing", missing);
}

static void describe_record(dump_ctx *c, line *l, const slink_frame *f, uint64_t now_ms)
{
    slink_rec_hdr h;
    kv_s(l, "type", "REC");
    kv_x(l, "type_byte", f->type, 2);
    kv_u(l, "body", f->body_len);
    if (slink_rec_hdr_parse(f->type, &h) != SLINK_OK) {
        kv_s(l, "bad", slink_err_str(SLINK_ERR_REC_MALFORMED));
        return;
    }
    kv_s(l, "ct", ct_name(h.content_type));
    kv_u(l, "epoch_lo", h.epoch_bits);
    kv_u(l, "seq_len", h.seq_len);
    if (f->body_len < (size_t)h.seq_len + SLINK_TAG_LEN) {
        kv_s(l, "bad", slink_err_str(SLINK_ERR_REC_MALFORMED));
        return;
    }
    uint64_t seq = 0;
    for (unsigned i = 0; i < h.seq_len; i++) seq = (seq << 8) | f->body[i];
    kv_u(l, "seq", seq);
    kv_u(l, "ct_len", f->body_len - h.seq_len - SLINK_TAG_LEN);
    if (!c->keys) return;

    static uint8_t pt[SLINK_MAX_FRAME_BODY];
    size_t pt_len = 0;
    uint16_t epoch = 0;
    slink_err e = dump_keylog_open(c->keys, f->dst, f->src, f->type, f->body, f->body_len,
                                   now_ms, pt, sizeof pt, &pt_len, &epoch);
    if (e != SLINK_OK) {
        kv_s(l, "dec", slink_err_str(e));
        return;
    }
    c->decrypted++;
    kv_s(l, "dec", "ok");
    kv_u(l, "epoch", epoch);
    kv_u(l, "pt_len", pt_len);
    if (h.content_type == SLINK_CT_ACK) {
        slink_ack a;
        if (slink_ack_decode(pt, pt_len, &a) != SLINK_OK) {
            kv_s(l, "bad", slink_err_str(SLINK_ERR_REC_MALFORMED));
        } else {
            kv_u(l, "rx_epoch_lo", a.rx_epoch_lo);
            kv_u(l, "rx_high", a.rx_high);
            kv_u(l, "cum", a.cum);
            kv_x(l, "sack", a.sack, 4);
            kv_u(l, "wnd", a.wnd);
            kv_x(l, "ack_flags", a.flags, 2);
        }
    } else if (h.content_type == SLINK_CT_ALERT) {
        describe_alert(l, pt, pt_len);
    } else if (h.content_type == SLINK_CT_STREAM && pt_len >= 1) {
        kv_u(l, "chunk", pt[0]);
    }
    /* Application bytes: a debugging aid, shown up to 64 bytes. */
    kv_hex(l, "pt", pt, pt_len < 64 ? pt_len : 64);
    if (pt_len > 64) kv_s(l, "pt_cut", "yes");
    /* decrypted bytes: a memset of a dying buffer may be optimised away */
    mbedtls_platform_zeroize(pt, sizeof pt);
}

void dump_frame(dump_ctx *c, uint64_t off, size_t wire_len, double t,
                const slink_frame *f, uint64_t now_ms)
{
    line l;
    c->frames++;
    l_begin(&l, c);
    kv_u(&l, "off", off);
    kv_u(&l, "wire", wire_len);
    if (c->show_time) kv_time(&l, t);
    kv_x(&l, "dst", f->dst, 2);
    kv_x(&l, "src", f->src, 2);
    kv_s(&l, "crc", "ok");
    if (f->type & SLINK_FT_RECORD_BIT) {
        describe_record(c, &l, f, now_ms);
        l_end(&l);
        return;
    }
    switch (f->type) {
    case SLINK_FT_HS1: case SLINK_FT_HS2: case SLINK_FT_HS3: {
        static const char *names[] = {"", "HS1", "HS2", "HS3"};
        kv_s(&l, "type", names[f->type]);
        kv_u(&l, "body", f->body_len);
        describe_msg(&l, f->type, f->body, f->body_len);
        break;
    }
    case SLINK_FT_HS_FRAG | 1u: case SLINK_FT_HS_FRAG | 2u: case SLINK_FT_HS_FRAG | 3u: {
        static const char *names[] = {"", "HS1_FRAG", "HS2_FRAG", "HS3_FRAG"};
        kv_s(&l, "type", names[f->type & 3u]);
        kv_u(&l, "body", f->body_len);
        describe_frag(c, &l, f);
        break;
    }
    case SLINK_FT_HS_REPAIR:
        kv_s(&l, "type", "HS_REPAIR");
        kv_u(&l, "body", f->body_len);
        describe_repair(&l, f);
        break;
    case SLINK_FT_POLL:
        kv_s(&l, "type", "POLL");
        kv_u(&l, "body", f->body_len);
        /* §2.5: no body grants the default turn budget, two bytes grant
         * that many (the device caps it and treats 0 as 1); any other
         * length is dropped. */
        if (f->body_len == 0) {
            kv_u(&l, "budget", SLINK_TURN_BUDGET_DEFAULT);
        } else if (f->body_len == 2) {
            unsigned b = ((unsigned)f->body[0] << 8) | f->body[1];
            kv_u(&l, "budget", b);   /* as sent; the device's cap is its own */
        } else {
            kv_s(&l, "bad", "length");
        }
        break;
    case SLINK_FT_TURN_END:
        kv_s(&l, "type", "TURN_END");
        kv_u(&l, "body", f->body_len);
        break;
    case SLINK_FT_PLAIN_ALERT:
        kv_s(&l, "type", "PLAIN_ALERT");
        kv_u(&l, "body", f->body_len);
        if (f->body_len != 2) {
            kv_s(&l, "bad", "length");
            break;
        }
        kv_s(&l, "level", alert_level_name(f->body[0]));
        kv_s(&l, "alert", slink_alert_name((uint8_t)f->body[1]));
        kv_u(&l, "code", f->body[1]);
        break;
    default:
        kv_s(&l, "type", "UNKNOWN");
        kv_x(&l, "type_byte", f->type, 2);
        kv_u(&l, "body", f->body_len);
        break;
    }
    l_end(&l);
}

void dump_drop(dump_ctx *c, uint64_t off, size_t wire_len, double t, slink_err why,
               const uint8_t *raw, size_t raw_len)
{
    line l;
    static uint8_t dec[SLINK_COBS_MAX(SLINK_FRAME_MAX) + 8];
    size_t n = 0;
    c->drops++;
    l_begin(&l, c);
    kv_u(&l, "off", off);
    kv_u(&l, "wire", wire_len);
    if (c->show_time) kv_time(&l, t);
    kv_s(&l, "drop", slink_err_str(why));
    /* What the frame claimed, when enough of it decodes: helps tell noise
     * in an address byte from a frame for a reserved address. */
    if (raw_len == 0 || raw_len != wire_len - 1u ||
        slink_cobs_decode(raw, raw_len, dec, sizeof dec, &n) != SLINK_OK || n < SLINK_FRAME_MIN) {
        l_end(&l);
        return;
    }
    kv_x(&l, "dst", dec[0], 2);
    kv_x(&l, "src", dec[1], 2);
    kv_x(&l, "type_byte", dec[2], 2);
    kv_u(&l, "body", n - SLINK_FRAME_MIN);
    uint16_t got = slink_get_u16(dec + n - SLINK_FRAME_CRC);
    uint16_t want = slink_crc16(dec, n - SLINK_FRAME_CRC);
    kv_s(&l, "crc", got == want ? "ok" : "bad");
    if (got != want) {
        kv_x(&l, "crc_rx", got, 4);
        kv_x(&l, "crc_calc", want, 4);
    }
    l_end(&l);
}

void dump_summary(dump_ctx *c, const slink_frame_stats *st)
{
    line l;
    l_begin(&l, c);
    kv_s(&l, "summary", "end");
    kv_u(&l, "bytes", st->bytes_in);
    kv_u(&l, "frames", c->frames);
    kv_u(&l, "drops", c->drops);
    kv_u(&l, "crc", st->crc);
    kv_u(&l, "cobs", st->cobs);
    kv_u(&l, "runt", st->runt);
    kv_u(&l, "oversize", st->oversize);
    kv_u(&l, "bad_addr", st->bad_addr);
    kv_u(&l, "timeout", st->timeout);
    if (c->keys) kv_u(&l, "decrypted", c->decrypted);
    l_end(&l);
}

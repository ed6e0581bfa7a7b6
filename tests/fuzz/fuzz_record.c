/* libFuzzer target for the record layer's receive path (src/record/record.c).
 *
 * Input: mode(1) then records, each type(1) len(2, big-endian) body(len).
 * The receiver b (0x10) shares fixed traffic secrets with a sender a (0x01).
 * Mode bits set up state before the fuzzed records arrive:
 *   bit 0  one genuine epoch-2 record is received first (window not empty)
 *   bit 1  a updates its keys and one genuine epoch-3 record is received
 *          (b ratchets; epoch 2 becomes the previous epoch, in grace)
 *   bit 2  fuzzed records are presented with the wrong destination
 *   bits 5-7  milliseconds added to the clock per record, times 16
 *              (the 50 ms grace period can run out mid-input)
 * Every record goes through slink_rec_open; the result must be one of the
 * documented drop codes (or the integrity limit, set low at 16), a success
 * must yield a sane length and content type, and nothing may crash or leak.
 *
 * Seeds: tests/fuzz/corpus/fuzz_record/ were written by this file built as
 * a program with -DFUZZ_RECORD_SEEDGEN (see the bottom of the file):
 *   cc -Iinclude -DFUZZ_RECORD_SEEDGEN tests/fuzz/fuzz_record.c \
 *      build/libslink.a -lmbedcrypto -o seedgen && ./seedgen tests/fuzz/corpus/fuzz_record */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "slink/record.h"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

#define ADDR_A 0x01
#define ADDR_B 0x10
#define T0     1000u

typedef struct {
    slink_record a, b;
    uint64_t now;
} pair;

static void pair_init(pair *p)
{
    static const slink_rec_limits lim = { 0, 16, 50 };
    uint8_t ab[32], ba[32];
    for (unsigned i = 0; i < 32; i++) {
        ab[i] = (uint8_t)(0x40 + i);
        ba[i] = (uint8_t)(0x90 + i);
    }
    REQUIRE(slink_rec_init(&p->a, ADDR_A, ADDR_B, ab, ba, &lim) == SLINK_OK);
    REQUIRE(slink_rec_init(&p->b, ADDR_B, ADDR_A, ba, ab, &lim) == SLINK_OK);
    p->now = T0;
}

/* a seals, b opens: must succeed (these are the mode's preconditions) */
static void genuine(pair *p, uint8_t ct, const char *msg)
{
    uint8_t type, body[64], pt[64], got_ct;
    size_t len, n;
    size_t m = strlen(msg);
    REQUIRE(slink_rec_seal(&p->a, ct, (const uint8_t *)msg, m, &type, body, sizeof body,
                           &len) == SLINK_OK);
    REQUIRE(slink_rec_open(&p->b, ADDR_B, ADDR_A, type, body, len, pt, sizeof pt, &n,
                           &got_ct, p->now) == SLINK_OK);
    REQUIRE(n == m && memcmp(pt, msg, m) == 0 && got_ct == ct);
}

static void prelude(pair *p, uint8_t mode)
{
    if (mode & 1u)
        genuine(p, SLINK_CT_STREAM, "first");
    if (mode & 2u) {
        REQUIRE(slink_rec_key_update(&p->a) == SLINK_OK);
        genuine(p, SLINK_CT_DATAGRAM, "next epoch");
        REQUIRE(SLINK_REC_RX(&p->b).epoch == 3 && p->b.rx_prev_valid);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t pt[SLINK_REC_PLAINTEXT_MAX];
    pair p;
    uint8_t mode;

    if (size < 1)
        return 0;
    mode = data[0];
    data++;
    size--;
    pair_init(&p);
    prelude(&p, mode);

    while (size >= 3) {
        uint8_t type = data[0];
        size_t len = ((size_t)data[1] << 8) | data[2];
        uint8_t ct = 0xAA, dst = (mode & 4u) ? ADDR_A : ADDR_B;
        size_t n = 12345;
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        p.now += 16u * (mode >> 5);
        slink_err e = slink_rec_open(&p.b, dst, ADDR_A, type, data, len, pt, sizeof pt, &n,
                                     &ct, p.now);
        if (e == SLINK_OK) {
            REQUIRE(n + SLINK_TAG_LEN + 1u <= len);
            REQUIRE(ct >= SLINK_CT_ALERT && ct <= SLINK_CT_DATAGRAM);
            REQUIRE((mode & 4u) == 0u);   /* a misaddressed record never opens */
        } else {
            REQUIRE(n == 0);
            REQUIRE(e == SLINK_ERR_REC_MALFORMED || e == SLINK_ERR_REC_AUTH ||
                    e == SLINK_ERR_REC_REPLAY || e == SLINK_ERR_REC_EPOCH ||
                    e == SLINK_ERR_INTEGRITY_LIMIT || e == SLINK_ERR_BUFFER);
        }
        data += len;
        size -= len;
    }
    REQUIRE(p.b.forged <= 16u);
    slink_rec_wipe(&p.a);
    slink_rec_wipe(&p.b);
    return 0;
}

#ifdef FUZZ_RECORD_SEEDGEN
#include <stdio.h>

typedef struct {
    uint8_t buf[4096];
    size_t n;
} seed;

static void add_rec(seed *s, slink_record *from, uint8_t ct, const char *msg)
{
    uint8_t type, body[256];
    size_t len;
    REQUIRE(slink_rec_seal(from, ct, (const uint8_t *)msg, strlen(msg), &type, body,
                           sizeof body, &len) == SLINK_OK);
    s->buf[s->n++] = type;
    s->buf[s->n++] = (uint8_t)(len >> 8);
    s->buf[s->n++] = (uint8_t)len;
    memcpy(s->buf + s->n, body, len);
    s->n += len;
}

static void write_seed(const char *dir, const char *name, const seed *s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    REQUIRE(f != NULL);
    REQUIRE(fwrite(s->buf, 1, s->n, f) == s->n);
    fclose(f);
}

/* Each seed replays the prelude of its mode on a sender identical to the
 * target's, then appends records sealed from that state. */
static void start(seed *s, pair *p, uint8_t mode)
{
    s->n = 0;
    s->buf[s->n++] = mode;
    pair_init(p);
    prelude(p, mode);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    seed s;
    pair p;

    start(&s, &p, 0x00);
    add_rec(&s, &p.a, SLINK_CT_STREAM, "hello slink");
    add_rec(&s, &p.a, SLINK_CT_DATAGRAM, "");
    write_seed(dir, "two_records", &s);

    start(&s, &p, 0x01);
    {
        size_t at = s.n, l;
        add_rec(&s, &p.a, SLINK_CT_ALERT, "\x01\x00");
        l = s.n - at;                    /* the same record again: replay */
        memcpy(s.buf + s.n, s.buf + at, l);
        s.n += l;
    }
    write_seed(dir, "replay", &s);

    start(&s, &p, 0x01);
    slink_rec_peer_ack(&p.a, 2, 0);      /* 1-byte sequence fields follow */
    for (int i = 0; i < 4; i++)
        add_rec(&s, &p.a, SLINK_CT_ACK, "\x02\x00\x01\x00\x00\x00\x08\x00");
    write_seed(dir, "short_seq", &s);

    start(&s, &p, 0x00);
    p.a.tx_seq = 70000;                  /* 6-byte sequence field */
    add_rec(&s, &p.a, SLINK_CT_STREAM, "far");
    write_seed(dir, "long_seq", &s);

    start(&s, &p, 0x00);
    REQUIRE(slink_rec_key_update(&p.a) == SLINK_OK);
    add_rec(&s, &p.a, SLINK_CT_DATAGRAM, "key update");
    write_seed(dir, "next_epoch", &s);

    /* mode 2 plus 32 ms per record against a 50 ms grace: an old-epoch
     * record in grace (+32), a current one (+64), an old one too late (+96) */
    start(&s, &p, 0x42);
    {
        slink_record old;
        uint8_t ab[32], ba[32];
        for (unsigned i = 0; i < 32; i++) {
            ab[i] = (uint8_t)(0x40 + i);
            ba[i] = (uint8_t)(0x90 + i);
        }
        REQUIRE(slink_rec_init(&old, ADDR_A, ADDR_B, ab, ba, NULL) == SLINK_OK);
        old.tx_seq = 5;
        add_rec(&s, &old, SLINK_CT_STREAM, "late");
        add_rec(&s, &p.a, SLINK_CT_STREAM, "current");
        add_rec(&s, &old, SLINK_CT_STREAM, "too late");
        slink_rec_wipe(&old);
    }
    write_seed(dir, "grace", &s);

    start(&s, &p, 0x04);
    add_rec(&s, &p.a, SLINK_CT_STREAM, "misaddressed");
    write_seed(dir, "wrong_dst", &s);
    return 0;
}
#endif

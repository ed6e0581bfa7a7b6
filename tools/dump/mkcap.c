/* Test helper for slink-dump: writes a deterministic capture holding good
 * frames of every type, records sealed with known secrets, and the usual
 * damage (bad CRC, bad COBS, runt, reserved source, tampered record,
 * replayed record, truncated tail), plus the matching debug key log.
 * usage: slink-dump-mkcap CAPTURE KEYLOG */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "slink/slink.h"

static FILE *cap;

static void die(const char *what, slink_err e)
{
    fprintf(stderr, "mkcap: %s: %s\n", what, slink_err_str(e));
    exit(1);
}

static void raw(const void *p, size_t n)
{
    if (fwrite(p, 1, n, cap) != n) die("write", SLINK_ERR_BUFFER);
}

static void frame(uint8_t dst, uint8_t src, uint8_t type, const uint8_t *body, size_t n)
{
    uint8_t out[SLINK_WIRE_FRAME_MAX];
    size_t len;
    slink_err e = slink_frame_encode(dst, src, type, body, n, out, sizeof out, &len);
    if (e != SLINK_OK) die("frame_encode", e);
    raw(out, len);
}

/* A frame with a deliberately wrong CRC, COBS-encoded by hand. */
static void frame_bad_crc(uint8_t dst, uint8_t src, uint8_t type)
{
    uint8_t f[5] = {dst, src, type, 0, 0}, enc[16];
    size_t n;
    slink_put_u16(f + 3, (uint16_t)(slink_crc16(f, 3) ^ 0x0100u));
    slink_err e = slink_cobs_encode(f, sizeof f, enc, sizeof enc, &n);
    if (e != SLINK_OK) die("cobs", e);
    enc[n++] = 0;
    raw(enc, n);
}

static void keyline(FILE *kl, unsigned snd, unsigned rcv, unsigned epoch, const uint8_t s[32])
{
    fprintf(kl, "SLINK_TRAFFIC %u %u %u ", snd, rcv, epoch);
    for (int i = 0; i < 32; i++) fprintf(kl, "%02x", s[i]);
    fputc('\n', kl);
}

int main(int argc, char **argv)
{
    if (argc != 3) { fprintf(stderr, "usage: %s CAPTURE KEYLOG\n", argv[0]); return 2; }
    cap = fopen(argv[1], "wb");
    FILE *kl = fopen(argv[2], "w");
    if (!cap || !kl) { perror("mkcap"); return 1; }

    /* Fixed test secrets (never real keys): s12 protects 1 -> 2, s21 2 -> 1. */
    uint8_t s12[32], s21[32];
    for (int i = 0; i < 32; i++) { s12[i] = (uint8_t)(0x10 + i); s21[i] = (uint8_t)(0x80 + i); }
    fprintf(kl, "# slink-dump test key log\n");
    keyline(kl, 1, 2, 2, s12);
    keyline(kl, 2, 1, 2, s21);

    /* 1. line noise before anything: empty frames, then bytes that are not COBS */
    raw("\0\0hello\0", 8);
    /* 2. handshake message 1, 0x01 -> 0x02 */
    uint8_t m1[SLINK_HS1_LEN];
    m1[0] = SLINK_VERSION_SUITE;
    m1[1] = 0;
    m1[2] = slink_mtu_code(SLINK_MAX_FRAME_BODY);
    for (int i = 0; i < 32; i++) m1[3 + i] = (uint8_t)(0x20 + i);
    frame(0x02, 0x01, SLINK_FT_HS1, m1, sizeof m1);
    /* 3. message 2 in two fragments, 0x02 -> 0x01: clear part + 80 bytes AEAD */
    uint8_t m2[SLINK_HS2_CLEAR_LEN + 80], fr[4 + 70];
    m2[0] = SLINK_HS_F_HAVE_PEER_CERT;
    m2[1] = 4;
    for (size_t i = 2; i < sizeof m2; i++) m2[i] = (uint8_t)(0xA0 + i);
    slink_put_u16(fr, 0);
    slink_put_u16(fr + 2, sizeof m2);
    memcpy(fr + 4, m2, 64);
    frame(0x01, 0x02, SLINK_FT_HS_FRAG | 2u, fr, 4 + 64);
    slink_put_u16(fr, 64);
    memcpy(fr + 4, m2 + 64, sizeof m2 - 64);
    frame(0x01, 0x02, SLINK_FT_HS_FRAG | 2u, fr, 4 + sizeof m2 - 64);
    /* 4. bus turns */
    frame(0x05, 0x01, SLINK_FT_POLL, NULL, 0);
    frame_bad_crc(0x01, 0x05, SLINK_FT_TURN_END);
    frame(0x01, 0x05, SLINK_FT_TURN_END, NULL, 0);

    /* 5. records both ways under the logged secrets */
    slink_record a, b;   /* a = node 1, b = node 2 */
    slink_err e = slink_rec_init(&a, 0x01, 0x02, s12, s21, NULL);
    if (e == SLINK_OK) e = slink_rec_init(&b, 0x02, 0x01, s21, s12, NULL);
    if (e != SLINK_OK) die("rec_init", e);
    uint8_t body[128], type, first[128], first_type;
    size_t blen, first_len;
    const uint8_t chunk[] = "\x00hello slink";
    e = slink_rec_seal(&b, SLINK_CT_STREAM, chunk, sizeof chunk - 1, &type, body, sizeof body, &blen);
    if (e != SLINK_OK) die("seal", e);
    frame(0x01, 0x02, type, body, blen);
    memcpy(first, body, blen);
    first_len = blen;
    first_type = type;
    uint8_t ackb[SLINK_ACK_LEN];
    size_t alen;
    slink_ack ack = {2, 0, 1, 0, 7, 0};
    e = slink_ack_encode(&ack, ackb, sizeof ackb, &alen);
    if (e == SLINK_OK) e = slink_rec_seal(&a, SLINK_CT_ACK, ackb, alen, &type, body, sizeof body, &blen);
    if (e != SLINK_OK) die("ack", e);
    frame(0x02, 0x01, type, body, blen);
    const uint8_t dg[] = {0xde, 0xad, 0xbe, 0xef};
    e = slink_rec_seal(&a, SLINK_CT_DATAGRAM, dg, sizeof dg, &type, body, sizeof body, &blen);
    if (e != SLINK_OK) die("datagram", e);
    body[blen - 1] ^= 0x01;            /* tampered tag, CRC recomputed: only the AEAD notices */
    frame(0x02, 0x01, type, body, blen);
    frame(0x01, 0x02, first_type, first, first_len);   /* replay of the first record */
    slink_alert al = {SLINK_ALERT_WARNING, SLINK_ALERT_CLOSE_NOTIFY, 1, 1};
    uint8_t alb[4];
    e = slink_alert_encode(&al, alb, sizeof alb, &alen);
    if (e == SLINK_OK) e = slink_rec_seal(&b, SLINK_CT_ALERT, alb, alen, &type, body, sizeof body, &blen);
    if (e != SLINK_OK) die("alert", e);
    frame(0x01, 0x02, type, body, blen);
    /* key update 2 -> 3: the log holds only epoch 2, the dump ratchets */
    e = slink_rec_key_update(&b);
    if (e == SLINK_OK)
        e = slink_rec_seal(&b, SLINK_CT_DATAGRAM, dg, sizeof dg, &type, body, sizeof body, &blen);
    if (e != SLINK_OK) die("epoch 3", e);
    frame(0x01, 0x02, type, body, blen);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);

    /* a pair whose log starts at epoch 5 (a dump that joins late) */
    slink_record c;
    e = slink_rec_init(&c, 0x03, 0x04, s12, s21, NULL);
    /* three updates in a row: each confirmed as a peer ACK in the new epoch
     * would (a sender keeps one update in flight, PROTOCOL.md §4.11 I5) */
    for (int i = 0; i < 3 && e == SLINK_OK; i++) {
        e = slink_rec_key_update(&c);
        c.tx_update_unconfirmed = 0;
    }
    if (e == SLINK_OK)
        e = slink_rec_seal(&c, SLINK_CT_DATAGRAM, dg, 2, &type, body, sizeof body, &blen);
    if (e != SLINK_OK) die("epoch 5", e);
    keyline(kl, 3, 4, c.tx.epoch, c.tx.secret);
    frame(0x04, 0x03, type, body, blen);
    slink_rec_wipe(&c);
    if (fclose(kl) != 0) die("keylog", SLINK_ERR_BUFFER);

    /* 6. odd frames: plaintext alert, unknown type, reserved source, runt */
    const uint8_t pa[2] = {SLINK_ALERT_FATAL, SLINK_ALERT_UNKNOWN_CA};
    frame(0x01, 0x02, SLINK_FT_PLAIN_ALERT, pa, 2);
    frame(0xFF, 0x03, 0x45, (const uint8_t *)"?", 1);
    frame(0x01, 0xF5, SLINK_FT_POLL, NULL, 0);
    const uint8_t budget[2] = {0x08, 0x00};   /* POLL granting 2048 bytes (§2.5) */
    frame(0x05, 0x01, SLINK_FT_POLL, budget, 2);
    raw("\x04\x01\x02\x03\x00", 5);    /* COBS of 01 02 03: 3 bytes, a runt */
    /* 7. a frame cut off by the end of the capture */
    raw("\x05\x02\x01\x20", 4);
    return fclose(cap) == 0 ? 0 : 1;
}

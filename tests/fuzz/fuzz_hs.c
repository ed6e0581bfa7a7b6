/* libFuzzer target for the handshake (src/handshake/handshake.c) and its codecs
 * (src/handshake/hs_msg.c).  Input: mode(1) then mode-specific bytes.
 *
 *   mode 0  msgno(1) bytes -> slink_hs_consume on an IDLE responder
 *   mode 1  msgno(1) bytes -> an initiator in WAIT_MSG2
 *   mode 2  msgno(1) bytes -> a responder in WAIT_MSG3
 *   mode 3  bytes          -> every codec; what decodes must re-encode
 *   mode 4  bytes          -> sealed as plaintext2 under the real K2/IV2 and
 *                             fed as msg2 to the WAIT_MSG2 initiator
 *   mode 5  bytes          -> sealed as plaintext3 under the real K3/IV3 and
 *                             fed as msg3 to the WAIT_MSG3 responder
 *
 * Modes 4 and 5 reach the parsing, reference lookup, certificate policy and
 * signature checks behind the AEAD, which random bytes never pass.  The
 * states are built once from the deterministic test PKI and fake entropy,
 * then copied before each input (slink_hs is plain data).  Checked after
 * every call: the error class agrees with the state change (drops and
 * duplicates leave state and output untouched, fatal codes leave FAILED
 * with an alert and no secrets, success leaves a message of sane size).
 *
 * Built with -DFUZZ_HS_MAKE_SEEDS (no libFuzzer) it writes the seed corpus
 * tests/fuzz/corpus/fuzz_hs/ from genuine messages of the same states. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "slink/handshake.h"
#include "handshake/hs_msg.h"
#include "handshake/keysched.h"
/* The test PKI and its minting library are compiled into this target only,
 * so other fuzz targets do not link them. */
#include "../common/test_pki.c"
#include "../../tools/pki/pki_lib.c"

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

typedef struct {
    slink_platform plat;
    uint64_t ent;
    slink_rng rng;
    slink_creds creds;
    slink_peer_policy pol;
    slink_hs_cfg cfg;
} fz_side;

static fz_side fz_i, fz_r;
static slink_hs fz_idle_r, fz_wait2_i, fz_wait3_r;
static uint8_t fz_msg1[SLINK_HS1_LEN], fz_msg2[SLINK_HS_MSG_MAX], fz_msg3[SLINK_HS_MSG_MAX];
static size_t fz_msg2_len, fz_msg3_len;
static uint8_t fz_th2[SLINK_HASH_LEN];
static int fz_ready;

static int fz_entropy(void *ctx, uint8_t *out, size_t len)
{
    uint64_t *s = ctx;
    for (size_t i = 0; i < len; i++) {
        *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17;
        out[i] = (uint8_t)(*s >> 32);
    }
    return 0;
}

static void fz_side_init(fz_side *s, uint64_t seed, const test_cred *own, const char *peer,
                         uint8_t local, uint8_t remote, const test_cred *peer_cert)
{
    memset(s, 0, sizeof *s);
    s->ent = seed;
    s->plat.entropy = fz_entropy;
    s->plat.entropy_ctx = &s->ent;
    REQUIRE(slink_rng_init(&s->rng, &s->plat, NULL, 0) == SLINK_OK);
    REQUIRE(test_pki_load_creds(&s->creds, test_pki_default_ca(), own) == SLINK_OK);
    s->pol = test_pki_policy(peer);
    /* no wall clock in this platform: ignore dates rather than fail them all */
    s->pol.time_mode = SLINK_TIME_IGNORE;
    s->cfg.creds = &s->creds;
    s->cfg.policy = &s->pol;
    s->cfg.plat = &s->plat;
    s->cfg.rng = &s->rng;
    s->cfg.local_addr = local;
    s->cfg.peer_addr = remote;
    s->cfg.local_mtu = 256;
    /* Both sides hold each other's certificate, so references are legal and
     * their lookup is reachable; full credentials are accepted all the same. */
    s->cfg.peer_cert = peer_cert->der;
    s->cfg.peer_cert_len = peer_cert->der_len;
}

static void fz_setup(void)
{
    static slink_hs done_i;
    if (fz_ready)
        return;
    fz_side_init(&fz_i, 0x1111, test_pki_default_host(), TEST_PKI_DEVICE_NAME, 1, 7,
                 test_pki_default_device());
    fz_side_init(&fz_r, 0x7777, test_pki_default_device(), TEST_PKI_HOST_NAME, 7, 1,
                 test_pki_default_host());
    slink_hs_init(&fz_idle_r, &fz_r.cfg);
    slink_hs_init(&fz_wait2_i, &fz_i.cfg);
    REQUIRE(slink_hs_start(&fz_wait2_i) == SLINK_OK);
    memcpy(fz_msg1, fz_wait2_i.out, SLINK_HS1_LEN);
    fz_wait3_r = fz_idle_r;
    REQUIRE(slink_hs_consume(&fz_wait3_r, 1, fz_msg1, SLINK_HS1_LEN) == SLINK_OK);
    fz_msg2_len = fz_wait3_r.out_len;
    memcpy(fz_msg2, fz_wait3_r.out, fz_msg2_len);
    REQUIRE(ks_th2(1, 7, fz_msg1, fz_msg2, fz_th2) == SLINK_OK);
    done_i = fz_wait2_i;
    REQUIRE(slink_hs_consume(&done_i, 2, fz_msg2, fz_msg2_len) == SLINK_OK);
    fz_msg3_len = done_i.out_len;
    memcpy(fz_msg3, done_i.out, fz_msg3_len);
    fz_ready = 1;
}

static int fz_zero(const uint8_t *p, size_t n)
{
    uint8_t a = 0;
    for (size_t i = 0; i < n; i++) a |= p[i];
    return a == 0;
}

/* The contract of slink_hs_consume, checked on every call. */
static void fz_consume(const slink_hs *snap, uint8_t msgno, const uint8_t *p, size_t n)
{
    static slink_hs hs;
    slink_err e;

    hs = *snap;
    e = slink_hs_consume(&hs, msgno, p, n);
    switch (slink_err_classify(e)) {
    case SLINK_CLASS_OK:
        REQUIRE(hs.state == SLINK_HS_WAIT_MSG3 || hs.state == SLINK_HS_DONE);
        REQUIRE(hs.out_len > 0 && hs.out_len <= SLINK_HS_MSG_MAX);
        if (hs.state == SLINK_HS_DONE)
            REQUIRE(!fz_zero(hs.tx_secret, 32) && fz_zero(hs.prk, 32));
        break;
    case SLINK_CLASS_DROP:
        /* drops and duplicates: nothing changes */
        REQUIRE(hs.state == snap->state && hs.out_len == snap->out_len);
        REQUIRE(memcmp(hs.out, snap->out, hs.out_len) == 0);
        break;
    case SLINK_CLASS_FATAL:
        if (msgno == 2 && snap->state == SLINK_HS_WAIT_MSG2 && hs.state == SLINK_HS_WAIT_MSG2) {
            /* a msg2 that opened but did not authenticate the responder is
             * refused, not fatal (handshake.h, I4): the attempt keeps its
             * key and msg1 and records why */
            REQUIRE(hs.fail == e && hs.alert != 0 && fz_zero(hs.prk, 32));
            REQUIRE(!fz_zero(hs.eph.d, 32) && memcmp(hs.msg1, snap->msg1, sizeof hs.msg1) == 0);
            REQUIRE(fz_zero(hs.tx_secret, 32));
            break;
        }
        REQUIRE(hs.state == SLINK_HS_FAILED && hs.fail == e && hs.alert != 0);
        REQUIRE(fz_zero(hs.prk, 32) && fz_zero(hs.eph.d, 32) && fz_zero(hs.tx_secret, 32));
        break;
    default:
        abort();   /* usage errors cannot come from wire bytes */
    }
}

static void fz_codecs(const uint8_t *p, size_t n)
{
    static uint8_t out[SLINK_HS_MSG_MAX + 64];
    hs_msg1 m1;
    hs_msg2_clear m2;
    hs_cred c;
    uint8_t sig[SLINK_SIG_LEN];
    const uint8_t *ct, *tag;
    size_t ct_len, m = 0;

    if (hs_msg1_decode(p, n, &m1) == SLINK_OK) {
        REQUIRE(hs_msg1_encode(&m1, out, sizeof out, &m) == SLINK_OK);
        REQUIRE(m == n && memcmp(out, p, n) == 0);
    }
    if (hs_msg2_decode(p, n, &m2, &ct, &ct_len, &tag) == SLINK_OK) {
        REQUIRE(hs_msg2_clear_encode(&m2, out, sizeof out, &m) == SLINK_OK);
        REQUIRE(m == SLINK_HS2_CLEAR_LEN && memcmp(out, p, m) == 0);
        REQUIRE(ct == p + SLINK_HS2_CLEAR_LEN && tag + SLINK_TAG_LEN == p + n);
        REQUIRE(ct_len + SLINK_HS2_CLEAR_LEN + SLINK_TAG_LEN == n);
    }
    if (hs_msg3_decode(p, n, &ct, &ct_len, &tag) == SLINK_OK)
        REQUIRE(ct == p && ct_len + SLINK_TAG_LEN == n);
    if (hs_plain_decode(p, n, &c, sig) == SLINK_OK) {
        if (c.type == SLINK_CRED_FULL)
            REQUIRE(c.der == p + 3 && c.der_len > 0 && c.der_len <= SLINK_CERT_MAX);
        REQUIRE(hs_plain_encode(&c, sig, out, sizeof out, &m) == SLINK_OK);
        REQUIRE(m == n && memcmp(out, p, n) == 0);
    }
}

static void fz_sealed(int msg3, const uint8_t *p, size_t n)
{
    static uint8_t msg[SLINK_HS_MSG_MAX + 64];
    size_t off = msg3 ? 0 : SLINK_HS2_CLEAR_LEN;

    if (n > SLINK_HS_MSG_MAX - off - SLINK_TAG_LEN)
        return;
    if (!msg3)
        memcpy(msg, fz_msg2, SLINK_HS2_CLEAR_LEN);
    /* The responder snapshot holds PRK; TH3 is its running hash. */
    REQUIRE(ks_seal(fz_wait3_r.prk, msg3 ? KS_MSG3 : KS_MSG2, msg3 ? fz_wait3_r.th : fz_th2,
                    p, n, msg + off, msg + off + n) == SLINK_OK);
    if (msg3)
        fz_consume(&fz_wait3_r, 3, msg, n + SLINK_TAG_LEN);
    else
        fz_consume(&fz_wait2_i, 2, msg, off + n + SLINK_TAG_LEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t mode;

    if (size < 1 || size > 2u * SLINK_HS_MSG_MAX)
        return 0;
    fz_setup();
    mode = (uint8_t)(data[0] % 6u);
    data++;
    size--;
    switch (mode) {
    case 0: case 1: case 2: {
        const slink_hs *snap = mode == 0 ? &fz_idle_r : mode == 1 ? &fz_wait2_i : &fz_wait3_r;
        if (size < 1)
            return 0;
        fz_consume(snap, (uint8_t)(data[0] & 3u), data + 1, size - 1);
        break;
    }
    case 3:
        fz_codecs(data, size);
        break;
    case 4:
        fz_sealed(0, data, size);
        break;
    default:
        fz_sealed(1, data, size);
        break;
    }
    return 0;
}

#ifdef FUZZ_HS_MAKE_SEEDS
static void fz_write(const char *dir, const char *name, uint8_t mode, int msgno,
                     const uint8_t *p, size_t n)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    REQUIRE(f != NULL);
    fputc(mode, f);
    if (msgno >= 0)
        fputc(msgno, f);
    REQUIRE(fwrite(p, 1, n, f) == n);
    fclose(f);
}

/* The plaintext inside one of the genuine messages. */
static size_t fz_plain(int msg3, uint8_t *pt)
{
    const uint8_t *m = msg3 ? fz_msg3 : fz_msg2 + SLINK_HS2_CLEAR_LEN;
    size_t n = (msg3 ? fz_msg3_len : fz_msg2_len - SLINK_HS2_CLEAR_LEN) - SLINK_TAG_LEN;
    REQUIRE(ks_open(fz_wait3_r.prk, msg3 ? KS_MSG3 : KS_MSG2, msg3 ? fz_wait3_r.th : fz_th2,
                    m, n, m + n, pt) == SLINK_OK);
    return n;
}

int main(int argc, char **argv)
{
    static uint8_t pt[SLINK_HS_MSG_MAX], full[SLINK_HS_MSG_MAX], buf[SLINK_HS_MSG_MAX];
    const char *dir = argc > 1 ? argv[1] : ".";
    size_t n;
    hs_cred c;
    uint8_t sig[SLINK_SIG_LEN];

    fz_setup();
    fz_write(dir, "idle_msg1", 0, 1, fz_msg1, SLINK_HS1_LEN);
    memcpy(buf, fz_msg1, SLINK_HS1_LEN);
    buf[0] = 0x11;   /* a protocol version 1 peer's version byte */
    fz_write(dir, "idle_msg1_version", 0, 1, buf, SLINK_HS1_LEN);
    fz_write(dir, "wait2_msg2", 1, 2, fz_msg2, fz_msg2_len);
    fz_write(dir, "wait2_msg1_reflected", 1, 1, fz_msg1, SLINK_HS1_LEN);
    fz_write(dir, "wait3_msg3", 2, 3, fz_msg3, fz_msg3_len);
    fz_write(dir, "wait3_msg1_dup", 2, 1, fz_msg1, SLINK_HS1_LEN);
    fz_write(dir, "codec_msg1", 3, -1, fz_msg1, SLINK_HS1_LEN);
    fz_write(dir, "codec_msg2", 3, -1, fz_msg2, fz_msg2_len);
    n = fz_plain(0, pt);
    fz_write(dir, "sealed_plain2_ref", 4, -1, pt, n);
    fz_write(dir, "codec_plain2_ref", 3, -1, pt, n);
    /* the same signature behind a full credential (a valid plaintext2 shape) */
    REQUIRE(hs_plain_decode(pt, n, &c, sig) == SLINK_OK);
    memset(&c, 0, sizeof c);
    c.type = SLINK_CRED_FULL;
    c.der = test_pki_default_device()->der;
    c.der_len = test_pki_default_device()->der_len;
    REQUIRE(hs_plain_encode(&c, sig, full, sizeof full, &n) == SLINK_OK);
    fz_write(dir, "sealed_plain2_full", 4, -1, full, n);
    n = fz_plain(1, pt);
    fz_write(dir, "sealed_plain3_ref", 5, -1, pt, n);
    return 0;
}
#endif

/* Constant-flow check of the record-open path and of the handshake's AEAD
 * check, in the way mbedTLS's constant-flow tests do it with valgrind:
 * secret bytes are marked "undefined" with memcheck client requests, the
 * code under test runs, and memcheck reports every conditional branch
 * ("Conditional jump or move depends on uninitialised value(s)") and every
 * memory address ("Use of uninitialised value of size N") computed from
 * them.  Results are marked defined again only after the call returns.
 *
 * Secrets here: the traffic secret, IV and expanded AES/GHASH key material
 * of the receive direction (and of the send direction for seal), the record
 * plaintext, and for the handshake the PRK the message keys come from.  The
 * received ciphertext and tag are attacker-visible, but the tag comparison
 * mixes them with the secret expected tag, so they are marked too (a branch
 * on "tag[i] == expected[i]" is what the check is there to catch).
 *
 * The one branch that must depend on secrets is the verdict itself (tag
 * good or bad), which the receiver reveals anyway by accepting or dropping
 * the record.  mbedTLS takes it in mbedtls_gcm_auth_decrypt after a
 * branch-free OR-accumulated comparison; tests/ctflow/verdict.supp
 * suppresses exactly that frame (innermost frame only), nothing else.
 *
 * Run: make ctflow (valgrind --error-exitcode=1 --track-origins=yes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>
#include <mbedtls/aes.h>
#include "slink/crypto.h"
#include "backends/mbedtls/mbedtls_backend.h"
#include "slink/record.h"
#include "slink/wire.h"
#include "handshake/keysched.h"

#define SECRET(p, n)  VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n)  VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int failures;

static void expect(const char *name, slink_err got, slink_err want)
{
    /* got is computed from the verdict; it is public by design */
    PUBLIC(&got, sizeof got);
    printf("%-48s %s (%s)\n", name, got == want ? "ok" : "FAILED", slink_err_str(got));
    if (got != want) failures++;
}

/* Every byte that depends on the key inside the AEAD object: the GHASH
 * tables in the GCM context and the AES round keys mbedTLS keeps on the
 * heap behind the cipher context. */
static void secret_aead(slink_aead *a)
{
    mbedtls_gcm_context *g = slink_mbedtls_gcm(a);
    mbedtls_aes_context *aes = g->cipher_ctx.cipher_ctx;
    SECRET(g->HL, sizeof g->HL);
    SECRET(g->HH, sizeof g->HH);
    if (aes != NULL) SECRET(aes->buf, sizeof aes->buf);
}

static void public_aead(slink_aead *a)
{
    mbedtls_gcm_context *g = slink_mbedtls_gcm(a);
    mbedtls_aes_context *aes = g->cipher_ctx.cipher_ctx;
    PUBLIC(g->HL, sizeof g->HL);
    PUBLIC(g->HH, sizeof g->HH);
    if (aes != NULL) PUBLIC(aes->buf, sizeof aes->buf);
}

static void secret_keys(slink_rec_keys *k)
{
    SECRET(k->secret, sizeof k->secret);
    SECRET(k->iv, sizeof k->iv);
    secret_aead(&k->aead);
}

static void public_keys(slink_rec_keys *k)
{
    PUBLIC(k->secret, sizeof k->secret);
    PUBLIC(k->iv, sizeof k->iv);
    public_aead(&k->aead);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(seed + i * 37u);
}

/* One record: seal under secret key and plaintext, then open it (optionally
 * tampered) under a secret key with secret ciphertext and tag. */
static void record_case(const char *name, size_t pt_len, int flip_at, slink_err want)
{
    uint8_t s_i2r[32], s_r2i[32];
    uint8_t pt[200], out[200], body[SLINK_MAX_FRAME_BODY];
    uint8_t type = 0, ctype = 0;
    size_t blen = 0, olen = 0;
    slink_record tx, rx;
    slink_rec_hdr h;
    slink_err e;

    fill(s_i2r, sizeof s_i2r, 1);
    fill(s_r2i, sizeof s_r2i, 2);
    fill(pt, sizeof pt, 3);
    if (slink_rec_init(&tx, 1, 7, s_i2r, s_r2i, NULL) != SLINK_OK ||
        slink_rec_init(&rx, 7, 1, s_r2i, s_i2r, NULL) != SLINK_OK) {
        printf("%s: setup failed\n", name);
        failures++;
        return;
    }

    /* seal: key and plaintext secret */
    secret_keys(&tx.tx);
    SECRET(pt, pt_len);
    e = slink_rec_seal(&tx, SLINK_CT_DATAGRAM, pt, pt_len, &type, body, sizeof body, &blen);
    PUBLIC(body, sizeof body);           /* ciphertext and tag go on the wire */
    PUBLIC(&blen, sizeof blen);
    PUBLIC(pt, sizeof pt);
    public_keys(&tx.tx);
    if (e != SLINK_OK) { expect(name, e, SLINK_OK); return; }

    if (flip_at >= 0) body[blen - 1u - (size_t)flip_at] ^= 0x01u;
    if (slink_rec_hdr_parse(type, &h) != SLINK_OK) { expect(name, SLINK_ERR_REC_MALFORMED, SLINK_OK); return; }

    /* open: key secret; ciphertext and tag secret (the seq field and the
     * frame type are the public header) */
    secret_keys(&SLINK_REC_RX(&rx));
    SECRET(body + h.seq_len, blen - h.seq_len);
    e = slink_rec_open(&rx, 7, 1, type, body, blen, out, sizeof out, &olen, &ctype, 1000);
    PUBLIC(out, sizeof out);
    PUBLIC(body, sizeof body);
    public_keys(&SLINK_REC_RX(&rx));
    expect(name, e, want);
    if (e == SLINK_OK && (olen != pt_len || memcmp(out, pt, pt_len) != 0)) {
        printf("%s: plaintext mismatch\n", name);
        failures++;
    }
    slink_rec_wipe(&tx);
    slink_rec_wipe(&rx);
}

/* The handshake's AEAD check of message 2's encrypted part: K2/IV2 come
 * from the PRK (secret) through HKDF, then AES-GCM open with AAD = TH2. */
static void handshake_case(const char *name, int flip_at, slink_err want)
{
    uint8_t prk[32], th2[SLINK_HASH_LEN], pt[300], ct[300], out[300], tag[SLINK_TAG_LEN];
    slink_err e;

    fill(prk, sizeof prk, 9);
    fill(th2, sizeof th2, 10);
    fill(pt, sizeof pt, 11);
    SECRET(prk, sizeof prk);
    SECRET(pt, sizeof pt);
    e = ks_seal(prk, KS_MSG2, th2, pt, sizeof pt, ct, tag);
    PUBLIC(ct, sizeof ct);
    PUBLIC(tag, sizeof tag);
    if (e != SLINK_OK) { expect(name, e, SLINK_OK); return; }
    if (flip_at >= 0) {
        if (flip_at < (int)sizeof tag) tag[flip_at] ^= 0x80u;
        else ct[flip_at - (int)sizeof tag] ^= 0x80u;
    }
    SECRET(ct, sizeof ct);
    SECRET(tag, sizeof tag);
    e = ks_open(prk, KS_MSG2, th2, ct, sizeof ct, tag, out);
    PUBLIC(out, sizeof out);
    PUBLIC(pt, sizeof pt);
    expect(name, e, want);
    if (e == SLINK_OK && memcmp(out, pt, sizeof pt) != 0) {
        printf("%s: plaintext mismatch\n", name);
        failures++;
    }
}

/* Negative control (--selftest): code that is NOT constant-flow, to show
 * the harness catches both kinds of leak.  make ctflow requires valgrind to
 * report a branch and an address that depend on the secret here. */
static int leaky_compare(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;        /* early exit: timing leak */
    return 1;
}

static int selftest(void)
{
    static const uint8_t table[256] = { 1, 2, 3 };
    uint8_t key[16], guess[16];
    volatile uint8_t sink;
    int r;
    fill(key, sizeof key, 5);
    fill(guess, sizeof guess, 5);
    SECRET(key, sizeof key);
    r = leaky_compare(key, guess, sizeof key);
    sink = table[key[0]];                  /* secret-indexed load: cache leak */
    (void)sink;
    PUBLIC(&r, sizeof r);
    printf("ctflow selftest: leaky code ran (memcheck must report it)\n");
    return 0;
}

int main(int argc, char **argv)
{
    int on_valgrind = RUNNING_ON_VALGRIND;
    if (argc > 1 && strcmp(argv[1], "--selftest") == 0) return selftest();
    printf("ctflow_record: %s\n", on_valgrind ? "under valgrind memcheck"
                                              : "NOT under valgrind (client requests are no-ops)");
    record_case("record open, genuine, 100 bytes", 100, -1, SLINK_OK);
    record_case("record open, genuine, empty", 0, -1, SLINK_OK);
    record_case("record open, tag last byte flipped", 100, 0, SLINK_ERR_REC_AUTH);
    record_case("record open, tag first byte flipped", 100, 15, SLINK_ERR_REC_AUTH);
    record_case("record open, ciphertext byte flipped", 100, 40, SLINK_ERR_REC_AUTH);
    handshake_case("msg2 AEAD open (ks_open), genuine", -1, SLINK_OK);
    handshake_case("msg2 AEAD open, tag byte flipped", 3, SLINK_ERR_HS_DECRYPT);
    handshake_case("msg2 AEAD open, ciphertext byte flipped", 16 + 200, SLINK_ERR_HS_DECRYPT);
    printf("ctflow_record: %d failure(s)\n", failures);
    return failures ? 1 : 0;
}

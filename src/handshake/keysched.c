/* Handshake key schedule (docs/PROTOCOL.md §4.5).  Every derivation binds
 * the transcript hash it follows from, and every label names its message
 * and direction, so keys of one message, role or session never serve
 * another (a reflected message decrypts under the wrong key and fails). */
#include "keysched.h"
#include <string.h>
#include "slink/crypto.h"
#include "../cc.h"

typedef slink_cbuf ks_part;

/* SHA-256 over a concatenation without copying it into one buffer. */
static slink_err hash_parts(const ks_part *parts, size_t count, uint8_t out[SLINK_HASH_LEN])
{
    return slink_sha256_v(parts, count, out);
}

slink_err ks_th2(uint8_t addr_i, uint8_t addr_r,
                 const uint8_t msg1[SLINK_HS1_LEN],
                 const uint8_t msg2_clear[SLINK_HS2_CLEAR_LEN],
                 uint8_t th2[SLINK_HASH_LEN])
{
    /* The link addresses bind the session to the bus positions, so a
     * transcript relayed to another address pair does not verify. */
    uint8_t addrs[2];
    ks_part parts[4];

    addrs[0] = addr_i;
    addrs[1] = addr_r;
    parts[0].p = (const uint8_t *)KS_TH2_TAG; parts[0].n = KS_TH2_TAG_LEN;
    parts[1].p = addrs;                       parts[1].n = 2;
    parts[2].p = msg1;                        parts[2].n = SLINK_HS1_LEN;
    parts[3].p = msg2_clear;                  parts[3].n = SLINK_HS2_CLEAR_LEN;
    return hash_parts(parts, 4, th2);
}

slink_err ks_th_next(const uint8_t th[SLINK_HASH_LEN], const uint8_t *plain, size_t len,
                     uint8_t out[SLINK_HASH_LEN])
{
    ks_part parts[2];

    parts[0].p = th;    parts[0].n = SLINK_HASH_LEN;
    parts[1].p = plain; parts[1].n = len;
    return hash_parts(parts, 2, out);
}

slink_err ks_prk(const uint8_t th2[SLINK_HASH_LEN], const uint8_t g[SLINK_ECX_LEN],
                 uint8_t prk[32])
{
    return slink_hkdf_extract(th2, SLINK_HASH_LEN, g, SLINK_ECX_LEN, prk);
}

/* Two HKDF-Expand-Label outputs from one PRK and context (a key and its
 * IV, or the two directions' secrets): both, or both zeroed. */
static slink_err expand_pair(const uint8_t prk[32], const uint8_t ctx[SLINK_HASH_LEN],
                             const char *label1, uint8_t *out1, size_t len1,
                             const char *label2, uint8_t *out2, size_t len2)
{
    slink_err e = slink_hkdf_expand_label(prk, label1, ctx, SLINK_HASH_LEN, out1, len1);
    if (e == SLINK_OK)
        e = slink_hkdf_expand_label(prk, label2, ctx, SLINK_HASH_LEN, out2, len2);
    if (e != SLINK_OK) {
        slink_memzero(out1, len1);
        slink_memzero(out2, len2);
    }
    return e;
}

slink_err ks_msg_key(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                     uint8_t key[KS_KEY_LEN], uint8_t iv[KS_IV_LEN])
{
    SLINK_CHECK(which == KS_MSG2 || which == KS_MSG3, SLINK_ERR_ARG);
    return expand_pair(prk, th, which == KS_MSG2 ? "k2" : "k3", key, KS_KEY_LEN,
                       which == KS_MSG2 ? "iv2" : "iv3", iv, KS_IV_LEN);
}

slink_err ks_mac(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                 const uint8_t *cert, size_t cert_len, uint8_t mac[SLINK_MAC_LEN])
{
    /* The MAC binds the signer's certificate to the ECDH secret: only a
     * party holding the ephemeral secret can produce what is signed. */
    uint8_t ctx[SLINK_HASH_LEN];
    ks_part parts[2];
    slink_err e;

    SLINK_CHECK(cert_len > 0, SLINK_ERR_ARG);
    SLINK_CHECK(which == KS_MSG2 || which == KS_MSG3, SLINK_ERR_ARG);
    parts[0].p = th;   parts[0].n = SLINK_HASH_LEN;
    parts[1].p = cert; parts[1].n = cert_len;
    e = hash_parts(parts, 2, ctx);
    if (e == SLINK_OK)
        e = slink_hkdf_expand_label(prk, which == KS_MSG2 ? "mac2" : "mac3",
                                    ctx, sizeof ctx, mac, SLINK_MAC_LEN);
    if (e != SLINK_OK)
        slink_memzero(mac, SLINK_MAC_LEN);
    return e;
}

slink_err ks_sig_input(ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                       const uint8_t *cert, size_t cert_len,
                       const uint8_t mac[SLINK_MAC_LEN], uint8_t out[KS_SIG_INPUT_LEN])
{
    SLINK_CHECK(cert_len > 0, SLINK_ERR_ARG);
    SLINK_CHECK(which == KS_MSG2 || which == KS_MSG3, SLINK_ERR_ARG);
    /* Distinct tags ("slink1 sig2", "slink1 sig3"): a responder's signature
     * can never pass as an initiator's, even over an equal transcript hash. */
    memcpy(out, "slink1 sig", KS_SIG_TAG_LEN - 1u);
    out[KS_SIG_TAG_LEN - 1u] = (uint8_t)('0' + (int)which);
    memcpy(out + KS_SIG_TAG_LEN, th, SLINK_HASH_LEN);
    SLINK_TRY(slink_sha256(cert, cert_len, out + KS_SIG_TAG_LEN + SLINK_HASH_LEN));
    memcpy(out + KS_SIG_TAG_LEN + 2u * SLINK_HASH_LEN, mac, SLINK_MAC_LEN);
    return SLINK_OK;
}

slink_err ks_traffic(const uint8_t prk[32], const uint8_t th4[SLINK_HASH_LEN],
                     uint8_t i2r[KS_SECRET_LEN], uint8_t r2i[KS_SECRET_LEN])
{
    return expand_pair(prk, th4, "i2r", i2r, KS_SECRET_LEN, "r2i", r2i, KS_SECRET_LEN);
}

/* One AES-GCM operation under a message key: seal when seal_tag is
 * given, else open against open_tag.  The context (616 bytes on a
 * Cortex-M with mbedTLS 3.6) lives on this frame only, never on the
 * frames of ks_seal/ks_open while they derive the key through HKDF and
 * SHA-256: that nesting was the device's deepest stack path. */
static SLINK_NOINLINE slink_err ks_aead(const uint8_t key[KS_KEY_LEN],
                                        const uint8_t iv[KS_IV_LEN],
                                        const uint8_t th[SLINK_HASH_LEN],
                                        const uint8_t *in, size_t len, uint8_t *out,
                                        uint8_t *seal_tag, const uint8_t *open_tag)
{
    slink_aead a;
    slink_err e;

    memset(&a, 0, sizeof a);
    e = slink_aead_setkey(&a, key, KS_KEY_LEN);
    if (e == SLINK_OK && seal_tag != NULL)
        e = slink_aead_seal(&a, iv, KS_IV_LEN, th, SLINK_HASH_LEN, in, len, out,
                            seal_tag, SLINK_TAG_LEN);
    else if (e == SLINK_OK)
        e = slink_aead_open(&a, iv, KS_IV_LEN, th, SLINK_HASH_LEN, in, len, out,
                            open_tag, SLINK_TAG_LEN);
    slink_aead_free(&a);
    return e;
}

/* The message key and IV derived, then one AES-GCM operation (ks_aead). */
static slink_err ks_crypt(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                          const uint8_t *in, size_t len, uint8_t *out,
                          uint8_t *seal_tag, const uint8_t *open_tag)
{
    uint8_t key[KS_KEY_LEN], iv[KS_IV_LEN];
    slink_err e = ks_msg_key(prk, which, th, key, iv);
    if (e == SLINK_OK)
        e = ks_aead(key, iv, th, in, len, out, seal_tag, open_tag);
    slink_memzero(key, sizeof key);
    slink_memzero(iv, sizeof iv);
    return e;
}

slink_err ks_seal(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                  const uint8_t *pt, size_t len, uint8_t *ct, uint8_t tag[SLINK_TAG_LEN])
{
    return ks_crypt(prk, which, th, pt, len, ct, tag, NULL);
}

slink_err ks_open(const uint8_t prk[32], ks_msg which, const uint8_t th[SLINK_HASH_LEN],
                  const uint8_t *ct, size_t len, const uint8_t tag[SLINK_TAG_LEN],
                  uint8_t *pt)
{
    slink_err e;

    e = ks_crypt(prk, which, th, ct, len, pt, NULL, tag);
    /* Any AEAD failure on a handshake part is a drop: the genuine
     * message may still arrive. */
    return e == SLINK_ERR_REC_AUTH ? SLINK_ERR_HS_DECRYPT : e;
}

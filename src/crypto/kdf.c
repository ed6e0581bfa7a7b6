/* SHA-256 and HKDF-SHA256 (RFC 5869) with slink's labelled expansion, the
 * only key derivation in the protocol (§4.5). */
#include "slink/crypto.h"
#include <string.h>

#define KDF_HASH_LEN   32u
#define KDF_PREFIX_LEN (sizeof(SLINK_LABEL_PREFIX) - 1u)
/* The length of "slink1 " || label travels in one byte. */
#define KDF_LABEL_MAX  (255u - KDF_PREFIX_LEN)
#define KDF_CTX_MAX    255u
/* RFC 5869 §2.3: L <= 255 * HashLen. */
#define KDF_OUT_MAX    (255u * KDF_HASH_LEN)

slink_err slink_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    slink_cbuf in[1];
    SLINK_CHECK(out != NULL && (p != NULL || n == 0), SLINK_ERR_ARG);
    in[0].p = p;
    in[0].n = n;
    return slink_sha256_v(in, 1, out);
}

/* RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM), salt defaulting to HashLen
 * zeros.  HMAC pads a key shorter than its block with zeros (RFC 2104
 * §2), so that default and the empty key are the same key: an absent salt
 * is passed on as it is. */
slink_err slink_hkdf_extract(const uint8_t *salt, size_t salt_len,
                             const uint8_t *ikm, size_t ikm_len, uint8_t prk[32])
{
    slink_cbuf in[1];

    SLINK_CHECK(prk != NULL && (salt != NULL || salt_len == 0) &&
                (ikm != NULL || ikm_len == 0), SLINK_ERR_ARG);
    in[0].p = ikm;
    in[0].n = ikm_len;
    return slink_hmac_sha256_v(salt, salt_len, in, 1, prk);
}

/* Bounded strlen: labels are short protocol constants, so anything longer
 * than the wire allows is refused without reading past the limit. */
static size_t label_len(const char *label)
{
    size_t n = 0;
    while (n <= KDF_LABEL_MAX && label[n] != '\0')
        n++;
    return n;
}

/* HKDF-Expand (RFC 5869 §2.3) with info = L(2) || len(1) || "slink1 " ||
 * label || ctx_len(1) || ctx, fed to HMAC in pieces: the info string is
 * never assembled, so the frame holds one block of output instead of a
 * 514-byte buffer sized for the longest label and context (this function
 * sits under the handshake's and the record layer's deepest paths). */
slink_err slink_hkdf_expand_label(const uint8_t secret[32], const char *label,
                                  const uint8_t *ctx, size_t ctx_len,
                                  uint8_t *out, size_t out_len)
{
    uint8_t hdr[3], t[KDF_HASH_LEN], ctr, cl;
    slink_cbuf in[7];
    size_t ll, done = 0, tlen = 0;
    slink_err e = SLINK_OK;

    SLINK_CHECK(secret != NULL && label != NULL && out != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(ctx != NULL || ctx_len == 0, SLINK_ERR_ARG);
    SLINK_CHECK(out_len >= 1u && out_len <= KDF_OUT_MAX, SLINK_ERR_ARG);
    SLINK_CHECK(ctx_len <= KDF_CTX_MAX, SLINK_ERR_ARG);
    ll = label_len(label);
    SLINK_CHECK(ll <= KDF_LABEL_MAX, SLINK_ERR_ARG);

    /* big-endian length, written here so crypto/ needs nothing from the
     * frame layer above it */
    hdr[0] = (uint8_t)(out_len >> 8);
    hdr[1] = (uint8_t)out_len;
    hdr[2] = (uint8_t)(KDF_PREFIX_LEN + ll);
    cl = (uint8_t)ctx_len;
    /* T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
    for (ctr = 1; e == SLINK_OK && done < out_len; ctr++) {
        size_t n = out_len - done < KDF_HASH_LEN ? out_len - done : KDF_HASH_LEN;
        in[0].p = t;
        in[0].n = tlen;
        in[1].p = hdr;
        in[1].n = sizeof hdr;
        in[2].p = (const uint8_t *)SLINK_LABEL_PREFIX;
        in[2].n = KDF_PREFIX_LEN;
        in[3].p = (const uint8_t *)label;
        in[3].n = ll;
        in[4].p = &cl;
        in[4].n = 1;
        in[5].p = ctx;
        in[5].n = ctx_len;
        in[6].p = &ctr;
        in[6].n = 1;
        e = slink_hmac_sha256_v(secret, KDF_HASH_LEN, in, 7, t);
        if (e == SLINK_OK) {
            memcpy(out + done, t, n);
            done += n;
            tlen = KDF_HASH_LEN;
        }
    }
    slink_memzero(t, sizeof t);
    if (e != SLINK_OK) {
        slink_memzero(out, out_len);
        return SLINK_ERR_CRYPTO;
    }
    return SLINK_OK;
}

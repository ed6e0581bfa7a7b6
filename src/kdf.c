/* SHA-256 and HKDF-SHA256 (RFC 5869) with slink's labelled expansion, the
 * only key derivation in the protocol (§4.5). */
#include "slink/crypto.h"
#include <string.h>
#include <mbedtls/sha256.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#define KDF_HASH_LEN   32u
#define KDF_PREFIX_LEN (sizeof(SLINK_LABEL_PREFIX) - 1u)
/* The length of "slink1 " || label travels in one byte. */
#define KDF_LABEL_MAX  (255u - KDF_PREFIX_LEN)
#define KDF_CTX_MAX    255u
/* RFC 5869 §2.3: L <= 255 * HashLen. */
#define KDF_OUT_MAX    (255u * KDF_HASH_LEN)

slink_err slink_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    SLINK_CHECK(out != NULL && (p != NULL || n == 0), SLINK_ERR_ARG);
    if (mbedtls_sha256_ret(p, n, out, 0) != 0)
        return SLINK_ERR_CRYPTO;
    return SLINK_OK;
}

slink_err slink_hkdf_extract(const uint8_t *salt, size_t salt_len,
                             const uint8_t *ikm, size_t ikm_len, uint8_t prk[32])
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);

    SLINK_CHECK(prk != NULL && (salt != NULL || salt_len == 0) &&
                (ikm != NULL || ikm_len == 0), SLINK_ERR_ARG);
    SLINK_CHECK(md != NULL, SLINK_ERR_CRYPTO);
    if (mbedtls_hkdf_extract(md, salt, salt_len, ikm, ikm_len, prk) != 0)
        return SLINK_ERR_CRYPTO;
    return SLINK_OK;
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
static int hmac_put(mbedtls_md_context_t *h, const uint8_t *p, size_t n)
{
    return n == 0 ? 0 : mbedtls_md_hmac_update(h, p, n);
}

slink_err slink_hkdf_expand_label(const uint8_t secret[32], const char *label,
                                  const uint8_t *ctx, size_t ctx_len,
                                  uint8_t *out, size_t out_len)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    mbedtls_md_context_t h;
    uint8_t hdr[3], t[KDF_HASH_LEN], ctr, cl;
    size_t ll, done = 0, tlen = 0;
    int ret;

    SLINK_CHECK(secret != NULL && label != NULL && out != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(ctx != NULL || ctx_len == 0, SLINK_ERR_ARG);
    SLINK_CHECK(out_len >= 1u && out_len <= KDF_OUT_MAX, SLINK_ERR_ARG);
    SLINK_CHECK(ctx_len <= KDF_CTX_MAX, SLINK_ERR_ARG);
    ll = label_len(label);
    SLINK_CHECK(ll <= KDF_LABEL_MAX, SLINK_ERR_ARG);
    SLINK_CHECK(md != NULL, SLINK_ERR_CRYPTO);

    slink_put_u16(hdr, (uint16_t)out_len);
    hdr[2] = (uint8_t)(KDF_PREFIX_LEN + ll);
    cl = (uint8_t)ctx_len;
    mbedtls_md_init(&h);
    ret = mbedtls_md_setup(&h, md, 1);
    if (ret == 0)
        ret = mbedtls_md_hmac_starts(&h, secret, KDF_HASH_LEN);
    /* T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
    for (ctr = 1; ret == 0 && done < out_len; ctr++) {
        size_t n = out_len - done < KDF_HASH_LEN ? out_len - done : KDF_HASH_LEN;
        if (ctr > 1)
            ret = mbedtls_md_hmac_reset(&h);
        if (ret == 0) ret = hmac_put(&h, t, tlen);
        if (ret == 0) ret = hmac_put(&h, hdr, sizeof hdr);
        if (ret == 0) ret = hmac_put(&h, (const uint8_t *)SLINK_LABEL_PREFIX, KDF_PREFIX_LEN);
        if (ret == 0) ret = hmac_put(&h, (const uint8_t *)label, ll);
        if (ret == 0) ret = hmac_put(&h, &cl, 1);
        if (ret == 0) ret = hmac_put(&h, ctx, ctx_len);
        if (ret == 0) ret = hmac_put(&h, &ctr, 1);
        if (ret == 0) ret = mbedtls_md_hmac_finish(&h, t);
        if (ret == 0) {
            memcpy(out + done, t, n);
            done += n;
            tlen = KDF_HASH_LEN;
        }
    }
    mbedtls_md_free(&h);
    mbedtls_platform_zeroize(t, sizeof t);
    if (ret != 0) {
        mbedtls_platform_zeroize(out, out_len);
        return SLINK_ERR_CRYPTO;
    }
    return SLINK_OK;
}

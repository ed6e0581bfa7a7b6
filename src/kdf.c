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

slink_err slink_hkdf_expand_label(const uint8_t secret[32], const char *label,
                                  const uint8_t *ctx, size_t ctx_len,
                                  uint8_t *out, size_t out_len)
{
    /* L(2) || len(1) || prefix+label (<=255) || ctx_len(1) || ctx (<=255) */
    uint8_t info[2u + 1u + 255u + 1u + KDF_CTX_MAX];
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    size_t ll, n = 0;
    int ret;

    SLINK_CHECK(secret != NULL && label != NULL && out != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(ctx != NULL || ctx_len == 0, SLINK_ERR_ARG);
    SLINK_CHECK(out_len >= 1u && out_len <= KDF_OUT_MAX, SLINK_ERR_ARG);
    SLINK_CHECK(ctx_len <= KDF_CTX_MAX, SLINK_ERR_ARG);
    ll = label_len(label);
    SLINK_CHECK(ll <= KDF_LABEL_MAX, SLINK_ERR_ARG);
    SLINK_CHECK(md != NULL, SLINK_ERR_CRYPTO);

    slink_put_u16(info, (uint16_t)out_len);
    n = 2;
    info[n++] = (uint8_t)(KDF_PREFIX_LEN + ll);
    memcpy(info + n, SLINK_LABEL_PREFIX, KDF_PREFIX_LEN);
    n += KDF_PREFIX_LEN;
    memcpy(info + n, label, ll);
    n += ll;
    info[n++] = (uint8_t)ctx_len;
    if (ctx_len != 0)
        memcpy(info + n, ctx, ctx_len);
    n += ctx_len;

    ret = mbedtls_hkdf_expand(md, secret, KDF_HASH_LEN, info, n, out, out_len);
    mbedtls_platform_zeroize(info, sizeof info);
    if (ret != 0) {
        mbedtls_platform_zeroize(out, out_len);
        return SLINK_ERR_CRYPTO;
    }
    return SLINK_OK;
}

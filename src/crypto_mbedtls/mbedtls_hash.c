/* SHA-256 and HMAC-SHA256 for the port on mbedTLS (also linked by the
 * p256-m device backend, src/crypto_p256m/).  HMAC is built from two
 * SHA-256 contexts on the stack (RFC 2104) rather than mbedTLS's MD layer,
 * which allocates its contexts: the core then never reaches mbedTLS's heap
 * for hashing, and a device image needs no MD module for it. */
#include "mbedtls_backend.h"
#include <string.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#define SHA256_BLOCK 64u
#define SHA256_LEN   32u

static int sha_parts(mbedtls_sha256_context *h, const slink_cbuf *parts, size_t nparts)
{
    for (size_t i = 0; i < nparts; i++)
        if (parts[i].n != 0 && slink_sha256_update(h, parts[i].p, parts[i].n) != 0)
            return -1;
    return 0;
}

static int parts_ok(const slink_cbuf *parts, size_t nparts)
{
    if (parts == NULL && nparts != 0)
        return 0;
    for (size_t i = 0; i < nparts; i++)
        if (parts[i].p == NULL && parts[i].n != 0)
            return 0;
    return 1;
}

slink_err slink_sha256_v(const slink_cbuf *parts, size_t nparts, uint8_t out[32])
{
    mbedtls_sha256_context h;
    int ret;

    SLINK_CHECK(out != NULL && parts_ok(parts, nparts), SLINK_ERR_ARG);
    mbedtls_sha256_init(&h);
    ret = slink_sha256_starts(&h, 0);
    if (ret == 0) ret = sha_parts(&h, parts, nparts);
    if (ret == 0) ret = slink_sha256_finish(&h, out);
    mbedtls_sha256_free(&h);
    return ret == 0 ? SLINK_OK : SLINK_ERR_CRYPTO;
}

slink_err slink_hmac_sha256_v(const uint8_t *key, size_t key_len,
                              const slink_cbuf *parts, size_t nparts, uint8_t out[32])
{
    mbedtls_sha256_context h;
    /* one block for the key, turned into ipad and then opad in place: this
     * runs under the ECC blinding callback, deep in the handshake's stack */
    uint8_t k[SHA256_BLOCK], inner[SHA256_LEN];
    int ret = 0;

    SLINK_CHECK(out != NULL && (key != NULL || key_len == 0) && parts_ok(parts, nparts),
                SLINK_ERR_ARG);
    memset(k, 0, sizeof k);
    mbedtls_sha256_init(&h);
    /* Keys longer than a block are hashed first (RFC 2104 §2). */
    if (key_len > SHA256_BLOCK)
        ret = slink_sha256_oneshot(key, key_len, k);
    else if (key_len != 0)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < SHA256_BLOCK; i++)
        k[i] ^= 0x36u;
    if (ret == 0) ret = slink_sha256_starts(&h, 0);
    if (ret == 0) ret = slink_sha256_update(&h, k, sizeof k);
    if (ret == 0) ret = sha_parts(&h, parts, nparts);
    if (ret == 0) ret = slink_sha256_finish(&h, inner);
    for (size_t i = 0; i < SHA256_BLOCK; i++)
        k[i] ^= (uint8_t)(0x36u ^ 0x5Cu);
    if (ret == 0) ret = slink_sha256_starts(&h, 0);
    if (ret == 0) ret = slink_sha256_update(&h, k, sizeof k);
    if (ret == 0) ret = slink_sha256_update(&h, inner, sizeof inner);
    if (ret == 0) ret = slink_sha256_finish(&h, out);
    mbedtls_sha256_free(&h);   /* wipes the keyed state */
    mbedtls_platform_zeroize(k, sizeof k);
    mbedtls_platform_zeroize(inner, sizeof inner);
    if (ret != 0) {
        mbedtls_platform_zeroize(out, SHA256_LEN);
        return SLINK_ERR_CRYPTO;
    }
    return SLINK_OK;
}

/* SHA-256 and HMAC-SHA256 for the port on mbedTLS (also linked by the
 * p256-m device backend, src/backends/p256m/).  HMAC is built from two
 * SHA-256 contexts on the stack (RFC 2104) rather than mbedTLS's MD layer,
 * which allocates its contexts: the core then never reaches mbedTLS's heap
 * for hashing, and a device image needs no MD module for it. */
#include "mbedtls_backend.h"
#include "../../cc.h"
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

/* Keys longer than a block are hashed first (RFC 2104 §2); in a function of
 * its own so that the hashed key's buffer is not on the common path. */
static SLINK_NOINLINE slink_err hmac_long_key(const uint8_t *key, size_t key_len,
                                         const slink_cbuf *parts, size_t nparts,
                                         uint8_t out[32])
{
    uint8_t k[SHA256_LEN];
    slink_err e = slink_sha256_oneshot(key, key_len, k) == 0
                  ? slink_hmac_sha256_v(k, sizeof k, parts, nparts, out) : SLINK_ERR_CRYPTO;
    mbedtls_platform_zeroize(k, sizeof k);
    if (e != SLINK_OK)
        mbedtls_platform_zeroize(out, SHA256_LEN);
    return e;
}

slink_err slink_hmac_sha256_v(const uint8_t *key, size_t key_len,
                              const slink_cbuf *parts, size_t nparts, uint8_t out[32])
{
    mbedtls_sha256_context h;
    /* The pads (key XOR ipad, then opad; RFC 2104) go to SHA-256 in pieces
     * of 16 bytes: no 64-byte pad block on the stack, as HMAC runs under
     * ECDSA signing's nonce DRBG on the device's deepest stack path. */
    uint8_t b[16], inner[SHA256_LEN];
    int ret = 0;

    SLINK_CHECK(out != NULL && (key != NULL || key_len == 0) && parts_ok(parts, nparts),
                SLINK_ERR_ARG);
    if (key_len > SHA256_BLOCK)
        return hmac_long_key(key, key_len, parts, nparts, out);
    /* out may be key itself (the DRBG's K = HMAC(K, ...)): it is written
     * only by the last finish, after the key's last use. */
    mbedtls_sha256_init(&h);
    for (unsigned pass = 0; pass < 2 && ret == 0; pass++) {
        uint8_t pad = pass == 0 ? 0x36u : 0x5Cu;
        ret = slink_sha256_starts(&h, 0);
        for (size_t off = 0; off < SHA256_BLOCK && ret == 0; off += sizeof b) {
            for (size_t i = 0; i < sizeof b; i++)
                b[i] = (uint8_t)((off + i < key_len ? key[off + i] : 0u) ^ pad);
            ret = slink_sha256_update(&h, b, sizeof b);
        }
        if (pass == 0) {
            if (ret == 0) ret = sha_parts(&h, parts, nparts);
            if (ret == 0) ret = slink_sha256_finish(&h, inner);
        } else {
            if (ret == 0) ret = slink_sha256_update(&h, inner, sizeof inner);
            if (ret == 0) ret = slink_sha256_finish(&h, out);
        }
    }
    mbedtls_sha256_free(&h);   /* wipes the keyed state */
    mbedtls_platform_zeroize(b, sizeof b);
    mbedtls_platform_zeroize(inner, sizeof inner);
    if (ret != 0) {
        mbedtls_platform_zeroize(out, SHA256_LEN);
        return SLINK_ERR_CRYPTO;
    }
    return SLINK_OK;
}

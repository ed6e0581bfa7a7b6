/* SHA-256 and HMAC-SHA256 for the port on mbedTLS (also linked by the
 * p256-m device backend, src/backends/p256m/).  HMAC is two passes of
 * the multi-part SHA-256 below (RFC 2104), each with its context on the
 * stack, rather than mbedTLS's MD layer, which allocates its contexts: the
 * core then never reaches mbedTLS's heap for hashing, and a device image
 * needs no MD module for it. */
#include "mbedtls_backend.h"
#include "../../cc.h"
#include <string.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>

#define SHA256_BLOCK 64u
#define SHA256_LEN   32u

static int parts_ok(const slink_cbuf *parts, size_t nparts)
{
    if (parts == NULL && nparts != 0)
        return 0;
    for (size_t i = 0; i < nparts; i++)
        if (parts[i].p == NULL && parts[i].n != 0)
            return 0;
    return 1;
}

/* SHA-256 of parts, or with a key (key_len <= 64, NULL for none)
 * HMAC-SHA256 of them (RFC 2104): H(K ^ opad || H(K ^ ipad || parts)).
 * One hashing loop under both, the key's pad blocks being the only
 * difference.  The pads go to SHA-256 in pieces of 16 bytes: no 64-byte
 * block on the stack, as HMAC runs under ECDSA signing's nonce DRBG on the
 * device's deepest stack path.  out is written only by the last finish,
 * after the key's last use, so it may be the key itself (the DRBG's
 * K = HMAC(K, ...)). */
static slink_err hash_parts(const uint8_t *key, size_t key_len,
                            const slink_cbuf *parts, size_t nparts, uint8_t out[32])
{
    mbedtls_sha256_context h;
    uint8_t b[16], inner[SHA256_LEN];
    int ret = 0;

    mbedtls_sha256_init(&h);
    for (unsigned pass = 0; ret == 0 && pass < (key != NULL ? 2u : 1u); pass++) {
        uint8_t pad = pass == 0 ? 0x36u : 0x5Cu;
        ret = slink_sha256_starts(&h, 0);
        for (size_t off = 0; key != NULL && off < SHA256_BLOCK && ret == 0; off += sizeof b) {
            for (size_t i = 0; i < sizeof b; i++)
                b[i] = (uint8_t)((off + i < key_len ? key[off + i] : 0u) ^ pad);
            ret = slink_sha256_update(&h, b, sizeof b);
        }
        if (pass == 0) {
            for (size_t i = 0; i < nparts && ret == 0; i++)
                if (parts[i].n != 0)
                    ret = slink_sha256_update(&h, parts[i].p, parts[i].n);
        } else if (ret == 0) {
            ret = slink_sha256_update(&h, inner, sizeof inner);
        }
        if (ret == 0)
            ret = slink_sha256_finish(&h, key != NULL && pass == 0 ? inner : out);
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

slink_err slink_sha256_v(const slink_cbuf *parts, size_t nparts, uint8_t out[32])
{
    SLINK_CHECK(out != NULL && parts_ok(parts, nparts), SLINK_ERR_ARG);
    return hash_parts(NULL, 0, parts, nparts, out);
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
    SLINK_CHECK(out != NULL && (key != NULL || key_len == 0) && parts_ok(parts, nparts),
                SLINK_ERR_ARG);
    if (key_len > SHA256_BLOCK)
        return hmac_long_key(key, key_len, parts, nparts, out);
    /* the empty key is a key: to hash_parts, NULL means none */
    static const uint8_t empty[1] = { 0 };
    return hash_parts(key != NULL ? key : empty, key_len, parts, nparts, out);
}

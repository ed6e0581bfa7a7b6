/* AES-GCM for the port on mbedTLS (also linked by the p256-m device
 * backend, src/backends/p256m/).  The record layer and the handshake
 * never touch mbedTLS GCM directly, so the NIST known-answer tests exercise
 * exactly this code.  The context lives in slink_aead's opaque storage. */
#include "mbedtls_backend.h"
#include <stddef.h>
#include <string.h>
#include <mbedtls/platform_util.h>

#define AEAD_READY SLINK_MBEDTLS_AEAD_READY

/* The opaque storage must hold an mbedTLS GCM context at the alignment the
 * union gives it (C99 has no static_assert: a negative array size fails). */
struct aead_align_probe { char c; mbedtls_gcm_context g; };
typedef char aead_ctx_fits[sizeof(mbedtls_gcm_context) <= SLINK_AEAD_CTX_SIZE ? 1 : -1];
typedef char aead_ctx_aligned[offsetof(struct aead_align_probe, g) <= sizeof(uint64_t) ? 1 : -1];

slink_err slink_aead_setkey(slink_aead *a, const uint8_t *key, size_t key_len)
{
    SLINK_CHECK(a != NULL && key != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(key_len == 16u || key_len == 24u || key_len == 32u, SLINK_ERR_ARG);
    /* Re-keying an object in use must release the cipher context mbedTLS
     * allocated for the old key, or it leaks (and keeps the old schedule). */
    slink_aead_free(a);
    mbedtls_gcm_init(slink_mbedtls_gcm(a));
    if (mbedtls_gcm_setkey(slink_mbedtls_gcm(a), MBEDTLS_CIPHER_ID_AES, key,
                           (unsigned int)(key_len * 8u)) != 0) {
        mbedtls_gcm_free(slink_mbedtls_gcm(a));
        return SLINK_ERR_CRYPTO;
    }
    a->ready = AEAD_READY;
    return SLINK_OK;
}

void slink_aead_free(slink_aead *a)
{
    if (a == NULL)
        return;
    /* Only a set-up context owns heap memory; anything else is just wiped,
     * so freeing twice or freeing a never-used object is safe. */
    if (a->ready == AEAD_READY)
        mbedtls_gcm_free(slink_mbedtls_gcm(a));
    mbedtls_platform_zeroize(a, sizeof *a);
}

static int aead_args_ok(const slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                        const uint8_t *aad, size_t aad_len,
                        const uint8_t *in, const uint8_t *out, size_t len,
                        const uint8_t *tag, size_t tag_len)
{
    if (a == NULL || a->ready != AEAD_READY || nonce == NULL || nonce_len == 0 || tag == NULL)
        return 0;
    if (aad_len != 0 && aad == NULL)
        return 0;
    if (len != 0 && (in == NULL || out == NULL))
        return 0;
    /* GCM tags below 4 bytes are forgeable by guessing; mbedTLS refuses them
     * too, but say so here as an argument error rather than a crypto one. */
    return tag_len >= 4u && tag_len <= 16u;
}

slink_err slink_aead_seal(slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *pt, size_t len, uint8_t *ct,
                          uint8_t *tag, size_t tag_len)
{
    SLINK_CHECK(aead_args_ok(a, nonce, nonce_len, aad, aad_len, pt, ct, len, tag, tag_len),
                SLINK_ERR_ARG);
    if (mbedtls_gcm_crypt_and_tag(slink_mbedtls_gcm(a), MBEDTLS_GCM_ENCRYPT, len, nonce, nonce_len,
                                  aad, aad_len, pt, ct, tag_len, tag) != 0)
        return SLINK_ERR_CRYPTO;
    return SLINK_OK;
}

/* Opening is sealing's GCM pass in decrypt mode (mbedTLS's crypt_and_tag)
 * and a constant-time compare of the tag it computes with the one
 * received: what mbedtls_gcm_auth_decrypt does, without linking that
 * wrapper and mbedTLS's constant-time module beside slink_ct_equal. */
slink_err slink_aead_open(slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *ct, size_t len, uint8_t *pt,
                          const uint8_t *tag, size_t tag_len)
{
    uint8_t check[16];
    slink_err e;

    SLINK_CHECK(aead_args_ok(a, nonce, nonce_len, aad, aad_len, ct, pt, len, tag, tag_len),
                SLINK_ERR_ARG);
    e = SLINK_ERR_CRYPTO;
    if (mbedtls_gcm_crypt_and_tag(slink_mbedtls_gcm(a), MBEDTLS_GCM_DECRYPT, len, nonce, nonce_len,
                                  aad, aad_len, ct, pt, tag_len, check) == 0)
        e = slink_ct_equal(check, tag, tag_len) ? SLINK_OK : SLINK_ERR_REC_AUTH;
    /* Unauthenticated plaintext must never reach the caller, whatever the
     * failure was. */
    if (e != SLINK_OK && len != 0)
        mbedtls_platform_zeroize(pt, len);
    mbedtls_platform_zeroize(check, sizeof check);
    return e;
}

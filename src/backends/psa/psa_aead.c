/* AES-GCM for the port through the PSA Crypto API.  slink_aead keeps the
 * key bytes (the record layer needs no key store on a device), and each
 * operation imports them as a volatile key, runs psa_aead_encrypt/decrypt
 * and destroys the key: nothing is left in the key store when a context is
 * dropped without slink_aead_free, and the store never fills up. */
#include "psa_backend.h"
#include "slink/config.h"
#include <string.h>

#define AEAD_READY 0x5AEAD0A5u

typedef struct {
    uint8_t key[32];
    size_t key_len;
} psa_aead_ctx;

typedef char aead_ctx_fits[sizeof(psa_aead_ctx) <= SLINK_AEAD_CTX_SIZE ? 1 : -1];

/* One-shot PSA AEAD wants ciphertext || tag in one buffer, slink keeps the
 * tag apart and may work in place: a scratch buffer sized for the longest
 * input the core seals (a handshake message or a record). */
#define AEAD_MAX_IN (SLINK_HS_MSG_MAX > SLINK_MAX_FRAME_BODY ? SLINK_HS_MSG_MAX : SLINK_MAX_FRAME_BODY)
#define AEAD_SCRATCH (AEAD_MAX_IN + 16u)

static psa_aead_ctx *ctx_of(slink_aead *a)
{
    return (psa_aead_ctx *)(void *)a->ctx.b;
}

slink_err slink_aead_setkey(slink_aead *a, const uint8_t *key, size_t key_len)
{
    SLINK_CHECK(a != NULL && key != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(key_len == 16u || key_len == 24u || key_len == 32u, SLINK_ERR_ARG);
    slink_aead_free(a);
    memcpy(ctx_of(a)->key, key, key_len);
    ctx_of(a)->key_len = key_len;
    a->ready = AEAD_READY;
    return SLINK_OK;
}

void slink_aead_free(slink_aead *a)
{
    if (a != NULL)
        slink_memzero(a, sizeof *a);
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
    if (len > AEAD_MAX_IN)
        return 0;
    return tag_len >= 4u && tag_len <= 16u;
}

static slink_err aead_key(slink_aead *a, size_t tag_len, psa_key_id_t *id, psa_algorithm_t *alg)
{
    *alg = PSA_ALG_AEAD_WITH_SHORTENED_TAG(PSA_ALG_GCM, tag_len);
    return slink_psa_import(PSA_KEY_TYPE_AES, PSA_BYTES_TO_BITS(ctx_of(a)->key_len),
                            PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT, *alg,
                            ctx_of(a)->key, ctx_of(a)->key_len, id);
}

slink_err slink_aead_seal(slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *pt, size_t len, uint8_t *ct,
                          uint8_t *tag, size_t tag_len)
{
    uint8_t buf[AEAD_SCRATCH];
    psa_key_id_t id = 0;
    psa_algorithm_t alg;
    psa_status_t st;
    size_t olen = 0;

    SLINK_CHECK(aead_args_ok(a, nonce, nonce_len, aad, aad_len, pt, ct, len, tag, tag_len),
                SLINK_ERR_ARG);
    if (aead_key(a, tag_len, &id, &alg) != SLINK_OK)
        return SLINK_ERR_CRYPTO;
    st = psa_aead_encrypt(id, alg, nonce, nonce_len, aad, aad_len, pt, len, buf, len + tag_len, &olen);
    psa_destroy_key(id);
    if (st != PSA_SUCCESS || olen != len + tag_len) {
        slink_memzero(buf, sizeof buf);
        return SLINK_ERR_CRYPTO;
    }
    if (len != 0)
        memcpy(ct, buf, len);
    memcpy(tag, buf + len, tag_len);
    slink_memzero(buf, len + tag_len);
    return SLINK_OK;
}

slink_err slink_aead_open(slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *ct, size_t len, uint8_t *pt,
                          const uint8_t *tag, size_t tag_len)
{
    uint8_t buf[AEAD_SCRATCH];
    psa_key_id_t id = 0;
    psa_algorithm_t alg;
    psa_status_t st;
    size_t olen = 0;

    SLINK_CHECK(aead_args_ok(a, nonce, nonce_len, aad, aad_len, ct, pt, len, tag, tag_len),
                SLINK_ERR_ARG);
    if (aead_key(a, tag_len, &id, &alg) != SLINK_OK)
        return SLINK_ERR_CRYPTO;
    if (len != 0)
        memcpy(buf, ct, len);
    memcpy(buf + len, tag, tag_len);
    /* the tag check inside PSA is constant-time; pt may alias ct, which
     * is why the input was copied */
    st = psa_aead_decrypt(id, alg, nonce, nonce_len, aad, aad_len, buf, len + tag_len,
                          pt, len, &olen);
    psa_destroy_key(id);
    slink_memzero(buf, len + tag_len);
    if (st == PSA_SUCCESS && olen == len)
        return SLINK_OK;
    if (len != 0)
        slink_memzero(pt, len);
    return st == PSA_ERROR_INVALID_SIGNATURE ? SLINK_ERR_REC_AUTH : SLINK_ERR_CRYPTO;
}

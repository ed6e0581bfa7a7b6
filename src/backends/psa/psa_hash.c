/* SHA-256 and HMAC-SHA256 for the port through the PSA Crypto API
 * (psa_hash_*, psa_mac_*): what a PSA-only library (mbedTLS 4,
 * TF-PSA-Crypto, a TF-M partition) provides. */
#include "psa_backend.h"
#include <string.h>

const char slink_crypto_backend[] = "psa";

slink_err slink_psa_import(psa_key_type_t type, size_t bits, psa_key_usage_t usage,
                           psa_algorithm_t alg, const uint8_t *key, size_t len,
                           psa_key_id_t *id)
{
    psa_key_attributes_t at = PSA_KEY_ATTRIBUTES_INIT;
    psa_status_t st;

    SLINK_TRY(slink_psa_ready());
    psa_set_key_type(&at, type);
    psa_set_key_bits(&at, bits);
    psa_set_key_usage_flags(&at, usage);
    psa_set_key_algorithm(&at, alg);
    psa_set_key_lifetime(&at, PSA_KEY_LIFETIME_VOLATILE);
    st = psa_import_key(&at, key, len, id);
    psa_reset_key_attributes(&at);
    if (st == PSA_ERROR_INVALID_ARGUMENT)
        return SLINK_ERR_ARG;
    return st == PSA_SUCCESS ? SLINK_OK : SLINK_ERR_CRYPTO;
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
    psa_hash_operation_t op = PSA_HASH_OPERATION_INIT;
    psa_status_t st;
    size_t olen = 0;

    SLINK_CHECK(out != NULL && parts_ok(parts, nparts), SLINK_ERR_ARG);
    SLINK_TRY(slink_psa_ready());
    st = psa_hash_setup(&op, PSA_ALG_SHA_256);
    for (size_t i = 0; st == PSA_SUCCESS && i < nparts; i++)
        if (parts[i].n != 0)
            st = psa_hash_update(&op, parts[i].p, parts[i].n);
    if (st == PSA_SUCCESS)
        st = psa_hash_finish(&op, out, 32, &olen);
    if (st != PSA_SUCCESS || olen != 32) {
        psa_hash_abort(&op);
        return SLINK_ERR_CRYPTO;
    }
    return SLINK_OK;
}

slink_err slink_hmac_sha256_v(const uint8_t *key, size_t key_len,
                              const slink_cbuf *parts, size_t nparts, uint8_t out[32])
{
    psa_mac_operation_t op = PSA_MAC_OPERATION_INIT;
    psa_key_id_t id = 0;
    psa_status_t st;
    uint8_t mac[32];
    size_t olen = 0;
    static const uint8_t zero = 0;
    slink_err e;

    SLINK_CHECK(out != NULL && (key != NULL || key_len == 0) && parts_ok(parts, nparts),
                SLINK_ERR_ARG);
    /* PSA keys are never empty; HMAC pads an empty key and a one-byte zero
     * key to the same block, so the latter stands in (RFC 2104 §2). */
    if (key_len == 0) {
        key = &zero;
        key_len = 1;
    }
    e = slink_psa_import(PSA_KEY_TYPE_HMAC, PSA_BYTES_TO_BITS(key_len), PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_SIGN_HASH,
                         PSA_ALG_HMAC(PSA_ALG_SHA_256), key, key_len, &id);
    if (e != SLINK_OK)
        return SLINK_ERR_CRYPTO;
    st = psa_mac_sign_setup(&op, id, PSA_ALG_HMAC(PSA_ALG_SHA_256));
    for (size_t i = 0; st == PSA_SUCCESS && i < nparts; i++)
        if (parts[i].n != 0)
            st = psa_mac_update(&op, parts[i].p, parts[i].n);
    /* into a local first: out may alias an input part (the DRBG's V) */
    if (st == PSA_SUCCESS)
        st = psa_mac_sign_finish(&op, mac, sizeof mac, &olen);
    if (st != PSA_SUCCESS)
        psa_mac_abort(&op);
    psa_destroy_key(id);
    if (st != PSA_SUCCESS || olen != sizeof mac) {
        slink_memzero(mac, sizeof mac);
        return SLINK_ERR_CRYPTO;
    }
    memcpy(out, mac, sizeof mac);
    slink_memzero(mac, sizeof mac);
    return SLINK_OK;
}

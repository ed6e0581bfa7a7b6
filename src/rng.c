/* HMAC-DRBG(SHA-256) seeded from the platform's entropy source, with a
 * repetition health test in front of it (NIST SP 800-90B §4.4.1 in spirit:
 * a stuck source is the common failure of MCU TRNGs and must not silently
 * produce predictable keys). */
#include "slink/crypto.h"
#include <string.h>
#include <mbedtls/sha256.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#define RNG_BLOCK 32u
/* mbedTLS refuses single requests above this (MBEDTLS_HMAC_DRBG_MAX_REQUEST). */
#define RNG_CHUNK 1024u
#define RNG_PERSONAL_MAX 256u

/* Constant-time equality: the hashes are derived from secret seed material. */
static int hash_equal(const uint8_t a[32], const uint8_t b[32])
{
    uint8_t diff = 0;
    for (size_t i = 0; i < 32u; i++)
        diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}

/* A block of one repeated byte is what a stuck source delivers; a healthy
 * one produces it with probability 2^-248. */
static int block_stuck(const uint8_t b[RNG_BLOCK])
{
    uint8_t diff = 0;
    for (size_t i = 1; i < RNG_BLOCK; i++)
        diff |= (uint8_t)(b[i] ^ b[0]);
    return diff == 0;
}

/* mbedTLS entropy callback.  Pulls whole 32-byte blocks so every block is
 * health-tested the same way: refused if identical to the previous block
 * (only its hash is kept, never the raw entropy) or stuck on one value.  The initial all-zero hash cannot match a real block. */
static int rng_entropy(void *p, unsigned char *out, size_t len)
{
    slink_rng *r = p;
    uint8_t block[RNG_BLOCK];
    uint8_t h[32];
    size_t off = 0;
    int bad = 0;

    while (off < len && !bad) {
        size_t take = len - off < RNG_BLOCK ? len - off : RNG_BLOCK;
        if (r->plat->entropy(r->plat->entropy_ctx, block, RNG_BLOCK) != 0 ||
            mbedtls_sha256_ret(block, RNG_BLOCK, h, 0) != 0 ||
            hash_equal(h, r->last_block_hash) || block_stuck(block)) {
            bad = 1;
            break;
        }
        memcpy(r->last_block_hash, h, sizeof h);
        memcpy(out + off, block, take);
        off += take;
    }
    mbedtls_platform_zeroize(block, sizeof block);
    mbedtls_platform_zeroize(h, sizeof h);
    if (bad) {
        mbedtls_platform_zeroize(out, len);
        /* A failed source stays failed: later requests are refused too. */
        r->seeded = 0;
        return MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED;
    }
    return 0;
}

slink_err slink_rng_init(slink_rng *r, const slink_platform *plat,
                         const uint8_t *personal, size_t personal_len)
{
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    int ret;

    SLINK_CHECK(r != NULL && plat != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(personal != NULL || personal_len == 0, SLINK_ERR_ARG);
    SLINK_CHECK(personal_len <= RNG_PERSONAL_MAX, SLINK_ERR_ARG);
    SLINK_CHECK(plat->entropy != NULL, SLINK_ERR_CONFIG);
    SLINK_CHECK(md != NULL, SLINK_ERR_CRYPTO);

    memset(r, 0, sizeof *r);
    r->plat = plat;
    mbedtls_hmac_drbg_init(&r->drbg);
    /* seeded is set before seeding so the callback can clear it on failure */
    r->seeded = 1;
    ret = mbedtls_hmac_drbg_seed(&r->drbg, md, rng_entropy, r, personal, personal_len);
    if (ret != 0 || r->seeded != 1) {
        slink_rng_free(r);
        return ret == MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED || ret == 0
                   ? SLINK_ERR_RNG : SLINK_ERR_CRYPTO;
    }
    return SLINK_OK;
}

slink_err slink_rng_bytes(slink_rng *r, uint8_t *out, size_t len)
{
    size_t off = 0;

    SLINK_CHECK(r != NULL && (out != NULL || len == 0), SLINK_ERR_ARG);
    SLINK_CHECK(r->seeded == 1, SLINK_ERR_RNG);
    while (off < len) {
        size_t n = len - off < RNG_CHUNK ? len - off : RNG_CHUNK;
        int ret = mbedtls_hmac_drbg_random(&r->drbg, out + off, n);
        if (ret != 0 || r->seeded != 1) {
            mbedtls_platform_zeroize(out, len);
            return ret == MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED || ret == 0
                       ? SLINK_ERR_RNG : SLINK_ERR_CRYPTO;
        }
        off += n;
    }
    return SLINK_OK;
}

void slink_rng_free(slink_rng *r)
{
    if (r == NULL)
        return;
    /* hmac_drbg_free is safe on an initialised context, seeded or not; the
     * md context is the only heap it holds. */
    if (r->plat != NULL)
        mbedtls_hmac_drbg_free(&r->drbg);
    mbedtls_platform_zeroize(r, sizeof *r);
}

int slink_rng_cb(void *p_rng, unsigned char *out, size_t len)
{
    slink_err e = slink_rng_bytes((slink_rng *)p_rng, out, len);
    if (e == SLINK_OK)
        return 0;
    return e == SLINK_ERR_ARG ? MBEDTLS_ERR_HMAC_DRBG_REQUEST_TOO_BIG
                              : MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED;
}

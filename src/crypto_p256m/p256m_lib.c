/* p256-m itself, compiled as part of this file so that the backend can use
 * its field arithmetic (static functions) for the one operation p256-m
 * does not offer, recovering y from an x-only public key, in about 290
 * Montgomery multiplications instead of a second bignum library.  The
 * source is mbedTLS 3.6's 3rdparty/p256-m/p256-m/p256-m.c, found on the
 * include path the build gives (mk/p256m.mk, mk/firmware.mk); it is never
 * committed.
 *
 * mbedTLS's copy of p256-m defines its random hook, p256_generate_random,
 * over the PSA call psa_generate_random.  The port supplies the bytes from
 * slink's DRBG instead: the PSA name is mapped to a function of ours before
 * the source is read, so no PSA Crypto core is linked and every random
 * byte p256-m uses comes from the DRBG the caller passed. */
#include "p256m_backend.h"

#define psa_generate_random slink_p256m_psa_random
/* The guard mbedTLS puts around p256-m when it is built as its PSA driver;
 * here it is built on its own. */
#define MBEDTLS_PSA_P256M_DRIVER_ENABLED

/* Third-party code under the core's strict warning set: the conversions
 * and declarations it flags are p256-m's own style, not defects. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#include "p256-m.c"
#pragma GCC diagnostic pop

static slink_rng *hook_rng;
static int hook_failed;

void slink_p256m_set_rng(slink_rng *rng)
{
    hook_rng = rng;
    hook_failed = 0;
}

int slink_p256m_rng_failed(void)
{
    return hook_failed;
}

psa_status_t slink_p256m_psa_random(uint8_t *output, size_t output_size)
{
    if (hook_rng == NULL || slink_rng_bytes(hook_rng, output, output_size) != SLINK_OK) {
        hook_failed = 1;
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    return PSA_SUCCESS;
}

slink_err slink_p256m_decompress(const uint8_t x[32], uint8_t y[32])
{
    /* (p + 1) / 4, least significant limb first: p = 3 (mod 4), so a
     * square root of a is a^((p+1)/4) when one exists. */
    static const uint32_t e[8] = { 0x00000000u, 0x00000000u, 0x40000000u, 0x00000000u,
                                   0x00000000u, 0x40000000u, 0xC0000000u, 0x3FFFFFFFu };
    uint32_t X[8], t[8], rhs[8], Y[8];
    int started = 0;

    /* Montgomery domain throughout; p256_b is b in that domain. */
    if (m256_from_bytes(X, x, &p256_p) != 0)
        return SLINK_ERR_HS_BAD_KEY;
    m256_mul_p(t, X, X);
    m256_mul_p(rhs, t, X);
    m256_add_p(t, X, X);
    m256_add_p(t, t, X);
    m256_sub_p(rhs, rhs, t);
    m256_add_p(rhs, rhs, p256_b);          /* rhs = x^3 - 3x + b */
    m256_set32(Y, 1, &p256_p);
    /* left to right; the exponent is public, so branches are fine */
    for (int i = 255; i >= 0; i--) {
        uint32_t bit = (e[i / 32] >> (i % 32)) & 1u;
        if (started)
            m256_mul_p(Y, Y, Y);
        if (bit) {
            m256_mul_p(Y, Y, rhs);
            started = 1;
        }
    }
    /* rhs may be a non-residue: the "root" then squares to -rhs */
    m256_mul_p(t, Y, Y);
    if (u256_diff(t, rhs) != 0)
        return SLINK_ERR_HS_BAD_KEY;
    m256_to_bytes(y, Y, &p256_p);
    return SLINK_OK;
}

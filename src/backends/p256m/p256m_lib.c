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
#include "../../cc.h"

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
static const uint8_t *hook_bytes;
static size_t hook_left;
static int hook_failed;

void slink_p256m_set_rng(slink_rng *rng)
{
    hook_rng = rng;
    hook_failed = 0;
}

void slink_p256m_set_random_bytes(const uint8_t *p, size_t n)
{
    hook_bytes = p;
    hook_left = p != NULL ? n : 0u;
    hook_failed = 0;
}

int slink_p256m_rng_failed(void)
{
    return hook_failed;
}

/* Its own function, so that the DRBG path below keeps its small frame
 * (that path runs under p256-m's signature on the raw image's deepest
 * stack). */
static SLINK_NOINLINE psa_status_t take_bytes(uint8_t *output, size_t output_size)
{
    if (output_size > hook_left) {
        hook_failed = 1;
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    }
    memcpy(output, hook_bytes, output_size);
    hook_bytes += output_size;
    hook_left -= output_size;
    return PSA_SUCCESS;
}

psa_status_t slink_p256m_psa_random(uint8_t *output, size_t output_size)
{
    if (hook_bytes != NULL)
        return take_bytes(output, output_size);
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

/* ECDSA verification with one joint multiplication u1*G + u2*Q
 * (Shamir's trick) instead of p256-m's two constant-time ladders: every
 * input of a verification is public, so branching on the scalars' bits is
 * safe, and one shared chain of 256 doublings with an addition of G, Q or
 * G+Q at three bits in four costs about half of the two ladders.  Points
 * are Jacobian (x:y:z) in p256-m's Montgomery domain; the point at
 * infinity, which p256-m's formulas cannot represent, is a flag. */
typedef struct {
    uint32_t x[8], y[8], z[8];
    int inf;
} jpoint;

/* R += (x2, y2), (x2, y2) affine, on the curve and not infinity: the
 * mixed addition of p256-m's point_add (formula 5 of [CMO98], z2 = 1)
 * with the two cases it excludes handled: R = (x2, y2) doubles, R =
 * -(x2, y2) gives infinity. */
static void jp_add_affine(jpoint *R, const uint32_t x2[8], const uint32_t y2[8])
{
    uint32_t t1[8], t2[8], t3[8];

    if (R->inf) {
        u256_cmov(R->x, x2, 1);
        u256_cmov(R->y, y2, 1);
        m256_set32(R->z, 1, &p256_p);
        R->inf = 0;
        return;
    }
    m256_mul_p(t1, R->z, R->z);
    m256_mul_p(t2, t1, R->z);
    m256_mul_p(t1, t1, x2);         /* u2 = x2 z1^2 */
    m256_mul_p(t2, t2, y2);         /* s2 = y2 z1^3 */
    m256_sub_p(t1, t1, R->x);       /* h = u2 - x1 */
    m256_sub_p(t2, t2, R->y);       /* r = s2 - y1 */
    if (u256_diff0(t1) == 0) {
        /* same x: the same point (r = 0) or its negation */
        if (u256_diff0(t2) == 0)
            point_double(R->x, R->y, R->z);  /* y != 0: n is odd */
        else
            R->inf = 1;
        return;
    }
    m256_mul_p(R->z, R->z, t1);     /* z3 = z1 h */
    m256_mul_p(t3, t1, t1);         /* h^2 */
    m256_mul_p(t1, t3, t1);         /* h^3 */
    m256_mul_p(t3, t3, R->x);       /* x1 h^2 */
    m256_mul_p(R->x, t2, t2);
    m256_sub_p(R->x, R->x, t3);
    m256_sub_p(R->x, R->x, t3);
    m256_sub_p(R->x, R->x, t1);     /* x3 = r^2 - 2 x1 h^2 - h^3 */
    m256_sub_p(t3, t3, R->x);
    m256_mul_p(t3, t3, t2);
    m256_mul_p(t1, t1, R->y);
    m256_sub_p(R->y, t3, t1);       /* y3 = r (x1 h^2 - x3) - y1 h^3 */
}

int slink_p256m_verify(const uint8_t sig[64], const uint8_t pub[64], const uint8_t hash[32])
{
    /* u2 holds s and then s^-1 until u2 itself is computed, gqx holds r
     * in the Montgomery domain before G + Q: a smaller frame, on the
     * device's deepest stack path (msg3's certificate check) */
    uint32_t r[8], u1[8], u2[8];
    uint32_t qx[8], qy[8], gqx[8], gqy[8];
    jpoint R;
    int gq_inf;

    /* SEC1 4.1.4: r, s in [1, n-1] */
    if (scalar_from_bytes(r, sig) != 0 || scalar_from_bytes(u2, sig + 32) != 0)
        return P256_INVALID_SIGNATURE;
    /* Q in [0, p)^2 and on the curve (so not infinity, which has no affine
     * form) */
    if (point_from_bytes(qx, qy, pub) != 0)
        return P256_INVALID_PUBKEY;

    /* u1 = e s^-1, u2 = r s^-1 (mod n), out of the Montgomery domain */
    ecdsa_m256_from_hash(u1, hash, 32);
    m256_prep(u2, &p256_n);
    m256_inv(u2, u2, &p256_n);              /* s^-1 */
    m256_mul(u1, u1, u2, &p256_n);
    m256_done(u1, &p256_n);
    u256_cmov(gqx, r, 1);
    m256_prep(gqx, &p256_n);
    m256_mul(u2, gqx, u2, &p256_n);
    m256_done(u2, &p256_n);

    /* G + Q in affine form for the joint steps; infinity when Q = -G
     * (doubled when Q = G) */
    R.inf = 1;
    jp_add_affine(&R, p256_gx, p256_gy);
    jp_add_affine(&R, qx, qy);
    gq_inf = R.inf;
    if (!gq_inf) {
        point_to_affine(R.x, R.y, R.z);
        u256_cmov(gqx, R.x, 1);
        u256_cmov(gqy, R.y, 1);
    }

    /* left to right over both scalars at once; u1 may be 0 (e = 0 mod n),
     * u2 is not */
    R.inf = 1;
    for (int i = 255; i >= 0; i--) {
        unsigned b1 = (u1[i / 32] >> (i % 32)) & 1u;
        unsigned b2 = (u2[i / 32] >> (i % 32)) & 1u;
        if (!R.inf)
            point_double(R.x, R.y, R.z);
        if (b1 && b2) {
            if (!gq_inf)
                jp_add_affine(&R, gqx, gqy);
        } else if (b1) {
            jp_add_affine(&R, p256_gx, p256_gy);
        } else if (b2) {
            jp_add_affine(&R, qx, qy);
        }
    }
    /* u1 G + u2 Q = infinity: no x to compare, invalid (SEC1 4.1.4 step 5) */
    if (R.inf)
        return P256_INVALID_SIGNATURE;

    /* affine x only: x / z^2, then out of the Montgomery domain, mod n */
    m256_inv(R.z, R.z, &p256_p);
    m256_mul_p(R.z, R.z, R.z);
    m256_mul_p(R.x, R.x, R.z);
    m256_done(R.x, &p256_p);
    ecdsa_m256_mod_n(R.x);
    return u256_diff(R.x, r) == 0 ? P256_SUCCESS : P256_INVALID_SIGNATURE;
}

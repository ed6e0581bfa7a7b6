/* Recovering y from x on P-256 (y^2 = x^3 - 3x + b mod p), which the PSA
 * API does not offer: slink sends x-only ephemeral keys and PSA's key
 * agreement takes an uncompressed point.  Plain 8 x 32-bit limb
 * arithmetic; every value here is public (the peer's key), so neither
 * speed nor constant time is the aim, only obvious correctness. */
#include "psa_backend.h"
#include <string.h>

typedef struct { uint32_t v[8]; } fe;   /* v[0] least significant */

static const fe P = { { 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0x00000000u,
                        0x00000000u, 0x00000000u, 0x00000001u, 0xFFFFFFFFu } };
static const fe B = { { 0x27D2604Bu, 0x3BCE3C3Eu, 0xCC53B0F6u, 0x651D06B0u,
                        0x769886BCu, 0xB3EBBD55u, 0xAA3A93E7u, 0x5AC635D8u } };

static void fe_from_bytes(fe *r, const uint8_t b[32])
{
    for (int i = 0; i < 8; i++)
        r->v[i] = (uint32_t)b[31 - 4 * i] | (uint32_t)b[30 - 4 * i] << 8 |
                  (uint32_t)b[29 - 4 * i] << 16 | (uint32_t)b[28 - 4 * i] << 24;
}

static void fe_to_bytes(uint8_t b[32], const fe *a)
{
    for (int i = 0; i < 8; i++) {
        b[31 - 4 * i] = (uint8_t)a->v[i];
        b[30 - 4 * i] = (uint8_t)(a->v[i] >> 8);
        b[29 - 4 * i] = (uint8_t)(a->v[i] >> 16);
        b[28 - 4 * i] = (uint8_t)(a->v[i] >> 24);
    }
}

static int fe_cmp(const fe *a, const fe *b)
{
    for (int i = 7; i >= 0; i--)
        if (a->v[i] != b->v[i])
            return a->v[i] < b->v[i] ? -1 : 1;
    return 0;
}

/* r = a - b over 256 bits; returns the borrow. */
static uint32_t fe_sub_raw(fe *r, const fe *a, const fe *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t d = (uint64_t)a->v[i] - b->v[i] - borrow;
        r->v[i] = (uint32_t)d;
        borrow = (d >> 32) & 1u;
    }
    return (uint32_t)borrow;
}

/* r = a + b mod p, for a, b < p. */
static void fe_add(fe *r, const fe *a, const fe *b)
{
    uint64_t carry = 0;
    fe t;
    for (int i = 0; i < 8; i++) {
        uint64_t s = (uint64_t)a->v[i] + b->v[i] + carry;
        t.v[i] = (uint32_t)s;
        carry = s >> 32;
    }
    if (carry != 0 || fe_cmp(&t, &P) >= 0)
        (void)fe_sub_raw(&t, &t, &P);
    *r = t;
}

/* r = a - b mod p, for a, b < p. */
static void fe_sub(fe *r, const fe *a, const fe *b)
{
    fe t;
    if (fe_sub_raw(&t, a, b) != 0) {
        uint64_t carry = 0;
        for (int i = 0; i < 8; i++) {
            uint64_t s = (uint64_t)t.v[i] + P.v[i] + carry;
            t.v[i] = (uint32_t)s;
            carry = s >> 32;
        }
    }
    *r = t;
}

/* r = a * b mod p by double-and-add over the bits of b. */
static void fe_mul(fe *r, const fe *a, const fe *b)
{
    fe acc;
    memset(&acc, 0, sizeof acc);
    for (int i = 255; i >= 0; i--) {
        fe_add(&acc, &acc, &acc);
        if ((b->v[i / 32] >> (i % 32)) & 1u)
            fe_add(&acc, &acc, a);
    }
    *r = acc;
}

slink_err slink_p256_decompress(const uint8_t x[32], uint8_t y[32])
{
    fe X, rhs, t, e, Y, Y2;
    int top;

    fe_from_bytes(&X, x);
    if (fe_cmp(&X, &P) >= 0)
        return SLINK_ERR_HS_BAD_KEY;
    /* rhs = x^3 - 3x + b */
    fe_mul(&t, &X, &X);
    fe_mul(&rhs, &t, &X);
    fe_add(&t, &X, &X);
    fe_add(&t, &t, &X);
    fe_sub(&rhs, &rhs, &t);
    fe_add(&rhs, &rhs, &B);
    /* p = 3 (mod 4): a square root is rhs^((p+1)/4) */
    {
        /* p + 1 = FFFFFFFF 00000001 00000000 00000000 00000001 00000000
         * 00000000 00000000, shifted right by two */
        static const fe P1 = { { 0u, 0u, 0u, 1u, 0u, 0u, 1u, 0xFFFFFFFFu } };
        for (int i = 0; i < 8; i++)
            e.v[i] = (P1.v[i] >> 2) | (i < 7 ? P1.v[i + 1] << 30 : 0u);
    }
    memset(&Y, 0, sizeof Y);
    Y.v[0] = 1u;
    for (top = 255; top >= 0 && !((e.v[top / 32] >> (top % 32)) & 1u); top--)
        ;
    for (int i = top; i >= 0; i--) {
        fe_mul(&Y, &Y, &Y);
        if ((e.v[i / 32] >> (i % 32)) & 1u)
            fe_mul(&Y, &Y, &rhs);
    }
    /* a non-residue's "root" squares to -rhs: x is then no point's x */
    fe_mul(&Y2, &Y, &Y);
    if (fe_cmp(&Y2, &rhs) != 0)
        return SLINK_ERR_HS_BAD_KEY;
    fe_to_bytes(y, &Y);
    return SLINK_OK;
}

/* HMAC-DRBG(SHA-256) (NIST SP 800-90A §10.1.2) over the crypto port's
 * HMAC, seeded from the platform's entropy source with a repetition
 * health test in front of it (SP 800-90B §4.4.1 in spirit: a stuck source
 * is the common failure of MCU TRNGs and must not silently produce
 * predictable keys).  The core owns the DRBG rather than each backend, so
 * its state is plain data and every backend draws the same stream from
 * the same entropy (tests rely on that). */
#include "slink/crypto.h"
#include <string.h>
#include "../cc.h"

#define RNG_BLOCK 32u
/* Entropy at instantiation and at each reseed (security strength 256) and
 * the nonce (half of it), as mbedTLS's HMAC-DRBG with SHA-256 takes them. */
#define RNG_ENTROPY_LEN 32u
#define RNG_NONCE_LEN   16u
/* One request is at most this many bytes; longer ones are split, each part
 * counting towards the reseed interval. */
#define RNG_CHUNK 1024u
#define RNG_PERSONAL_MAX 256u
/* Provided data reaches the update in at most this many parts: entropy and
 * personalisation, or a seed in parts (RFC 6979's key and digest). */
#define RNG_DATA_PARTS 2u
#define RNG_RESEED_INTERVAL_DEFAULT 10000u

/* Pulls whole 32-byte blocks so every block is health-tested the same
 * way: refused if identical to the previous block (only its hash is kept,
 * never the raw entropy) or stuck on one value.  The initial all-zero hash
 * cannot match a real block. */
static SLINK_NOINLINE slink_err rng_entropy(slink_rng *r, uint8_t *out, size_t len)
{
    uint8_t block[RNG_BLOCK];
    uint8_t h[32];
    size_t off = 0;
    int bad = 0;

    while (off < len) {
        size_t take = len - off < RNG_BLOCK ? len - off : RNG_BLOCK;
        if (r->plat->entropy(r->plat->entropy_ctx, block, RNG_BLOCK) != 0 ||
            slink_sha256(block, RNG_BLOCK, h) != SLINK_OK ||
            slink_ct_equal(h, r->last_block_hash, sizeof h) ||
            /* one repeated byte, what a stuck source delivers (a healthy
             * one, with probability 2^-248): every byte equals the next */
            slink_ct_equal(block, block + 1, RNG_BLOCK - 1u)) {
            bad = 1;
            break;
        }
        memcpy(r->last_block_hash, h, sizeof h);
        memcpy(out + off, block, take);
        off += take;
    }
    slink_memzero(block, sizeof block);
    slink_memzero(h, sizeof h);
    if (bad) {
        slink_memzero(out, len);
        return SLINK_ERR_RNG;
    }
    return SLINK_OK;
}

/* HMAC_DRBG_Update (§10.1.2.2) with provided data in up to
 * RNG_DATA_PARTS parts. */
static slink_err drbg_update(slink_rng *r, const slink_cbuf *data, size_t ndata)
{
    static const uint8_t SEP[2] = { 0x00, 0x01 };
    slink_cbuf in[2 + RNG_DATA_PARTS];
    size_t dlen = 0;

    for (size_t i = 0; i < ndata; i++)
        dlen += data[i].n;
    for (unsigned sep = 0; sep < 2; sep++) {
        in[0].p = r->V;
        in[0].n = sizeof r->V;
        in[1].p = &SEP[sep];
        in[1].n = 1;
        for (size_t i = 0; i < ndata; i++)
            in[2 + i] = data[i];
        SLINK_TRY(slink_hmac_sha256_v(r->K, sizeof r->K, in, 2 + ndata, r->K));
        in[0].p = r->V;
        SLINK_TRY(slink_hmac_sha256_v(r->K, sizeof r->K, in, 1, r->V));
        if (dlen == 0)
            break;
    }
    return SLINK_OK;
}

/* Fresh entropy (len bytes, health-tested) and the extra input mixed into
 * K and V: the reseed (§10.1.2.4, 32 bytes, no extra input) and, after K
 * and V are set, the instantiation (§10.1.2.3: 48 bytes, entropy and
 * nonce drawn in one pull, the same blocks and bytes as two pulls of 32
 * and 16, with the personalisation as the extra input).  Not inlined into
 * drbg_generate: the entropy buffer then stays off the frame of every
 * draw (reseeds are rare; draws run under key generation and signing on
 * the device's deepest stack paths). */
static SLINK_NOINLINE slink_err seed_from_source(slink_rng *r, size_t len,
                                                 const uint8_t *extra, size_t extra_len)
{
    uint8_t ent[RNG_ENTROPY_LEN + RNG_NONCE_LEN];
    slink_cbuf in[2];
    slink_err e = rng_entropy(r, ent, len);

    in[0].p = ent;
    in[0].n = len;
    in[1].p = extra;
    in[1].n = extra_len;
    if (e == SLINK_OK)
        e = drbg_update(r, in, 2);
    if (e == SLINK_OK)
        r->reseed_counter = 1;
    slink_memzero(ent, sizeof ent);
    return e;
}

slink_err slink_rng_init(slink_rng *r, const slink_platform *plat,
                         const uint8_t *personal, size_t personal_len)
{
    slink_err e;

    SLINK_CHECK(r != NULL && plat != NULL, SLINK_ERR_ARG);
    SLINK_CHECK(personal != NULL || personal_len == 0, SLINK_ERR_ARG);
    SLINK_CHECK(personal_len <= RNG_PERSONAL_MAX, SLINK_ERR_ARG);
    SLINK_CHECK(plat->entropy != NULL, SLINK_ERR_CONFIG);

    memset(r, 0, sizeof *r);   /* K = 0x00... */
    memset(r->V, 0x01, sizeof r->V);
    r->plat = plat;
    r->reseed_interval = RNG_RESEED_INTERVAL_DEFAULT;
    e = seed_from_source(r, RNG_ENTROPY_LEN + RNG_NONCE_LEN, personal, personal_len);
    if (e != SLINK_OK) {
        /* a failed instantiation leaves r wiped, as if never initialised */
        slink_rng_free(r);
        return e == SLINK_ERR_RNG ? SLINK_ERR_RNG : SLINK_ERR_CRYPTO;
    }
    r->seeded = 1;
    return SLINK_OK;
}

slink_err slink_rng_init_seed_v(slink_rng *r, const slink_cbuf *seed, size_t nseed)
{
    size_t n = 0;

    SLINK_CHECK(r != NULL && seed != NULL && nseed <= RNG_DATA_PARTS, SLINK_ERR_ARG);
    for (size_t i = 0; i < nseed; i++) {
        SLINK_CHECK(seed[i].p != NULL || seed[i].n == 0, SLINK_ERR_ARG);
        n += seed[i].n;
    }
    SLINK_CHECK(n >= RNG_ENTROPY_LEN, SLINK_ERR_ARG);
    /* HMAC_DRBG_Instantiate (§10.1.2.3) with the seed as the provided data */
    memset(r, 0, sizeof *r);   /* K = 0x00... */
    memset(r->V, 0x01, sizeof r->V);
    r->reseed_counter = 1;
    if (drbg_update(r, seed, nseed) != SLINK_OK) {
        slink_rng_free(r);
        return SLINK_ERR_CRYPTO;
    }
    r->seeded = 1;
    return SLINK_OK;
}

slink_err slink_rng_init_seed(slink_rng *r, const uint8_t *seed, size_t seed_len)
{
    slink_cbuf in[1];

    in[0].p = seed;
    in[0].n = seed != NULL ? seed_len : 0;
    return slink_rng_init_seed_v(r, in, 1);
}

void slink_rng_set_reseed_interval(slink_rng *r, uint32_t n)
{
    if (r != NULL && n != 0)
        r->reseed_interval = n;
}

/* HMAC_DRBG_Generate (§10.1.2.5) without additional input. */
static slink_err drbg_generate(slink_rng *r, uint8_t *out, size_t len)
{
    slink_cbuf in[1];
    size_t off = 0;

    if (r->plat != NULL && r->reseed_counter > r->reseed_interval)
        SLINK_TRY(seed_from_source(r, RNG_ENTROPY_LEN, NULL, 0));
    while (off < len) {
        size_t n = len - off < sizeof r->V ? len - off : sizeof r->V;
        in[0].p = r->V;
        in[0].n = sizeof r->V;
        SLINK_TRY(slink_hmac_sha256_v(r->K, sizeof r->K, in, 1, r->V));
        memcpy(out + off, r->V, n);
        off += n;
    }
    SLINK_TRY(drbg_update(r, NULL, 0));
    r->reseed_counter++;
    return SLINK_OK;
}

slink_err slink_rng_bytes(slink_rng *r, uint8_t *out, size_t len)
{
    size_t off = 0;

    SLINK_CHECK(r != NULL && (out != NULL || len == 0), SLINK_ERR_ARG);
    SLINK_CHECK(r->seeded == 1, SLINK_ERR_RNG);
    while (off < len) {
        size_t n = len - off < RNG_CHUNK ? len - off : RNG_CHUNK;
        slink_err e = drbg_generate(r, out + off, n);
        if (e != SLINK_OK) {
            slink_memzero(out, len);
            /* A failed source stays failed: later requests are refused too. */
            r->seeded = 0;
            return e == SLINK_ERR_RNG ? SLINK_ERR_RNG : SLINK_ERR_CRYPTO;
        }
        off += n;
    }
    return SLINK_OK;
}

void slink_rng_free(slink_rng *r)
{
    if (r != NULL)
        slink_memzero(r, sizeof *r);
}

int slink_rng_cb(void *p_rng, unsigned char *out, size_t len)
{
    return slink_rng_bytes((slink_rng *)p_rng, out, len) == SLINK_OK ? 0 : -1;
}

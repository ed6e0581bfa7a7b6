/* slink's crypto port: every primitive the core uses, and nothing of any
 * crypto library.  A backend implements the functions marked [port] and is
 * chosen when linking (src/backends/mbedtls/ is the host default,
 * src/backends/psa/ the PSA Crypto API, src/backends/p256m/ the device's:
 * p256-m for P-256); the rest is the core's own code
 * (src/crypto/rng.c, src/crypto/kdf.c, src/crypto/sign.c, src/crypto/ctutil.c) built on the port, so
 * every backend runs the same DRBG, HKDF and argument checks and the NIST
 * known-answer tests exercise exactly what the protocol runs.
 *
 * Why this shape (docs/PORTING.md, "Crypto port"):
 *  - the identity key is a handle (slink_signer: a function and a context),
 *    so it may live in a secure element, a PSA key store or an HSM behind
 *    PKCS#11 and never enter slink's memory; a key held in memory is one
 *    kind of signer (slink_soft_key);
 *  - ephemeral ECDH keys and AEAD keys are short-lived and the protocol
 *    needs them in memory anyway (x-only public keys, per-record nonces), so
 *    the port takes them as bytes: no key store is needed on a device;
 *  - contexts the caller allocates (the record layer's cached AEAD) are
 *    opaque, aligned byte arrays of a build-time size that the backend
 *    checks with a static assertion, so no backend type reaches a public
 *    header and nothing is allocated by the core. */
#ifndef SLINK_CRYPTO_H
#define SLINK_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include "slink/err.h"
#include "slink/platform.h"
#include "slink/wire.h"

/* ---- helpers (core, src/crypto/ctutil.c) ---- */
/* Wipes n bytes in a way the compiler may not elide. */
void slink_memzero(void *p, size_t n);
/* 1 if equal; time depends on n only. */
int  slink_ct_equal(const void *a, const void *b, size_t n);

/* A piece of a message hashed or MACed in parts (scatter-gather): the
 * transcript and HKDF inputs are never assembled in one buffer. */
typedef struct {
    const uint8_t *p;
    size_t n;
} slink_cbuf;

/* ---- SHA-256, HMAC-SHA256 [port] ---- */
slink_err slink_sha256_v(const slink_cbuf *parts, size_t nparts, uint8_t out[32]);
slink_err slink_hmac_sha256_v(const uint8_t *key, size_t key_len,
                              const slink_cbuf *parts, size_t nparts, uint8_t out[32]);
/* One part (core). */
slink_err slink_sha256(const uint8_t *p, size_t n, uint8_t out[32]);

/* ---- HKDF (core, src/crypto/kdf.c, over the port's HMAC) ---- */
slink_err slink_hkdf_extract(const uint8_t *salt, size_t salt_len,
                             const uint8_t *ikm, size_t ikm_len, uint8_t prk[32]);
/* HKDF-Expand(secret, info, L) with
 * info = L(2) || len(1) || "slink1 " || label || ctx_len(1) || ctx */
slink_err slink_hkdf_expand_label(const uint8_t secret[32], const char *label,
                                  const uint8_t *ctx, size_t ctx_len,
                                  uint8_t *out, size_t out_len);

/* ---- RNG (core, src/crypto/rng.c): HMAC-DRBG(SHA-256, SP 800-90A) over the
 * port's HMAC, seeded from the platform's entropy source, which is
 * health-tested (repetition test on each 32-byte block: a source that
 * repeats itself is refused with SLINK_ERR_RNG).  Plain data: no backend
 * state, so a connection can be copied and the DRBG runs the same on every
 * backend. */
typedef struct {
    uint8_t K[32], V[32];             /* secret */
    uint32_t reseed_counter;
    uint32_t reseed_interval;
    const slink_platform *plat;       /* NULL: seeded from a buffer, no reseed */
    uint8_t last_block_hash[32];
    int seeded;
} slink_rng;

slink_err slink_rng_init(slink_rng *r, const slink_platform *plat,
                         const uint8_t *personal, size_t personal_len);
/* A DRBG instantiated from seed material alone (no platform, never
 * reseeds): blinding where no session DRBG exists yet. */
slink_err slink_rng_init_seed(slink_rng *r, const uint8_t *seed, size_t seed_len);
/* The same with the seed in one or two parts, used as their concatenation
 * (RFC 6979's int2octets(d) || bits2octets(h) without assembling it in a
 * buffer); more parts are SLINK_ERR_ARG. */
slink_err slink_rng_init_seed_v(slink_rng *r, const slink_cbuf *seed, size_t nseed);
slink_err slink_rng_bytes(slink_rng *r, uint8_t *out, size_t len);
/* Requests between reseeds from the platform (default 10000, as
 * mbedTLS's HMAC-DRBG; tests set 1). */
void      slink_rng_set_reseed_interval(slink_rng *r, uint32_t n);
void      slink_rng_free(slink_rng *r);
/* Callback shape of mbedTLS and others: p_rng is a slink_rng*, 0 on
 * success, nonzero on failure. */
int       slink_rng_cb(void *p_rng, unsigned char *out, size_t len);

/* ---- AES-GCM [port] ----
 * Opaque storage for one keyed context.  SLINK_AEAD_CTX_SIZE is the
 * backend's need on this target; each backend static-asserts that its
 * context fits (the mbedTLS one needs 424 bytes on x86-64, about 400 on
 * Cortex-M).  A build for another backend or target may set it. */
#ifndef SLINK_AEAD_CTX_SIZE
#define SLINK_AEAD_CTX_SIZE 432u
#endif
typedef struct {
    union {
        uint8_t b[SLINK_AEAD_CTX_SIZE];
        uint64_t align_u64;           /* for the backend's own struct */
        void *align_ptr;
        double align_dbl;
    } ctx;
    uint32_t ready;                   /* backend's marker: keyed and owning ctx */
} slink_aead;

/* May be called on a fresh, zeroed, used or keyed object. */
slink_err slink_aead_setkey(slink_aead *a, const uint8_t *key, size_t key_len);
/* Safe on any object setkey has seen or that is all zero; wipes it. */
void      slink_aead_free(slink_aead *a);
/* ct may alias pt.  tag_len 4..16 (slink uses 16; KATs use others). */
slink_err slink_aead_seal(slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *pt, size_t len, uint8_t *ct,
                          uint8_t *tag, size_t tag_len);
/* The tag check is constant-time.  SLINK_ERR_REC_AUTH on a bad tag, and
 * pt is wiped on every failure: unauthenticated plaintext never leaves. */
slink_err slink_aead_open(slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *ct, size_t len, uint8_t *pt,
                          const uint8_t *tag, size_t tag_len);

/* ---- P-256 ECDH with x-only public keys [port] ---- */
typedef struct {
    uint8_t d[32];             /* ephemeral private scalar (secret) */
    uint8_t x[SLINK_ECX_LEN];  /* public x-coordinate sent on the wire */
} slink_ecdh_key;

slink_err slink_ecdh_keygen(slink_ecdh_key *k, slink_rng *rng);
/* Decompresses peer_x (x-only encoding, either y works for ECDH), checks
 * it is a valid point, and computes the x-coordinate of d*P.
 * SLINK_ERR_HS_BAD_KEY if peer_x is not on the curve, is our own x
 * (reflection) or the result is zero. */
slink_err slink_ecdh_shared(const slink_ecdh_key *k, const uint8_t peer_x[32],
                            uint8_t shared[32], slink_rng *rng);
void      slink_ecdh_wipe(slink_ecdh_key *k);

/* ---- ECDSA P-256 / SHA-256, raw r||s ---- */
#define SLINK_ECPUB_LEN 65u   /* uncompressed point 0x04 || X || Y */

/* [port] Verify over a digest.  Called only after the core's checks
 * (src/crypto/sign.c): r, s in [1, n-1], pub uncompressed. */
slink_err slink_p256_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                 const uint8_t sig[SLINK_SIG_LEN]);
/* Core: exactly one encoding per signature (r, s in [1, n-1], s not
 * normalised) and an uncompressed point on the curve, else
 * SLINK_ERR_HS_BAD_SIG. */
slink_err slink_ecdsa_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                  const uint8_t sig[SLINK_SIG_LEN]);
slink_err slink_ecdsa_verify(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t *msg, size_t len,
                             const uint8_t sig[SLINK_SIG_LEN]);

/* Signing with an identity key through a handle.  sign_hash signs the
 * SHA-256 digest and writes raw r||s; rng is the session DRBG (a software
 * key uses it for blinding; a token or secure element ignores it) and may
 * be NULL.  It returns a slink_err (SLINK_ERR_CRYPTO when the key store
 * fails).  ctx must stay valid while the signer is used. */
typedef slink_err (*slink_sign_hash_fn)(void *ctx, const uint8_t hash[32],
                                        uint8_t sig[SLINK_SIG_LEN], slink_rng *rng);
typedef struct {
    slink_sign_hash_fn sign_hash;
    void *ctx;
} slink_signer;

/* Core: SHA-256(msg), then s->sign_hash; the signature is checked to be
 * of the canonical form (r, s in [1, n-1]) before it is used. */
slink_err slink_sign(const slink_signer *s, const uint8_t *msg, size_t len,
                     uint8_t sig[SLINK_SIG_LEN], slink_rng *rng);
slink_err slink_sign_hash(const slink_signer *s, const uint8_t hash[32],
                          uint8_t sig[SLINK_SIG_LEN], slink_rng *rng);

/* A software key: the scalar in memory (files on a host, flash on a
 * device without a key store).  Deterministic signatures (RFC 6979); with
 * rng NULL the blinding DRBG is seeded from the key and the digest. */
typedef struct {
    uint8_t d[32];             /* secret; wiped by slink_soft_key_wipe */
} slink_soft_key;

/* SLINK_ERR_ARG when d is outside [1, n-1]. */
slink_err    slink_soft_key_set(slink_soft_key *k, const uint8_t d[32]);
slink_signer slink_soft_key_signer(slink_soft_key *k);
void         slink_soft_key_wipe(slink_soft_key *k);

/* [port] The scalar primitives behind slink_soft_key. */
slink_err slink_p256_sign_hash(const uint8_t d[32], const uint8_t hash[32],
                               uint8_t sig[SLINK_SIG_LEN], slink_rng *rng);
/* pub = d*G, uncompressed.  rng may be NULL (blinded from d). */
slink_err slink_p256_public(const uint8_t d[32], uint8_t pub[SLINK_ECPUB_LEN], slink_rng *rng);

/* Core: big-endian 32-byte scalar in [1, n-1]. */
int slink_p256_scalar_ok(const uint8_t s[32]);
/* Core: n, the order of the P-256 base point, big-endian (one copy for the
 * core and the backends). */
extern const uint8_t slink_p256_n[32];

/* Name of the linked backend ("mbedtls", "psa", "p256m"), for logs and tests. */
extern const char slink_crypto_backend[];

#endif

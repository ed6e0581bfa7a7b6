/* Thin wrappers over mbedTLS for every primitive slink uses.  The record
 * layer, the handshake and the NIST known-answer tests all go through these,
 * so the vectors test the code that runs. */
#ifndef SLINK_CRYPTO_H
#define SLINK_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <mbedtls/gcm.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/ecp.h>
#include "slink/err.h"
#include "slink/platform.h"
#include "slink/wire.h"

/* ---- AES-GCM (src/aead.c) ---- */
typedef struct {
    mbedtls_gcm_context gcm;
    int ready;
} slink_aead;

slink_err slink_aead_setkey(slink_aead *a, const uint8_t *key, size_t key_len);
void      slink_aead_free(slink_aead *a);
/* ct may alias pt.  tag_len is 16 for slink; the KAT tests use others. */
slink_err slink_aead_seal(slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *pt, size_t len, uint8_t *ct,
                          uint8_t *tag, size_t tag_len);
/* Tag check is constant-time inside mbedTLS (mbedtls_gcm_auth_decrypt).
 * Returns SLINK_ERR_REC_AUTH on a bad tag and wipes pt. */
slink_err slink_aead_open(slink_aead *a, const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *aad, size_t aad_len,
                          const uint8_t *ct, size_t len, uint8_t *pt,
                          const uint8_t *tag, size_t tag_len);

/* ---- SHA-256 / HKDF (src/kdf.c) ---- */
slink_err slink_sha256(const uint8_t *p, size_t n, uint8_t out[32]);
slink_err slink_hkdf_extract(const uint8_t *salt, size_t salt_len,
                             const uint8_t *ikm, size_t ikm_len, uint8_t prk[32]);
/* HKDF-Expand(secret, info, L) with
 * info = L(2) || len(1) || "slink1 " || label || ctx_len(1) || ctx */
slink_err slink_hkdf_expand_label(const uint8_t secret[32], const char *label,
                                  const uint8_t *ctx, size_t ctx_len,
                                  uint8_t *out, size_t out_len);

/* ---- RNG (src/rng.c): HMAC-DRBG(SHA-256) seeded from platform entropy ----
 * The entropy source is health-tested (repetition test on each 32-byte
 * block: a source that repeats itself is refused with SLINK_ERR_RNG). */
typedef struct {
    mbedtls_hmac_drbg_context drbg;
    const slink_platform *plat;
    uint8_t last_block_hash[32];
    int seeded;
} slink_rng;

slink_err slink_rng_init(slink_rng *r, const slink_platform *plat,
                         const uint8_t *personal, size_t personal_len);
slink_err slink_rng_bytes(slink_rng *r, uint8_t *out, size_t len);
void      slink_rng_free(slink_rng *r);
/* mbedTLS-style callback: p_rng is a slink_rng*. */
int       slink_rng_cb(void *p_rng, unsigned char *out, size_t len);

/* ---- P-256 (src/ecc.c) ---- */
typedef struct {
    uint8_t d[32];             /* ephemeral private scalar (secret) */
    uint8_t x[SLINK_ECX_LEN];  /* public x-coordinate sent on the wire */
} slink_ecdh_key;

slink_err slink_ecdh_keygen(slink_ecdh_key *k, slink_rng *rng);
/* Decompresses peer_x (x-only encoding, either y works for ECDH), checks
 * it is a valid point, and computes the x-coordinate of d*P.
 * SLINK_ERR_HS_BAD_KEY if peer_x is not on the curve. */
slink_err slink_ecdh_shared(const slink_ecdh_key *k, const uint8_t peer_x[32],
                            uint8_t shared[32], slink_rng *rng);
void      slink_ecdh_wipe(slink_ecdh_key *k);

/* ECDSA P-256 over SHA-256(msg), raw r||s.  d is the private scalar
 * (big-endian; outside [1, n-1] is SLINK_ERR_ARG), pub an uncompressed
 * point 0x04||X||Y.  Signing is deterministic (RFC 6979) with DRBG
 * blinding.  Verify rejects r or s outside [1, n-1] and a point not on the
 * curve with SLINK_ERR_HS_BAD_SIG. */
#define SLINK_ECPUB_LEN 65u
slink_err slink_ecdsa_sign(const uint8_t d[32], const uint8_t *msg, size_t len,
                           uint8_t sig[SLINK_SIG_LEN], slink_rng *rng);
slink_err slink_ecdsa_verify(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t *msg, size_t len,
                             const uint8_t sig[SLINK_SIG_LEN]);
/* Same over a precomputed SHA-256 digest (NIST SigVer vectors use these). */
slink_err slink_ecdsa_sign_hash(const uint8_t d[32], const uint8_t hash[32],
                                uint8_t sig[SLINK_SIG_LEN], slink_rng *rng);
slink_err slink_ecdsa_verify_hash(const uint8_t pub[SLINK_ECPUB_LEN], const uint8_t hash[32],
                                  const uint8_t sig[SLINK_SIG_LEN]);

#endif

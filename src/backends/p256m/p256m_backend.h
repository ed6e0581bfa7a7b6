/* Private to the p256-m device backend (src/backends/p256m/): P-256 from
 * p256-m (mbedTLS 3.6's 3rdparty/p256-m, fetched at build time), AES-GCM
 * and SHA-256 from mbedTLS through the mbedTLS backend's own files
 * (src/backends/mbedtls/mbedtls_aead.c, mbedtls_hash.c), which this backend
 * links instead of src/backends/mbedtls/mbedtls_ecc.c. */
#ifndef SLINK_CRYPTO_P256M_BACKEND_H
#define SLINK_CRYPTO_P256M_BACKEND_H

#include "slink/crypto.h"

/* The DRBG p256-m draws from (key generation, ECDSA nonces) during the
 * next call; NULL after it.  p256-m's random hook takes no context, so
 * the backend sets one around each call that draws: one call at a time
 * (a device runs one thread; a host program using this backend from
 * several threads would need a lock around the P-256 calls). */
void slink_p256m_set_rng(slink_rng *rng);
/* 1 if the hook was asked for bytes and the DRBG failed since the last
 * set_rng: tells SLINK_ERR_RNG from a p256-m error. */
int  slink_p256m_rng_failed(void);
/* Instead of a DRBG, bytes drawn beforehand: the hook serves the next
 * call's requests from p (n bytes, in order) and fails once they run out;
 * NULL after it.  A caller that draws the bytes itself, at a shallower
 * point of its stack, keeps the DRBG's hashing (about 800 bytes of stack
 * on a Cortex-M) from running under p256-m's own frames.  An ECDSA
 * signature takes at most SLINK_P256M_SIGN_RANDOM bytes: p256-m tries at
 * most four candidates for k. */
#define SLINK_P256M_SIGN_RANDOM 128u
void slink_p256m_set_random_bytes(const uint8_t *p, size_t n);

/* y for x on P-256 (either root; x-only ECDH does not care), public values
 * only, with p256-m's Montgomery field arithmetic: SLINK_ERR_HS_BAD_KEY
 * when x is not the x of a point. */
slink_err slink_p256m_decompress(const uint8_t x[32], uint8_t y[32]);

/* ECDSA P-256 verification of sig = r || s over a 32-byte hash with the
 * raw public key pub = X || Y (no 0x04 prefix), as p256_ecdsa_verify
 * (same return codes: P256_SUCCESS, P256_INVALID_SIGNATURE,
 * P256_INVALID_PUBKEY) but variable-time, with one joint multiplication:
 * for public inputs only. */
int slink_p256m_verify(const uint8_t sig[64], const uint8_t pub[64], const uint8_t hash[32]);

#endif

/* Private to the mbedTLS backend (and to the tests that look inside its
 * contexts: tests/fuzz/fuzz_conn.c clones them, tests/ctflow marks their
 * key bytes secret). */
#ifndef SLINK_CRYPTO_MBEDTLS_BACKEND_H
#define SLINK_CRYPTO_MBEDTLS_BACKEND_H

#include "slink/crypto.h"
#include "mbedtls_compat.h"
#include <mbedtls/gcm.h>

/* `ready` holds this marker rather than 1 so that an object whose memory
 * was never initialised (stack garbage) is almost surely not mistaken for
 * one that owns an mbedTLS cipher context: setkey may then be called on
 * fresh or on used objects alike. */
#define SLINK_MBEDTLS_AEAD_READY 0x5AEAD001u

static inline mbedtls_gcm_context *slink_mbedtls_gcm(slink_aead *a)
{
    return (mbedtls_gcm_context *)(void *)a->ctx.b;
}

/* mbedTLS's f_rng shape over the session DRBG.  A failure leaves the DRBG
 * unseeded (src/crypto/rng.c), which is how the caller tells SLINK_ERR_RNG from
 * any other error. */
int slink_mbedtls_rng(void *p_rng, unsigned char *out, size_t len);

#endif

/* The mbedTLS backend builds against mbedTLS 2.28 (Debian bookworm's
 * system library, the host default) and 3.6 LTS (the firmware, and the
 * host's unit-mbedtls36 pass).  The code is written to the 3.6 API; this
 * header, private to the backend, gives the few 3.x names 2.28 spells
 * differently.  It is the only place that looks at the version.
 * Included before any mbedTLS header. */
#ifndef SLINK_CRYPTO_MBEDTLS_COMPAT_H
#define SLINK_CRYPTO_MBEDTLS_COMPAT_H

/* 3.x marks struct members private; the backend reads the curve's
 * constants (P, B, N, G) and a point's coordinates, which stay as they
 * are in 3.6 LTS. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include <mbedtls/version.h>
#include <mbedtls/sha256.h>

#if MBEDTLS_VERSION_NUMBER < 0x03000000
/* 2.28: the int-returning SHA-256 functions carry a _ret suffix (the
 * unsuffixed ones are deprecated void wrappers). */
#define slink_sha256_starts(h, is224)  mbedtls_sha256_starts_ret((h), (is224))
#define slink_sha256_update(h, p, n)   mbedtls_sha256_update_ret((h), (p), (n))
#define slink_sha256_finish(h, out)    mbedtls_sha256_finish_ret((h), (out))
#define slink_sha256_oneshot(p, n, out) mbedtls_sha256_ret((p), (n), (out), 0)
#else
#define slink_sha256_starts(h, is224)  mbedtls_sha256_starts((h), (is224))
#define slink_sha256_update(h, p, n)   mbedtls_sha256_update((h), (p), (n))
#define slink_sha256_finish(h, out)    mbedtls_sha256_finish((h), (out))
#define slink_sha256_oneshot(p, n, out) mbedtls_sha256((p), (n), (out), 0)
#endif

#endif

/* The platform struct: everything the core needs from the outside world,
 * injected by the caller (slinkd, firmware, or a deterministic test fake).
 * The core never reads a clock or an entropy source on its own; the
 * monotonic time is passed into every call that needs it (now_ms). */
#ifndef SLINK_PLATFORM_H
#define SLINK_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

enum { SLINK_LOG_ERROR = 0, SLINK_LOG_WARN = 1, SLINK_LOG_INFO = 2, SLINK_LOG_DEBUG = 3 };

typedef struct slink_platform {
    /* Entropy source: fill out[0..len) and return 0, or non-zero on failure.
     * Seeds the core's HMAC-DRBG; must be a real TRNG or a persisted and
     * updated seed (see docs/PORTING.md).  Required. */
    int (*entropy)(void *ctx, uint8_t *out, size_t len);
    void *entropy_ctx;

    /* Wall-clock time in seconds since 1970 (UTC) for certificate validity.
     * NULL, or a return other than 0, means "no real-time clock": the
     * certificate time policy then decides (slink_time_policy). */
    int (*wall_time)(void *ctx, int64_t *unix_seconds);
    void *wall_time_ctx;

    /* Log hook.  Messages never contain key material.  Optional (NULL). */
    void (*log)(void *ctx, int level, const char *msg);
    void *log_ctx;
} slink_platform;

#endif

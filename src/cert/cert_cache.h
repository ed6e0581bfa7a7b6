/* The verified-certificate cache's operations, for src/cert/cert.c only (the
 * type and slink_cert_cache_clear are public: include/slink/cert.h). */
#ifndef SLINK_CERT_CACHE_INTERNAL_H
#define SLINK_CERT_CACHE_INTERNAL_H

#include "slink/cert.h"

/* The entry naming the certificate crt under the anchor ca. */
slink_err slink_cert_cache_key(const slink_crt *ca, const slink_crt *crt,
                               uint8_t key[SLINK_CERT_FP_LEN]);
/* 1 if key is in the cache.  Every entry in use is compared, in constant
 * time, whichever one matches. */
int       slink_cert_cache_has(const slink_cert_cache *cc, const uint8_t key[SLINK_CERT_FP_LEN]);
/* Adds key (whose CA signature has just verified), replacing the oldest
 * entry when full. */
void      slink_cert_cache_add(slink_cert_cache *cc, const uint8_t key[SLINK_CERT_FP_LEN]);

#endif

/* The part of mbedTLS 3.6's configuration that every slink firmware image
 * shares: system support, the heap from the port's static pool, and the
 * symmetric set the device backends call directly (AES-128-GCM, SHA-256).
 * Included by firmware/slink_mbedtls_config.h (raw p256-m image, the
 * mbedTLS-ECP comparison image, the DTLS 1.2 reference) and by
 * firmware/psa/slink_psa_mbedtls_config.h (the PSA key-id image), so the
 * images compared side by side cannot drift apart in these options. */
#ifndef SLINK_FW_MBEDTLS_COMMON_H
#define SLINK_FW_MBEDTLS_COMMON_H

/* ---- system support ---- */
/* Inline assembly for the bignum multiply loops (Thumb-1 and Thumb-2
 * variants exist in bn_mul.h): the ECC hot path. */
#define MBEDTLS_HAVE_ASM
/* No MBEDTLS_HAVE_TIME / MBEDTLS_HAVE_TIME_DATE: the board has no real-time
 * clock.  mbedTLS then treats every certificate as current; slink checks
 * dates itself under its time policy (a build-time floor here). */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_DEPRECATED_REMOVED

/* ---- platform: no system heap ---- */
/* All mbedTLS allocations (bignums, parsed certificates) come from a static
 * pool through the port's allocator (firmware/port/fw_alloc.c), called
 * directly; naming it also keeps newlib's malloc, free and sbrk out of the
 * image, so nothing can grow a heap into the stack. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_CALLOC_MACRO   fw_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO     fw_free
#include <stddef.h>
void *fw_calloc(size_t n, size_t size);
void fw_free(void *p);

/* ---- symmetric ---- */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES              /* tables in flash, not built in RAM */
#define MBEDTLS_AES_FEWER_TABLES            /* 2 KiB of tables instead of 8 KiB */
/* slink's records and the reference's one suite use AES-128 only: the
 * key schedule buffer shrinks from 68 to 44 words, 96 bytes less in every
 * GCM context (slink sets one up on the stack per record). */
#define MBEDTLS_AES_ONLY_128_BIT_KEY_LENGTH
/* Without MBEDTLS_CIPHER_C, GCM drives AES through the small block-cipher
 * layer (block_cipher.c) rather than the generic cipher layer and its
 * table of every mode; the DTLS reference needs the cipher layer and
 * enables it (slink_mbedtls_config.h).  GCM only ever encrypts with AES: no decryption
 * tables or code. */
#define MBEDTLS_GCM_C
#define MBEDTLS_BLOCK_CIPHER_NO_DECRYPT

/* ---- hash: SHA-256 (HMAC, HKDF and the DRBG are slink's own code over it) ---- */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER

#endif

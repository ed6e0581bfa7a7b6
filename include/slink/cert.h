/* Credentials and the certificate policy.  The handshake calls
 * slink_cert_verify_peer on every certificate it receives or looks up by
 * reference; nothing else decides whether a peer is trusted. */
#ifndef SLINK_CERT_H
#define SLINK_CERT_H

#include <stddef.h>
#include <stdint.h>
#include "slink/config.h"
#include "slink/crt.h"
#include "slink/crypto.h"
#include "slink/err.h"
#include "slink/platform.h"
#include "slink/wire.h"

/* How certificate validity dates are checked (docs/PROTOCOL.md §5.4).
 * mbedTLS built without MBEDTLS_HAVE_TIME_DATE treats every certificate as
 * current, so slink checks the dates itself. */
typedef enum {
    /* Use the platform wall clock; if there is none, fall back to the time
     * floor (not-after must be >= floor; not-before cannot be checked).  No
     * clock and no floor: SLINK_ERR_CERT_TIME_POLICY, never a silent pass. */
    SLINK_TIME_CLOCK_OR_FLOOR = 0,
    /* Require the wall clock. */
    SLINK_TIME_CLOCK_REQUIRED = 1,
    /* Do not check dates.  Explicit choice, logged at WARN on every use. */
    SLINK_TIME_IGNORE = 2
} slink_time_mode;

/* After slink_creds_load the decoded certificates point into the struct's
 * own DER copies: load credentials where they will stay (as slinkd's two
 * reload slots do) and never copy a loaded slink_creds by value. */
typedef struct {
    slink_crt ca;             /* the configured root CA (trust anchor) */
    slink_crt cert;           /* our own leaf certificate */
    /* Signs with our identity key: a software key below, or a handle to a
     * key that never leaves its store (PKCS#11 token, PSA key id, secure
     * element), given to slink_creds_load_signer. */
    slink_signer signer;
    slink_soft_key soft;      /* the scalar, when loaded from a key (secret; wiped by slink_creds_free) */
    uint8_t cert_ref[SLINK_CERT_REF_LEN];
    int loaded;
#if SLINK_CFG_CREDS_COPY
    /* slink_creds_load's copies of the DER the two certificates refer to */
    uint8_t ca_der[SLINK_CERT_MAX];
    uint8_t cert_der[SLINK_CERT_MAX];
#endif
} slink_creds;

#if SLINK_CFG_CREDS_COPY
/* Each input is PEM or DER (PEM with or without its terminating NUL in the
 * length); the certificates are copied into c, so the inputs may be freed
 * afterwards.  Checks: CA parses within the profile and is a CA; own cert
 * is P-256, fits SLINK_CERT_MAX, chains to the CA, and matches the key.
 * SLINK_ERR_CONFIG with a reason in *why (static string) otherwise. */
slink_err slink_creds_load(slink_creds *c,
                           const uint8_t *ca, size_t ca_len,
                           const uint8_t *cert, size_t cert_len,
                           const uint8_t *key, size_t key_len,
                           const char **why);
/* Only a trust anchor (PEM or DER, copied), for a verifier without
 * credentials of its own (slink-pki verify) or to replace the anchor of
 * loaded credentials (the own certificate is not checked against it
 * again: test tools use this to trust a CA that did not issue their own).
 * On failure c is wiped. */
slink_err slink_creds_set_ca(slink_creds *c, const uint8_t *ca, size_t ca_len, const char **why);
/* As slink_creds_load with the identity key behind a handle instead of a
 * key file: *signer is copied (its ctx must outlive c) and must sign for
 * the certificate's key, which is checked by one signature over a digest
 * of the certificate, verified with the certificate's public key. */
slink_err slink_creds_load_signer(slink_creds *c,
                                  const uint8_t *ca, size_t ca_len,
                                  const uint8_t *cert, size_t cert_len,
                                  const slink_signer *signer, const char **why);
#endif
/* The same checks for DER inputs that stay valid and unchanged for as long
 * as the credentials are used (flash on an MCU): the certificates are
 * decoded where they lie.  The key may be a temporary buffer (the scalar
 * is copied). */
slink_err slink_creds_load_static(slink_creds *c,
                                  const uint8_t *ca, size_t ca_len,
                                  const uint8_t *cert, size_t cert_len,
                                  const uint8_t *key, size_t key_len,
                                  const char **why);
/* slink_creds_load_static with the key as its raw 32-byte big-endian
 * scalar (copied; d may be temporary), for a device whose provisioning
 * stores the scalar itself: no key decoder (SEC 1, PKCS#8) is linked. */
slink_err slink_creds_load_static_scalar(slink_creds *c,
                                         const uint8_t *ca, size_t ca_len,
                                         const uint8_t *cert, size_t cert_len,
                                         const uint8_t d[32], const char **why);
/* slink_creds_load_static with the identity key behind a handle (a PSA
 * key id or a secure element on a device). */
slink_err slink_creds_load_static_signer(slink_creds *c,
                                         const uint8_t *ca, size_t ca_len,
                                         const uint8_t *cert, size_t cert_len,
                                         const slink_signer *signer, const char **why);
void      slink_creds_free(slink_creds *c);

/* Verified-certificate cache: remembers that the CA signature of a peer
 * certificate verified, so that the next handshake with that peer skips
 * that one ECDSA verification (docs/PORTING.md, "Verified-certificate
 * cache").  Only the CA signature is ever skipped: parsing, the issuer and
 * CA checks, CA:FALSE, keyUsage, the deny-list, dates, the name and the
 * pin are checked on every handshake as before.
 *
 * An entry is SHA-256("slink1 verified" || SHA-256(CA DER) || DER of the
 * certificate): it names one exact certificate under one exact trust
 * anchor, so a certificate with the same subject but another body, or the
 * same certificate under another CA, misses and is verified in full.
 * Entries are compared in constant time, in full (32 bytes), and only a
 * signature that verified is ever added.  Caller-owned static memory (no
 * heap): put one where the policy can point at it, zeroed or cleared
 * before use; clear it whenever the trust settings are reloaded (slinkd
 * does on SIGHUP), although a changed anchor misses anyway.  Not shared
 * between threads without the caller's lock.  A cache is only as safe as
 * the RAM it lives in: whoever can write it can make a certificate skip
 * its CA signature (as whoever can write the CA can). */
typedef struct {
    uint8_t entry[SLINK_CERT_CACHE_ENTRIES][SLINK_CERT_FP_LEN];
    uint8_t used;             /* entries in use, from entry[0] */
    uint8_t next;             /* the entry replaced next when full */
    uint32_t hits;            /* CA verifications saved */
    uint32_t misses;          /* CA verifications done (successful or not) */
} slink_cert_cache;

/* Empties the cache and its counters. */
void slink_cert_cache_clear(slink_cert_cache *cc);

typedef struct {
    /* Identity the peer at this bus address must present: exact match of the
     * subject CN or of a subjectAltName dNSName.  "*" accepts any peer whose
     * certificate chains to the CA: an explicit, documented choice.
     * NULL is a configuration error. */
    const char *name;
    /* A peer certificate known in advance (DER), enabling reference by hash
     * on the first handshake.  Optional. */
    const uint8_t *known_cert;
    size_t known_cert_len;
    slink_time_mode time_mode;
    int64_t time_floor;       /* unix seconds; 0 = none */
    /* Revocation: fingerprints (SHA-256 of the DER) of certificates refused
     * with SLINK_ERR_CERT_REVOKED whatever else they pass.  Caller-owned and
     * read on every verification, sent or named by reference, so the owner
     * may swap the array (slinkd does on SIGHUP) between calls.  deny_count
     * 0: no deny-list.  A core built with SLINK_CFG_CERT_FP_RULES 0
     * refuses a policy that sets a deny-list or a pin (SLINK_ERR_CONFIG). */
    const uint8_t (*deny)[SLINK_CERT_FP_LEN];
    size_t deny_count;
    /* Pinning: when not NULL, SLINK_CERT_FP_LEN bytes; only the certificate
     * with this fingerprint is accepted (SLINK_ERR_CERT_PIN otherwise), on
     * top of every other check.  Also keeps the connection's cached peer
     * certificate from being replaced by another one that validates. */
    const uint8_t *pin;
    /* Optional verified-certificate cache (above); NULL: the CA signature
     * is verified on every handshake. */
    slink_cert_cache *cache;
} slink_peer_policy;

/* Validate a peer certificate under the policy: DER of the profile
 * (include/slink/crt.h), canonical signature, not on the deny-list,
 * chains to the CA, basicConstraints CA:FALSE (absent is accepted as
 * not-a-CA), keyUsage includes digitalSignature when present, dates per
 * the time mode, identity matches policy->name, fingerprint equals the pin
 * when one is set.  On success *out (optional) holds the
 * decoded certificate; it refers to der, which is not copied, so der must
 * stay unchanged while *out is used.  Every failure is a specific
 * SLINK_ERR_CERT_* code. */
slink_err slink_cert_verify_peer(const slink_creds *c, const slink_peer_policy *p,
                                 const slink_platform *plat,
                                 const uint8_t *der, size_t len,
                                 slink_crt *out);

/* Fingerprint used by the deny-list and the pin: SHA-256(DER). */
slink_err slink_cert_fingerprint(const uint8_t *der, size_t len, uint8_t fp[SLINK_CERT_FP_LEN]);

/* Reference used for certificate-by-hash: first 8 bytes of SHA-256(DER). */
slink_err slink_cert_ref(const uint8_t *der, size_t len, uint8_t ref[SLINK_CERT_REF_LEN]);

/* Subject CN of a decoded certificate into buf, printable ASCII only (for
 * logs and status). */
void      slink_cert_subject_cn(const slink_crt *crt, char *buf, size_t cap);

#endif

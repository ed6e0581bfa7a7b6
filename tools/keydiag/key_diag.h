/* What is wrong with a key or certificate file that slink refuses, said so
 * that the reader knows what to do: a certificate where the key belongs
 * (or the other way round), an encrypted key, an RSA or other non-P-256
 * key, a key that is not the certificate's.  Shared by slinkd and
 * slink-pki; only called once loading has failed (or to explain a file
 * given where a key is expected), so it may take its time. */
#ifndef SLINK_KEY_DIAG_H
#define SLINK_KEY_DIAG_H

#include <stddef.h>
#include <stdint.h>

/* What a file holds, judged from its PEM labels or, for DER, by parsing. */
typedef enum {
    KD_UNKNOWN = 0,
    KD_CERT,          /* a certificate */
    KD_KEY,           /* a private key, unencrypted */
    KD_KEY_ENCRYPTED, /* a private key under a password */
    KD_PUBKEY         /* a public key only */
} kd_kind;

/* buf holds the whole file; for PEM the terminating NUL is inside len
 * (as mbedTLS wants it).  */
kd_kind kd_classify(const uint8_t *buf, size_t len);

/* Fills out with one sentence and returns 1 when the file given as a
 * private key is unusable for a reason we can name (certificate,
 * encrypted, not EC P-256); 0 when nothing specific was found.  what names
 * the setting ("key", "--ca-key"); create says how to make a good one. */
int kd_explain_key(const uint8_t *buf, size_t len, const char *path, const char *what, const char *create,
                   char *out, size_t cap);

/* A public key (to certify) that is not EC P-256: 1 with the reason. */
int kd_explain_pubkey_type(const void *mbedtls_pk, const char *path, char *out, size_t cap);

#define KD_CREATE_KEY "create one with: slink-pki issue --ca-cert CA.crt --ca-key CA.key --name NAME " \
                      "--out-cert NAME.crt --out-key NAME.key"
#define KD_CREATE_CA  "create one with: slink-pki ca --out-cert CA.crt --out-key CA.key"

/* The same for a file given as our own certificate. */
int kd_explain_cert(const uint8_t *buf, size_t len, const char *path, char *out, size_t cap);

/* Both files parse: 1 (with the fix in out) when the key is not the one
 * the certificate was issued for. */
int kd_explain_pair(const uint8_t *cert, size_t cert_len, const char *cert_path,
                    const uint8_t *key, size_t key_len, const char *key_path, char *out, size_t cap);

/* Both at once: swapped files are named as such, else the key's problem,
 * else the certificate's, else a mismatch.  0 when nothing was found. */
int kd_explain_creds(const uint8_t *cert, size_t cert_len, const char *cert_path,
                     const uint8_t *key, size_t key_len, const char *key_path, char *out, size_t cap);

#endif

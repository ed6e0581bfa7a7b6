/* Certificate minting for slink: P-256 keys, a private root CA and leaf
 * certificates for hosts and devices.  Host-only code (heap allowed) over
 * mbedTLS x509write; used by the slink-pki tool and by the in-memory test
 * PKI (tests/common/test_pki.c).
 *
 * Certificates are kept small on purpose: they cross 9600-baud lines during
 * the handshake.  Defaults: ecdsa-with-SHA256, subject CN only, no
 * SKI/AKI, 8-byte serial.  See docs/PKI.md. */
#ifndef SLINK_PKI_LIB_H
#define SLINK_PKI_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

/* Random source, mbedTLS style.  Tests pass a seeded deterministic one. */
typedef int (*pki_rng_fn)(void *ctx, unsigned char *out, size_t len);

/* Errors: 0 ok, otherwise one of these (negative mbedTLS codes are mapped
 * to PKI_ERR_MBEDTLS; pki_last_mbedtls_err() is not kept: no globals). */
enum {
    PKI_OK = 0,
    PKI_ERR_ARG = -1,       /* bad option (name characters, date format, ...) */
    PKI_ERR_BUFFER = -2,    /* output buffer too small */
    PKI_ERR_MBEDTLS = -3,   /* mbedTLS refused (key generation, signing, ...) */
    PKI_ERR_KEY = -4        /* key is not an EC P-256 key */
};

#define PKI_KU_OMIT (-1)           /* key_usage value: no keyUsage extension */
#define PKI_NAME_MAX 64            /* longest CN accepted */
#define PKI_ADDR_SAN_FMT "addr-%d.slink"
/* Leaf validity when --days is not given (docs/PKI.md §5): the CA/Browser
 * Forum's former 825-day ceiling, long enough for a device to see a
 * maintenance window, short enough that a key taken from a retired device
 * does not stay good for a decade. */
#define PKI_LEAF_DAYS_DEFAULT 825

typedef struct {
    const char *cn;          /* subject CN: [A-Za-z0-9 ._-], 1..64 chars */
    int is_ca;               /* basicConstraints cA */
    int pathlen;             /* with is_ca: pathLenConstraint, -1 = absent */
    int omit_bc;             /* write no basicConstraints at all */
    int key_usage;           /* MBEDTLS_X509_KU_* bits, or PKI_KU_OMIT */
    int san_name;            /* add subjectAltName dNSName = cn */
    const char *san_dns;     /* non-NULL: add this subjectAltName dNSName */
    int addr;                /* > 0: add subjectAltName dNSName "addr-<N>.slink" */
    int ski_aki;             /* add subject/authority key identifiers (+~70 bytes) */
    const char *not_before;  /* "YYYYMMDDhhmmss" UTC */
    const char *not_after;
} pki_cert_opts;

/* Defaults for a leaf: CA:FALSE, digitalSignature, no SAN, no SKI/AKI. */
void pki_leaf_defaults(pki_cert_opts *o, const char *cn,
                       const char *not_before, const char *not_after);
/* Defaults for a root CA: CA:TRUE pathlen 0, keyCertSign|cRLSign. */
void pki_ca_defaults(pki_cert_opts *o, const char *cn,
                     const char *not_before, const char *not_after);

/* Generates an EC P-256 key into an initialised (mbedtls_pk_init) context. */
int pki_key_generate(mbedtls_pk_context *key, pki_rng_fn f_rng, void *p_rng);

typedef enum {
    PKI_KEY_SEC1_DER = 0,
    PKI_KEY_SEC1_PEM = 1,    /* "EC PRIVATE KEY" */
    PKI_KEY_PKCS8_DER = 2,
    PKI_KEY_PKCS8_PEM = 3    /* "PRIVATE KEY" (unencrypted) */
} pki_key_fmt;

/* Writes the private key; PEM output is NUL-terminated and *len includes
 * the NUL (the form mbedtls_pk_parse_key wants). */
int pki_key_write(mbedtls_pk_context *key, pki_key_fmt fmt,
                  uint8_t *out, size_t cap, size_t *len);

/* Issues a certificate for subject_key.  issuer_crt NULL makes it
 * self-signed (issuer name = subject name, signed by subject_key);
 * otherwise the issuer name is copied from issuer_crt's subject and it is
 * signed with issuer_key.  DER written to out[0..*len). */
int pki_cert_issue(const pki_cert_opts *o, mbedtls_pk_context *subject_key,
                   const mbedtls_x509_crt *issuer_crt, mbedtls_pk_context *issuer_key,
                   pki_rng_fn f_rng, void *p_rng,
                   uint8_t *out, size_t cap, size_t *len);

/* DER certificate to PEM ("CERTIFICATE"), NUL-terminated, *len includes NUL. */
int pki_cert_pem(const uint8_t *der, size_t der_len, uint8_t *out, size_t cap, size_t *len);

/* Formats unix seconds as "YYYYMMDDhhmmss" (UTC) into buf[15]. */
void pki_time_str(int64_t unix_seconds, char buf[15]);

#endif

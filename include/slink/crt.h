/* X.509 certificates of slink's profile, decoded in place.
 *
 * slink_crt_parse is a pure function: it checks that the bytes are one
 * certificate in DER (not BER) within the profile of docs/PKI.md §3.1 and
 * records where its fields lie; nothing is copied and nothing is
 * allocated.  Whether the certificate is trusted is src/cert/cert.c's job.
 *
 * The profile: X.509 v3 (or v1 without extensions), signature
 * ecdsa-with-SHA256 (parameters absent or NULL, the outer algorithm
 * identical to the one inside the TBS), an EC P-256 subject key as an
 * uncompressed point, UTCTime/GeneralizedTime validity in their DER forms,
 * no unique identifiers, extensions each at most once; basicConstraints,
 * keyUsage and subjectAltName are decoded, any other critical extension is
 * refused and other non-critical ones are skipped. */
#ifndef SLINK_CRT_H
#define SLINK_CRT_H

#include <stddef.h>
#include <stdint.h>
#include "slink/err.h"

/* Bytes inside the parsed DER. */
typedef struct {
    const uint8_t *p;
    size_t len;
} slink_der_span;

/* keyUsage bits as they lie in the first content byte of the BIT STRING. */
#define SLINK_KU_DIGITAL_SIGNATURE 0x80u
#define SLINK_KU_KEY_CERT_SIGN     0x04u

#define SLINK_CRT_PUB_LEN 65u   /* 0x04 || X || Y */

typedef struct {
    slink_der_span raw;      /* the whole certificate */
    slink_der_span tbs;      /* TBSCertificate with its tag and length: what the issuer signed */
    slink_der_span issuer;   /* Name, tag and length included (compared byte for byte) */
    slink_der_span subject;  /* Name, tag and length included */
    slink_der_span cn;       /* value of the subject's first commonName; len 0 if none */
    slink_der_span san;      /* contents of subjectAltName's GeneralNames; len 0 if absent */
    slink_der_span sig;      /* ECDSA-Sig-Value (DER SEQUENCE of r and s), canonical */
    /* (the 8-byte times right after the 8-byte-aligned spans, the pointer
     * last: no padding on 32-bit targets) */
    int64_t not_before;      /* unix seconds */
    int64_t not_after;
    uint8_t version;         /* 1 or 3 */
    uint8_t is_ca;           /* basicConstraints cA is TRUE */
    uint8_t has_key_usage;   /* keyUsage present ... */
    uint8_t key_usage;       /* ... with these bits (SLINK_KU_*) */
    const uint8_t *pub;      /* SLINK_CRT_PUB_LEN bytes: the subject's P-256 point */
} slink_crt;

/* Decode der[0..len) as exactly one certificate (trailing bytes are an
 * error).  *out refers to der, which must stay unchanged while *out is
 * used.  SLINK_ERR_CERT_PARSE for anything that is not DER of the X.509
 * structure; SLINK_ERR_CERT_KEY_TYPE for a well-formed certificate outside
 * the algorithm profile (another key type, curve or signature algorithm);
 * SLINK_ERR_CERT_ENCODING for a signature value that is not canonical DER.
 * On error *out is zeroed. */
slink_err slink_crt_parse(slink_crt *out, const uint8_t *der, size_t len);

/* The signature as fixed-width r || s (64 bytes), from a parsed
 * certificate's canonical ECDSA-Sig-Value. */
slink_err slink_crt_sig_rs(const slink_crt *c, uint8_t rs[64]);

/* 1 if name equals one of the subjectAltName dNSName entries, or, only
 * when the subjectAltName holds no dNSName and no URI (RFC 6125 §6.4.4),
 * the subject's first commonName; byte for byte. */
int slink_crt_has_name(const slink_crt *c, const char *name);

/* The private scalar (big-endian, left-padded to 32 bytes) of a P-256
 * key in DER: SEC 1 ECPrivateKey or unencrypted PKCS#8.  Structure only;
 * the range of d is checked where it is used.  SLINK_ERR_CERT_KEY_TYPE for
 * another algorithm or curve, SLINK_ERR_CERT_PARSE otherwise.  d is
 * secret: the caller wipes it.  d is all zero after any failure; no bytes
 * at all is SLINK_ERR_CERT_PARSE. */
slink_err slink_crt_parse_key(const uint8_t *der, size_t len, uint8_t d[32]);

/* Unix seconds of a proleptic Gregorian UTC date and time, years 0 to 9999
 * (what a DER time can hold; pure; exposed for tests). */
int64_t slink_crt_unix_time(int32_t year, int32_t mon, int32_t day,
                            int32_t hour, int32_t min, int32_t sec);

#endif

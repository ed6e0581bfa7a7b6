/* Diagnoses for refused key and certificate files (key_diag.h).  mbedTLS
 * parses here (the core's decoder only knows the slink profile and cannot
 * tell an RSA key from garbage). */
#include "key_diag.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/ecp.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>


static int is_pem(const uint8_t *buf, size_t len)
{
    return len > 0 && buf[len - 1] == '\0' && strstr((const char *)buf, "-----BEGIN ") != NULL;
}

static int has(const uint8_t *buf, size_t len, const char *s)
{
    return is_pem(buf, len) && strstr((const char *)buf, s) != NULL;
}

kd_kind kd_classify(const uint8_t *buf, size_t len)
{
    mbedtls_x509_crt crt;
    mbedtls_pk_context pk;
    kd_kind k = KD_UNKNOWN;
    int r;
    if (len == 0)
        return KD_UNKNOWN;
    if (is_pem(buf, len)) {
        if (has(buf, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----") || has(buf, len, "Proc-Type: 4,ENCRYPTED"))
            return KD_KEY_ENCRYPTED;
        if (has(buf, len, "PRIVATE KEY-----"))
            return KD_KEY;
        if (has(buf, len, "-----BEGIN CERTIFICATE-----") || has(buf, len, "-----BEGIN X509 CERTIFICATE-----"))
            return KD_CERT;
        if (has(buf, len, "PUBLIC KEY-----"))
            return KD_PUBKEY;
        return KD_UNKNOWN;
    }
    /* DER: try each */
    mbedtls_x509_crt_init(&crt);
    if (mbedtls_x509_crt_parse_der(&crt, buf, len) == 0)
        k = KD_CERT;
    mbedtls_x509_crt_free(&crt);
    if (k != KD_UNKNOWN)
        return k;
    mbedtls_pk_init(&pk);
    r = mbedtls_pk_parse_key(&pk, buf, len, NULL, 0);
    if (r == 0)
        k = KD_KEY;
    else if (r == MBEDTLS_ERR_PK_PASSWORD_REQUIRED)
        k = KD_KEY_ENCRYPTED;
    else if (mbedtls_pk_parse_public_key(&pk, buf, len) == 0)
        k = KD_PUBKEY;
    mbedtls_pk_free(&pk);
    return k;
}

/* "an RSA key", "an EC key on secp384r1", or NULL for EC P-256 */
static const char *key_kind_text(const mbedtls_pk_context *pk, char *buf, size_t cap)
{
    mbedtls_pk_type_t t = mbedtls_pk_get_type(pk);
    if (t == MBEDTLS_PK_ECKEY || t == MBEDTLS_PK_ECKEY_DH || t == MBEDTLS_PK_ECDSA) {
        const mbedtls_ecp_curve_info *ci;
        mbedtls_ecp_group_id g = mbedtls_pk_ec(*pk)->grp.id;
        if (g == MBEDTLS_ECP_DP_SECP256R1)
            return NULL;
        ci = mbedtls_ecp_curve_info_from_grp_id(g);
        snprintf(buf, cap, "an EC key on curve %s", ci ? ci->name : "(unknown)");
        return buf;
    }
    if (t == MBEDTLS_PK_RSA || t == MBEDTLS_PK_RSASSA_PSS)
        snprintf(buf, cap, "an RSA key of %u bits", (unsigned)mbedtls_pk_get_bitlen(pk));
    else
        snprintf(buf, cap, "a %s key", mbedtls_pk_get_name(pk));
    return buf;
}

/* slinkd's key may live in a token; slink-pki's CA key may not */
static const char *token_hint(const char *what_opt)
{
    return strcmp(what_opt, "key") == 0 ? ", or keep the key in a PKCS#11 token (key = pkcs11:...)" : "";
}

int kd_explain_key(const uint8_t *buf, size_t len, const char *path, const char *what_opt, const char *create,
                   char *out, size_t cap)
{
    mbedtls_pk_context pk;
    char kt[64];
    const char *what;
    int r;
    switch (kd_classify(buf, len)) {
    case KD_CERT:
        snprintf(out, cap, "%s %s holds a certificate, not a private key: '%s' must name the private key "
                 "(the file slink-pki wrote with --out-key)", what_opt, path, what_opt);
        return 1;
    case KD_PUBKEY:
        snprintf(out, cap, "%s %s holds only a public key: '%s' must name the private key "
                 "(the file slink-pki wrote with --out-key)", what_opt, path, what_opt);
        return 1;
    case KD_KEY_ENCRYPTED:
        snprintf(out, cap, "%s %s is encrypted: encrypted keys are not supported; decrypt it with "
                 "'openssl pkey -in %s -out PLAIN.key' (then chmod 600 PLAIN.key and name that)%s", what_opt, path,
                 path, token_hint(what_opt));
        return 1;
    case KD_KEY:
        break;
    default:
        return 0;
    }
    /* an RSA PEM key without the OpenSSL header needs a parse to tell */
    mbedtls_pk_init(&pk);
    r = mbedtls_pk_parse_key(&pk, buf, len, NULL, 0);
    if (r == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
        mbedtls_pk_free(&pk);
        snprintf(out, cap, "%s %s is encrypted: encrypted keys are not supported; decrypt it with "
                 "'openssl pkey -in %s -out PLAIN.key' (then chmod 600 PLAIN.key and name that)%s",
                 what_opt, path, path, token_hint(what_opt));
        return 1;
    }
    what = r == 0 ? key_kind_text(&pk, kt, sizeof kt) : NULL;
    mbedtls_pk_free(&pk);
    if (!what)
        return 0;
    snprintf(out, cap, "%s %s is %s: unsupported: slink keys are ECDSA P-256; %s", what_opt, path, what, create);
    return 1;
}

int kd_explain_cert(const uint8_t *buf, size_t len, const char *path, char *out, size_t cap)
{
    mbedtls_x509_crt crt;
    char kt[64];
    const char *what = NULL;
    switch (kd_classify(buf, len)) {
    case KD_KEY:
    case KD_KEY_ENCRYPTED:
        snprintf(out, cap, "cert %s holds a private key, not a certificate: 'cert' must name the certificate "
                 "(the file slink-pki wrote with --out-cert)", path);
        return 1;
    case KD_PUBKEY:
        snprintf(out, cap, "cert %s holds only a public key, not a certificate: issue one with slink-pki issue "
                 "--pubkey %s", path, path);
        return 1;
    case KD_CERT:
        break;
    default:
        return 0;
    }
    mbedtls_x509_crt_init(&crt);
    if (mbedtls_x509_crt_parse(&crt, buf, len) == 0)
        what = key_kind_text(&crt.pk, kt, sizeof kt);
    mbedtls_x509_crt_free(&crt);
    if (!what)
        return 0;
    snprintf(out, cap, "cert %s carries %s: unsupported: slink certificates carry ECDSA P-256 keys; "
             KD_CREATE_KEY, path, what);
    return 1;
}

int kd_explain_pair(const uint8_t *cert, size_t cert_len, const char *cert_path,
                    const uint8_t *key, size_t key_len, const char *key_path, char *out, size_t cap)
{
    mbedtls_x509_crt crt;
    mbedtls_pk_context pk;
    int mismatch = 0;
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&pk);
    if (mbedtls_x509_crt_parse(&crt, cert, cert_len) == 0 && mbedtls_pk_parse_key(&pk, key, key_len, NULL, 0) == 0)
        mismatch = mbedtls_pk_check_pair(&crt.pk, &pk) != 0;
    mbedtls_pk_free(&pk);   /* wipes the key */
    mbedtls_x509_crt_free(&crt);
    if (!mismatch)
        return 0;
    snprintf(out, cap, "key %s does not match the public key in cert %s: they are not a pair; name the key "
             "this certificate was issued for, or issue a certificate for this key (slink-pki issue ... "
             "--pubkey PUBLIC.pem, with 'openssl pkey -in %s -pubout -out PUBLIC.pem')",
             key_path, cert_path, key_path);
    return 1;
}

int kd_explain_creds(const uint8_t *cert, size_t cert_len, const char *cert_path,
                     const uint8_t *key, size_t key_len, const char *key_path, char *out, size_t cap)
{
    kd_kind kc = kd_classify(cert, cert_len), kk = kd_classify(key, key_len);
    if ((kc == KD_KEY || kc == KD_KEY_ENCRYPTED) && kk == KD_CERT) {
        snprintf(out, cap, "cert and key are swapped: cert %s holds a private key and key %s a certificate; "
                 "exchange the two paths (cert = %s, key = %s)", cert_path, key_path, key_path, cert_path);
        return 1;
    }
    return kd_explain_key(key, key_len, key_path, "key", KD_CREATE_KEY, out, cap) || kd_explain_cert(cert, cert_len, cert_path, out, cap) ||
           kd_explain_pair(cert, cert_len, cert_path, key, key_len, key_path, out, cap);
}

int kd_explain_pubkey_type(const void *pkv, const char *path, char *out, size_t cap)
{
    char kt[64];
    const char *what = key_kind_text((const mbedtls_pk_context *)pkv, kt, sizeof kt);
    if (!what)
        return 0;
    snprintf(out, cap, "--pubkey %s is %s: unsupported: slink keys are ECDSA P-256 (make one with "
             "'openssl ecparam -name prime256v1 -genkey', or let slink-pki issue --out-key create it)", path, what);
    return 1;
}

/* mbedTLS 3.6 configuration for the host build of slink's mbedTLS backend
 * (mk/mbedtls36.mk): what src/backends/mbedtls/ calls and nothing else, as
 * the firmware's configuration, but with the C library's heap and the
 * generic cipher layer (which keeps slink_aead's context at the host's
 * default size).  Selected with -DMBEDTLS_CONFIG_FILE. */
#ifndef SLINK_MBEDTLS36_HOST_CONFIG_H
#define SLINK_MBEDTLS36_HOST_CONFIG_H

#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_DEPRECATED_REMOVED

#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

#define MBEDTLS_AES_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_GCM_C

#define MBEDTLS_SHA256_C
#define MBEDTLS_MD_C
#define MBEDTLS_HMAC_DRBG_C

#endif

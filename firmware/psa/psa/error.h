/* What a platform's PSA headers provide when mbedTLS's key store runs over
 * the platform's own internal trusted storage (MBEDTLS_PSA_CRYPTO_STORAGE_C
 * without MBEDTLS_PSA_ITS_FILE_C: library/psa_crypto_storage.c includes
 * psa/error.h and psa/internal_trusted_storage.h, as TF-M supplies them).
 * The status codes are mbedTLS's own. */
#ifndef FW_PSA_ERROR_H
#define FW_PSA_ERROR_H
#include <psa/crypto_types.h>
#include <psa/crypto_values.h>
#endif

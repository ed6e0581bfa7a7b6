/* The ITS interface of firmware/psa/fw_its.c (see error.h here): the
 * declarations are mbedTLS's own (library/psa_crypto_its.h, on the
 * include path of this build), the implementation ours. */
#ifndef FW_PSA_INTERNAL_TRUSTED_STORAGE_H
#define FW_PSA_INTERNAL_TRUSTED_STORAGE_H
#include "psa_crypto_its.h"
#endif

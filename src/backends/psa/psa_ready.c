/* psa_crypto_init() once, on first use.  A file of its own: the key id
 * signer (psa_key.c) needs it and nothing else of the PSA backend, so an
 * image that signs through a PSA key store but does the rest of its crypto
 * with another backend (the device's PSA variant, mk/fw_psa.mk) links
 * psa_key.o and this without the backend's hash, AEAD and ECC files. */
#include "psa_backend.h"

slink_err slink_psa_ready(void)
{
    static int done;
    if (done)
        return SLINK_OK;
    if (psa_crypto_init() != PSA_SUCCESS)
        return SLINK_ERR_CRYPTO;
    done = 1;
    return SLINK_OK;
}

/* The PSA Crypto backend's one addition to the port (src/backends/psa/): an
 * identity key that stays in the PSA key store, named by its key id
 * (psa_key_id_t, a 32-bit value; volatile, persistent or a secure-element
 * key).  Its policy must allow PSA_KEY_USAGE_SIGN_HASH with
 * PSA_ALG_ECDSA(PSA_ALG_SHA_256) or the deterministic variant; the key
 * type is a P-256 (SECP_R1, 256 bits) key pair.  Only with the PSA
 * backend linked. */
#ifndef SLINK_CRYPTO_PSA_H
#define SLINK_CRYPTO_PSA_H

#include <stdint.h>
#include "slink/crypto.h"

typedef struct {
    uint32_t key_id;           /* psa_key_id_t */
} slink_psa_key;

/* A signer for slink_creds_load_signer / _load_static_signer.  k must
 * outlive the credentials. */
slink_signer slink_psa_key_signer(slink_psa_key *k);

#endif

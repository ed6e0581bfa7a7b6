/* The PSA firmware variant's port additions (firmware/psa/). */
#ifndef FW_PSA_H
#define FW_PSA_H

#include "slink/crypto.h"
#include "slink/crypto_psa.h"

/* The platform whose entropy seeds the DRBG of a signature made without
 * one (the credential check at boot, fw_psa_signer.c); before any PSA
 * call.  plat must outlive the device. */
void fw_psa_rng_init(const slink_platform *plat);
const slink_platform *fw_psa_platform(void);
/* The DRBG the PSA core's random generator draws from (fw_psa_rng.c):
 * set by the signer around each signature, NULL otherwise (the core's
 * RNG then fails). */
void fw_psa_lend_drbg(slink_rng *r);

/* The identity key's signer: k's key id through the PSA core, the nonce
 * drawn by p256-m from the DRBG the caller passes (the connection's during
 * a handshake), or from one seeded for the call when the caller passes
 * none (fw_psa_signer.c).  k must outlive the credentials. */
slink_signer fw_psa_identity_signer(slink_psa_key *k);

#endif

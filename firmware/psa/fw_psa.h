/* The PSA firmware variant's port additions (firmware/psa/). */
#ifndef FW_PSA_H
#define FW_PSA_H

#include "slink/crypto.h"
#include "slink/crypto_psa.h"

/* The platform whose entropy seeds the PSA core's DRBG (fw_psa_rng.c);
 * before any PSA call.  plat must outlive the device. */
void fw_psa_rng_init(const slink_platform *plat);
/* That DRBG, seeded on first use (psa_generate_random, and p256-m's
 * nonces when the PSA core signs through it); NULL when the platform's
 * entropy fails. */
slink_rng *fw_psa_drbg(void);

/* The identity key's signer: k's key id through the PSA core, p256-m's
 * random source set to fw_psa_drbg() around each signature
 * (fw_psa_signer.c).  k must outlive the credentials. */
slink_signer fw_psa_identity_signer(slink_psa_key *k);

#endif

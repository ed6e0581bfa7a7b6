/* The PSA firmware variant's port additions (firmware/psa/). */
#ifndef FW_PSA_H
#define FW_PSA_H

#include "slink/crypto.h"

/* The platform whose entropy seeds the PSA core's DRBG (fw_psa_rng.c);
 * before any PSA call.  plat must outlive the device. */
void fw_psa_rng_init(const slink_platform *plat);

#endif

/* The device's credentials: the provisioned CA and certificate, and its
 * identity key behind a signer.  One implementation per build: the raw
 * key from the provisioning data (fw_identity.c, the default images) or a
 * persistent PSA key used by id (firmware/psa/fw_identity_psa.c, the
 * device-psa images). */
#ifndef FW_IDENTITY_H
#define FW_IDENTITY_H

#include "slink/cert.h"

/* SLINK_OK, or the error with *why saying what failed. */
slink_err fw_identity_load(slink_creds *creds, const slink_platform *plat, const char **why);

#endif

/* The identity key as provisioned data: the scalar in flash, copied into
 * the credentials (a software key); loaded as the raw scalar, so the image
 * links no key decoder.  The PSA variant replaces this file
 * (firmware/psa/fw_identity_psa.c). */
#include "fw_identity.h"
#include "fw_port.h"

slink_err fw_identity_load(slink_creds *creds, const slink_platform *plat, const char **why)
{
    (void)plat;
    /* Provisioned DER in flash: parsed in place, not copied to the heap. */
    return slink_creds_load_static_scalar(creds, fw_prov_ca_der, fw_prov_ca_der_len,
                                          fw_prov_cert_der, fw_prov_cert_der_len,
                                          fw_prov_key, why);
}

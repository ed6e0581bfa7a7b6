/* The identity key as a persistent PSA key: provisioned at build time into
 * internal trusted storage (fw_its.c, firmware/tools/gen_its.py) and used
 * by its key id through the PSA backend's signer (include/slink/
 * crypto_psa.h; fw_psa_signer.c gives p256-m its nonces).  The provisioning data of this image holds the CA and the
 * certificate only; the scalar is in the ITS region and, while the PSA
 * core signs, in the core's key slot, never in slink's memory. */
#include "fw_identity.h"
#include "fw_its.h"
#include "fw_port.h"
#include "fw_psa.h"
#include "slink/crypto_psa.h"

/* The signer's context must outlive the credentials. */
static slink_psa_key identity = { FW_PSA_IDENTITY_KEY_ID };

slink_err fw_identity_load(slink_creds *creds, const slink_platform *plat, const char **why)
{
    slink_signer s;

    fw_psa_rng_init(plat);
    s = fw_psa_identity_signer(&identity);
    /* One signature over a digest of the certificate, verified with the
     * certificate's key: the key behind the id is the one certified. */
    return slink_creds_load_static_signer(creds, fw_prov_ca_der, fw_prov_ca_der_len,
                                          fw_prov_cert_der, fw_prov_cert_der_len, &s, why);
}

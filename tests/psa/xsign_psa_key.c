/* Signatures by identity keys that live in the PSA key store and are used
 * by key id (slink_psa_key_signer): generated inside PSA, not exportable,
 * randomized ECDSA; and credentials loaded with such a key. */
#include <stdio.h>
#include <string.h>
#include <psa/crypto.h>
#include "slink/crypto_psa.h"

int xsign_key_store(FILE *out, int n);

int xsign_key_store(FILE *out, int n)
{
    for (int i = 0; i < n; i++) {
        psa_key_attributes_t at = PSA_KEY_ATTRIBUTES_INIT;
        psa_key_id_t id = 0;
        uint8_t pub[SLINK_ECPUB_LEN], h[32], sig[SLINK_SIG_LEN], tmp[32];
        size_t olen = 0;
        slink_psa_key k;
        slink_signer s;
        int exported;

        if (psa_crypto_init() != PSA_SUCCESS) return -1;
        psa_set_key_type(&at, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
        psa_set_key_bits(&at, 256);
        psa_set_key_usage_flags(&at, PSA_KEY_USAGE_SIGN_HASH);   /* no EXPORT */
        psa_set_key_algorithm(&at, PSA_ALG_ECDSA(PSA_ALG_SHA_256));
        if (psa_generate_key(&at, &id) != PSA_SUCCESS) return -1;
        /* the scalar cannot be read out: only the public key can */
        exported = psa_export_key(id, tmp, sizeof tmp, &olen) == PSA_SUCCESS;
        if (exported || psa_export_public_key(id, pub, sizeof pub, &olen) != PSA_SUCCESS) {
            fprintf(stderr, "xsign: PSA key %s\n", exported ? "was exportable" : "has no public key");
            return -1;
        }
        memset(h, 0x40 + i, sizeof h);
        k.key_id = id;
        s = slink_psa_key_signer(&k);
        if (slink_sign_hash(&s, h, sig, NULL) != SLINK_OK) return -1;
        psa_destroy_key(id);
        fprintf(out, "psa-id ");
        for (size_t j = 0; j < sizeof pub; j++) fprintf(out, "%02x", pub[j]);
        fputc(' ', out);
        for (size_t j = 0; j < sizeof h; j++) fprintf(out, "%02x", h[j]);
        fputc(' ', out);
        for (size_t j = 0; j < sizeof sig; j++) fprintf(out, "%02x", sig[j]);
        fputc('\n', out);
    }
    return n;
}

/* An identity key that stays in a PKCS#11 token (HSM, smart card, TPM,
 * SoftHSM2), named by an RFC 7512 URI and used through p11-kit: slinkd
 * signs its handshakes with it and slink-pki reads its public key to issue
 * a certificate for it.  The private key never leaves the token; slink
 * sees only a signer handle (include/slink/crypto.h). */
#ifndef SLINK_P11_KEY_H
#define SLINK_P11_KEY_H

#include <stddef.h>
#include <stdint.h>
#include "slink/crypto.h"

typedef struct p11_key p11_key;

/* 1 if s names a PKCS#11 object ("pkcs11:" prefix, RFC 7512). */
int p11_key_is_uri(const char *s);

/* Loads the module (module-path=... in the URI, else every module p11-kit
 * has registered), finds the one token the URI matches, logs in with
 * pin-value=... or pin-source=FILE when given, and finds exactly one EC
 * private key matching the URI's object attributes (id, object label).
 * 0 on success; -1 with a one-line reason in err. */
int  p11_key_open(p11_key **out, const char *uri, char *err, size_t cap);
/* The handle for slink_creds_load_signer: ECDSA (CKM_ECDSA) over the
 * SHA-256 digest in the token; the token's raw r||s is the signature. */
slink_signer p11_key_signer(p11_key *k);
/* The matching public key (CKA_EC_POINT of the public key object with the
 * private key's CKA_ID, or the private key's own CKA_EC_POINT), as an
 * uncompressed point.  0 on success; -1 with a reason in err. */
int  p11_key_public(p11_key *k, uint8_t pub[SLINK_ECPUB_LEN], char *err, size_t cap);
void p11_key_close(p11_key *k);

#endif

/* slinkd: credentials whose key is in a PKCS#11 token (key_p11.c). */
#ifndef SLINKD_KEY_P11_H
#define SLINKD_KEY_P11_H

#include <stddef.h>
#include <stdint.h>
#include "slink/cert.h"

/* 1 if the configured key is a pkcs11: URI rather than a file. */
int slinkd_key_is_token(const char *key);
/* slink_creds_load_signer with the token's key; the daemon never holds
 * the scalar.  SLINK_ERR_CONFIG with a reason in *why otherwise. */
slink_err slinkd_token_creds(const char *uri, slink_creds *out,
                             const uint8_t *ca, size_t ca_len,
                             const uint8_t *cert, size_t cert_len, const char **why);

/* The key setting as it may be logged: a URI without its query (which may
 * carry pin-value); a file path as it is.  buf holds the copy. */
const char *slinkd_key_display(const char *key, char *buf, size_t cap);

#endif

/* PEM (RFC 7468) block decoding for slink_creds_load: base64 between a
 * header and a footer line.  Not crypto, so not the crypto port's job; the
 * core decodes it itself. */
#ifndef SLINK_PEM_H
#define SLINK_PEM_H

#include <stddef.h>
#include <stdint.h>

/* Finds the first block in the NUL-terminated text `in` that starts with
 * the line `hdr` and ends with `ftr`, and decodes its base64 body into dst.
 * 0: *n decoded bytes, *used = offset just past the footer line.
 * -1: no such block, a body that is not base64 (an encrypted key's
 * Proc-Type header is not), or more than cap bytes.  dst is wiped on
 * failure. */
int slink_pem_decode(const char *in, const char *hdr, const char *ftr,
                     uint8_t *dst, size_t cap, size_t *n, size_t *used);

#endif

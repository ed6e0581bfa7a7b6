/* Pure encoders/decoders of the handshake message layouts (docs/PROTOCOL.md
 * §4, constants in slink/wire.h).  No crypto here: the AEAD and the
 * signature are applied by src/handshake/handshake.c around these byte layouts.
 *
 *   msg1       = vs(1) flags(1) mtu_code(1) x_i(32)        35 bytes
 *   msg2       = flags(1) mtu_code(1) x_r(32) ct tag(16)
 *   msg3       = ct tag(16)
 *   plaintext  = cred sig(64)
 *   cred       = 0x01 len(2) DER  |  0x02 ref(8)
 *
 * Internal header: only the handshake and its tests include it.  Pointer
 * arguments are the caller's own buffers and never NULL, so they are not
 * checked (the public entry points check theirs); every length and field
 * value is. */
#ifndef SLINK_HS_MSG_H
#define SLINK_HS_MSG_H

#include <stddef.h>
#include <stdint.h>
#include "slink/err.h"
#include "slink/wire.h"

/* Smallest useful mtu_code: 4 * 16 = SLINK_MIN_FRAME_BODY. */
#define HS_MTU_CODE_MIN        4u

/* cred(ref) = 1 + 8; cred(full) = 1 + 2 + DER */
#define HS_CRED_REF_LEN        (1u + SLINK_CERT_REF_LEN)
#define HS_CRED_FULL_HDR       3u
#define HS_PLAIN_MIN           (HS_CRED_REF_LEN + SLINK_SIG_LEN)
#define HS_PLAIN_MAX           (HS_CRED_FULL_HDR + SLINK_CERT_MAX + SLINK_SIG_LEN)
#define HS_MSG2_MIN            (SLINK_HS2_CLEAR_LEN + HS_PLAIN_MIN + SLINK_TAG_LEN)
#define HS_MSG2_MAX            (SLINK_HS2_CLEAR_LEN + HS_PLAIN_MAX + SLINK_TAG_LEN)
#define HS_MSG3_MIN            (HS_PLAIN_MIN + SLINK_TAG_LEN)
#define HS_MSG3_MAX            (HS_PLAIN_MAX + SLINK_TAG_LEN)

#if HS_MSG2_MAX > SLINK_HS_MSG_MAX
#error "SLINK_HS_MSG_MAX cannot hold message 2 with a full certificate"
#endif

/* hs_msg1 and hs_msg2_clear are their wire layouts, field by field (bytes
 * only, so no padding; hs_msg.c asserts the sizes): a message that passed
 * its checks is copied whole either way. */
typedef struct {
    uint8_t vs;
    uint8_t flags;
    uint8_t mtu_code;
    uint8_t x[SLINK_ECX_LEN];
} hs_msg1;

/* The clear part of message 2 (authenticated as part of TH2). */
typedef struct {
    uint8_t flags;
    uint8_t mtu_code;
    uint8_t x[SLINK_ECX_LEN];
} hs_msg2_clear;

typedef struct {
    uint8_t type;                         /* SLINK_CRED_FULL or SLINK_CRED_REF */
    const uint8_t *der;                   /* FULL: points into the buffer decoded */
    size_t der_len;
    uint8_t ref[SLINK_CERT_REF_LEN];      /* REF */
} hs_cred;

/* out must hold SLINK_HS1_LEN bytes.  Refuses (SLINK_ERR_ARG) what the
 * decoder would refuse, so a node never emits a message its peer drops. */
slink_err hs_msg1_encode(const hs_msg1 *m, uint8_t *out, size_t cap, size_t *len);
/* SLINK_ERR_HS_VERSION if the first byte is not SLINK_VERSION_SUITE (checked
 * before the length, so a later version with a longer msg1 gets a version
 * answer); SLINK_ERR_HS_MALFORMED for a wrong length, unknown flag bits or an
 * mtu_code below HS_MTU_CODE_MIN. */
slink_err hs_msg1_decode(const uint8_t *in, size_t len, hs_msg1 *m);

/* Writes the 34-byte clear part. */
slink_err hs_msg2_clear_encode(const hs_msg2_clear *m, uint8_t *out, size_t cap, size_t *len);
/* Splits msg2 into its clear part, ciphertext and tag (pointers into in).
 * SLINK_ERR_HS_MALFORMED if len is outside [HS_MSG2_MIN, HS_MSG2_MAX] or the
 * clear part has unknown flag bits or a too small mtu_code. */
slink_err hs_msg2_decode(const uint8_t *in, size_t len, hs_msg2_clear *m,
                         const uint8_t **ct, size_t *ct_len, const uint8_t **tag);
/* msg3 is all ciphertext: only the length bounds are checked. */
slink_err hs_msg3_decode(const uint8_t *in, size_t len,
                         const uint8_t **ct, size_t *ct_len, const uint8_t **tag);

/* plaintext = cred sig.  sig NULL leaves the signature zero, for a signer
 * that writes it in place afterwards.  SLINK_ERR_ARG on an unknown cred
 * type, an empty or oversized DER; SLINK_ERR_BUFFER if cap is too small. */
slink_err hs_plain_encode(const hs_cred *c, const uint8_t sig[SLINK_SIG_LEN],
                          uint8_t *out, size_t cap, size_t *len);
/* SLINK_ERR_HS_MALFORMED on an unknown cred type, a DER length of zero, above
 * SLINK_CERT_MAX or beyond the message, and on any byte count other than
 * exactly cred + 64. */
slink_err hs_plain_decode(const uint8_t *in, size_t len, hs_cred *c,
                          uint8_t sig[SLINK_SIG_LEN]);

/* Repair request (§4.7) = msgno(1) total(2) map: the pieces of message 2 or
 * 3 its receiver still lacks, as a bitmap of SLINK_HS_GRANULE-byte granules
 * (bit k: bytes [60k, 60k + 60)).  total 0 and no map: nothing has arrived. */
typedef struct {
    uint8_t  msgno;
    uint16_t total;
    uint8_t  map[SLINK_HS_REPAIR_MAP_MAX];
} hs_repair;

/* The request is written by its only sender, the handshake driver
 * (src/session/conn_hs.c rep_next_frame), straight from its reassembly. */
/* SLINK_ERR_HS_MALFORMED unless msgno is 2 or 3, total is at most
 * SLINK_HS_MSG_MAX, the map is exactly SLINK_HS_REPAIR_MAP_LEN(total)
 * bytes, no bit beyond the last granule is set and, when total is not 0,
 * at least one is. */
slink_err hs_repair_decode(const uint8_t *in, size_t len, hs_repair *r);

#endif

/* Every on-the-wire constant and layout of slink protocol version 2, in one
 * place.  docs/PROTOCOL.md is the normative description; section numbers
 * below refer to it.  All multi-byte integers are big-endian. */
#ifndef SLINK_WIRE_H
#define SLINK_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "slink/config.h"
#include "slink/err.h"

/* ---- §2 Frame layer ------------------------------------------------------
 * wire  = COBS(frame) 0x00
 * frame = dst(1) src(1) type(1) body(0..MTU) crc(2)
 * crc   = CRC-16/CCITT-FALSE over dst..body (poly 0x1021, init 0xFFFF,
 *         no reflection, xorout 0; check value 0x29B1 over "123456789"). */
#define SLINK_DELIM            0x00u
#define SLINK_CRC16_CHECK      0x29B1u

/* Addresses */
#define SLINK_ADDR_NONE        0x00u  /* never valid on the wire */
#define SLINK_ADDR_UNICAST_MIN 0x01u
#define SLINK_ADDR_UNICAST_MAX 0xEFu
#define SLINK_ADDR_RESERVED_MIN 0xF0u /* 0xF0..0xFE reserved: dropped */
#define SLINK_ADDR_BROADCAST   0xFFu  /* destination only */
#define SLINK_ADDR_HOST_DEFAULT 0x01u

static inline int slink_addr_is_unicast(uint8_t a)
{
    return a >= SLINK_ADDR_UNICAST_MIN && a <= SLINK_ADDR_UNICAST_MAX;
}

/* Frame type byte.  Bit 7 clear: plaintext frame types below.
 * Bit 7 set: protected record, and the byte is the record header (§3.1). */
#define SLINK_FT_HS1           0x01u  /* handshake message 1, whole */
#define SLINK_FT_HS2           0x02u
#define SLINK_FT_HS3           0x03u
#define SLINK_FT_HS_FRAG       0x10u  /* OR'ed with 1..3: fragment, body = off(2) total(2) data */
#define SLINK_FT_HS_REPAIR     0x18u  /* repair request (§4.7): msgno(1) total(2) missing-granule map */
#define SLINK_FT_POLL          0x20u  /* half-duplex: master grants the turn; body empty or budget(2) */
#define SLINK_FT_TURN_END      0x21u  /* half-duplex: device yields the turn (empty body) */
#define SLINK_FT_PLAIN_ALERT   0x30u  /* unauthenticated handshake-failure notice: level(1) code(1) */
#define SLINK_FT_RECORD_BIT    0x80u

#define SLINK_HS_FRAG_HDR      4u
/* Repair requests (§4.7) name missing pieces of message 2 or 3 in granules
 * of the data one smallest fragment carries: granule k is bytes
 * [60k, 60k + 60) of the message.  map bit k is bit (k % 8) of byte k / 8.
 * total 0 (and no map): nothing of the message has arrived yet. */
#define SLINK_HS_GRANULE       (SLINK_MIN_FRAME_BODY - SLINK_HS_FRAG_HDR)
#define SLINK_HS_REPAIR_HDR    3u
#define SLINK_HS_REPAIR_MAP_LEN(total) ((((size_t)(total) + SLINK_HS_GRANULE - 1u) / SLINK_HS_GRANULE + 7u) / 8u)
#define SLINK_HS_REPAIR_MAP_MAX SLINK_HS_REPAIR_MAP_LEN(SLINK_HS_MSG_MAX)

/* Turn budget of a half-duplex device (§2.5): the wire bytes within which it
 * may start frames in one turn (its last frame may run past).  A POLL
 * without body grants the default, one largest frame of the host build; a
 * POLL with a 2-byte big-endian body grants that many, at least 1 and at
 * most SLINK_TURN_BUDGET_MAX (larger values are capped). */
#define SLINK_TURN_BUDGET_DEFAULT 1115u
#define SLINK_TURN_BUDGET_MAX     4460u

/* ---- §3 Record layer -----------------------------------------------------
 * type byte = 1 | epoch&3 (2 bits) | content type (3 bits) | seq_len code (2 bits)
 * body      = seq (1, 2 or 6 bytes: low bits of the 48-bit sequence number)
 *             ciphertext  tag(16)
 * AAD       = dst(1) src(1) type(1) epoch(2) seq(6)   -- reconstructed values
 * nonce     = iv XOR (0^6 || seq(6))                   -- 12 bytes */
#define SLINK_REC_EPOCH_SHIFT  5u
#define SLINK_REC_EPOCH_MASK   0x60u
#define SLINK_REC_CT_SHIFT     2u
#define SLINK_REC_CT_MASK      0x1Cu
#define SLINK_REC_SEQLEN_MASK  0x03u
#define SLINK_REC_SEQLEN_1     0u
#define SLINK_REC_SEQLEN_2     1u
#define SLINK_REC_SEQLEN_6     2u
#define SLINK_REC_AAD_LEN      11u
#define SLINK_REC_IV_LEN       12u
#define SLINK_REC_KEY_LEN      16u
#define SLINK_SEQ_MAX          0xFFFFFFFFFFFFull   /* 2^48 - 1 */

/* Content types (3 bits) */
#define SLINK_CT_ALERT         1u
#define SLINK_CT_ACK           2u
#define SLINK_CT_STREAM        3u
#define SLINK_CT_DATAGRAM      4u

/* Epochs: 0 plaintext handshake, 1 handshake-encrypted parts of messages
 * 2 and 3 (not carried as records), 2 first application epoch, +1 per key
 * update of that direction. */
#define SLINK_EPOCH_HANDSHAKE  1u
#define SLINK_EPOCH_APP        2u
#define SLINK_EPOCH_MAX        0xFFFFu

/* ACK content (§3.6): rx_epoch_lo(1) rx_high(2) cum(1) sack(2) wnd(1) flags(1) */
#define SLINK_ACK_LEN          8u
#define SLINK_ACK_F_CLOSE      0x01u  /* close_notify received and accepted */
#define SLINK_ACK_F_PROBE      0x02u  /* answer with an ACK at once (liveness probe, §4.9) */

/* Alert content (§3.8): level(1) code(1) [final chunk(1) for close_notify] */
#define SLINK_ALERT_WARNING    1u
#define SLINK_ALERT_FATAL      2u
#define SLINK_ALERT_CLOSE_NOTIFY        0u
#define SLINK_ALERT_UNEXPECTED_MESSAGE  10u
#define SLINK_ALERT_BAD_RECORD_MAC      20u
#define SLINK_ALERT_HANDSHAKE_FAILURE   40u
#define SLINK_ALERT_BAD_CERTIFICATE     42u
#define SLINK_ALERT_CERTIFICATE_REVOKED 44u
#define SLINK_ALERT_CERTIFICATE_EXPIRED 45u
#define SLINK_ALERT_UNKNOWN_CA          48u
#define SLINK_ALERT_ACCESS_DENIED       49u  /* identity not the one configured */
#define SLINK_ALERT_DECODE_ERROR        50u
#define SLINK_ALERT_PROTOCOL_VERSION    70u
#define SLINK_ALERT_INTERNAL_ERROR      80u
/* Plaintext hint from a node that received a record for a session it does
 * not have (it rebooted).  Unauthenticated: the receiver may only start a
 * new handshake alongside its session, never drop the session for it. */
#define SLINK_ALERT_NO_SESSION          100u

/* ---- §4 Handshake ------------------------------------------------------- */
#define SLINK_VERSION_SUITE    0x21u  /* version 2 (high nibble), suite 1 (low) */
/* suite 1 = ECDHE P-256 (x-only), ECDSA P-256 SHA-256 (raw r||s),
 *           AES-128-GCM, HKDF-SHA256 */
#define SLINK_ECX_LEN          32u   /* x-coordinate of an ephemeral P-256 key */
#define SLINK_SIG_LEN          64u   /* r || s, each 32 bytes, 0 < r,s < n */
#define SLINK_HASH_LEN         32u
#define SLINK_CERT_REF_LEN     8u    /* first 8 bytes of SHA-256(cert DER) */
#define SLINK_CERT_FP_LEN      32u   /* fingerprint: SHA-256(cert DER), deny-list and pin */
#define SLINK_MAC_LEN          16u   /* MAC_2 / MAC_3: computed, signed, not sent */

#define SLINK_HS_F_HAVE_PEER_CERT 0x01u  /* flags: sender has the receiver's cert cached */
#define SLINK_HS_F_AUTO           0x02u  /* msg1 flags: sender is an `auto` node, which answers a
                                            higher address's msg1 (simultaneous open, §4.8) */

/* credential encoding inside the encrypted part */
#define SLINK_CRED_FULL        0x01u  /* cred = 0x01 len(2) DER */
#define SLINK_CRED_REF         0x02u  /* cred = 0x02 ref(8) */

/* Version 2 has no handshake nonces: the fresh ephemeral keys already make
 * every attempt's transcript unique (docs/PROTOCOL.md §8). */
/* msg1 = vs(1) flags(1) mtu_code(1) x_i(32) */
#define SLINK_HS1_LEN          (3u + SLINK_ECX_LEN)
/* msg2 = flags(1) mtu_code(1) x_r(32) AEAD(cred_r sig_r) */
#define SLINK_HS2_CLEAR_LEN    (2u + SLINK_ECX_LEN)
/* msg3 = AEAD(cred_i sig_i) */

/* mtu_code: receivable frame body = 16 * code bytes (code 4..255). */
#define SLINK_MTU_UNIT         16u
static inline uint8_t slink_mtu_code(size_t body_max)
{
    size_t c = body_max / SLINK_MTU_UNIT;
    return (uint8_t)(c > 255u ? 255u : c);
}

/* HKDF labels are "slink1 " || label (§4.5). */
#define SLINK_LABEL_PREFIX     "slink1 "

/* ---- codecs: pure functions over byte buffers (src/frame/wire.c) ---------------- */
typedef struct {
    uint8_t content_type;
    uint8_t epoch_bits;   /* epoch & 3 */
    uint8_t seq_len;      /* 1, 2 or 6 */
} slink_rec_hdr;

/* Parse the record type byte; SLINK_ERR_REC_MALFORMED on reserved codes. */
slink_err slink_rec_hdr_parse(uint8_t type, slink_rec_hdr *h);
uint8_t   slink_rec_hdr_type(uint8_t content_type, uint16_t epoch, uint8_t seq_len);

typedef struct {
    uint8_t  rx_epoch_lo;  /* low byte of the epoch rx_high refers to */
    uint16_t rx_high;      /* low 16 bits of the highest record seq received */
    uint8_t  cum;          /* next stream chunk expected */
    uint16_t sack;         /* bit i: chunk cum+1+i received */
    uint8_t  wnd;          /* chunks the receiver can accept from cum */
    uint8_t  flags;
} slink_ack;

slink_err slink_ack_encode(const slink_ack *a, uint8_t *out, size_t cap, size_t *len);
slink_err slink_ack_decode(const uint8_t *in, size_t len, slink_ack *a);

typedef struct {
    uint8_t level;
    uint8_t code;
    uint8_t has_final;
    uint8_t final_chunk;  /* close_notify: chunk number after the last data */
} slink_alert;

/* The alert's name (TLS spelling; "unknown" for a code slink does not define). */
const char *slink_alert_name(uint8_t code);
slink_err slink_alert_encode(const slink_alert *a, uint8_t *out, size_t cap, size_t *len);
slink_err slink_alert_decode(const uint8_t *in, size_t len, slink_alert *a);

/* Handshake fragment header */
slink_err slink_frag_hdr_decode(const uint8_t *in, size_t len, uint16_t *off, uint16_t *total);
void      slink_put_u16(uint8_t *p, uint16_t v);
uint16_t  slink_get_u16(const uint8_t *p);
/* Big-endian integer of n bytes (n <= 8); put keeps v's low 8n bits. */
void      slink_put_be(uint8_t *p, uint64_t v, unsigned n);
uint64_t  slink_get_be(const uint8_t *p, unsigned n);
static inline void     slink_put_u48(uint8_t *p, uint64_t v) { slink_put_be(p, v, 6u); }
static inline uint64_t slink_get_u48(const uint8_t *p)       { return slink_get_be(p, 6u); }

#endif

/* Frame layer: CRC-16/CCITT-FALSE, COBS, frame encoder and a byte-driven
 * decoder that resynchronises at the next 0x00 after any corruption.
 * Knows nothing of records: it hands up (dst, src, type, body). */
#ifndef SLINK_FRAME_H
#define SLINK_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include "slink/config.h"
#include "slink/err.h"

uint16_t slink_crc16(const uint8_t *p, size_t n);
uint16_t slink_crc16_update(uint16_t crc, const uint8_t *p, size_t n);

/* COBS.  encode: out needs SLINK_COBS_MAX(n) bytes; no delimiter written.
 * decode: in must not contain 0x00; out may alias in (in-place decode). */
slink_err slink_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);
slink_err slink_cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

/* Encode one complete wire frame: COBS(dst src type body crc) 0x00.
 * Pure.  out needs SLINK_COBS_MAX(body_len + 5) + 1 bytes. */
slink_err slink_frame_encode(uint8_t dst, uint8_t src, uint8_t type,
                             const uint8_t *body, size_t body_len,
                             uint8_t *out, size_t cap, size_t *out_len);

typedef struct {
    uint8_t dst;
    uint8_t src;
    uint8_t type;
    const uint8_t *body;  /* points into the decoder; valid until the next push */
    size_t body_len;
} slink_frame;

typedef struct {
    uint32_t frames_ok;     /* delivered to the caller */
    uint32_t crc;           /* CRC mismatch */
    uint32_t runt;          /* shorter than 5 bytes after decoding */
    uint32_t oversize;      /* longer than SLINK_FRAME_MAX */
    uint32_t cobs;          /* invalid COBS */
    uint32_t not_for_us;    /* destination neither us nor broadcast */
    uint32_t bad_addr;      /* reserved/none/broadcast source, reserved destination */
    uint32_t timeout;       /* partial frame discarded after the inter-byte gap */
    uint32_t bytes_in;      /* raw bytes pushed */
} slink_frame_stats;

/* (widest fields first, the byte buffer last: no padding on 32-bit
 * targets, where this sits in every slink_conn) */
typedef struct {
    uint64_t last_ms;
    uint16_t len;           /* encoded bytes of the current frame so far */
    uint16_t out;           /* ... and the decoded bytes they gave in buf */
    uint32_t gap_ms;        /* inter-byte gap that abandons a partial frame; 0 = never */
    slink_frame_stats stats;
    uint8_t  discarding;    /* overflowed: drop until the next delimiter */
    uint8_t  addr;          /* our address; SLINK_ADDR_NONE = accept every destination (monitor) */
    uint8_t  left;          /* COBS: data bytes still due in the current block */
    uint8_t  zero;          /* COBS: the current block ends in a zero if another follows */
    uint8_t  buf[SLINK_COBS_MAX(SLINK_FRAME_MAX)];
} slink_deframer;


void slink_deframer_init(slink_deframer *d, uint8_t own_addr, uint32_t gap_ms);

/* Feed bytes.  Consumes input up to and including the end of one frame (or
 * one drop event) and returns how many bytes it consumed in *used:
 *   SLINK_OK            *out holds a frame that passed COBS, length, CRC
 *                       and address checks
 *   SLINK_ERR_NEED_MORE all input consumed, no frame completed
 *   SLINK_ERR_FRAME_*   a frame was dropped (and counted); call again with
 *                       the rest of the input
 * The inter-byte gap is measured against now_ms before the first new byte. */
slink_err slink_deframer_push(slink_deframer *d, const uint8_t *in, size_t n,
                              uint64_t now_ms, size_t *used, slink_frame *out);

/* Let time pass without input: abandons a stale partial frame.  Returns
 * SLINK_ERR_FRAME_TIMEOUT if it did, else SLINK_OK. */
slink_err slink_deframer_tick(slink_deframer *d, uint64_t now_ms);

/* Inter-byte gap for a baud rate: 4 character times at 8N1 (like Modbus
 * RTU's 3.5), floored at 2 ms and capped at 100 ms; a host scheduler can
 * stall longer, so slinkd configures its own. */
uint32_t slink_gap_ms_for_baud(uint32_t baud);

#endif

/* Record layer: AES-128-GCM records with per-direction keys, epochs, 48-bit
 * sequence numbers sent as their low 8/16/48 bits, an anti-replay window,
 * implicit key update with a grace period, usage and forgery limits.
 * Knows nothing of certificates or of what the plaintext means. */
#ifndef SLINK_RECORD_H
#define SLINK_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include "slink/crypto.h"
#include "slink/err.h"
#include "slink/wire.h"

/* Sliding anti-replay window (RFC 4303 style) for one epoch. */
typedef struct {
    uint64_t top;     /* highest sequence number accepted */
    uint64_t bitmap;  /* bit i set: top - i accepted */
    uint8_t  any;     /* nothing accepted yet */
} slink_replay;

void      slink_replay_init(slink_replay *w);
/* SLINK_OK if seq may be accepted, SLINK_ERR_REC_REPLAY if seen or too old.
 * Does not change the window: call slink_replay_mark only after the tag
 * has verified. */
slink_err slink_replay_check(const slink_replay *w, uint64_t seq);
void      slink_replay_mark(slink_replay *w, uint64_t seq);

/* Reconstruct a 48-bit sequence number from its low `bits` bits: the value
 * closest to expected (RFC 9147 §4.2.2). */
uint64_t  slink_seq_reconstruct(uint64_t expected, uint64_t low, unsigned bits);

typedef struct {
    uint64_t rekey_records;    /* send-side key update after this many records per epoch */
    uint64_t forgery_limit;    /* fatal after this many records failing AEAD (all epochs) */
    uint32_t grace_ms;         /* previous rx epoch accepted this long after a newer one verified */
} slink_rec_limits;

/* RFC 9147 §4.5.3 / RFC 8446 §5.5 for AES-128-GCM: confidentiality limit
 * 2^24.5 records, integrity limit 2^36 forgeries; we rekey at 2^23. */
#define SLINK_REKEY_RECORDS_DEFAULT  (1ull << 23)
#define SLINK_FORGERY_LIMIT_DEFAULT  (1ull << 36)
#define SLINK_GRACE_MS_DEFAULT       4000u

typedef struct {
    uint32_t sealed;
    uint32_t opened;
    uint32_t auth_fail;
    uint32_t replay;
    uint32_t bad_epoch;
    uint32_t malformed;
    uint32_t key_updates_tx;
    uint32_t key_updates_rx;
    uint64_t bytes_sealed;
    uint64_t bytes_opened;
} slink_rec_stats;

/* One direction at one epoch: traffic secret, expanded key and IV.  With
 * SLINK_CFG_REC_AEAD_CACHE the AES-GCM context (key schedule and GHASH
 * table, plus mbedTLS's heap-allocated AES context) is kept; without it only
 * the 16-byte key is, and each record sets up a context on the stack. */
typedef struct {
    uint8_t    secret[32];
    uint8_t    iv[SLINK_REC_IV_LEN];
    uint16_t   epoch;
#if SLINK_CFG_REC_AEAD_CACHE
    slink_aead aead;
#else
    uint8_t    key[SLINK_REC_KEY_LEN];
    uint8_t    ready;
#endif
} slink_rec_keys;

/* One receive key slot: an epoch's keys and its replay window. */
typedef struct {
    slink_replay   win;
    slink_rec_keys keys;
} slink_rec_rx;

/* The one-byte fields first (a Cortex-M reaches bytes within 32 of its
 * base register with a 2-byte instruction, 40 bytes less code in
 * record.c), then the 8-byte ones, then the key sets: a 32-bit target pads
 * one byte.  Each field says which direction it is.
 *
 * The receive keys live in three rotating slots, each with its replay
 * window (slink_rec_rx): rx[rx_cur] is the current epoch, the slot after
 * it (mod 3) the next epoch while one of its records is trial-opened, and
 * the slot before it the previous epoch during its grace period
 * (rx_prev_valid).  A key update moves rx_cur on by one slot: nothing is
 * copied or derived again, and the epoch that was the previous one until
 * then is destroyed at that moment (its slot becomes the next one).  Slots
 * not in use are all zero. */
typedef struct {
    uint8_t  local, peer;        /* link addresses, bound into every AAD */
    uint8_t  rx_cur;             /* slot of the current rx epoch */
    uint8_t  peer_rx_valid;
    uint8_t  tx_update_unconfirmed;  /* our key update not yet seen in a peer ACK */
    uint8_t  tx_update_queued;       /* another update asked for meanwhile (I5) */
    uint8_t  rx_prev_valid;
    slink_rec_limits lim;
    uint64_t tx_seq;             /* next sequence number to send in tx.epoch */
    uint64_t peer_rx_high;       /* highest of our seqs the peer reported (ACK) */
    uint64_t rx_prev_expire_ms;  /* end of the previous rx epoch's grace period */
    uint64_t forged;             /* AEAD failures, all epochs */
    slink_rec_stats stats;

    slink_rec_keys tx;
    slink_rec_rx   rx[3];
} slink_record;

/* The current receive epoch's keys (.epoch is its number) and window, and
 * the previous epoch's keys (all zero unless rx_prev_valid); lvalues. */
#define SLINK_REC_RX(r)      ((r)->rx[(r)->rx_cur].keys)
#define SLINK_REC_RX_WIN(r)  ((r)->rx[(r)->rx_cur].win)
#define SLINK_REC_RX_PREV(r) ((r)->rx[((r)->rx_cur + 2u) % 3u].keys)

/* Installs epoch-2 traffic secrets from the handshake.  Copies the secrets;
 * the caller wipes its copies. */
slink_err slink_rec_init(slink_record *r, uint8_t local, uint8_t peer,
                         const uint8_t tx_secret[32], const uint8_t rx_secret[32],
                         const slink_rec_limits *lim /* NULL = defaults */);
void      slink_rec_wipe(slink_record *r);

/* Protect one record.  Writes the frame type byte and the frame body
 * (seq || ciphertext || tag).  Chooses the shortest sequence field the peer
 * can reconstruct (1 byte when its last ACK is within 64 records, 2 when
 * within 16384, else 6).  Triggers a key update first when the usage limit
 * is reached; SLINK_ERR_EPOCH_EXHAUSTED when epochs run out. */
slink_err slink_rec_seal(slink_record *r, uint8_t content_type,
                         const uint8_t *pt, size_t pt_len,
                         uint8_t *type_out, uint8_t *body, size_t cap, size_t *body_len);

/* Verify and decrypt one record addressed dst <- src.  Order: parse header,
 * pick the epoch (current, next = key update, or previous within grace),
 * reconstruct seq, replay check, AEAD open, then mark the window.
 * Drop codes: REC_MALFORMED, REC_EPOCH, REC_REPLAY, REC_AUTH.
 * SLINK_ERR_INTEGRITY_LIMIT when the forgery limit is reached (fatal). */
slink_err slink_rec_open(slink_record *r, uint8_t dst, uint8_t src, uint8_t type,
                         const uint8_t *body, size_t body_len,
                         uint8_t *pt, size_t cap, size_t *pt_len,
                         uint8_t *content_type, uint64_t now_ms);

/* Timer: once the grace period is over, destroy the previous receive
 * epoch's keys (the connection calls this from its timer path, so old keys
 * do not outlive the grace period when no further record arrives).
 * next_timer: when that is due; UINT64_MAX when no previous epoch is kept. */
void      slink_rec_tick(slink_record *r, uint64_t now_ms);
uint64_t  slink_rec_next_timer(const slink_record *r);

/* Move the send direction to the next epoch (traffic secret ratchet).  If
 * the previous update is not yet confirmed by an ACK in its epoch, this one
 * is queued and happens when that ACK arrives (at most one in flight). */
slink_err slink_rec_key_update(slink_record *r);

/* The peer reported (ACK rx_epoch_lo / rx_high) how far it has received. */
void      slink_rec_peer_ack(slink_record *r, uint8_t rx_epoch_lo, uint16_t rx_high);
/* What we report in our ACKs. */
void      slink_rec_rx_report(const slink_record *r, uint8_t *rx_epoch_lo, uint16_t *rx_high);

/* Bytes a record adds to its plaintext (seq field + tag), worst case. */
#define SLINK_REC_OVERHEAD_MAX (SLINK_SEQ_MAX_LEN + SLINK_TAG_LEN)

#endif

/* The three-message SIGMA-I handshake (docs/PROTOCOL.md §4).  Works on whole
 * messages; fragmentation, retransmission timers and rate limiting are the
 * connection's.  Each message's writer and reader sit side by side in
 * src/handshake/handshake.c; pure encoders/decoders of the layouts in src/handshake/hs_msg.c. */
#ifndef SLINK_HANDSHAKE_H
#define SLINK_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>
#include "slink/cert.h"
#include "slink/crypto.h"
#include "slink/err.h"
#include "slink/wire.h"

/* Encrypted part of message 2 or 3: credential (type, length, DER) and the
 * signature. */
#define SLINK_HS_PLAIN_MAX (3u + SLINK_CERT_MAX + SLINK_SIG_LEN)

typedef enum {
    SLINK_ROLE_NONE = 0,
    SLINK_ROLE_INITIATOR = 1,
    SLINK_ROLE_RESPONDER = 2
} slink_hs_role;

typedef enum {
    SLINK_HS_IDLE = 0,
    SLINK_HS_WAIT_MSG2,   /* initiator: msg1 sent */
    SLINK_HS_WAIT_MSG3,   /* responder: msg2 sent */
    SLINK_HS_DONE,        /* traffic secrets ready */
    SLINK_HS_FAILED
} slink_hs_state;

typedef struct {
    const slink_creds *creds;
    const slink_peer_policy *policy;
    const slink_platform *plat;
    slink_rng *rng;
    uint8_t local_addr, peer_addr;
    uint16_t local_mtu;           /* our receivable frame body */
    uint8_t  auto_role;           /* we are an `auto` node: msg1 says so (SLINK_HS_F_AUTO) */
    /* Peer certificate we already hold (last validated, or provisioned),
     * DER; lets us set the have-peer-cert flag and accept references. */
    const uint8_t *peer_cert;
    size_t peer_cert_len;
    /* Optional: an ephemeral key drawn ahead while the line was idle
     * (slink_conn_precompute).  The next attempt that needs a key takes it
     * and wipes it here, so no key serves two attempts; an empty one (all
     * zero) means a new key is drawn then, as without it. */
    slink_ecdh_key *eph_ahead;
} slink_hs_cfg;

typedef struct {
    slink_hs_cfg cfg;
    slink_hs_state state;
    slink_hs_role role;

    slink_ecdh_key eph;                  /* secret */
    uint8_t msg1[SLINK_HS1_LEN];         /* msg1 as sent/received, for TH2 */
    uint8_t in_hash[SLINK_HASH_LEN];     /* initiator: SHA-256 of the msg2 answered (a repeat asks for msg3) */
    uint8_t in_hash_valid;
    uint8_t th[SLINK_HASH_LEN];          /* running transcript hash */
    uint8_t prk[32];                     /* secret */
    uint8_t peer_flags;
    uint16_t peer_mtu;

    /* The last message we produced (retransmitted verbatim). */
    uint8_t out[SLINK_HS_MSG_MAX];
    size_t  out_len;
    uint8_t out_msgno;                   /* 1, 2 or 3 */

    /* Results, valid in SLINK_HS_DONE. */
    uint8_t tx_secret[32], rx_secret[32];                 /* secret */
    /* The peer's certificate (DER, from offset 0).  While the peer's
     * message 2 or 3 is read, this is where its encrypted part (credential
     * and signature) is decrypted: one buffer instead of a plaintext copy on
     * the stack and a certificate copy here. */
    uint8_t peer_cert_der[SLINK_HS_PLAIN_MAX];
    size_t  peer_cert_len;
    char    peer_cn[64];

    slink_err fail;                      /* why SLINK_HS_FAILED */
    uint8_t   alert;                     /* alert code to tell the peer */
} slink_hs;

void      slink_hs_init(slink_hs *hs, const slink_hs_cfg *cfg);

/* Initiator: generate a new ephemeral key, write msg1 to hs->out. */
slink_err slink_hs_start(slink_hs *hs);

/* Feed one reassembled handshake message (msgno 1..3).
 *  SLINK_OK: consumed; if hs->out_len changed, a new message is in hs->out
 *            (msg2 for a responder, msg3 for an initiator, which is then DONE;
 *            a responder is DONE after msg3).
 *  SLINK_ERR_HS_DUPLICATE: the same message again; resend hs->out unchanged
 *            (no new ECDH or signature work).
 *  drop codes (HS_MALFORMED, HS_UNEXPECTED, HS_STALE, HS_DECRYPT for a
 *            message-2/3 whose AEAD fails): ignore, state unchanged.
 *  fatal codes (HS_BAD_SIG, HS_BAD_KEY, HS_VERSION, CERT_*): state FAILED,
 *            hs->alert says what to tell the peer.  Exception: a msg2 that
 *            opens but does not authenticate the responder (certificate,
 *            signature or plaintext refused) leaves the initiator in
 *            WAIT_MSG2 with its key, the reason in hs->fail and hs->alert:
 *            anyone can make a msg2 that opens, so it must not end the
 *            attempt (the caller ends it at its timer if nothing better
 *            comes).
 * Details: an authenticated (decrypted) plaintext that does not parse is
 * fatal as HS_PLAINTEXT with alert DECODE_ERROR.  HS_STALE: a msg2 other than
 * the one answered reaching a DONE initiator, any msg3 reaching a DONE
 * responder (it has nothing to resend), and the completed session's own
 * msg1 reaching a DONE responder.  An initiator never answers msg1
 * (HS_UNEXPECTED: reflection or simultaneous open, which the caller
 * decides); a responder in WAIT_MSG3 given a different msg1 starts over. */
slink_err slink_hs_consume(slink_hs *hs, uint8_t msgno, const uint8_t *msg, size_t len);

/* The PLAIN_ALERT code a handshake that failed with e sends its peer
 * (docs/PROTOCOL.md §4.10); HS_PLAINTEXT, which the handshake itself
 * reports as DECODE_ERROR, is the one fatal code not mapped here. */
uint8_t   slink_hs_alert_for(slink_err e);

/* Wipes secrets and resets to IDLE (keeps cfg). */
void      slink_hs_wipe(slink_hs *hs);

#endif

/* Every compile-time limit in one place.  Override with -D on the compiler
 * command line (the firmware build does); impossible combinations stop the
 * build here rather than failing at run time. */
#ifndef SLINK_CONFIG_H
#define SLINK_CONFIG_H

/* Largest frame body this build can receive or send (bytes between the type
 * byte and the CRC).  Hosts use ~1 KiB frames for bulk goodput; small MCUs
 * shrink it.  The value actually used on a link is the minimum of both ends'
 * advertised receive MTU (handshake field mtu_code). */
#ifndef SLINK_MAX_FRAME_BODY
#define SLINK_MAX_FRAME_BODY 1104
#endif

/* Every node must accept frame bodies of at least this size: message 1 of the
 * handshake is sent with it before the peer's MTU is known. */
#define SLINK_MIN_FRAME_BODY 64

/* Stream-mode window in chunks (selective repeat).  The chunk number on the
 * wire is 8 bits, so the window must stay well below 128 to be unambiguous;
 * the SACK bitmap (16 bits) caps it at 16.  Hosts take the cap: on a noisy
 * line chunks shrink (about 170 bytes at BER 1e-4, 50 at 1e-3) and 8 of
 * them no longer cover a lost chunk's recovery (BER 1e-4 goodput 0.649 with
 * 8, 0.665 with 16).  RAM: each window slot holds a full chunk to send and
 * one received out of order, about 2.2 KB, so 16 instead of 8 costs 17.5 KB
 * per connection (slink_conn 50 -> 67 KB).  MCUs set 2 (firmware.mk). */
#ifndef SLINK_STREAM_WINDOW
#define SLINK_STREAM_WINDOW 16
#endif

/* Application receive buffer for in-order stream bytes not yet read.  The
 * advertised window is the free space in whole chunks (chunk_max each,
 * whatever size the sender picks), so the host window of 16 needs
 * 16 x 1081 = 17296 bytes at the default MTU: with 16 KiB it was 15, and
 * a sender on a noisy line ran out of window a chunk early (BER 1e-3,
 * seeds 1-20: mean goodput 0.339 with 15, 0.342 with 16).  With 4 KB a
 * host link kept only three chunks in flight and the daemon pair ran at
 * 1.7 MB/s instead of 2.5 on a loaded machine.  MCUs set it to what they
 * can spare (firmware.mk). */
#ifndef SLINK_STREAM_RX_BUF
#define SLINK_STREAM_RX_BUF 17408
#endif

/* Datagrams received and not yet read by the application. */
#ifndef SLINK_DGRAM_QUEUE
#define SLINK_DGRAM_QUEUE 4
#endif

/* Largest certificate (DER) this build accepts from a peer or holds as its own. */
#ifndef SLINK_CERT_MAX
#define SLINK_CERT_MAX 1024
#endif

/* Verified-certificate cache (slink_cert_cache, include/slink/cert.h):
 * peer certificates whose CA signature this node has already checked,
 * kept so that the next handshake with the same peer costs one ECDSA
 * verification less.  32 bytes each; a device talking to one gateway
 * needs 1, a bus master one per peer it cycles through. */
#ifndef SLINK_CERT_CACHE_ENTRIES
#define SLINK_CERT_CACHE_ENTRIES 4
#endif
#if SLINK_CERT_CACHE_ENTRIES < 1 || SLINK_CERT_CACHE_ENTRIES > 255
#error "SLINK_CERT_CACHE_ENTRIES must be 1..255"
#endif

/* Connections a multi-peer node (bus master) can hold: 32, the RS485
 * unit-load limit of one bus segment (fractional-load transceivers allow
 * more; the schedule of §2.5 has no other limit). */
#ifndef SLINK_MAX_PEERS
#define SLINK_MAX_PEERS 32
#endif
#if SLINK_MAX_PEERS < 1 || SLINK_MAX_PEERS > 239
#error "SLINK_MAX_PEERS must be 1..239 (unicast addresses)"
#endif

/* Human-readable text: log lines through the platform log hook, the
 * descriptions of slink_err_desc() and the reasons slink_creds_load() gives.
 * 0 (small MCUs): the core never calls the log hook, slink_err_desc()
 * returns the short name (as slink_err_str() does) and creds_load gives one
 * generic reason; events and error codes still say what happened.  On a
 * Cortex-M4 (-Os) this takes 6.4 KiB out of the core and, with printf no
 * longer linked, 9.6 KiB out of the example firmware. */
#ifndef SLINK_CFG_LOG_TEXT
#define SLINK_CFG_LOG_TEXT 1
#endif
/* A log or reason string that only exists when SLINK_CFG_LOG_TEXT is 1. */
#if SLINK_CFG_LOG_TEXT
#define SLINK_TEXT(s) (s)
#else
#define SLINK_TEXT(s) ((void)(s), "")
#endif

/* CRC-16 lookup table entries: 256 (512 bytes of flash, one lookup per
 * byte) or 16 (32 bytes, two lookups per byte). */
#ifndef SLINK_CFG_CRC16_TABLE
#define SLINK_CFG_CRC16_TABLE 256
#endif

/* 1: the record layer keeps an AES-GCM context per direction and epoch
 * (fastest).  0: it keeps the 16-byte keys and sets up a context for each
 * record, which saves 3 x 384 bytes of slink_record and, on mbedTLS, a
 * 280-byte heap block per live context (small MCUs, where the per-record
 * key setup costs little next to the line time). */
#ifndef SLINK_CFG_REC_AEAD_CACHE
#define SLINK_CFG_REC_AEAD_CACHE 1
#endif

/* 1: slink_creds_load takes PEM or DER and copies both certificates into
 * slink_creds (2 x SLINK_CERT_MAX bytes; needs mbedTLS's PEM parser).
 * 0 (MCUs): only slink_creds_load_static, which decodes DER where it lies
 * in flash. */
#ifndef SLINK_CFG_CREDS_COPY
#define SLINK_CFG_CREDS_COPY 1
#endif

/* 1: the peer policy's deny-list and pin (slink_peer_policy.deny, .pin)
 * are honoured.  0 (a device whose policy sets neither, as the example
 * firmware does): their code is left out (about 400 bytes on a Cortex-M4
 * at -Os) and a policy that sets either is refused with SLINK_ERR_CONFIG,
 * by slink_conn_init and by slink_cert_verify_peer, never ignored. */
#ifndef SLINK_CFG_CERT_FP_RULES
#define SLINK_CFG_CERT_FP_RULES 1
#endif

/* 1: both handshake roles.  0 (a device that only ever answers, as the
 * example firmware does): the initiator's messages are left out (850 bytes
 * on a Cortex-M4 at -Os), slink_hs_start gives SLINK_ERR_CONFIG and a
 * connection must be configured SLINK_START_RESPONDER.  The peer, which
 * initiates, needs nothing different. */
#ifndef SLINK_CFG_INITIATOR
#define SLINK_CFG_INITIATOR 1
#endif
/* Handshake attempts a connection holds at once: a responder attempt, and
 * an initiator attempt where the build can initiate (src/session/conn_hs.c). */
#define SLINK_HS_SLOTS (1 + (SLINK_CFG_INITIATOR ? 1 : 0))
/* Keep-alive of an idle session when none is configured: a peer that lost
 * the session (rebooted, or ended it while this end heard nothing) answers
 * it with no_session, which starts the probe and the repair (PROTOCOL.md
 * §4.11, I2).  Without it an idle session could stay one-sided forever. */
#define SLINK_KEEPALIVE_DEFAULT_MS 30000u
/* keepalive_ms value that turns the keep-alive off. */
#define SLINK_KEEPALIVE_OFF 0xFFFFFFFFu
/* msg1 budget: expensive first messages accepted in a burst; one more every
 * hs_min_interval_ms.  Two, so that a forger spending one per interval
 * cannot by itself starve a genuine initiator (§4.9). */
#define SLINK_HS_BURST 2u

/* Anti-replay window in records (bitmap width). */
#define SLINK_REPLAY_WINDOW 64

/* ---- derived sizes (do not override) ---- */
#define SLINK_FRAME_HDR      3u   /* dst, src, type */
#define SLINK_FRAME_CRC      2u
#define SLINK_FRAME_MIN      (SLINK_FRAME_HDR + SLINK_FRAME_CRC)
#define SLINK_FRAME_MAX      (SLINK_FRAME_HDR + SLINK_MAX_FRAME_BODY + SLINK_FRAME_CRC)
/* COBS adds one byte per 254 (rounded up) plus the leading code byte; the
 * wire adds the 0x00 delimiter. */
#define SLINK_COBS_MAX(n)    ((n) + ((n) / 254u) + 1u)
#define SLINK_WIRE_FRAME_MAX (SLINK_COBS_MAX(SLINK_FRAME_MAX) + 1u)

#define SLINK_TAG_LEN        16u
#define SLINK_SEQ_MAX_LEN    6u
/* Largest record plaintext: body minus the longest sequence field and the tag. */
#define SLINK_REC_PLAINTEXT_MAX (SLINK_MAX_FRAME_BODY - SLINK_SEQ_MAX_LEN - SLINK_TAG_LEN)
/* Stream chunk data: plaintext minus the 1-byte chunk number. */
#define SLINK_STREAM_CHUNK_MAX  (SLINK_REC_PLAINTEXT_MAX - 1u)
#define SLINK_DGRAM_MAX         SLINK_REC_PLAINTEXT_MAX

/* Handshake messages: message 2/3 carry a certificate, a signature, a tag. */
#define SLINK_HS_MSG_MAX     (SLINK_CERT_MAX + 160u)

#if SLINK_MAX_FRAME_BODY < SLINK_MIN_FRAME_BODY
#error "SLINK_MAX_FRAME_BODY must be at least SLINK_MIN_FRAME_BODY (64)"
#endif
#if SLINK_MAX_FRAME_BODY > 4080
#error "SLINK_MAX_FRAME_BODY above 4080 cannot be advertised (mtu_code is 8 bits of 16 bytes)"
#endif
#if SLINK_STREAM_WINDOW < 1 || SLINK_STREAM_WINDOW > 16
#error "SLINK_STREAM_WINDOW must be 1..16 (SACK bitmap is 16 bits, chunk numbers 8 bits)"
#endif
#if SLINK_STREAM_RX_BUF < SLINK_STREAM_CHUNK_MAX
#error "SLINK_STREAM_RX_BUF must hold at least one full chunk"
#endif
#if SLINK_CERT_MAX < 256
#error "SLINK_CERT_MAX below 256 cannot hold a P-256 certificate"
#endif
#if SLINK_CFG_CRC16_TABLE != 256 && SLINK_CFG_CRC16_TABLE != 16
#error "SLINK_CFG_CRC16_TABLE must be 256 or 16"
#endif
#if SLINK_MAX_PEERS < 1 || SLINK_MAX_PEERS > 239
#error "SLINK_MAX_PEERS must be 1..239 (unicast address space)"
#endif

#endif

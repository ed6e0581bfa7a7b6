/* The host end of tests/cfg/test_responder_only.c: an initiator built from
 * the core in its default configuration, linked into the same program as a
 * core built with the firmware's configuration.  The two builds share
 * symbol names but not struct layouts (the limits are macros), so the
 * initiator lives behind this opaque API only: mk/unit_responder.mk links
 * resp_peer.c with the default core into one object and keeps only the
 * peer_* symbols global.  Nothing from slink's headers crosses it but the
 * error codes (include/slink/err.h, the same in every configuration).
 *
 * The host: host-1 (address 1) of the test PKI, initiating to address 7
 * and expecting dev-7, on the test's fake platform; one at a time (a new
 * peer_init is a rebooted host).  Beside it, at most one attacker
 * (peer_atk_*, below). */
#ifndef SLINK_TEST_RESP_PEER_H
#define SLINK_TEST_RESP_PEER_H
#include <stddef.h>
#include <stdint.h>
#include "slink/err.h"

/* Starts a fresh peer (a rebooted host: new keys, entropy from seed) and
 * its first handshake; any previous peer is wiped. */
slink_err peer_init(uint64_t seed, uint64_t now_ms);
void      peer_free(void);

/* Line bytes in; wire bytes out (whole frames); when it wants output again. */
slink_err peer_input(const uint8_t *p, size_t n, uint64_t now_ms);
size_t    peer_output(uint8_t *out, size_t cap, uint64_t now_ms);
uint64_t  peer_next_timeout(uint64_t now_ms);

int       peer_established(void);
uint32_t  peer_session_id(void);
/* Events since the last call: sessions established and handshake attempts
 * that failed. */
unsigned  peer_events_established(void);
unsigned  peer_events_hs_failed(void);
/* Sessions ended since the last call, and the last one's reason. */
unsigned  peer_events_ended(slink_err *last);

slink_err peer_send(const uint8_t *p, size_t n, size_t *accepted);
slink_err peer_recv(uint8_t *p, size_t cap, size_t *got);
slink_err peer_send_dgram(const uint8_t *p, size_t n);
slink_err peer_recv_dgram(uint8_t *p, size_t cap, size_t *len);
slink_err peer_key_update(void);
slink_err peer_close(uint64_t now_ms);

/* 8 bytes of SHA-256 of the peer's current send and receive traffic
 * secrets, to compare with the device's: equal tags, same session keys. */
void      peer_key_tags(uint8_t tx[8], uint8_t rx[8]);
/* Record-layer key updates the peer sent and received. */
uint32_t  peer_key_updates_tx(void);
uint32_t  peer_key_updates_rx(void);
/* The liveness bound I2 (tests/common/liveness.h) of the peer's own
 * configuration. */
uint64_t  peer_live_bound_ms(void);
/* The longest one handshake attempt of the peer's configuration can take
 * (every flight transmission, backoff; tests/common/liveness.h). */
uint64_t  peer_attempt_ms(void);
/* Largest frame body this build of the peer can send (its
 * SLINK_MAX_FRAME_BODY), to check that the device's smaller MTU held. */
size_t    peer_max_frame_body(void);

/* An attacker on the same line: an initiator in the default configuration
 * sending from the host's address (1) to the device, whose credentials the
 * device must refuse when it checks msg3 (its CA is the device's, so it
 * accepts msg2 and does send msg3 with its certificate).  A leaf of
 * another CA cannot be loaded beside the device's CA (slink_creds_load
 * refuses the pair), so the certificates are bad by name or by date. */
typedef enum {
    PEER_ATK_WRONG_NAME = 1,   /* a valid leaf of the device's CA named "host-9" */
    PEER_ATK_EXPIRED           /* a leaf of the device's CA for host-1's own name, expired
                                  on 2026-01-01 (the fake clock says 2027-01-15) */
} peer_atk_kind;

slink_err peer_atk_init(peer_atk_kind kind, uint64_t seed, uint64_t now_ms);
void      peer_atk_free(void);
slink_err peer_atk_input(const uint8_t *p, size_t n, uint64_t now_ms);
size_t    peer_atk_output(uint8_t *out, size_t cap, uint64_t now_ms);
uint64_t  peer_atk_next_timeout(uint64_t now_ms);
/* Since peer_atk_init: sessions the attacker installed (each after a msg2,
 * before its msg3 was accepted: one per msg3 it sent) and sessions it saw
 * end, with the last one's reason. */
unsigned  peer_atk_events_established(void);
unsigned  peer_atk_events_ended(slink_err *last);

#endif

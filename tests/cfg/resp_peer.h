/* The host end of tests/cfg/test_responder_only.c: an initiator built from
 * the core in its default configuration, linked into the same program as a
 * core built with the firmware's configuration.  The two builds share
 * symbol names but not struct layouts (the limits are macros), so the
 * initiator lives behind this opaque API only: mk/unit_responder.mk links
 * resp_peer.c with the default core into one object and keeps only the
 * peer_* symbols global.  Nothing from slink's headers crosses it but the
 * error codes (include/slink/err.h, the same in every configuration).
 *
 * One peer at a time: host-1 (address 1) of the test PKI, initiating to
 * address 7 and expecting dev-7, on the test's fake platform. */
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
/* Largest frame body this build of the peer can send (its
 * SLINK_MAX_FRAME_BODY), to check that the device's smaller MTU held. */
size_t    peer_max_frame_body(void);

#endif

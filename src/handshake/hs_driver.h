/* Entry points for the connection's handshake driver (src/session/conn_hs.c),
 * which parses and gates each message itself before it reaches the
 * handshake: what slink_hs_consume would check again on that path (a
 * fresh slink_hs, a msg1 already decoded, a msg3 for the responder) is not
 * done twice, and a build that only answers links no more than it uses.
 * Nor is the configuration checked at every message: the driver's is the
 * connection's, which slink_conn_init checked (credentials loaded, so a
 * certificate of 1 to SLINK_CERT_MAX bytes; policy, platform and random
 * source present) and which carries a cached peer certificate only in
 * the connection's SLINK_CERT_MAX-byte copy.  For such a configuration the
 * results are slink_hs_consume's for the same message (handshake.h), which
 * checks it first (SLINK_ERR_CONFIG).
 *
 * Internal header: only the driver, the handshake and its tests include it. */
#ifndef SLINK_HS_DRIVER_H
#define SLINK_HS_DRIVER_H

#include "slink/handshake.h"
#include "hs_msg.h"

/* A responder answering m (decoded by hs_msg1_decode, so valid) with a new
 * attempt: hs holds nothing to compare m with (duplicates, stale copies
 * and reflections are the caller's gate).  As slink_hs_consume(hs, 1, ..)
 * on a newly initialised hs. */
slink_err hs_answer_msg1(slink_hs *hs, const hs_msg1 *m);
/* As slink_hs_consume(hs, 3, msg, len). */
slink_err hs_read_msg3(slink_hs *hs, const uint8_t *msg, size_t len);

#endif

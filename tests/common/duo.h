/* Two connections on the hostile wire (hostile.h): a = host at address 1
 * (initiator), b = device at 7 (responder), with frame capture on.  The
 * fixture of the attack and liveness suites. */
#ifndef SLINK_TEST_DUO_H
#define SLINK_TEST_DUO_H
#include "hostile.h"

typedef struct {
    hw_peer *a, *b;       /* a: host 1 (initiator unless set), b: device 7 (responder) */
    hostile h;
    int ia, ib;           /* their indexes on the wire */
} duo;

/* Default options for both ends; baud 0 leaves the peers' default. */
void duo_opts(hw_peer_opts *oa, hw_peer_opts *ob, uint64_t seed, uint32_t baud);
duo *duo_new2(const hw_peer_opts *oa, const hw_peer_opts *ob, uint32_t baud);
duo *duo_new(uint64_t seed);              /* default options at 115200 */
void duo_free(duo *d);
/* Drains c's events; returns how many were of type t (last error in *err). */
int  duo_count_events(slink_conn *c, slink_event_type t, slink_err *err);
#endif

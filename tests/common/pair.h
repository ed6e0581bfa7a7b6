/* Two connections back to back over a simulated line, in one process with
 * no I/O: a = host (address 1, "host-1"), b = device (address 7, "dev-7"). */
#ifndef SLINK_PAIR_H
#define SLINK_PAIR_H
#include "slink/slink.h"
#include "simline.h"
#include "test_pki.h"
#include "testutil.h"

typedef struct {
    slink_start_role role_a, role_b;
    simline_cfg line;
    uint64_t seed;
    uint32_t baud;                 /* for the connections' timers; 0 = 115200 */
    uint16_t mtu_a, mtu_b;
    const char *a_expects, *b_expects;     /* peer names; NULL = defaults */
    const test_cred *cert_a, *cert_b;      /* NULL = host-1 / dev-7 */
    const test_cred *ca_a, *ca_b;          /* trust anchors; NULL = default CA */
    const test_cred *issuer_b;             /* CA that issued cert_b (creds load check); NULL = ca_b */
    int cached_certs;              /* each side knows the other's cert in advance */
    uint32_t idle_timeout_ms;
    uint32_t keepalive_ms;                 /* 0 = off (the core's default is 30 s) */
    slink_rec_limits limits;
    uint8_t stream_window;
} pair_opts;

typedef struct {
    pair_opts o;
    slink_conn a, b;
    slink_creds creds_a, creds_b;
    slink_platform pa, pb;
    fake_plat_ctx xa, xb;
    simline line;
    uint64_t now;
    uint64_t wire_bytes[2];        /* bytes each end wrote to the line */
    int cut;                       /* drop everything written */
    /* Every frame each end wrote, decoded by a monitor: the largest body
     * seen per direction (0: a->b, 1: b->a), of any frame and of records,
     * to check MTU limits. */
    slink_deframer mon[2];
    size_t max_body[2], max_rec_body[2];
    size_t repair_frames[2];       /* HS_REPAIR frames per direction (§4.7) */
    int livelock;
} pair;

/* Returns SLINK_OK or the first error (creds load, conn init). */
slink_err pair_init(pair *p, const pair_opts *o);
void      pair_free(pair *p);
/* pair_init on the heap (a pair is large), failing the test on error;
 * pair_del frees what pair_new made. */
pair     *pair_new(const pair_opts *o);
void      pair_del(pair *p);
/* Reinitialise one side as if it rebooted (keys gone, fresh rng seed). */
slink_err pair_reboot(pair *p, int side_b, uint64_t seed);
/* One scheduling round; advances time to the next event.  Returns 0 when
 * nothing will ever happen again, -1 on a livelock, 1 otherwise. */
int       pair_step(pair *p);
/* Runs until both ends are ESTABLISHED or max_ms passes; returns 1 if so. */
int       pair_run_established(pair *p, uint64_t max_ms);
void      pair_run_for(pair *p, uint64_t ms);
/* A frame one end has to send, held by the test instead of the line, to
 * be dropped, reordered or forged before pair_give hands it over. */
typedef struct {
    uint8_t type;
    uint8_t body[SLINK_MAX_FRAME_BODY];
    size_t len;
} pair_frame;
/* The frames c has to send now (at most max), in order. */
size_t    pair_take_frames(pair *p, slink_conn *c, pair_frame *out, size_t max);
/* h to `to`, as if from its peer. */
slink_err pair_give(pair *p, slink_conn *to, const pair_frame *h);
/* Drains events of one side, returns the count of events of type t seen;
 * last error of that type in *err if non-NULL. */
int       pair_count_events(slink_conn *c, slink_event_type t, slink_err *err);
#endif

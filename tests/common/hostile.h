/* An in-process hostile wire for the attack and fault suite: the attacker
 * owns the line between two connections (or a slink_node and several
 * devices on one bus).  Every frame an endpoint sends is decoded, offered to
 * a filter that may drop, delay (reorder), rewrite (re-address, flip bits)
 * it, captured for later replay, and re-encoded with a freshly computed CRC:
 * the CRC only stops noise, never an attacker.  Frames go to every other
 * endpoint (a shared bus); each endpoint's own decoder keeps what is
 * addressed to it.  Time is simulated; optionally the real CPU time an
 * endpoint spends on its input is charged to it (it can do nothing else
 * meanwhile), which is what a flood of expensive first messages costs. */
#ifndef SLINK_HOSTILE_H
#define SLINK_HOSTILE_H
#include "slink/slink.h"
#include "test_pki.h"
#include "testutil.h"

#define HW_MAX_ENDS 8
#define HW_ATTACKER (-1)   /* `from` of frames the attacker made */
#define HW_ALL      (-1)   /* `to`: every endpoint but the sender */

typedef struct {
    int from;              /* endpoint index that sent it, or HW_ATTACKER */
    uint64_t t;            /* simulated time it was sent */
    uint32_t id;           /* capture index */
    uint8_t dst, src, type;
    uint8_t body[SLINK_MAX_FRAME_BODY + 16];
    size_t body_len;
    int crc_ok;            /* the bytes on the line passed COBS and CRC */
    int break_crc;         /* deliver with a wrong CRC (noise that the CRC catches) */
} hw_frame;

typedef enum { HW_PASS = 0, HW_DROP = 1 } hw_verdict;

/* Sees every frame sent by an endpoint before delivery.  May rewrite *f,
 * add *delay_ms, or drop it. */
typedef hw_verdict (*hw_filter)(void *ctx, hw_frame *f, uint64_t *delay_ms);

typedef struct {
    slink_conn *conn;      /* point-to-point endpoint, or ... */
    slink_node *node;      /* ... a multi-peer node */
    uint64_t start_ms;     /* silent (powered off) before this time */
    int detached;          /* cut off: what it sends is lost, it hears nothing */
    uint64_t busy_until;   /* its transmitter (baud pacing) */
    int charge_cpu;        /* real CPU time of its input delays it */
    uint64_t cpu_free_us;  /* simulated microsecond at which it is free again */
    uint64_t cpu_us;       /* total CPU time charged */
    uint64_t frames_out, frames_in;
} hw_end;

typedef struct {
    uint64_t at;
    uint32_t order;
    int to, from;
    size_t len;
    uint8_t *data;
} hw_pkt;

typedef struct {
    hw_end ends[HW_MAX_ENDS];
    size_t n;
    uint32_t baud;         /* 0 = instantaneous line */
    uint64_t now;
    uint64_t io_time;      /* when the last step's sending and delivering happened */
    uint64_t wake_at;      /* the test's own next event: a step never jumps past it */
    hw_filter filter;
    void *filter_ctx;
    int capture;           /* keep every frame sent (as sent, before the filter) */
    hw_frame *cap;
    size_t ncap, capcap;
    hw_pkt *q;
    size_t nq, qcap;
    uint32_t order;
    uint64_t dropped, injected, delivered;
    int livelock;
} hostile;

void   hostile_init(hostile *h, uint32_t baud);
void   hostile_free(hostile *h);
int    hostile_add_conn(hostile *h, slink_conn *c);
int    hostile_add_node(hostile *h, slink_node *n);
void   hostile_set_filter(hostile *h, hw_filter f, void *ctx);

/* One scheduling round; advances time to the next event.  0: nothing will
 * ever happen again; -1: livelock; 1: otherwise. */
int    hostile_step(hostile *h);
void   hostile_run_for(hostile *h, uint64_t ms);
/* Runs until done(ctx) or max_ms; returns done(ctx). */
int    hostile_run_until(hostile *h, int (*done)(void *), void *ctx, uint64_t max_ms);

/* The attacker sends a frame (CRC computed) to endpoint `to` (or HW_ALL),
 * arriving delay_ms from now. */
void   hostile_inject(hostile *h, int to, const hw_frame *f, uint64_t delay_ms);
void   hostile_inject_raw(hostile *h, int to, const uint8_t *p, size_t n, uint64_t delay_ms);

/* Captured frames. */
const hw_frame *hostile_cap(const hostile *h, size_t i);
/* Index of the first captured frame at or after `start` sent by `from`
 * (HW_ALL: anyone) for which pred holds; -1 if none. */
long   hostile_find(const hostile *h, size_t start, int from, int (*pred)(const hw_frame *));

/* Frame codecs: encode with a correct CRC (wrong if f->break_crc); decode
 * one wire frame (bytes up to and including its 0x00). */
size_t hw_encode(const hw_frame *f, uint8_t *out, size_t cap);
int    hw_decode(const uint8_t *p, size_t n, hw_frame *f);

/* Hands a frame straight to a connection, past its decoder, for the exact
 * return code. */
slink_err hw_handle(slink_conn *c, const hw_frame *f, uint64_t now);

/* Predicates */
int    hw_is_record(const hw_frame *f);
int    hw_record_ct(const hw_frame *f);    /* content type, or -1 */
int    hw_hs_msgno(const hw_frame *f);     /* 1..3 (whole or fragment), or 0 */
int    hw_is_stream(const hw_frame *f);
int    hw_is_dgram(const hw_frame *f);
int    hw_is_alert_rec(const hw_frame *f);
int    hw_is_hs1(const hw_frame *f);
int    hw_is_hs2(const hw_frame *f);
int    hw_is_hs3(const hw_frame *f);

/* A connection with its credentials and fake platform, for tests that build
 * their own topologies.  Must not move after hw_peer_init (the connection
 * keeps pointers into it): allocate it. */
typedef struct {
    uint8_t local, peer;
    slink_start_role role;       /* 0 = responder */
    const test_cred *cert;       /* NULL: by address (1 host-1, 7 dev-7, 9 dev-9) */
    const char *expects;         /* NULL: by peer address */
    uint64_t seed;
    uint32_t baud;
    uint16_t mtu;
    uint32_t idle_timeout_ms;
    uint32_t hs_min_interval_ms;
    uint8_t stream_window;
    slink_rec_limits limits;
} hw_peer_opts;

typedef struct {
    hw_peer_opts o;
    slink_conn conn;
    slink_creds creds;
    slink_platform plat;
    fake_plat_ctx fx;
} hw_peer;

slink_err hw_peer_init(hw_peer *p, const hw_peer_opts *o, uint64_t now);
/* As if the node rebooted: keys gone, entropy reseeded. */
slink_err hw_peer_reboot(hw_peer *p, uint64_t seed, uint64_t now);
void      hw_peer_free(hw_peer *p);

#endif

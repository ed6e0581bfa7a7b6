/* One slink end for the benchmark: credentials, the connection, a byte link
 * (tty or memory), and wire accounting by frame class (handshake messages
 * vs records), measured by running the core's own deframer over everything
 * this end writes. */
#ifndef SLINK_BENCH_SLINK_SIDE_H
#define SLINK_BENCH_SLINK_SIDE_H

#include "bench_util.h"
#include "slink/slink.h"

typedef struct {
    const char *prog;
    slink_conn conn;
    slink_creds creds;
    slink_platform plat;
    bench_link link;
    slink_deframer txmon;         /* monitor-mode deframer over our own output */
    uint8_t *known_cert;          /* DER of the peer's certificate (by-reference mode) */
    size_t known_cert_len;

    uint64_t t_first_tx_us;       /* first byte written */
    uint64_t t_complete_us;       /* handshake complete at this end (see slink_side_hs_complete) */
    uint64_t hs_bytes_out;        /* every byte written until complete */
    uint64_t hs_msg_bytes;        /* of those, the handshake-message frames (msg1-3) */
    uint64_t hs_frame_bytes;      /* bytes of handshake-message frames (types < 0x80) */
    uint64_t rec_frame_bytes;     /* bytes of record frames */
    uint64_t last_write_bytes;    /* bytes of the last output batch */
    uint32_t last_write_frames;
    uint8_t  last_types[8];       /* frame type bytes of the last batch */
    int complete;
} slink_side;

typedef struct {
    const char *ca, *cert, *key;  /* files, PEM or DER */
    const char *peer_cert;        /* NULL: certificates sent in full */
    const char *peer_name;
    uint8_t addr, peer;
    int initiator;
    uint32_t baud;
    uint8_t tx_pacing;            /* slink_conn_cfg.tx_pacing */
} slink_side_cfg;

void slink_side_init(slink_side *s, const char *prog, const slink_side_cfg *cfg, bench_link link);
void slink_side_free(slink_side *s);

/* Writes whatever the connection has to send; returns bytes written. */
size_t slink_side_flush(slink_side *s);
/* Flush, then wait up to max_wait_ms (bounded by the connection's next
 * timer) for input and feed it.  Returns -1 on a link error. */
int  slink_side_pump(slink_side *s, int max_wait_ms);

/* Handshake complete, the same point for both ends as DTLS's last flight:
 * the initiator has received a record of the new session (the responder's
 * key confirmation, so msg3 is confirmed); the responder is established and
 * its key-confirmation ACK has been written. */
int  slink_side_hs_complete(const slink_side *s);

/* Fatal connection error (ended, handshake failed): prints and exits. */
void slink_side_check(slink_side *s);

#endif

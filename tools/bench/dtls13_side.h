/* One wolfSSL DTLS 1.3 end for the benchmark (issue 17), configured like
 * the DTLS 1.2 side (dtls12_side.h): TLS_AES_128_GCM_SHA256 only, ECDHE and
 * ECDSA on secp256r1 only, mutual authentication (the client checks the
 * server's name), no HelloRetryRequest cookie, no session tickets.
 * Connection IDs optional (RFC 9146 as DTLS 1.3 uses it).  Each DTLS
 * datagram travels as the body of one slink frame of type DTLS13_FRAME_TYPE,
 * over a tty or an in-memory link, through wolfSSL's custom I/O callbacks.
 * wolfSSL 5.7 comes from tools/bench/fetch-wolfssl.sh. */
#ifndef SLINK_BENCH_DTLS13_SIDE_H
#define SLINK_BENCH_DTLS13_SIDE_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include "bench_util.h"
#include "slink/slink.h"

/* Not a type the core uses, and not DTLS 1.2's 0x7F, so a capture of both
 * runs tells them apart. */
#define DTLS13_FRAME_TYPE 0x7Eu

typedef struct {
    const char *prog;
    WOLFSSL_CTX *ctx;
    WOLFSSL *ssl;
    bench_link link;
    int blocking;                   /* tty: wait in recv; memory: WANT_READ */
    uint64_t deadline_us;           /* blocking recv gives up here */
    slink_deframer rx;
    uint8_t raw[4096];
    size_t raw_len, raw_off;
    uint8_t addr, peer;

    uint64_t t_first_tx_us, t_complete_us, hs_bytes_out;
    uint64_t t_acked_us, acked_bytes_out;   /* client: server's ACK came */
    uint32_t datagrams_out, frames_dropped, timeouts;
    int complete, acked, await_ack;
} dtls13_side;

typedef struct {
    const char *ca, *cert, *key;
    const char *peer_name;          /* client: server's CN, checked */
    uint8_t addr, peer;
    int client;
    unsigned cid_len;               /* 0: no connection IDs */
    uint32_t baud;                  /* sets the retransmission timer; 0 = 115200 */
} dtls13_side_cfg;

void dtls13_side_init(dtls13_side *s, const char *prog, const dtls13_side_cfg *cfg,
                      bench_link link, int blocking);
void dtls13_side_free(dtls13_side *s);

/* One handshake step: 0 complete, 1 not yet (memory link); on a blocking
 * link it runs to completion.  Dies on a failure. */
int  dtls13_side_handshake(dtls13_side *s);

/* Client, after the handshake: read until the server has acknowledged the
 * client's last flight (RFC 9147 section 7; wolfSSL's server sends the ACK
 * as its handshake completes), the point at which the client knows the
 * handshake is complete at both ends.  0 done, 1 not yet (memory link). */
int  dtls13_side_wait_acked(dtls13_side *s);

/* Write all of p as one wolfSSL_write; dies unless it all went. */
void dtls13_side_write(dtls13_side *s, const uint8_t *p, size_t n);
/* One wolfSSL_read: bytes read, 0 when nothing yet (memory link). */
size_t dtls13_side_read(dtls13_side *s, uint8_t *p, size_t cap);

#endif

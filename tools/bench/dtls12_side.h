/* One mbedTLS DTLS 1.2 end for the benchmark, configured as issue 5 asks:
 * TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256 only, secp256r1 only, SHA-256
 * signatures, mutual authentication (VERIFY_REQUIRED), no HelloVerify
 * cookie, no session tickets.  Each DTLS datagram travels as the body of one
 * slink frame of type DTLS12_FRAME_TYPE (slink_frame_encode / the core's
 * deframer), over a tty or an in-memory link, through custom I/O callbacks
 * and a real timer (mbedtls_timing_set_delay). */
#ifndef SLINK_BENCH_DTLS12_SIDE_H
#define SLINK_BENCH_DTLS12_SIDE_H

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/timing.h>
#include <mbedtls/x509_crt.h>
#include "bench_util.h"
#include "slink/slink.h"

/* A frame type the slink core never uses (record types have bit 7 set;
 * 0x01..0x30 are taken), so a capture shows the DTLS datagrams apart. */
#define DTLS12_FRAME_TYPE 0x7Fu

typedef struct {
    const char *prog;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca, cert;
    mbedtls_pk_context key;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_timing_delay_context timer;
    bench_link link;
    int blocking;                   /* tty: wait in recv; memory: WANT_READ */
    uint64_t deadline_us;           /* blocking recv gives up here */
    slink_deframer rx;
    uint8_t raw[4096];
    size_t raw_len, raw_off;
    uint8_t addr, peer;

    uint64_t t_first_tx_us, t_complete_us, hs_bytes_out;
    uint32_t datagrams_out, frames_dropped;
    int complete;
} dtls12_side;

typedef struct {
    const char *ca, *cert, *key;
    const char *peer_name;          /* client: server's CN, checked */
    uint8_t addr, peer;
    int client;
    uint32_t baud;                  /* sets the retransmission timer; 0 = 115200 */
} dtls12_side_cfg;

void dtls12_side_init(dtls12_side *s, const char *prog, const dtls12_side_cfg *cfg,
                      bench_link link, int blocking);
void dtls12_side_free(dtls12_side *s);

/* One mbedtls_ssl_handshake call: 0 complete, 1 not yet (memory link);
 * on a blocking link it runs to completion.  Dies on a failure. */
int  dtls12_side_handshake(dtls12_side *s);

#endif

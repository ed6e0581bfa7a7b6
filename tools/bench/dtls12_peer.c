/* One end of an mbedTLS DTLS 1.2 connection over a tty, each datagram in one
 * slink frame (tools/bench/dtls12_side.c), for `make bench`.
 *
 *   dtls12_peer --role client|server --tty PATH --addr A --peer B
 *               --ca F --cert F --key F --peer-name NAME [--baud N] [--timeout S] [--json]
 *
 * --baud N: the line rate, which sets the retransmission timer
 *   (bench_dtls_rto_ms); the simulator, not this program, paces the line.
 *
 * Runs the handshake, then the client sends one 100-byte application
 * message (one mbedtls_ssl_write) and the server reads it.  Prints one flat
 * JSON object (numbers only); times are CLOCK_MONOTONIC microseconds. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dtls12_side.h"

static const char *prog = "dtls12_peer";

static void usage(void)
{
    fprintf(stderr, "usage: dtls12_peer --role client|server --tty PATH --addr A --peer B\n"
                    "       --ca F --cert F --key F --peer-name NAME [--baud N] [--timeout S]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    dtls12_side_cfg cfg;
    static dtls12_side s;
    bench_link link;
    bench_json j;
    const char *tty = NULL;
    double timeout_s = 60;
    int i, role = -1, ret;
    uint64_t rec_frame = 0;
    static const uint8_t msg[100] = { 1 };
    uint8_t in[200];

    memset(&cfg, 0, sizeof cfg);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) continue;   /* JSON is the only output */
        if (!v) usage();
        if (!strcmp(a, "--role")) role = !strcmp(v, "client") ? 1 : !strcmp(v, "server") ? 0 : -1;
        else if (!strcmp(a, "--tty")) tty = v;
        else if (!strcmp(a, "--addr")) cfg.addr = (uint8_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--peer")) cfg.peer = (uint8_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--ca")) cfg.ca = v;
        else if (!strcmp(a, "--cert")) cfg.cert = v;
        else if (!strcmp(a, "--key")) cfg.key = v;
        else if (!strcmp(a, "--peer-name")) cfg.peer_name = v;
        else if (!strcmp(a, "--baud")) cfg.baud = (uint32_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--timeout")) timeout_s = atof(v);
        else usage();
        i++;
    }
    if (role < 0 || !tty || !cfg.ca || !cfg.cert || !cfg.key || !cfg.peer_name || !cfg.addr || !cfg.peer)
        usage();
    cfg.client = role;
    memset(&link, 0, sizeof link);
    link.fd = bench_tty_open(prog, tty);
    dtls12_side_init(&s, prog, &cfg, link, 1);
    s.deadline_us = bench_now_us() + (uint64_t)(timeout_s * 1e6);

    dtls12_side_handshake(&s);
    if (role) {
        uint64_t before = s.link.bytes_out;
        ret = mbedtls_ssl_write(&s.ssl, msg, sizeof msg);
        if (ret != (int)sizeof msg) bench_die(prog, "mbedtls_ssl_write returned %d", ret);
        rec_frame = s.link.bytes_out - before;
        usleep(200000);
    } else {
        size_t got = 0;
        while (got < sizeof msg) {
            ret = mbedtls_ssl_read(&s.ssl, in, sizeof in);
            if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_TIMEOUT) continue;
            if (ret <= 0) bench_die(prog, "mbedtls_ssl_read returned -0x%04x", (unsigned)-ret);
            got += (size_t)ret;
        }
        if (got != sizeof msg) bench_die(prog, "read %zu bytes, expected 100", got);
    }

    bench_json_begin(&j, stdout);
    bench_json_num(&j, "initiator", role);
    bench_json_num(&j, "t_first_tx_us", (double)s.t_first_tx_us);
    bench_json_num(&j, "t_complete_us", (double)s.t_complete_us);
    bench_json_num(&j, "hs_bytes_out", (double)s.hs_bytes_out);
    bench_json_num(&j, "record_frame_bytes", (double)rec_frame);
    bench_json_num(&j, "datagrams_out", s.datagrams_out);
    bench_json_num(&j, "frames_dropped", s.frames_dropped);
    bench_json_num(&j, "bytes_out", (double)s.link.bytes_out);
    bench_json_num(&j, "bytes_in", (double)s.link.bytes_in);
    bench_json_end(&j);
    dtls12_side_free(&s);
    return 0;
}

/* One end of a wolfSSL DTLS 1.3 connection over a tty, each datagram in one
 * slink frame (tools/bench/dtls13_side.c), for `make bench`.
 *
 *   dtls13_peer --role client|server --tty PATH --addr A --peer B
 *               --ca F --cert F --key F --peer-name NAME
 *               [--cid N] [--baud N] [--timeout S] [--json]
 *
 * --cid N: use connection IDs of N bytes (0, the default: none).
 * --baud N: the line rate, which sets the retransmission timer
 *   (bench_dtls_rto_ms); the simulator, not this program, paces the line.
 * Runs the handshake (the client until the server acknowledged its last
 * flight: t_complete_us and hs_bytes_out are taken then), then the client sends one 100-byte application
 * message (one wolfSSL_write) and the server reads it.  Prints one flat
 * JSON object (numbers only); times are CLOCK_MONOTONIC microseconds. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dtls13_side.h"

static const char *prog = "dtls13_peer";

static void usage(void)
{
    fprintf(stderr, "usage: dtls13_peer --role client|server --tty PATH --addr A --peer B\n"
                    "       --ca F --cert F --key F --peer-name NAME [--cid N] [--baud N] [--timeout S]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    dtls13_side_cfg cfg;
    static dtls13_side s;
    bench_link link;
    bench_json j;
    const char *tty = NULL;
    double timeout_s = 60;
    int i, role = -1;
    uint64_t rec_frame = 0;
    uint32_t rec_dgrams = 0;
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
        else if (!strcmp(a, "--cid")) cfg.cid_len = (unsigned)strtoul(v, NULL, 0);
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
    dtls13_side_init(&s, prog, &cfg, link, 1);
    s.deadline_us = bench_now_us() + (uint64_t)(timeout_s * 1e6);

    dtls13_side_handshake(&s);
    if (role) {
        /* Complete for this comparison when the client knows its last
         * flight arrived, as slink's count ends with the responder's key
         * confirmation and DTLS 1.2's with the server's Finished. */
        dtls13_side_wait_acked(&s);
        s.t_complete_us = s.t_acked_us;
        s.hs_bytes_out = s.acked_bytes_out;
        uint64_t before = s.link.bytes_out;
        uint32_t dg = s.datagrams_out;
        dtls13_side_write(&s, msg, sizeof msg);
        rec_frame = s.link.bytes_out - before;
        rec_dgrams = s.datagrams_out - dg;
        usleep(200000);
    } else {
        size_t got = 0;
        while (got < sizeof msg) got += dtls13_side_read(&s, in, sizeof in);
        if (got != sizeof msg) bench_die(prog, "read %zu bytes, expected 100", got);
    }

    bench_json_begin(&j, stdout);
    bench_json_num(&j, "initiator", role);
    bench_json_num(&j, "t_first_tx_us", (double)s.t_first_tx_us);
    bench_json_num(&j, "t_complete_us", (double)s.t_complete_us);
    bench_json_num(&j, "hs_bytes_out", (double)s.hs_bytes_out);
    bench_json_num(&j, "record_frame_bytes", (double)rec_frame);
    bench_json_num(&j, "record_datagrams", rec_dgrams);
    bench_json_num(&j, "datagrams_out", s.datagrams_out);
    bench_json_num(&j, "timeouts", s.timeouts);
    bench_json_num(&j, "frames_dropped", s.frames_dropped);
    bench_json_num(&j, "bytes_out", (double)s.link.bytes_out);
    bench_json_num(&j, "bytes_in", (double)s.link.bytes_in);
    bench_json_end(&j);
    dtls13_side_free(&s);
    return 0;
}

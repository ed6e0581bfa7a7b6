/* One end of a slink connection over a tty, for `make bench`.
 *
 *   bench_peer --role initiator|responder --tty PATH --addr A --peer B
 *              --ca F --cert F --key F --peer-name NAME [--peer-cert F]
 *              [--baud N] [--mode handshake|stream100|stream100rec|bulk] [--bytes N]
 *              [--pacing 0|1] [--timeout S] [--json]
 *
 * Prints one flat JSON object (numbers only) on stdout.  Times are
 * CLOCK_MONOTONIC microseconds, a clock every process on the machine
 * shares, so the driver subtracts one end's timestamps from the other's.
 *
 * handshake: both ends run to handshake completion (slink_side_hs_complete),
 *   then the initiator sends one 100-byte datagram and, once the line is
 *   quiet, 100 stream bytes, each measured as the frame it produced.
 * stream100: the initiator writes --bytes as 100-byte messages, one
 *   slink_conn_send() per message, as fast as the stream accepts them (what
 *   an application writing messages does; messages written while an unsent
 *   chunk is open share its record, and with --pacing 1 the chunk stays
 *   open while the line is busy).
 * stream100rec: the same, but each message in its own record (the next
 *   write waits until the previous one has gone out): the per-record bound.
 * bulk: the initiator writes --bytes as fast as the stream takes them.
 * --pacing 1 sets slink_conn_cfg.tx_pacing on this end (default 0).
 * The responder reads until it has --bytes and stamps the last one.
 * Byte fields: hs_msg_bytes = handshake-message frames this end wrote until
 * it was established; hs_bytes_out = everything it wrote until the
 * handshake was complete (the responder's key-confirmation record too). */
#include <stdlib.h>
#include <string.h>
#include "bench_util.h"
#include "slink_side.h"

static const char *prog = "bench_peer";

static uint64_t deadline_us;

static void pump(slink_side *s, int wait_ms)
{
    if (bench_now_us() > deadline_us) {
        bench_die(prog, "timed out (state %d, hs retransmits %u, stream retransmits %u)",
                  (int)slink_conn_get_state(&s->conn), (unsigned)s->conn.stats.hs_retransmits,
                  (unsigned)s->conn.stream.stats.retransmits);
    }
    if (slink_side_pump(s, wait_ms) != 0) bench_die(prog, "line read failed");
    slink_side_check(s);
}

static void pump_for(slink_side *s, int ms)
{
    uint64_t end = bench_now_us() + (uint64_t)ms * 1000u;
    while (bench_now_us() < end) pump(s, 5);
}

/* Receive data until the stream holds nothing more; returns bytes read. */
static size_t drain_stream(slink_side *s)
{
    static uint8_t buf[8192];
    size_t got = 0, total = 0;
    while (slink_conn_recv(&s->conn, buf, sizeof buf, &got) == SLINK_OK && got > 0) total += got;
    return total;
}

/* One message into the line, measured as the single frame it produces. */
static uint64_t send_measured(slink_side *s, int dgram, const uint8_t *msg, size_t n)
{
    size_t acc = 0;
    slink_err e;
    uint8_t want = dgram ? SLINK_CT_DATAGRAM : SLINK_CT_STREAM;
    uint8_t ct;

    slink_side_flush(s);   /* nothing else may share the batch */
    e = dgram ? slink_conn_send_dgram(&s->conn, msg, n) : slink_conn_send(&s->conn, msg, n, &acc);
    if (e != SLINK_OK || (!dgram && acc != n))
        bench_die(prog, "send of %zu bytes refused: %s", n, slink_err_str(e));
    if (slink_side_flush(s) == 0) bench_die(prog, "the %zu-byte message produced no output", n);
    ct = (uint8_t)((s->last_types[0] & SLINK_REC_CT_MASK) >> SLINK_REC_CT_SHIFT);
    if (s->last_write_frames != 1 || (s->last_types[0] & SLINK_FT_RECORD_BIT) == 0 || ct != want)
        bench_die(prog, "the %zu-byte message was not one frame of its own (%u frames, type 0x%02x)",
                  n, (unsigned)s->last_write_frames, (unsigned)s->last_types[0]);
    return s->last_write_bytes;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_peer --role initiator|responder --tty PATH --addr A --peer B\n"
            "       --ca F --cert F --key F --peer-name NAME [--peer-cert F] [--baud N]\n"
            "       [--mode handshake|stream100|stream100rec|bulk] [--bytes N] [--pacing 0|1]\n"
            "       [--timeout S]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    slink_side_cfg cfg;
    const char *tty = NULL, *mode = "handshake";
    unsigned long long nbytes = 0;
    double timeout_s = 60;
    bench_link link;
    static slink_side s;
    bench_json j;
    int i, role = -1;
    uint64_t dgram_frame = 0, stream_frame = 0, stream_ack = 0;
    uint64_t t_app_start = 0, t_app_done = 0, app_bytes = 0;

    memset(&cfg, 0, sizeof cfg);
    cfg.baud = 115200;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--json")) continue;   /* JSON is the only output */
        if (!v) usage();
        if (!strcmp(a, "--role")) role = !strcmp(v, "initiator") ? 1 : !strcmp(v, "responder") ? 0 : -1;
        else if (!strcmp(a, "--tty")) tty = v;
        else if (!strcmp(a, "--addr")) cfg.addr = (uint8_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--peer")) cfg.peer = (uint8_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--ca")) cfg.ca = v;
        else if (!strcmp(a, "--cert")) cfg.cert = v;
        else if (!strcmp(a, "--key")) cfg.key = v;
        else if (!strcmp(a, "--peer-cert")) cfg.peer_cert = v;
        else if (!strcmp(a, "--peer-name")) cfg.peer_name = v;
        else if (!strcmp(a, "--baud")) cfg.baud = (uint32_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--mode")) mode = v;
        else if (!strcmp(a, "--bytes")) nbytes = strtoull(v, NULL, 0);
        else if (!strcmp(a, "--pacing")) cfg.tx_pacing = (uint8_t)strtoul(v, NULL, 0);
        else if (!strcmp(a, "--timeout")) timeout_s = atof(v);
        else usage();
        i++;
    }
    if (role < 0 || !tty || !cfg.ca || !cfg.cert || !cfg.key || !cfg.peer_name || !cfg.addr || !cfg.peer)
        usage();
    if (strcmp(mode, "handshake") && strcmp(mode, "stream100") && strcmp(mode, "stream100rec") &&
        strcmp(mode, "bulk"))
        usage();
    if (strcmp(mode, "handshake") && nbytes == 0) bench_die(prog, "--mode %s needs --bytes N", mode);
    cfg.initiator = role;
    deadline_us = bench_now_us() + (uint64_t)(timeout_s * 1e6);

    memset(&link, 0, sizeof link);
    link.fd = bench_tty_open(prog, tty);
    slink_side_init(&s, prog, &cfg, link);

    if (role) {
        slink_err e = slink_conn_connect(&s.conn, bench_now_ms());
        if (e != SLINK_OK) bench_die(prog, "connect: %s", slink_err_desc(e));
    }
    while (!s.complete) pump(&s, 20);

    if (!strcmp(mode, "handshake")) {
        static const uint8_t msg[100] = { 1 };
        if (role) {
            pump_for(&s, 150);                    /* let confirmations settle */
            dgram_frame = send_measured(&s, 1, msg, sizeof msg);
            pump_for(&s, 150);
            stream_frame = send_measured(&s, 0, msg, sizeof msg);
            while (!slink_stream_all_acked(&s.conn.stream)) pump(&s, 10);
            pump_for(&s, 200);
        } else {
            uint8_t d[SLINK_DGRAM_MAX];
            size_t dl = 0, got = 0;
            uint64_t rec0;
            while (slink_conn_recv_dgram(&s.conn, d, sizeof d, &dl) != SLINK_OK) pump(&s, 10);
            if (dl != sizeof msg) bench_die(prog, "datagram of %zu bytes, expected 100", dl);
            rec0 = s.rec_frame_bytes;
            while (got < sizeof msg) {
                pump(&s, 10);
                got += drain_stream(&s);
            }
            /* the ACK that stream mode owes for those bytes */
            pump_for(&s, 300);
            stream_ack = s.rec_frame_bytes - rec0;
        }
    } else if (role) {
        static uint8_t data[65536];
        int per_msg = !strcmp(mode, "stream100rec");
        int msg100 = per_msg || !strcmp(mode, "stream100");
        for (i = 0; i < (int)sizeof data; i++) data[i] = (uint8_t)(i * 7 + 3);
        pump_for(&s, 100);
        t_app_start = bench_now_us();
        while (app_bytes < nbytes) {
            size_t want = msg100 ? 100 : sizeof data, acc = 0;
            slink_err e;
            if (want > nbytes - app_bytes) want = (size_t)(nbytes - app_bytes);
            if (per_msg) {
                uint32_t c0 = s.conn.stream.stats.chunks_sent;
                e = slink_conn_send(&s.conn, data + (app_bytes % 1000), want, &acc);
                if (e == SLINK_OK && acc != want) bench_die(prog, "partial 100-byte write");
                if (e == SLINK_OK) {
                    app_bytes += acc;
                    while (s.conn.stream.stats.chunks_sent == c0) pump(&s, 5);
                } else if (e == SLINK_ERR_WOULD_BLOCK || e == SLINK_ERR_AGAIN) {
                    pump(&s, 5);
                } else {
                    bench_die(prog, "send: %s", slink_err_desc(e));
                }
            } else {
                e = slink_conn_send(&s.conn, data, want, &acc);
                if (e != SLINK_OK && e != SLINK_ERR_WOULD_BLOCK && e != SLINK_ERR_AGAIN)
                    bench_die(prog, "send: %s", slink_err_desc(e));
                app_bytes += acc;
                pump(&s, acc ? 0 : 5);
            }
        }
        while (!slink_stream_all_acked(&s.conn.stream)) pump(&s, 10);
        t_app_done = bench_now_us();
        pump_for(&s, 200);
    } else {
        while (app_bytes < nbytes) {
            pump(&s, 10);
            app_bytes += drain_stream(&s);
        }
        t_app_done = bench_now_us();
        pump_for(&s, 300);
    }

    bench_json_begin(&j, stdout);
    bench_json_num(&j, "initiator", role);
    bench_json_num(&j, "t_first_tx_us", (double)s.t_first_tx_us);
    bench_json_num(&j, "t_complete_us", (double)s.t_complete_us);
    bench_json_num(&j, "hs_bytes_out", (double)s.hs_bytes_out);
    bench_json_num(&j, "hs_msg_bytes", (double)s.hs_msg_bytes);
    bench_json_num(&j, "hs_retransmits", s.conn.stats.hs_retransmits);
    bench_json_num(&j, "dgram_frame_bytes", (double)dgram_frame);
    bench_json_num(&j, "stream_frame_bytes", (double)stream_frame);
    bench_json_num(&j, "stream_ack_bytes", (double)stream_ack);
    bench_json_num(&j, "t_app_start_us", (double)t_app_start);
    bench_json_num(&j, "t_app_done_us", (double)t_app_done);
    bench_json_num(&j, "app_bytes", (double)app_bytes);
    bench_json_num(&j, "bytes_out", (double)s.link.bytes_out);
    bench_json_num(&j, "bytes_in", (double)s.link.bytes_in);
    bench_json_num(&j, "stream_chunks_sent", s.conn.stream.stats.chunks_sent);
    bench_json_num(&j, "tx_pacing", s.conn.cfg.tx_pacing);
    bench_json_num(&j, "stream_retransmits", s.conn.stream.stats.retransmits);
    bench_json_num(&j, "records_dropped", s.conn.stats.records_dropped);
    bench_json_num(&j, "frames_crc_dropped", s.conn.deframer.stats.crc);
    bench_json_end(&j);
    slink_side_free(&s);
    return 0;
}

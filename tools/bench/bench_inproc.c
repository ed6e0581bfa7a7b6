/* In-process cross-check of the byte counts (no tty, no simulator, no
 * timing): two slink connections and two mbedTLS DTLS 1.2 contexts, each
 * pair back to back through memory, with the same accounting code as the
 * tty programs.  Handshake bytes here have no retransmissions by
 * construction, so `make bench` compares them with the bytes seen over
 * slink-linesim.
 *
 *   bench_inproc --ca F --cert-a F --key-a F --name-a N
 *                --cert-b F --key-b F --name-b N
 * Prints one flat JSON object (numbers only). */
#include <stdlib.h>
#include <string.h>
#include "dtls12_side.h"
#include "slink_side.h"

static const char *prog = "bench_inproc";

typedef struct {
    const char *ca, *cert_a, *key_a, *name_a, *cert_b, *key_b, *name_b;
} names;

static void links(bench_link *a, bench_link *b)
{
    static bench_mem_q qab, qba;
    memset(&qab, 0, sizeof qab);
    memset(&qba, 0, sizeof qba);
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    a->fd = b->fd = -1;
    a->tx = b->rx = &qab;
    a->rx = b->tx = &qba;
}

/* One message from a to b, measured as the single frame it produced. */
static uint64_t slink_msg(slink_side *a, int dgram)
{
    static const uint8_t msg[100] = { 2 };
    size_t acc = 0;
    slink_err e;
    slink_side_flush(a);
    e = dgram ? slink_conn_send_dgram(&a->conn, msg, sizeof msg) : slink_conn_send(&a->conn, msg, sizeof msg, &acc);
    if (e != SLINK_OK) bench_die(prog, "send: %s", slink_err_str(e));
    slink_side_flush(a);
    if (a->last_write_frames != 1) bench_die(prog, "100-byte message took %u frames", a->last_write_frames);
    return a->last_write_bytes;
}

static void slink_run(const names *n, int cached, bench_json *j)
{
    static slink_side a, b;
    slink_side_cfg ca, cb;
    bench_link la, lb;
    uint64_t end = bench_now_us() + 20000000u;

    links(&la, &lb);
    memset(&ca, 0, sizeof ca);
    ca.ca = cb.ca = n->ca;
    ca.cert = n->cert_a; ca.key = n->key_a; ca.peer_name = n->name_b;
    ca.addr = 1; ca.peer = 7; ca.initiator = 1; ca.baud = 115200;
    cb = ca;
    cb.cert = n->cert_b; cb.key = n->key_b; cb.peer_name = n->name_a;
    cb.addr = 7; cb.peer = 1; cb.initiator = 0;
    if (cached) {
        ca.peer_cert = n->cert_b;
        cb.peer_cert = n->cert_a;
    }
    slink_side_init(&a, prog, &ca, la);
    slink_side_init(&b, prog, &cb, lb);
    if (slink_conn_connect(&a.conn, bench_now_ms()) != SLINK_OK) bench_die(prog, "connect failed");
    while (!a.complete || !b.complete) {
        if (bench_now_us() > end) bench_die(prog, "in-process slink handshake did not complete");
        slink_side_pump(&a, 0);
        slink_side_pump(&b, 0);
        slink_side_check(&a);
        slink_side_check(&b);
    }
    if (a.conn.stats.hs_retransmits || b.conn.stats.hs_retransmits)
        bench_die(prog, "in-process handshake retransmitted (host too slow?)");
    bench_json_num(j, cached ? "inproc_handshake_bytes_cached" : "inproc_handshake_bytes_full",
                   (double)(a.hs_msg_bytes + b.hs_msg_bytes));
    bench_json_num(j, cached ? "inproc_handshake_bytes_cached_confirmed" : "inproc_handshake_bytes_full_confirmed",
                   (double)(a.hs_bytes_out + b.hs_bytes_out));
    if (!cached) {
        bench_json_num(j, "inproc_msg13_bytes", (double)a.hs_msg_bytes);
        bench_json_num(j, "inproc_msg2_bytes", (double)b.hs_msg_bytes);
        bench_json_num(j, "inproc_record_overhead_bytes_100", (double)slink_msg(&a, 1) - 100);
        bench_json_num(j, "inproc_stream_record_overhead_bytes_100", (double)slink_msg(&a, 0) - 100);
    }
    slink_side_free(&a);
    slink_side_free(&b);
}

static void dtls_run(const names *n, bench_json *j)
{
    static dtls12_side a, b;
    dtls12_side_cfg ca, cb;
    bench_link la, lb;
    static const uint8_t msg[100] = { 3 };
    uint8_t in[200];
    uint64_t before, end = bench_now_us() + 20000000u;
    int ret, da = 1, db = 1;

    links(&la, &lb);
    memset(&ca, 0, sizeof ca);
    ca.ca = n->ca; ca.cert = n->cert_a; ca.key = n->key_a; ca.peer_name = n->name_b;
    ca.addr = 1; ca.peer = 7; ca.client = 1;
    cb = ca;
    cb.cert = n->cert_b; cb.key = n->key_b; cb.peer_name = n->name_a;
    cb.addr = 7; cb.peer = 1; cb.client = 0;
    dtls12_side_init(&a, prog, &ca, la, 0);
    dtls12_side_init(&b, prog, &cb, lb, 0);
    while (da || db) {
        if (bench_now_us() > end) bench_die(prog, "in-process DTLS handshake did not complete");
        if (da) da = dtls12_side_handshake(&a);
        if (db) db = dtls12_side_handshake(&b);
    }
    bench_json_num(j, "inproc_dtls12_handshake_bytes", (double)(a.hs_bytes_out + b.hs_bytes_out));
    bench_json_num(j, "inproc_dtls12_client_bytes", (double)a.hs_bytes_out);
    bench_json_num(j, "inproc_dtls12_server_bytes", (double)b.hs_bytes_out);
    before = a.link.bytes_out;
    ret = mbedtls_ssl_write(&a.ssl, msg, sizeof msg);
    if (ret != (int)sizeof msg) bench_die(prog, "mbedtls_ssl_write returned %d", ret);
    bench_json_num(j, "inproc_dtls12_record_overhead_bytes_100", (double)(a.link.bytes_out - before) - 100);
    ret = mbedtls_ssl_read(&b.ssl, in, sizeof in);
    if (ret != (int)sizeof msg || memcmp(in, msg, sizeof msg) != 0)
        bench_die(prog, "DTLS application message not received intact (%d)", ret);
    dtls12_side_free(&a);
    dtls12_side_free(&b);
}

int main(int argc, char **argv)
{
    names n;
    bench_json j;
    int i;
    memset(&n, 0, sizeof n);
    for (i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--ca")) n.ca = v;
        else if (!strcmp(a, "--cert-a")) n.cert_a = v;
        else if (!strcmp(a, "--key-a")) n.key_a = v;
        else if (!strcmp(a, "--name-a")) n.name_a = v;
        else if (!strcmp(a, "--cert-b")) n.cert_b = v;
        else if (!strcmp(a, "--key-b")) n.key_b = v;
        else if (!strcmp(a, "--name-b")) n.name_b = v;
        else bench_die(prog, "unknown option %s", a);
    }
    if (i != argc || !n.ca || !n.cert_a || !n.key_a || !n.name_a || !n.cert_b || !n.key_b || !n.name_b)
        bench_die(prog, "usage: --ca F --cert-a F --key-a F --name-a N --cert-b F --key-b F --name-b N");
    bench_json_begin(&j, stdout);
    slink_run(&n, 0, &j);
    slink_run(&n, 1, &j);
    dtls_run(&n, &j);
    bench_json_end(&j);
    return 0;
}

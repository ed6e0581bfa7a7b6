/* In-process cross-check of the DTLS 1.3 byte counts (no tty, no simulator,
 * no timing), as bench_inproc does for slink and DTLS 1.2: two wolfSSL
 * DTLS 1.3 ends back to back through memory, with connection IDs off and
 * then on, with the same accounting code as dtls13_peer.  A separate
 * program because only the bench links wolfSSL (fetched and built at bench
 * time; `make` alone does not need it).
 *
 *   dtls13_inproc --ca F --cert-a F --key-a F --name-a N
 *                 --cert-b F --key-b F --name-b N [--cid N]
 * Prints one flat JSON object (numbers only). */
#include <stdlib.h>
#include <string.h>
#include "dtls13_side.h"

static const char *prog = "dtls13_inproc";

typedef struct {
    const char *ca, *cert_a, *key_a, *name_a, *cert_b, *key_b, *name_b;
    unsigned cid;
} names;

static void run(const names *n, unsigned cid, bench_json *j)
{
    static bench_mem_q qab, qba;
    static dtls13_side a, b;
    dtls13_side_cfg ca, cb;
    bench_link la, lb;
    static const uint8_t msg[100] = { 3 };
    uint8_t in[200];
    uint64_t before, end = bench_now_us() + 20000000u;
    uint32_t dg;
    size_t got = 0;
    int da = 1, db = 1, dk = 1;
    const char *sfx = cid ? "_cid" : "";
    char key[96];

    memset(&qab, 0, sizeof qab);
    memset(&qba, 0, sizeof qba);
    memset(&la, 0, sizeof la);
    memset(&lb, 0, sizeof lb);
    la.fd = lb.fd = -1;
    la.tx = lb.rx = &qab;
    la.rx = lb.tx = &qba;
    memset(&ca, 0, sizeof ca);
    ca.ca = n->ca; ca.cert = n->cert_a; ca.key = n->key_a; ca.peer_name = n->name_b;
    ca.addr = 1; ca.peer = 7; ca.client = 1; ca.cid_len = cid;
    cb = ca;
    cb.cert = n->cert_b; cb.key = n->key_b; cb.peer_name = n->name_a;
    cb.addr = 7; cb.peer = 1; cb.client = 0;
    dtls13_side_init(&a, prog, &ca, la, 0);
    dtls13_side_init(&b, prog, &cb, lb, 0);
    while (da || db) {
        if (bench_now_us() > end) bench_die(prog, "in-process DTLS 1.3 handshake did not complete");
        if (da) da = dtls13_side_handshake(&a);
        if (db) db = dtls13_side_handshake(&b);
    }
    while (dk) {
        if (bench_now_us() > end) bench_die(prog, "in-process DTLS 1.3: the server's ACK never came");
        dk = dtls13_side_wait_acked(&a);
    }
    a.hs_bytes_out = a.acked_bytes_out;
    /* dtls13_peer's server counts what it wrote until its handshake call
     * returned: that must include the ACK the client just received. */
    if (b.link.bytes_out != b.hs_bytes_out)
        bench_die(prog, "the server wrote %llu bytes after its handshake returned",
                  (unsigned long long)(b.link.bytes_out - b.hs_bytes_out));
    snprintf(key, sizeof key, "inproc_dtls13_handshake_bytes%s", sfx);
    bench_json_num(j, key, (double)(a.hs_bytes_out + b.hs_bytes_out));
    snprintf(key, sizeof key, "inproc_dtls13_client_bytes%s", sfx);
    bench_json_num(j, key, (double)a.hs_bytes_out);
    snprintf(key, sizeof key, "inproc_dtls13_server_bytes%s", sfx);
    bench_json_num(j, key, (double)b.hs_bytes_out);
    before = a.link.bytes_out;
    dg = a.datagrams_out;
    dtls13_side_write(&a, msg, sizeof msg);
    if (a.datagrams_out - dg != 1) bench_die(prog, "100-byte write took %u datagrams", a.datagrams_out - dg);
    snprintf(key, sizeof key, "inproc_dtls13_record_overhead_bytes_100%s", sfx);
    bench_json_num(j, key, (double)(a.link.bytes_out - before) - 100);
    while (got == 0) {
        if (bench_now_us() > end) bench_die(prog, "DTLS 1.3 application message not received");
        got = dtls13_side_read(&b, in, sizeof in);
    }
    if (got != sizeof msg || memcmp(in, msg, sizeof msg) != 0)
        bench_die(prog, "DTLS 1.3 application message not received intact (%zu bytes)", got);
    dtls13_side_free(&a);
    dtls13_side_free(&b);
}

int main(int argc, char **argv)
{
    names n;
    bench_json j;
    int i;
    memset(&n, 0, sizeof n);
    n.cid = 1;
    for (i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--ca")) n.ca = v;
        else if (!strcmp(a, "--cert-a")) n.cert_a = v;
        else if (!strcmp(a, "--key-a")) n.key_a = v;
        else if (!strcmp(a, "--name-a")) n.name_a = v;
        else if (!strcmp(a, "--cert-b")) n.cert_b = v;
        else if (!strcmp(a, "--key-b")) n.key_b = v;
        else if (!strcmp(a, "--name-b")) n.name_b = v;
        else if (!strcmp(a, "--cid")) n.cid = (unsigned)strtoul(v, NULL, 0);
        else bench_die(prog, "unknown option %s", a);
    }
    if (i != argc || !n.ca || !n.cert_a || !n.key_a || !n.name_a || !n.cert_b || !n.key_b || !n.name_b || !n.cid)
        bench_die(prog, "usage: --ca F --cert-a F --key-a F --name-a N --cert-b F --key-b F --name-b N [--cid N>0]");
    bench_json_begin(&j, stdout);
    run(&n, 0, &j);
    run(&n, n.cid, &j);
    bench_json_end(&j);
    return 0;
}

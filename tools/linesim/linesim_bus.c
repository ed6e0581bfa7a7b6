/* slink-linesim --bus: N endpoints (pseudo-terminals) on one simulated RS485
 * bus.  The medium's timing, collisions and faults live in bus_model.c;
 * this file moves bytes between the ptys and the model, writes the capture
 * (what a passive tap on the bus sees, for slink-dump) and reports counters.
 * See docs/TOOLS.md. */
#define _GNU_SOURCE  /* ppoll */
#include "linesim_bus.h"
#include "bus_model.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BUS_OBUF 16384u
/* Bytes reach the ptys in batches at most this far apart, as a UART's FIFO
 * and the tty layer batch them; waking for every byte (87 us at 115200)
 * would cost a core with a dozen endpoints. */
#define DELIVER_NS 500000ull

typedef struct {
    int fd, hold_fd;
    char path[256];
    char link[300];
    uint8_t obuf[BUS_OBUF];
    size_t off, len;
    uint64_t rx_overflow;   /* due while the endpoint's reader was not reading */
} bus_ep;

static volatile sig_atomic_t g_bus_stop;
static void on_bus_signal(int sig) { (void)sig; g_bus_stop = 1; }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void bus_usage(FILE *f)
{
    fprintf(f,
        "usage: slink-linesim --bus N --baud N [options]\n"
        "  N endpoints (2..%d) on one half-duplex medium: every byte one sends\n"
        "  reaches all others after its 10 bit times; overlapping bytes garble both\n"
        "  --link-prefix P   symlink endpoint i's pty as P<i> (else paths are printed)\n"
        "  --seed N          fault generator seed (default 1)\n"
        "  --ber X --burst-rate X --burst-len N   receive noise on every endpoint\n"
        "  --node I:OPT[,OPT...]  endpoint I only: ber=X burst-rate=X burst-len=N\n"
        "                    dead (never reaches the bus, hears nothing)\n"
        "                    babble=X babble-len=N (random bytes, share X of the line)\n"
        "  --tx-buffer N     bytes read ahead of the line per endpoint (4096)\n"
        "  --capture FILE    the bytes on the bus as a tap sees them (slink-dump reads it)\n"
        "  --stats-interval S --duration S --json FILE --quiet\n",
        LBUS_MAX_NODES);
}

/* "I:ber=1e-4,dead,babble=0.05" */
static int parse_node(lbus_params *p, const char *arg)
{
    char buf[256], *save = NULL, *tok;
    uint64_t idx, u;
    double d;
    const char *colon = strchr(arg, ':');
    if (!colon || (size_t)(colon - arg) >= 16 || strlen(colon + 1) >= sizeof buf) return -1;
    memcpy(buf, arg, (size_t)(colon - arg));
    buf[colon - arg] = 0;
    if (linesim_parse_u64(buf, &idx) || idx >= LBUS_MAX_NODES) return -1;
    lbus_node_params *np = &p->node[idx];
    snprintf(buf, sizeof buf, "%s", colon + 1);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (eq) *eq++ = 0;
        if (!strcmp(tok, "dead") && !eq) np->dead = 1;
        else if (!strcmp(tok, "ber") && eq && !linesim_parse_double(eq, &d)) np->ber = d;
        else if (!strcmp(tok, "burst-rate") && eq && !linesim_parse_double(eq, &d)) np->burst_rate = d;
        else if (!strcmp(tok, "burst-len") && eq && !linesim_parse_u64(eq, &u) && u > 0 && u < 1000000) np->burst_len = (uint32_t)u;
        else if (!strcmp(tok, "babble") && eq && !linesim_parse_double(eq, &d)) np->babble = d;
        else if (!strcmp(tok, "babble-len") && eq && !linesim_parse_u64(eq, &u) && u > 0 && u < 1000000) np->babble_len = (uint32_t)u;
        else return -1;
    }
    return 0;
}

static void report(FILE *f, const lbus_model *m, const bus_ep *ep, double secs)
{
    fprintf(f, "slink-linesim bus summary: %.3f s, %zu endpoints, baud %" PRIu32 ", seed %" PRIu64
            ", collisions %" PRIu64 "\n", secs, m->p.n, m->p.baud, m->p.seed, m->collisions);
    for (size_t i = 0; i < m->p.n; i++) {
        const lbus_node_stats *s = &m->nd[i].st;
        fprintf(f, "  %zu: tx %" PRIu64 " rx %" PRIu64 " collided %" PRIu64 " bits_flipped %" PRIu64
                " bursts %" PRIu64 " babble %" PRIu64 " dead %" PRIu64 " overflow %" PRIu64
                " rx_overflow %" PRIu64 "\n", i, s->bytes_tx, s->bytes_rx, s->collided,
                s->bits_flipped, s->bursts, s->babble_bytes, s->dead_bytes, s->overflow, ep[i].rx_overflow);
    }
    fflush(f);
}

static int write_json(const char *path, const lbus_model *m, const bus_ep *ep, double secs)
{
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return -1; }
    fprintf(f, "{\"duration_s\":%.6f,\"baud\":%" PRIu32 ",\"seed\":%" PRIu64 ",\"collisions\":%" PRIu64
            ",\"nodes\":[", secs, m->p.baud, m->p.seed, m->collisions);
    for (size_t i = 0; i < m->p.n; i++) {
        const lbus_node_stats *s = &m->nd[i].st;
        fprintf(f, "%s{\"bytes_tx\":%" PRIu64 ",\"bytes_rx\":%" PRIu64 ",\"collided\":%" PRIu64
                ",\"bits_flipped\":%" PRIu64 ",\"bursts\":%" PRIu64 ",\"burst_bytes\":%" PRIu64
                ",\"babble_bytes\":%" PRIu64 ",\"dead_bytes\":%" PRIu64 ",\"overflow\":%" PRIu64
                ",\"rx_overflow\":%" PRIu64 "}", i ? "," : "", s->bytes_tx, s->bytes_rx, s->collided,
                s->bits_flipped, s->bursts, s->burst_bytes, s->babble_bytes, s->dead_bytes, s->overflow,
                ep[i].rx_overflow);
    }
    fprintf(f, "]}\n");
    return fclose(f) == 0 ? 0 : -1;
}

/* Takes what is due for endpoint i from the medium and writes it; what the
 * endpoint's reader does not take in time is lost, as on a UART overrun
 * (the medium never waits for a receiver). */
static void deliver(lbus_model *m, size_t i, bus_ep *e, uint64_t now)
{
    uint8_t scratch[4096];
    if (e->off == e->len) e->off = e->len = 0;
    if (e->off > BUS_OBUF / 2) {
        memmove(e->obuf, e->obuf + e->off, e->len - e->off);
        e->len -= e->off;
        e->off = 0;
    }
    e->len += lbus_pop(m, i, now, e->obuf + e->len, BUS_OBUF - e->len);
    for (;;) {
        size_t k = lbus_pop(m, i, now, scratch, sizeof scratch);
        if (k == 0) break;
        e->rx_overflow += k;
    }
    while (e->off < e->len) {
        ssize_t w = write(e->fd, e->obuf + e->off, e->len - e->off);
        if (w > 0) { e->off += (size_t)w; continue; }
        break;   /* EAGAIN (nobody reading) or EIO (slave closed): keep or drop later */
    }
}

int linesim_bus_main(int argc, char **argv)
{
    enum { O_BUS = 300, O_BAUD, O_LINKP, O_SEED, O_BER, O_BRATE, O_BLEN, O_NODE, O_TXB,
           O_CAP, O_STATS, O_DUR, O_JSON, O_QUIET, O_HELP };
    static const struct option opts[] = {
        {"bus", required_argument, 0, O_BUS}, {"baud", required_argument, 0, O_BAUD},
        {"link-prefix", required_argument, 0, O_LINKP}, {"seed", required_argument, 0, O_SEED},
        {"ber", required_argument, 0, O_BER}, {"burst-rate", required_argument, 0, O_BRATE},
        {"burst-len", required_argument, 0, O_BLEN}, {"node", required_argument, 0, O_NODE},
        {"tx-buffer", required_argument, 0, O_TXB}, {"capture", required_argument, 0, O_CAP},
        {"stats-interval", required_argument, 0, O_STATS}, {"duration", required_argument, 0, O_DUR},
        {"json", required_argument, 0, O_JSON}, {"quiet", no_argument, 0, O_QUIET},
        {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0}};
    static lbus_params p;
    static lbus_model m;
    static bus_ep ep[LBUS_MAX_NODES];
    const char *prefix = NULL, *cap_path = NULL, *json = NULL;
    double ber = 0, brate = 0, stats_iv = 0, duration = 0;
    uint64_t n = 0, baud = 0, seed = 1, blen = 8, txb = 4096;
    const char *node_args[LBUS_MAX_NODES * 2];
    size_t nnode = 0;
    int quiet = 0, c, bad;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        bad = 0;
        switch (c) {
        case O_BUS: bad = linesim_parse_u64(optarg, &n) || n < 2 || n > LBUS_MAX_NODES; break;
        case O_BAUD: bad = linesim_parse_u64(optarg, &baud) || baud == 0 || baud > 100000000u; break;
        case O_LINKP: prefix = optarg; break;
        case O_SEED: bad = linesim_parse_u64(optarg, &seed); break;
        case O_BER: bad = linesim_parse_double(optarg, &ber); break;
        case O_BRATE: bad = linesim_parse_double(optarg, &brate); break;
        case O_BLEN: bad = linesim_parse_u64(optarg, &blen) || blen == 0 || blen > 1000000; break;
        case O_NODE: bad = nnode == sizeof node_args / sizeof node_args[0]; if (!bad) node_args[nnode++] = optarg; break;
        case O_TXB: bad = linesim_parse_u64(optarg, &txb) || txb == 0 || txb > (1u << 20); break;
        case O_CAP: cap_path = optarg; break;
        case O_STATS: bad = linesim_parse_double(optarg, &stats_iv) || stats_iv < 0; break;
        case O_DUR: bad = linesim_parse_double(optarg, &duration) || duration < 0; break;
        case O_JSON: json = optarg; break;
        case O_QUIET: quiet = 1; break;
        case 'h':
        case O_HELP: bus_usage(stdout); return 0;
        default: bus_usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "slink-linesim: bad value for --%s: %s\n", opts[c - O_BUS].name, optarg);
            return 2;
        }
    }
    if (optind != argc || n == 0 || baud == 0) {
        fprintf(stderr, "slink-linesim: --bus needs N (2..%d) and --baud\n", LBUS_MAX_NODES);
        bus_usage(stderr);
        return 2;
    }
    lbus_params_default(&p, (size_t)n, (uint32_t)baud);
    p.seed = seed;
    p.tx_buffer = (size_t)txb;
    for (size_t i = 0; i < LBUS_MAX_NODES; i++) {
        p.node[i].ber = ber;
        p.node[i].burst_rate = brate;
        p.node[i].burst_len = (uint32_t)blen;
    }
    for (size_t k = 0; k < nnode; k++) {
        if (parse_node(&p, node_args[k]) != 0) {
            fprintf(stderr, "slink-linesim: bad --node %s\n", node_args[k]);
            return 2;
        }
    }
    FILE *cap = NULL;
    if (cap_path && !(cap = fopen(cap_path, "wb"))) { perror(cap_path); return 1; }
    if (lbus_init(&m, &p, cap != NULL) != 0) {
        fprintf(stderr, "slink-linesim: invalid bus parameters (probabilities must be 0..1, --node index < N)\n");
        return 2;
    }
    for (size_t k = 0; k < nnode; k++) {
        unsigned long idx = strtoul(node_args[k], NULL, 10);
        if (idx >= n) { fprintf(stderr, "slink-linesim: --node %s: no endpoint %lu\n", node_args[k], idx); return 2; }
    }
    int rc = 0;
    uint64_t t0 = now_ns();
    for (size_t i = 0; i < n; i++) {
        ep[i].fd = ep[i].hold_fd = -1;
        if (linesim_make_pty(&ep[i].fd, &ep[i].hold_fd, ep[i].path, sizeof ep[i].path)) { rc = 1; goto out; }
        if (prefix) {
            snprintf(ep[i].link, sizeof ep[i].link, "%s%zu", prefix, i);
            (void)unlink(ep[i].link);
            if (symlink(ep[i].path, ep[i].link) != 0) { perror(ep[i].link); ep[i].link[0] = 0; rc = 1; goto out; }
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_bus_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &orig);

    for (size_t i = 0; i < n; i++) printf("%zu %s\n", i, ep[i].path);
    fflush(stdout);

    static uint8_t rbuf[65536];
    struct pollfd pfd[LBUS_MAX_NODES];
    t0 = now_ns();
    uint64_t end = duration > 0 ? t0 + (uint64_t)(duration * 1e9) : UINT64_MAX;
    uint64_t stats_ns = stats_iv > 0 ? (uint64_t)(stats_iv * 1e9) : 0;
    uint64_t next_stats = stats_ns ? t0 + stats_ns : UINT64_MAX;
    /* The model's clock starts at 0 with the run (its babble schedule too). */
    while (!g_bus_stop) {
        uint64_t now = now_ns();
        if (now >= end) break;
        uint64_t mt = now - t0;
        if (now >= next_stats) {
            fprintf(stderr, "linesim bus t=%.1fs collisions=%" PRIu64, (double)mt / 1e9, m.collisions);
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, " %zu:tx=%" PRIu64 "/rx=%" PRIu64, i, m.nd[i].st.bytes_tx, m.nd[i].st.bytes_rx);
            fputc('\n', stderr);
            next_stats += stats_ns;
        }
        lbus_advance(&m, mt);
        for (size_t i = 0; i < n; i++) deliver(&m, i, &ep[i], mt);
        if (cap) {
            size_t k;
            while ((k = lbus_pop(&m, (size_t)n, mt, rbuf, sizeof rbuf)) > 0)
                if (fwrite(rbuf, 1, k, cap) != k) { perror(cap_path); rc = 1; goto out; }
        }

        uint64_t wake = UINT64_MAX;
        for (size_t r = 0; r <= n; r++) {
            if (r == n && !cap) continue;
            uint64_t t = lbus_next_arrival(&m, r);
            if (t < wake) wake = t;
        }
        uint64_t b = lbus_next_babble(&m);
        if (b < wake) wake = b;
        for (size_t i = 0; i < n; i++) {
            size_t room = lbus_room(&m, i, mt);
            if (room == 0) {
                uint64_t t = lbus_room_time(&m, i, mt);
                if (t < wake) wake = t;
            }
            pfd[i].fd = ep[i].fd;
            pfd[i].events = (short)((room ? POLLIN : 0) | (ep[i].off < ep[i].len ? POLLOUT : 0));
            pfd[i].revents = 0;
        }
        if (wake != UINT64_MAX && wake < mt + DELIVER_NS) wake = mt + DELIVER_NS;
        if (wake != UINT64_MAX) wake += t0;
        if (end < wake) wake = end;
        if (next_stats < wake) wake = next_stats;
        struct timespec ts, *tsp = NULL;
        if (wake != UINT64_MAX) {
            uint64_t dt = wake > now ? wake - now : 0;
            ts.tv_sec = (time_t)(dt / 1000000000ull);
            ts.tv_nsec = (long)(dt % 1000000000ull);
            tsp = &ts;
        }
        int r = ppoll(pfd, (nfds_t)n, tsp, &orig);
        if (r < 0) {
            if (errno == EINTR) continue;
            perror("slink-linesim: ppoll");
            rc = 1;
            break;
        }
        mt = now_ns() - t0;
        for (size_t i = 0; i < n; i++) {
            if (!(pfd[i].revents & POLLIN)) continue;
            size_t want = lbus_room(&m, i, mt);
            if (want == 0) continue;
            if (want > sizeof rbuf) want = sizeof rbuf;
            ssize_t got = read(ep[i].fd, rbuf, want);
            if (got > 0) lbus_push(&m, i, rbuf, (size_t)got, mt);
        }
    }
out:;
    double secs = (double)(now_ns() - t0) / 1e9;
    if (!quiet) report(stdout, &m, ep, secs);
    if (json && write_json(json, &m, ep, secs) != 0) rc = 1;
    if (cap && fclose(cap) != 0) rc = 1;
    for (size_t i = 0; i < n; i++) {
        if (ep[i].link[0]) unlink(ep[i].link);
        if (ep[i].fd >= 0) close(ep[i].fd);
        if (ep[i].hold_fd >= 0) close(ep[i].hold_fd);
    }
    lbus_free(&m);
    return rc;
}

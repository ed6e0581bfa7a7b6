/* slink-linesim: joins two endpoints through a simulated serial wire.
 *
 * One thread, one poll loop.  All fault and timing decisions live in
 * wire_model.c; this file only moves bytes between file descriptors and the
 * model and reports what the model did.  See docs/TOOLS.md. */
#define _GNU_SOURCE  /* ppoll: nanosecond timeouts with an atomic signal mask */
#include "wire_model.h"
#include "linesim_bus.h"
#include "slink/version.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define OBUF_SIZE 65536u

typedef struct {
    int fd;
    int hold_fd;            /* our own open slave: keeps the pty alive across client reopen */
    char path[256];         /* slave path (created pty) or the given path */
    const char *link;       /* symlink we made, removed on exit */
    int eof;
} endpoint;

typedef struct {
    uint8_t buf[OBUF_SIZE]; /* bytes due at the receiver but not yet written */
    size_t off, len;
} outbuf;

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: slink-linesim [options]\n"
        "       slink-linesim --bus N --baud N [bus options]   (see --bus --help)\n"
        "endpoints (default: create two pseudo-terminals and print their paths)\n"
        "  --link-a PATH --link-b PATH  symlink the created ptys' slave paths\n"
        "  --a PATH --b PATH            use existing ttys/ptys or UNIX stream sockets\n"
        "wire\n"
        "  --baud N          8N1 pacing, 10 bit-times per byte (0 = unthrottled, default)\n"
        "  --ber X           independent bit error rate on data bits\n"
        "  --drop X --dup X  per-byte loss / duplication probability\n"
        "  --burst-rate X --burst-len N   per-byte burst start probability, burst length\n"
        "  --break-rate X --break-len N --break-mode zeros|drop   line breaks\n"
        "  --delay-ms X --jitter-ms X     fixed + uniform random delay (order kept)\n"
        "  --half-duplex     overlapping transmissions garble both bytes (needs --baud)\n"
        "  --seed N          fault generator seed (default 1)\n"
        "  --queue-limit N   bytes in flight per direction before overflow drops (1048576)\n"
        "  --tx-buffer N     bytes read ahead of the line per direction (4096)\n"
        "reporting\n"
        "  --stats-interval S  periodic counters on stderr\n"
        "  --duration S        stop after S seconds\n"
        "  --json FILE         write the final summary as JSON\n"
        "  --quiet             no summary on stdout\n");
}

int linesim_set_raw(int fd)
{
    struct termios t;
    if (tcgetattr(fd, &t) != 0) return -1;
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    return tcsetattr(fd, TCSANOW, &t);
}

int linesim_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* A pseudo-terminal pair: the master is ours (non-blocking), the slave
 * path is what a daemon opens; we hold the slave open too, so the pty
 * survives the daemon closing and reopening it (a restart). */
int linesim_make_pty(int *master, int *hold, char *path, size_t cap)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) {
        perror("slink-linesim: posix_openpt");
        return -1;
    }
    const char *name = ptsname(m);
    if (!name) { perror("slink-linesim: ptsname"); return -1; }
    snprintf(path, cap, "%s", name);
    int s = open(path, O_RDWR | O_NOCTTY);
    if (s < 0) { perror("slink-linesim: open slave"); return -1; }
    /* On Linux the master's termios ioctls act on the slave; setting the
     * slave directly is the portable way.  Raw: no echo, no CR/LF mangling. */
    if (linesim_set_raw(s) != 0) { perror("slink-linesim: raw mode"); return -1; }
    if (linesim_set_nonblock(m) != 0) return -1;
    *master = m;
    *hold = s;
    return 0;
}

static int make_pty(endpoint *ep)
{
    return linesim_make_pty(&ep->fd, &ep->hold_fd, ep->path, sizeof ep->path);
}

static int open_existing(endpoint *ep, const char *path)
{
    struct stat st;
    snprintf(ep->path, sizeof ep->path, "%s", path);
    if (stat(path, &st) != 0) { perror(path); return -1; }
    if (S_ISSOCK(st.st_mode)) {
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        if (strlen(path) >= sizeof sa.sun_path) { fprintf(stderr, "%s: path too long\n", path); return -1; }
        memcpy(sa.sun_path, path, strlen(path));
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror(path); return -1; }
        ep->fd = fd;
    } else {
        int fd = open(path, O_RDWR | O_NOCTTY);
        if (fd < 0) { perror(path); return -1; }
        if (isatty(fd) && linesim_set_raw(fd) != 0) { perror(path); return -1; }
        ep->fd = fd;
    }
    return linesim_set_nonblock(ep->fd);
}

static int make_link(const endpoint *ep, const char *link)
{
    (void)unlink(link);
    if (symlink(ep->path, link) != 0) { perror(link); return -1; }
    return 0;
}

static const char *dir_name(int d) { return d == 0 ? "a_to_b" : "b_to_a"; }

static void print_dir_json(FILE *f, const lsim_dir_stats *s)
{
    fprintf(f,
        "{\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64 ",\"bits_flipped\":%" PRIu64
        ",\"bytes_dropped\":%" PRIu64 ",\"bytes_duplicated\":%" PRIu64 ",\"bursts\":%" PRIu64
        ",\"burst_bytes\":%" PRIu64 ",\"breaks\":%" PRIu64 ",\"break_bytes\":%" PRIu64
        ",\"collided\":%" PRIu64 ",\"overflow\":%" PRIu64 "}",
        s->bytes_in, s->bytes_out, s->bits_flipped, s->bytes_dropped, s->bytes_dup,
        s->bursts, s->burst_bytes, s->breaks, s->break_bytes, s->collided, s->overflow);
}

static void print_summary(FILE *f, const lsim_model *m, double secs)
{
    fprintf(f, "slink-linesim summary: %.3f s, baud %" PRIu32 ", seed %" PRIu64 "\n",
            secs, m->p.baud, m->p.seed);
    for (int d = 0; d < 2; d++) {
        const lsim_dir_stats *s = &m->d[d].st;
        fprintf(f, "  %s: in %" PRIu64 " out %" PRIu64 " bits_flipped %" PRIu64
                " dropped %" PRIu64 " duplicated %" PRIu64 " bursts %" PRIu64
                " breaks %" PRIu64 " collided %" PRIu64 " overflow %" PRIu64 "\n",
                d == 0 ? "A->B" : "B->A", s->bytes_in, s->bytes_out, s->bits_flipped,
                s->bytes_dropped, s->bytes_dup, s->bursts, s->breaks, s->collided, s->overflow);
    }
    fprintf(f, "  collisions %" PRIu64 "\n", m->collisions);
    fflush(f);
}

static int write_json(const char *path, const lsim_model *m, double secs)
{
    FILE *f = fopen(path, "w");
    if (!f) { perror(path); return -1; }
    fprintf(f, "{\"duration_s\":%.6f,\"baud\":%" PRIu32 ",\"seed\":%" PRIu64 ",",
            secs, m->p.baud, m->p.seed);
    for (int d = 0; d < 2; d++) {
        fprintf(f, "\"%s\":", dir_name(d));
        print_dir_json(f, &m->d[d].st);
        fputc(',', f);
    }
    fprintf(f, "\"collisions\":%" PRIu64 "}\n", m->collisions);
    return fclose(f) == 0 ? 0 : -1;
}

int linesim_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

int linesim_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-') return -1;
    *out = v;
    return 0;
}

/* Moves due bytes from the model to the receiver of direction d. */
static int deliver(lsim_model *m, int d, outbuf *ob, endpoint *dst, uint64_t now)
{
    if (ob->off > 0 && ob->off == ob->len) ob->off = ob->len = 0;
    if (ob->off > OBUF_SIZE / 2) {
        memmove(ob->buf, ob->buf + ob->off, ob->len - ob->off);
        ob->len -= ob->off;
        ob->off = 0;
    }
    ob->len += lsim_pop(m, d, now, ob->buf + ob->len, OBUF_SIZE - ob->len);
    while (ob->off < ob->len) {
        ssize_t w = write(dst->fd, ob->buf + ob->off, ob->len - ob->off);
        if (w > 0) { ob->off += (size_t)w; continue; }
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) break;
        if (w < 0 && (errno == EIO || errno == EPIPE || errno == ECONNRESET)) { dst->eof = 1; return 0; }
        perror("slink-linesim: write");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("slink-linesim %s\n", SLINK_VERSION_STRING);
            return 0;
        }
    }
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--bus") == 0) return linesim_bus_main(argc, argv);

    enum { O_A = 256, O_B, O_LA, O_LB, O_BAUD, O_BER, O_DROP, O_DUP, O_BRATE, O_BLEN,
           O_KRATE, O_KLEN, O_KMODE, O_DELAY, O_JITTER, O_HALF, O_SEED, O_QLIM, O_TXB,
           O_STATS, O_DUR, O_JSON, O_QUIET, O_HELP };
    static const struct option opts[] = {
        {"a", required_argument, 0, O_A}, {"b", required_argument, 0, O_B},
        {"link-a", required_argument, 0, O_LA}, {"link-b", required_argument, 0, O_LB},
        {"baud", required_argument, 0, O_BAUD}, {"ber", required_argument, 0, O_BER},
        {"drop", required_argument, 0, O_DROP}, {"dup", required_argument, 0, O_DUP},
        {"burst-rate", required_argument, 0, O_BRATE}, {"burst-len", required_argument, 0, O_BLEN},
        {"break-rate", required_argument, 0, O_KRATE}, {"break-len", required_argument, 0, O_KLEN},
        {"break-mode", required_argument, 0, O_KMODE},
        {"delay-ms", required_argument, 0, O_DELAY}, {"jitter-ms", required_argument, 0, O_JITTER},
        {"half-duplex", no_argument, 0, O_HALF}, {"seed", required_argument, 0, O_SEED},
        {"queue-limit", required_argument, 0, O_QLIM}, {"tx-buffer", required_argument, 0, O_TXB},
        {"stats-interval", required_argument, 0, O_STATS}, {"duration", required_argument, 0, O_DUR},
        {"json", required_argument, 0, O_JSON}, {"quiet", no_argument, 0, O_QUIET},
        {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0}};
    lsim_params p;
    lsim_params_default(&p);
    const char *path_a = NULL, *path_b = NULL, *link_a = NULL, *link_b = NULL, *json = NULL;
    double stats_iv = 0, duration = 0, dv;
    uint64_t uv;
    int quiet = 0, c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_A: path_a = optarg; break;
        case O_B: path_b = optarg; break;
        case O_LA: link_a = optarg; break;
        case O_LB: link_b = optarg; break;
        case O_BAUD: bad = linesim_parse_u64(optarg, &uv) || uv > 100000000u; p.baud = (uint32_t)uv; break;
        case O_BER: bad = linesim_parse_double(optarg, &p.ber); break;
        case O_DROP: bad = linesim_parse_double(optarg, &p.drop); break;
        case O_DUP: bad = linesim_parse_double(optarg, &p.dup); break;
        case O_BRATE: bad = linesim_parse_double(optarg, &p.burst_rate); break;
        case O_BLEN: bad = linesim_parse_u64(optarg, &uv) || uv > 1000000u; p.burst_len = (uint32_t)uv; break;
        case O_KRATE: bad = linesim_parse_double(optarg, &p.break_rate); break;
        case O_KLEN: bad = linesim_parse_u64(optarg, &uv) || uv > 1000000u; p.break_len = (uint32_t)uv; break;
        case O_KMODE:
            if (strcmp(optarg, "zeros") == 0) p.break_drop = 0;
            else if (strcmp(optarg, "drop") == 0) p.break_drop = 1;
            else bad = 1;
            break;
        case O_DELAY: bad = linesim_parse_double(optarg, &dv) || dv < 0 || dv > 1e7; p.delay_ns = (uint64_t)(dv * 1e6); break;
        case O_JITTER: bad = linesim_parse_double(optarg, &dv) || dv < 0 || dv > 1e7; p.jitter_ns = (uint64_t)(dv * 1e6); break;
        case O_HALF: p.half_duplex = 1; break;
        case O_SEED: bad = linesim_parse_u64(optarg, &p.seed); break;
        case O_QLIM: bad = linesim_parse_u64(optarg, &uv) || uv == 0 || uv > (1u << 28); p.queue_limit = (size_t)uv; break;
        case O_TXB: bad = linesim_parse_u64(optarg, &uv) || uv == 0 || uv > (1u << 24); p.tx_buffer = (size_t)uv; break;
        case O_STATS: bad = linesim_parse_double(optarg, &stats_iv) || stats_iv < 0; break;
        case O_DUR: bad = linesim_parse_double(optarg, &duration) || duration < 0; break;
        case O_JSON: json = optarg; break;
        case O_QUIET: quiet = 1; break;
        case 'h':
        case O_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (bad) {
            fprintf(stderr, "slink-linesim: bad value for --%s: %s\n", opts[c - O_A].name, optarg);
            return 2;
        }
    }
    if (optind != argc || (!path_a != !path_b)) { usage(stderr); return 2; }
    if (p.half_duplex && p.baud == 0)
        fprintf(stderr, "slink-linesim: --half-duplex without --baud: bytes take no time, nothing collides\n");

    lsim_model m;
    if (lsim_init(&m, &p) != 0) {
        fprintf(stderr, "slink-linesim: invalid parameters (probabilities must be 0..1)\n");
        return 2;
    }

    endpoint ep[2];
    memset(ep, 0, sizeof ep);
    ep[0].fd = ep[1].fd = ep[0].hold_fd = ep[1].hold_fd = -1;
    if (path_a) {
        if (open_existing(&ep[0], path_a) || open_existing(&ep[1], path_b)) return 1;
    } else {
        if (make_pty(&ep[0]) || make_pty(&ep[1])) return 1;
    }
    int rc = 0;
    if (link_a) { if (make_link(&ep[0], link_a)) return 1; ep[0].link = link_a; }
    if (link_b) { if (make_link(&ep[1], link_b)) { if (link_a) unlink(link_a); return 1; } ep[1].link = link_b; }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &orig);

    printf("A %s\nB %s\n", ep[0].path, ep[1].path);
    fflush(stdout);

    static outbuf ob[2];
    static uint8_t rbuf[65536];
    uint64_t t0 = mono_ns();
    uint64_t end = duration > 0 ? t0 + (uint64_t)(duration * 1e9) : UINT64_MAX;
    uint64_t stats_ns = stats_iv > 0 ? (uint64_t)(stats_iv * 1e9) : 0;
    uint64_t next_stats = stats_ns ? t0 + stats_ns : UINT64_MAX;

    while (!g_stop && !ep[0].eof && !ep[1].eof) {
        uint64_t now = mono_ns();
        if (now >= end) break;
        if (now >= next_stats) {
            fprintf(stderr, "linesim t=%.1fs A->B in=%" PRIu64 " out=%" PRIu64 " flips=%" PRIu64
                    " B->A in=%" PRIu64 " out=%" PRIu64 " flips=%" PRIu64 " coll=%" PRIu64 "\n",
                    (double)(now - t0) / 1e9, m.d[0].st.bytes_in, m.d[0].st.bytes_out,
                    m.d[0].st.bits_flipped, m.d[1].st.bytes_in, m.d[1].st.bytes_out,
                    m.d[1].st.bits_flipped, m.collisions);
            next_stats += stats_ns;
        }
        for (int d = 0; d < 2; d++)
            if (deliver(&m, d, &ob[d], &ep[1 - d], now)) { rc = 1; goto out; }

        uint64_t wake = end < next_stats ? end : next_stats;
        struct pollfd pfd[2];
        size_t room[2];
        for (int d = 0; d < 2; d++) {
            room[d] = lsim_room(&m, d, now);
            if (ob[d].len < OBUF_SIZE) {
                uint64_t t = lsim_next_arrival(&m, d);
                if (t < wake) wake = t;
            }
            if (room[d] == 0) {
                uint64_t t = lsim_room_time(&m, d, now);
                if (t > now && t < wake) wake = t;
            }
        }
        for (int e = 0; e < 2; e++) {
            pfd[e].fd = ep[e].fd;
            /* endpoint e is the sender of direction e and the receiver of 1-e */
            pfd[e].events = (short)((room[e] ? POLLIN : 0) |
                                    (ob[1 - e].off < ob[1 - e].len ? POLLOUT : 0));
            pfd[e].revents = 0;
        }
        struct timespec ts, *tsp = NULL;
        if (wake != UINT64_MAX) {
            uint64_t dt = wake > now ? wake - now : 0;
            ts.tv_sec = (time_t)(dt / 1000000000ull);
            ts.tv_nsec = (long)(dt % 1000000000ull);
            tsp = &ts;
        }
        int n = ppoll(pfd, 2, tsp, &orig);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("slink-linesim: ppoll");
            rc = 1;
            break;
        }
        now = mono_ns();
        for (int e = 0; e < 2; e++) {
            if (!(pfd[e].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            size_t want = lsim_room(&m, e, now);
            if (want == 0) {
                if (pfd[e].revents & POLLIN) continue;
                want = 1; /* HUP/ERR: read once to learn the reason */
            }
            if (want > sizeof rbuf) want = sizeof rbuf;
            ssize_t r = read(ep[e].fd, rbuf, want);
            if (r > 0) lsim_push(&m, e, rbuf, (size_t)r, now);
            else if (r == 0) ep[e].eof = 1;
            else if (errno != EAGAIN && errno != EINTR) ep[e].eof = 1;
        }
    }
    /* Deliver what is already due before reporting. */
    for (int d = 0; d < 2; d++)
        if (!ep[1 - d].eof) (void)deliver(&m, d, &ob[d], &ep[1 - d], mono_ns());
out:;
    double secs = (double)(mono_ns() - t0) / 1e9;
    if (!quiet) print_summary(stdout, &m, secs);
    if (json && write_json(json, &m, secs) != 0) rc = 1;
    for (int e = 0; e < 2; e++) {
        if (ep[e].link) unlink(ep[e].link);
        if (ep[e].fd >= 0) close(ep[e].fd);
        if (ep[e].hold_fd >= 0) close(ep[e].hold_fd);
    }
    lsim_free(&m);
    return rc;
}

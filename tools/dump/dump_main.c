/* slink-dump: decode a captured slink byte stream into frames and records.
 * Input: a file, stdin, hex text on stdin (--hex) or a live tty tap
 * (--tty PATH).  The core's own deframer runs in monitor mode (own address
 * NONE accepts every destination), so the dump drops exactly what a node
 * would drop, for the same reasons.  See docs/TOOLS.md. */
#define _GNU_SOURCE
#include "dump.h"
#include "slink/version.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    slink_deframer d;
    dump_ctx c;
    uint64_t pos;           /* stream offset of the next byte */
    uint64_t start;         /* offset of the first byte of the current frame */
    int in_frame;
    uint8_t raw[SLINK_WIRE_FRAME_MAX];
    size_t raw_len;
} stream;

static volatile sig_atomic_t g_stop;
static void on_signal(int s) { (void)s; g_stop = 1; }

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void partial_dropped(stream *s, slink_err why, double t)
{
    dump_drop(&s->c, s->start, (size_t)(s->pos - s->start), t, why, NULL, 0);
    s->in_frame = 0;
}

/* Pushes bytes through the deframer and reports every event with the
 * offset and wire length of the frame it belongs to. */
static void feed(stream *s, const uint8_t *in, size_t n, uint64_t now_ms, double t)
{
    while (n > 0) {
        size_t used = 0;
        slink_frame f;
        slink_err e = slink_deframer_push(&s->d, in, n, now_ms, &used, &f);
        if (used == 0 && e == SLINK_ERR_FRAME_TIMEOUT) {
            /* the gap ended a partial frame before these bytes */
            partial_dropped(s, e, t);
            continue;
        }
        if (used == 0) {
            fprintf(stderr, "slink-dump: deframer consumed nothing (%s)\n", slink_err_str(e));
            return;
        }
        uint64_t ended_start = 0;
        size_t ended_len = 0, ended_raw = 0;
        int ended = 0;
        for (size_t i = 0; i < used; i++) {
            uint8_t b = in[i];
            if (b != SLINK_DELIM) {
                if (!s->in_frame) {
                    s->in_frame = 1;
                    s->start = s->pos;
                    s->raw_len = 0;
                }
                if (s->raw_len < sizeof s->raw) s->raw[s->raw_len] = b;
                s->raw_len++;
            } else if (s->in_frame) {
                ended = 1;
                ended_start = s->start;
                ended_len = (size_t)(s->pos + 1u - s->start);
                ended_raw = s->raw_len;
                s->in_frame = 0;
            }
            s->pos++;
        }
        in += used;
        n -= used;
        if (e == SLINK_OK) {
            dump_frame(&s->c, ended_start, ended_len, t, &f, now_ms);
        } else if (e != SLINK_ERR_NEED_MORE) {
            if (ended && in[-1] == SLINK_DELIM)
                dump_drop(&s->c, ended_start, ended_len, t, e, s->raw,
                          ended_raw <= sizeof s->raw ? ended_raw : 0);
            else   /* oversize: reported when it overflowed, mid-frame */
                dump_drop(&s->c, s->start, (size_t)(s->pos - s->start), t, e, NULL, 0);
        }
        /* Stay in step with the deframer (an overflowed frame is discarded
         * up to its delimiter and reported only once). */
        if (s->d.len == 0 && !s->d.discarding && s->in_frame && e != SLINK_ERR_NEED_MORE)
            s->in_frame = 0;
    }
}

static void finish(stream *s, double t)
{
    if (s->in_frame && s->d.len > 0)
        partial_dropped(s, SLINK_ERR_NEED_MORE, t);
    dump_summary(&s->c, &s->d.stats);
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    ch = tolower(ch);
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

static int run_hex(stream *s, FILE *in)
{
    int ch, hi = -1;
    uint8_t buf[4096];
    size_t n = 0;
    while ((ch = fgetc(in)) != EOF) {
        if (isspace(ch)) continue;
        int v = hexval(ch);
        if (v < 0) {
            fprintf(stderr, "slink-dump: --hex: not a hex digit: '%c'\n", ch);
            return 2;
        }
        if (hi < 0) { hi = v; continue; }
        buf[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
        if (n == sizeof buf) { feed(s, buf, n, 0, 0); n = 0; }
    }
    if (hi >= 0) {
        fprintf(stderr, "slink-dump: --hex: odd number of hex digits\n");
        return 2;
    }
    feed(s, buf, n, 0, 0);
    finish(s, 0);
    return 0;
}

static int run_fd(stream *s, int fd)
{
    static uint8_t buf[65536];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r == 0) break;
        if (r < 0) {
            if (errno == EINTR) continue;
            perror("slink-dump: read");
            return 1;
        }
        feed(s, buf, (size_t)r, 0, 0);
    }
    finish(s, 0);
    return 0;
}

static speed_t baud_const(uint32_t b)
{
    switch (b) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
    }
}

/* Live tap: real time drives the inter-byte gap, as on a node. */
static int run_tty(stream *s, const char *path, uint32_t baud, double duration)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) { perror(path); return 1; }
    struct termios tio;
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        speed_t sp = baud_const(baud);
        if (sp) { cfsetispeed(&tio, sp); cfsetospeed(&tio, sp); }
        if (tcsetattr(fd, TCSANOW, &tio) != 0) perror("slink-dump: tcsetattr");
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    setvbuf(s->c.out, NULL, _IOLBF, 0);
    s->c.show_time = 1;
    uint64_t t0 = mono_ms();
    uint64_t end = duration > 0 ? t0 + (uint64_t)(duration * 1000.0) : UINT64_MAX;
    static uint8_t buf[4096];
    while (!g_stop) {
        uint64_t now = mono_ms();
        if (now >= end) break;
        struct pollfd p = {fd, POLLIN, 0};
        int k = poll(&p, 1, 10);
        now = mono_ms();
        double t = (double)(now - t0) / 1000.0;
        if (k > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(fd, buf, sizeof buf);
            if (r > 0) feed(s, buf, (size_t)r, now, t);
            else if (r == 0 || (errno != EAGAIN && errno != EINTR)) break;
        }
        if (slink_deframer_tick(&s->d, now) == SLINK_ERR_FRAME_TIMEOUT && s->in_frame)
            partial_dropped(s, SLINK_ERR_FRAME_TIMEOUT, t);
    }
    finish(s, (double)(mono_ms() - t0) / 1000.0);
    close(fd);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: slink-dump [options] [FILE|-]\n"
        "  FILE or -        raw captured bytes (default: stdin)\n"
        "  --hex            stdin is hex text (whitespace ignored)\n"
        "  --tty PATH       live tap of a tty/pty; --baud N sets its rate and the\n"
        "                   inter-byte gap (default 115200); --duration S stops\n"
        "  --gap-ms N       inter-byte gap for --tty (default max(20, 4 chars); 0 = none)\n"
        "  --json           one JSON object per line\n"
        "  --keylog FILE    DEBUG ONLY: decrypt records with logged traffic secrets\n");
}

int main(int argc, char **argv)
{
    enum { O_HEX = 256, O_TTY, O_BAUD, O_GAP, O_DUR, O_JSON, O_KEYLOG, O_HELP, O_VERSION };
    static const struct option opts[] = {
        {"hex", no_argument, 0, O_HEX}, {"tty", required_argument, 0, O_TTY},
        {"baud", required_argument, 0, O_BAUD}, {"gap-ms", required_argument, 0, O_GAP},
        {"duration", required_argument, 0, O_DUR}, {"json", no_argument, 0, O_JSON},
        {"keylog", required_argument, 0, O_KEYLOG}, {"help", no_argument, 0, O_HELP},
        {"version", no_argument, 0, O_VERSION}, {0, 0, 0, 0}};
    int hex = 0, json = 0, c;
    const char *tty = NULL, *keylog = NULL;
    unsigned long baud = 115200;
    long gap = -1;
    double duration = 0;
    char *end;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_HEX: hex = 1; break;
        case O_TTY: tty = optarg; break;
        case O_BAUD:
            baud = strtoul(optarg, &end, 10);
            if (*end || baud == 0 || baud > 100000000ul) { usage(stderr); return 2; }
            break;
        case O_GAP:
            gap = strtol(optarg, &end, 10);
            if (*end || gap < 0 || gap > 100000) { usage(stderr); return 2; }
            break;
        case O_DUR:
            duration = strtod(optarg, &end);
            if (*end || duration < 0) { usage(stderr); return 2; }
            break;
        case O_JSON: json = 1; break;
        case O_KEYLOG: keylog = optarg; break;
        case 'h':
        case O_HELP: usage(stdout); return 0;
        case O_VERSION: printf("slink-dump %s\n", SLINK_VERSION_STRING); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (argc - optind > 1 || (tty && (hex || argc - optind > 0))) { usage(stderr); return 2; }

    static stream s;
    memset(&s, 0, sizeof s);
    uint32_t gap_ms = 0;
    if (tty) {
        /* The core's gap is a few character times (2 ms floor); a host
         * process reading a tty is woken late by more than that, so the tap
         * waits at least 20 ms before calling a silence a gap. */
        gap_ms = slink_gap_ms_for_baud((uint32_t)baud);
        if (gap_ms < 20u) gap_ms = 20u;
        if (gap >= 0) gap_ms = (uint32_t)gap;
    }
    slink_deframer_init(&s.d, SLINK_ADDR_NONE, gap_ms);
    s.c.out = stdout;
    s.c.json = json;

    static dump_keylog kl;
    if (keylog) {
        fprintf(stderr, "slink-dump: WARNING: decrypting with a debug key log; anyone holding "
                        "that file can read this traffic\n");
        if (dump_keylog_load(&kl, keylog, stderr) != 0) { perror(keylog); return 1; }
        s.c.keys = &kl;
    }

    int rc;
    if (tty) {
        rc = run_tty(&s, tty, (uint32_t)baud, duration);
    } else if (hex) {
        rc = run_hex(&s, stdin);
    } else if (optind < argc && strcmp(argv[optind], "-") != 0) {
        int fd = open(argv[optind], O_RDONLY);
        if (fd < 0) { perror(argv[optind]); return 1; }
        rc = run_fd(&s, fd);
        close(fd);
    } else {
        rc = run_fd(&s, 0);
    }
    if (keylog) dump_keylog_free(&kl);
    if (fflush(stdout) != 0) rc = 1;
    return rc;
}

/* fw-host: the host end of the firmware end-to-end test.  Runs the slink
 * core (host build, libslink.a) as bus address 1 over a serial device --
 * here the pty QEMU gives the emulated board's UART0 -- through termios,
 * handshakes with the device, and checks its application:
 *   stream:   N random bytes sent, the same bytes upper-cased come back
 *   datagram: "count" answered with an incrementing counter
 *   "stats":  the device's memory measurements, printed for the report
 * With --expect-fail the handshake must NOT complete (wrong CA / name).
 * With --no-close the program exits without an authenticated close, as a
 * crashed host would.  --trust-ca replaces the trust anchor after the
 * credentials are loaded: an impostor that knows the device's CA but holds
 * a certificate from another CA (slink_creds_load would refuse that mix,
 * an attacker does not ask it).  Exit 0 on success, 1 on a failed check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "slink/conn.h"

static int verbose;
static int fd = -1;
static slink_conn conn;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int os_entropy(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

static int wall_clock(void *ctx, int64_t *t)
{
    (void)ctx;
    *t = (int64_t)time(NULL);
    return 0;
}

static void log_cb(void *ctx, int level, const char *msg)
{
    (void)ctx;
    if (verbose || level <= SLINK_LOG_WARN)
        fprintf(stderr, "fw-host: slink[%d] %s\n", level, msg);
}

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fw-host: FAIL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail("cannot open %s: %s", path, strerror(errno));
    uint8_t *buf = malloc(65536);
    if (!buf) fail("out of memory");
    *len = fread(buf, 1, 65536, f);
    fclose(f);
    return buf;
}

static void open_serial(const char *path)
{
    struct termios t;
    fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) fail("open %s: %s", path, strerror(errno));
    if (tcgetattr(fd, &t) != 0) fail("tcgetattr %s: %s", path, strerror(errno));
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &t) != 0) fail("tcsetattr %s: %s", path, strerror(errno));
}

static void write_all(const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                (void)poll(&pfd, 1, 100);
                continue;
            }
            fail("write: %s", strerror(errno));
        }
        p += w;
        n -= (size_t)w;
    }
}

/* One turn of the I/O loop: flush output, wait for input or the core's
 * next timer (at most 20 ms), feed input. */
static void pump(void)
{
    static uint8_t out[SLINK_WIRE_FRAME_MAX];
    size_t n;
    while ((n = slink_conn_output(&conn, out, sizeof out, now_ms())) > 0)
        write_all(out, n);
    uint64_t t = now_ms(), next = slink_conn_next_timeout(&conn, t);
    int wait = next <= t ? 0 : (next - t > 20 ? 20 : (int)(next - t));
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (poll(&pfd, 1, wait) > 0 && (pfd.revents & POLLIN)) {
        uint8_t in[1024];
        ssize_t r = read(fd, in, sizeof in);
        if (r > 0)
            (void)slink_conn_input(&conn, in, (size_t)r, now_ms());
    }
}

/* Returns the last event of interest seen (type), with its error. */
static slink_event_type drain_events(slink_err *err)
{
    slink_event ev;
    slink_event_type last = SLINK_EV_NONE;
    while (slink_conn_poll_event(&conn, &ev)) {
        if (verbose)
            fprintf(stderr, "fw-host: event %d err=%s\n", (int)ev.type, slink_err_str(ev.err));
        if (ev.type != SLINK_EV_NONE) {
            last = ev.type;
            *err = ev.err;
        }
    }
    return last;
}

/* Datagrams are unreliable (§3.7): a request or its reply lost on the line
 * (the device's UART ring overruns when the host floods it, more so on a
 * loaded machine) is sent again after DGRAM_RETRY_MS, up to the deadline.
 * Replies still on their way from an earlier try are drained first, so a
 * late one is never taken for the answer to the next request. */
#define DGRAM_RETRY_MS 2000u
static unsigned dgram_retries;

static int dgram_roundtrip(const char *req, char *reply, size_t cap, uint64_t deadline)
{
    size_t len = 0;
    slink_err e;
    while (slink_conn_recv_dgram(&conn, (uint8_t *)reply, cap - 1, &len) == SLINK_OK) {}
    for (int attempt = 0; now_ms() < deadline; attempt++) {
        if (attempt > 0) dgram_retries++;
        while ((e = slink_conn_send_dgram(&conn, (const uint8_t *)req, strlen(req))) == SLINK_ERR_WOULD_BLOCK) {
            if (now_ms() > deadline) return -1;
            pump();
        }
        if (e != SLINK_OK) fail("send_dgram(%s): %s", req, slink_err_str(e));
        uint64_t retry_at = now_ms() + DGRAM_RETRY_MS;
        while (now_ms() < deadline && now_ms() < retry_at) {
            pump();
            e = slink_conn_recv_dgram(&conn, (uint8_t *)reply, cap - 1, &len);
            if (e == SLINK_OK) {
                reply[len] = 0;
                return 0;
            }
            if (e != SLINK_ERR_AGAIN) fail("recv_dgram: %s", slink_err_str(e));
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    const char *pty = NULL, *ca = NULL, *cert = NULL, *key = NULL, *peer_name = NULL;
    const char *trust_ca = NULL;
    size_t nbytes = 4096;
    int count = 3, expect_fail = 0, no_close = 0, timeout_s = 30;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--pty") && v) { pty = v; i++; }
        else if (!strcmp(a, "--ca") && v) { ca = v; i++; }
        else if (!strcmp(a, "--cert") && v) { cert = v; i++; }
        else if (!strcmp(a, "--key") && v) { key = v; i++; }
        else if (!strcmp(a, "--peer-name") && v) { peer_name = v; i++; }
        else if (!strcmp(a, "--trust-ca") && v) { trust_ca = v; i++; }
        else if (!strcmp(a, "--bytes") && v) { nbytes = (size_t)strtoul(v, NULL, 10); i++; }
        else if (!strcmp(a, "--count") && v) { count = atoi(v); i++; }
        else if (!strcmp(a, "--timeout") && v) { timeout_s = atoi(v); i++; }
        else if (!strcmp(a, "--expect-fail")) expect_fail = 1;
        else if (!strcmp(a, "--no-close")) no_close = 1;
        else if (!strcmp(a, "-v")) verbose = 1;
        else {
            fprintf(stderr, "usage: fw-host --pty DEV --ca DER --cert DER --key DER --peer-name NAME\n"
                            "               [--bytes N] [--count K] [--timeout S] [--expect-fail] [--no-close]\n"
                            "               [--trust-ca DER] [-v]\n");
            return 2;
        }
    }
    if (!pty || !ca || !cert || !key || !peer_name) fail("missing arguments (see usage)");

    size_t ca_len, cert_len, key_len;
    uint8_t *ca_buf = read_file(ca, &ca_len), *cert_buf = read_file(cert, &cert_len),
            *key_buf = read_file(key, &key_len);
    static slink_creds creds;
    const char *why = "";
    if (slink_creds_load(&creds, ca_buf, ca_len, cert_buf, cert_len, key_buf, key_len, &why) != SLINK_OK)
        fail("credentials: %s", why);
    if (trust_ca) {
        size_t tl;
        uint8_t *tb = read_file(trust_ca, &tl);
        if (slink_creds_set_ca(&creds, tb, tl, &why) != SLINK_OK) fail("trust CA %s: %s", trust_ca, why);
        free(tb);
    }

    slink_platform plat = { .entropy = os_entropy, .wall_time = wall_clock, .log = log_cb };
    slink_conn_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = 1;
    cfg.peer_addr = 7;
    cfg.role = SLINK_START_INITIATOR;
    cfg.baud = 115200;
    cfg.creds = &creds;
    cfg.policy.name = peer_name;
    cfg.policy.time_mode = SLINK_TIME_CLOCK_REQUIRED;
    /* The device runs its ECC in an emulator: allow it time. */
    cfg.hs_proc_ms = 2000;
    /* QEMU does not pace the emulated UART: bytes of one frame can arrive
     * milliseconds apart on the pty (see firmware/board/an385/board.h). */
    cfg.gap_ms = 50;
    open_serial(pty);
    slink_err e = slink_conn_init(&conn, &cfg, &plat, now_ms());
    if (e != SLINK_OK) fail("conn_init: %s", slink_err_str(e));
    e = slink_conn_connect(&conn, now_ms());
    if (e != SLINK_OK) fail("connect: %s", slink_err_str(e));

    uint64_t t0 = now_ms(), deadline = t0 + (uint64_t)timeout_s * 1000u;
    slink_err last_err = SLINK_OK;
    int established = 0, failures = 0;
    while (now_ms() < deadline && !established) {
        pump();
        slink_err ee = SLINK_OK;
        slink_event_type t = drain_events(&ee);
        if (t == SLINK_EV_ESTABLISHED) established = 1;
        else if (t == SLINK_EV_HS_FAILED || t == SLINK_EV_ENDED) {
            last_err = ee;
            failures++;
            /* One failed attempt settles a refusal test. */
            if (expect_fail) break;
        }
    }
    if (expect_fail && established) {
        /* The initiator holds keys once it has sent message 3; only the
         * responder's verdict on that message decides.  A device that
         * accepted us would answer a datagram. */
        uint64_t probe_end = now_ms() + 4000;
        int sent = 0;
        while (now_ms() < probe_end) {
            if (!sent && slink_conn_send_dgram(&conn, (const uint8_t *)"count", 5) == SLINK_OK) sent = 1;
            pump();
            uint8_t r[200];
            size_t rl = 0;
            slink_err re = slink_conn_recv_dgram(&conn, r, sizeof r, &rl);
            if (re == SLINK_OK) fail("the device answered: it accepted a host it should have refused");
            slink_err ee = SLINK_OK;
            slink_event_type t = drain_events(&ee);
            if (t == SLINK_EV_ENDED || t == SLINK_EV_HS_FAILED) {
                last_err = ee;
                failures++;
                break;
            }
            if (re != SLINK_ERR_AGAIN && re != SLINK_ERR_NOT_READY) {
                last_err = re;
                failures++;
                break;
            }
        }
        established = 0;
    }
    if (expect_fail) {
        if (established) fail("handshake completed but the device should have refused us");
        printf("fw-host: refused as expected (host saw %s after %llu ms)\n",
               failures ? slink_err_str(last_err) : "no answer",
               (unsigned long long)(now_ms() - t0));
        return 0;
    }
    if (!established) fail("no session within %d s (last error %s)", timeout_s, slink_err_str(last_err));
    printf("fw-host: handshake ok in %llu ms\n", (unsigned long long)(now_ms() - t0));

    /* Stream: every byte value, both cases, random order. */
    uint8_t *data = malloc(nbytes ? nbytes : 1), *back = malloc(nbytes ? nbytes : 1);
    if (!data || !back) fail("out of memory");
    if (os_entropy(NULL, data, nbytes) != 0) fail("entropy");
    size_t sent = 0, got = 0;
    uint64_t ts = now_ms();
    while (got < nbytes) {
        if (now_ms() > deadline) fail("stream: %zu of %zu bytes back before timeout", got, nbytes);
        if (sent < nbytes) {
            size_t acc = 0;
            e = slink_conn_send(&conn, data + sent, nbytes - sent, &acc);
            if (e != SLINK_OK && e != SLINK_ERR_WOULD_BLOCK) fail("send: %s", slink_err_str(e));
            sent += acc;
        }
        pump();
        size_t n = 0;
        e = slink_conn_recv(&conn, back + got, nbytes - got, &n);
        if (e != SLINK_OK && e != SLINK_ERR_AGAIN) fail("recv: %s", slink_err_str(e));
        got += n;
        slink_err ee;
        if (drain_events(&ee) == SLINK_EV_ENDED) fail("session ended: %s", slink_err_str(ee));
    }
    for (size_t i = 0; i < nbytes; i++) {
        uint8_t want = data[i] >= 'a' && data[i] <= 'z' ? (uint8_t)(data[i] - 32) : data[i];
        if (back[i] != want) fail("stream byte %zu: got 0x%02x want 0x%02x", i, back[i], want);
    }
    uint64_t dt = now_ms() - ts;
    printf("fw-host: stream ok: %zu bytes upper-cased byte-exact in %llu ms (%llu B/s)\n", nbytes,
           (unsigned long long)dt, (unsigned long long)(dt ? nbytes * 1000u / dt : 0));
    printf("fw-host: host stream: %u chunks sent, %u retransmits (%u fast), %u duplicates received; "
           "%u frames out, %u in\n",
           (unsigned)conn.stream.stats.chunks_sent, (unsigned)conn.stream.stats.retransmits,
           (unsigned)conn.stream.stats.fast_retransmits, (unsigned)conn.stream.stats.duplicates,
           (unsigned)conn.stats.frames_out, (unsigned)conn.stats.frames_in);

    /* Datagrams. */
    long first = -1, last = -1;
    for (int i = 0; i < count; i++) {
        char reply[200];
        if (dgram_roundtrip("count", reply, sizeof reply, deadline) != 0) fail("no answer to count #%d", i + 1);
        long c = -1, echoed = -1;
        if (sscanf(reply, "count=%ld echoed=%ld", &c, &echoed) != 2) fail("bad count reply '%s'", reply);
        /* Strictly increasing: a request the device counted but whose
         * reply was lost (then sent again) skips a number, nothing else. */
        if (first < 0) first = c;
        else if (c <= last) fail("count reply %ld after %ld", c, last);
        if (dgram_retries == 0 && c != first + i) fail("count reply %ld, expected %ld", c, first + i);
        last = c;
        if (i == count - 1 && echoed < (long)nbytes) fail("device says echoed=%ld < %zu", echoed, nbytes);
    }
    printf("fw-host: datagram ok: %d count replies, counter %ld..%ld, %u resent after a loss\n", count, first,
           last, dgram_retries);
    {
        char reply[200];
        if (dgram_roundtrip("stats", reply, sizeof reply, deadline) != 0) fail("no answer to stats");
        printf("fw-host: device stats: %s\n", reply);
        if (dgram_roundtrip("link", reply, sizeof reply, deadline) != 0) fail("no answer to link");
        printf("fw-host: device link: %s\n", reply);
    }

    if (no_close) {
        printf("fw-host: leaving without close (simulated host crash)\n");
        return 0;
    }
    (void)slink_conn_close(&conn, now_ms());
    uint64_t cd = now_ms() + 5000;
    int closed = 0;
    while (now_ms() < cd && !closed) {
        pump();
        slink_err ee = SLINK_OK;
        if (drain_events(&ee) == SLINK_EV_ENDED) {
            closed = 1;
            if (ee != SLINK_ERR_CLOSED) fail("session ended with %s, expected CLOSED", slink_err_str(ee));
        }
    }
    if (!closed) fail("no authenticated close within 5 s");
    /* Linger so the acknowledgement of the device's close goes out. */
    for (uint64_t end = now_ms() + 300; now_ms() < end; )
        pump();
    printf("fw-host: closed cleanly\n");
    slink_conn_wipe(&conn);
    slink_creds_free(&creds);
    return 0;
}

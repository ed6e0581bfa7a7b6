#include "bench_util.h"
#include "slink/config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

uint64_t bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void bench_die(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

uint8_t *bench_load(const char *prog, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long sz;
    if (!f) bench_die(prog, "cannot open %s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        bench_die(prog, "cannot size %s", path);
    buf = malloc((size_t)sz + 1);
    if (!buf) bench_die(prog, "out of memory");
    if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) bench_die(prog, "cannot read %s", path);
    fclose(f);
    buf[sz] = 0;
    *len = (size_t)sz;
    /* mbedTLS parses PEM only with its NUL counted */
    if (strstr((const char *)buf, "-----BEGIN") != NULL) *len += 1;
    return buf;
}

int bench_tty_open(const char *prog, const char *path)
{
    struct termios t;
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) bench_die(prog, "cannot open tty %s: %s", path, strerror(errno));
    if (tcgetattr(fd, &t) != 0) bench_die(prog, "%s is not a tty: %s", path, strerror(errno));
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSANOW, &t) != 0) bench_die(prog, "tcsetattr %s: %s", path, strerror(errno));
    return fd;
}

int bench_entropy(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        ssize_t r = getrandom(out, len, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        out += r;
        len -= (size_t)r;
    }
    return 0;
}

static int wall(void *ctx, int64_t *s)
{
    (void)ctx;
    *s = (int64_t)time(NULL);
    return 0;
}

void bench_platform(slink_platform *p)
{
    memset(p, 0, sizeof *p);
    p->entropy = bench_entropy;
    p->wall_time = wall;
}

uint32_t bench_dtls_rto_ms(uint32_t baud)
{
    uint64_t bits = 2u * (uint64_t)SLINK_WIRE_FRAME_MAX * 10u;
    uint64_t ms;
    if (baud == 0) baud = 115200;
    ms = (bits * 1000u + baud - 1u) / baud + 300u;
    return ms < 1000u ? 1000u : (uint32_t)ms;
}

int bench_link_write(bench_link *l, const uint8_t *p, size_t n)
{
    l->bytes_out += n;
    if (l->fd < 0) {
        bench_mem_q *q = l->tx;
        if (q->head + q->len + n > sizeof q->buf) {
            memmove(q->buf, q->buf + q->head, q->len);
            q->head = 0;
        }
        if (q->len + n > sizeof q->buf) return -1;
        memcpy(q->buf + q->head + q->len, p, n);
        q->len += n;
        return 0;
    }
    while (n > 0) {
        ssize_t w = write(l->fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR) return -1;
        struct pollfd pf = { l->fd, POLLOUT, 0 };
        if (poll(&pf, 1, 1000) < 0 && errno != EINTR) return -1;
    }
    return 0;
}

long bench_link_read(bench_link *l, uint8_t *p, size_t cap, int timeout_ms)
{
    ssize_t r;
    if (l->fd < 0) {
        bench_mem_q *q = l->rx;
        size_t n = q->len < cap ? q->len : cap;
        memcpy(p, q->buf + q->head, n);
        q->head += n;
        q->len -= n;
        if (q->len == 0) q->head = 0;
        l->bytes_in += n;
        return (long)n;
    }
    if (timeout_ms > 0) {
        struct pollfd pf = { l->fd, POLLIN, 0 };
        int pr = poll(&pf, 1, timeout_ms);
        if (pr < 0) return errno == EINTR ? 0 : -1;
        if (pr == 0) return 0;
        if ((pf.revents & (POLLERR | POLLNVAL)) != 0) return -1;
    }
    r = read(l->fd, p, cap);
    if (r < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    l->bytes_in += (uint64_t)r;
    return (long)r;
}

void bench_json_begin(bench_json *j, FILE *f)
{
    j->f = f;
    j->n = 0;
    fputc('{', f);
}

void bench_json_num(bench_json *j, const char *key, double v)
{
    if (v == (double)(long long)v && v < 1e15 && v > -1e15)
        fprintf(j->f, "%s\"%s\": %lld", j->n++ ? ", " : "", key, (long long)v);
    else
        fprintf(j->f, "%s\"%s\": %.6g", j->n++ ? ", " : "", key, v);
}

void bench_json_end(bench_json *j)
{
    fputs("}\n", j->f);
    fflush(j->f);
}

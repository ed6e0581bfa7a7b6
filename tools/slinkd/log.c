/* Log sink.  The level filter, the format and the sink are process-wide
 * settings made once at start-up (and on reload); the repeat table is the
 * sink's own memory of what it wrote lately.  These and the signal flags
 * are the only mutable statics of the daemon. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static int g_level = SLINK_LOG_INFO;
static int g_syslog;
static int g_format = SLINKD_LOG_PLAIN;
static char g_port[128] = "-";

/* Lines seen lately, by text.  A full table forgets the entry used least
 * recently (after writing its pending summary). */
#define RL_SLOTS 32
typedef struct {
    int      used, level, peer;
    char     msg[512];
    uint64_t start_ms;     /* window began */
    uint64_t until_ms;     /* repeats before this are counted, not written */
    uint32_t win_ms;
    uint32_t count;        /* repeats counted in this window */
    uint64_t last_ms;      /* last seen */
} rl_entry;
static rl_entry g_rl[RL_SLOTS];

void log_setup(int level, int use_syslog)
{
    g_level = level;
    if (use_syslog && !g_syslog)
        openlog("slinkd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    g_syslog = use_syslog;
}

int log_stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    char tail;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2)
        return 0;
    if (fstat(STDERR_FILENO, &st) != 0)
        return 0;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_set_format(int fmt)
{
    if (fmt == SLINKD_LOG_AUTO)
        fmt = log_stderr_is_journal() ? SLINKD_LOG_JOURNAL : SLINKD_LOG_PLAIN;
    g_format = fmt;
}

int log_format(void)
{
    return g_format;
}

void log_set_port(const char *port)
{
    snprintf(g_port, sizeof g_port, "%s", port);
}

int log_level(void)
{
    return g_level;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void emit(int level, int peer, const char *msg)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
    char who[160];
    if (peer >= 0)
        snprintf(who, sizeof who, "port %s peer %d", g_port, peer);
    else
        snprintf(who, sizeof who, "port %s", g_port);
    if (g_syslog) {
        syslog(prio[level], "%s: %s: %s", names[level], who, msg);
    } else if (g_format == SLINKD_LOG_JOURNAL) {
        /* one write per line: journald reads the prefix per line */
        fprintf(stderr, "<%d>%s: %s: %s\n", prio[level], names[level], who, msg);
    } else {
        struct timespec ts;
        struct tm tm;
        char tbuf[32];
        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        strftime(tbuf, sizeof tbuf, "%H:%M:%S", &tm);
        fprintf(stderr, "%s.%03ld slinkd %s: %s: %s\n", tbuf, ts.tv_nsec / 1000000L, names[level], who, msg);
    }
}

static void rl_summary(rl_entry *e, uint64_t now)
{
    char line[640];
    uint64_t s = (now - e->start_ms + 999u) / 1000u;
    snprintf(line, sizeof line, "%s (repeated %u time%s in the last %llu s)", e->msg, e->count,
             e->count == 1 ? "" : "s", (unsigned long long)s);
    emit(e->level, e->peer, line);
    e->count = 0;
}

/* 1: write the line now; 0: counted as a repeat */
static int rl_admit(int level, int peer, const char *msg, uint64_t now)
{
    rl_entry *e = NULL, *lru = &g_rl[0];
    size_t i;
    for (i = 0; i < RL_SLOTS; i++) {
        rl_entry *r = &g_rl[i];
        if (r->used && r->level == level && r->peer == peer && strncmp(r->msg, msg, sizeof r->msg - 1) == 0) {
            e = r;
            break;
        }
        if (!r->used || (lru->used && r->last_ms < lru->last_ms))
            lru = r;
    }
    if (e && now < e->until_ms) {
        e->count++;
        e->last_ms = now;
        return 0;
    }
    if (e) {
        /* back within one window after the last: it keeps coming, so the
         * next window is longer */
        uint32_t w = now < e->until_ms + e->win_ms ? e->win_ms * 2u : LOG_REPEAT_BASE_MS;
        if (e->count)
            rl_summary(e, now);
        e->win_ms = w > LOG_REPEAT_MAX_MS ? LOG_REPEAT_MAX_MS : w;
    } else {
        e = lru;
        if (e->used && e->count)
            rl_summary(e, now);
        memset(e, 0, sizeof *e);
        e->used = 1;
        e->level = level;
        e->peer = peer;
        snprintf(e->msg, sizeof e->msg, "%.511s", msg);
        e->win_ms = LOG_REPEAT_BASE_MS;
    }
    e->start_ms = now;
    e->until_ms = now + e->win_ms;
    e->last_ms = now;
    e->count = 0;
    return 1;
}

void log_tick(uint64_t now)
{
    size_t i;
    for (i = 0; i < RL_SLOTS; i++) {
        rl_entry *e = &g_rl[i];
        if (!e->used || !e->count || now < e->until_ms)
            continue;
        rl_summary(e, now);
        /* still repeating: the next window is longer, and it starts now */
        e->win_ms = e->win_ms * 2u > LOG_REPEAT_MAX_MS ? LOG_REPEAT_MAX_MS : e->win_ms * 2u;
        e->start_ms = now;
        e->until_ms = now + e->win_ms;
    }
}

void logm(int level, int peer, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    if (level > g_level || level < 0 || level > 3)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (level <= SLINK_LOG_WARN && !rl_admit(level, peer, msg, mono_ms()))
        return;
    emit(level, peer, msg);
}

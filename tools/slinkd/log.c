/* Log sink.  The level filter and the sink are process-wide settings made
 * once at start-up (and on reload), the only mutable statics of the daemon
 * besides the signal flags. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static int g_level = SLINK_LOG_INFO;
static int g_syslog;
static char g_port[128] = "-";

void log_setup(int level, int use_syslog)
{
    g_level = level;
    if (use_syslog && !g_syslog)
        openlog("slinkd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
    g_syslog = use_syslog;
}

void log_set_port(const char *port)
{
    snprintf(g_port, sizeof g_port, "%s", port);
}

int log_level(void)
{
    return g_level;
}

void logm(int level, int peer, const char *fmt, ...)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
    char msg[768], who[160];
    va_list ap;
    if (level > g_level || level < 0 || level > 3)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (peer >= 0)
        snprintf(who, sizeof who, "port %s peer %d", g_port, peer);
    else
        snprintf(who, sizeof who, "port %s", g_port);
    if (g_syslog) {
        syslog(prio[level], "%s: %s: %s", names[level], who, msg);
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

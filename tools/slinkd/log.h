/* slinkd logging: stderr or syslog, with levels.  Every line names the port
 * and, where there is one, the peer.  Callers never pass key material.
 *
 * Warnings and errors are rate-limited by their text: a line that repeats
 * within its window is counted instead of written, and once the window is
 * over one summary line says how often it came ("... (repeated N times in
 * the last S s)").  A line that keeps repeating gets ever longer windows
 * (10 s doubling up to 10 min); one quiet for a whole window starts again
 * at 10 s.  Info lines name distinct events (session ids, paths) and are
 * not limited. */
#ifndef SLINKD_LOG_H
#define SLINKD_LOG_H

#include <stdint.h>
#include "slink/platform.h"   /* SLINK_LOG_* levels */

/* stderr formats: plain ("HH:MM:SS.mmm slinkd warn: ...") or journal
 * ("<4>warn: ...": the syslog priority sd-daemon(3) reads, and no
 * timestamp since journald adds its own).  AUTO picks journal when stderr
 * is the stream JOURNAL_STREAM names (systemd sets it), plain otherwise. */
enum { SLINKD_LOG_AUTO = 0, SLINKD_LOG_PLAIN = 1, SLINKD_LOG_JOURNAL = 2 };

#define LOG_REPEAT_BASE_MS 10000u
#define LOG_REPEAT_MAX_MS  600000u

void log_setup(int level, int use_syslog);
void log_set_format(int fmt);
int  log_format(void);          /* the one in force: PLAIN or JOURNAL */
/* 1 when stderr is the journal stream JOURNAL_STREAM ("dev:ino") names */
int  log_stderr_is_journal(void);
void log_set_port(const char *port);
int  log_level(void);
/* peer: bus address, or -1 for a line about the link or the daemon. */
void logm(int level, int peer, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Writes the summaries of repeats whose window is over; called from the
 * event loop (which wakes at least once a second). */
void log_tick(uint64_t now_ms);

#endif

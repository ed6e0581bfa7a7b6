/* slinkd logging: stderr or syslog, with levels.  Every line names the port
 * and, where there is one, the peer.  Callers never pass key material. */
#ifndef SLINKD_LOG_H
#define SLINKD_LOG_H

#include "slink/platform.h"   /* SLINK_LOG_* levels */

void log_setup(int level, int use_syslog);
void log_set_port(const char *port);
int  log_level(void);
/* peer: bus address, or -1 for a line about the link or the daemon. */
void logm(int level, int peer, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif

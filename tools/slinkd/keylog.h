/* Debug-only traffic-secret log (like SSLKEYLOGFILE) so a capture can be
 * decrypted by a dissector.  Off unless --keylog FILE is given on the
 * command line (never from the configuration file); the daemon warns loudly
 * at start-up when it is on. */
#ifndef SLINKD_KEYLOG_H
#define SLINKD_KEYLOG_H

#include <stdint.h>
#include <stdio.h>

/* Creates FILE with mode 0600; NULL with errno set (EEXIST also for a
 * symlink) if it exists or cannot be made. */
FILE *keylog_open(const char *path);
/* One line: SLINK_TRAFFIC <sender addr> <receiver addr> <epoch> <hex secret> */
void  keylog_write(FILE *f, unsigned sender, unsigned receiver, unsigned epoch,
                   const uint8_t secret[32]);

#endif

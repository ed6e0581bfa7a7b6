/* --pidfile: for init scripts and PIDFile= units.  Opened (and locked, so a
 * second daemon on the same file stops at once) while slinkd may still be
 * root, written once the final process id is known, removed at exit. */
#ifndef SLINKD_PIDFILE_H
#define SLINKD_PIDFILE_H

#include <stddef.h>

/* Creates or opens PATH (never through a symlink; a regular file only) and
 * takes an exclusive lock.  The fd, or -1 with the reason in err. */
int  pidfile_open(const char *path, char *err, size_t cap);

/* Replaces the contents with this process's id and a newline.  0 or -1. */
int  pidfile_write(int fd);

/* Removes PATH at exit.  A daemon that dropped root may no longer unlink in
 * a root-owned directory: the file is then emptied, so no stale id stays. */
void pidfile_remove(int fd, const char *path);

#endif

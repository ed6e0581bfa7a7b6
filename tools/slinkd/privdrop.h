/* Running unprivileged: slinkd parses hostile serial input, so it must not
 * do that as root.  Started as root, it opens the port, its sockets and its
 * credentials, then becomes the configured user for good. */
#ifndef SLINKD_PRIVDROP_H
#define SLINKD_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>
#include "config.h"

/* Before anything is opened: refuses root without `user` (unless
 * --allow-root), and a `user` that a non-root daemon cannot become.
 * 0, or -1 with the reason in err. */
int priv_check(const slinkd_config *c, char *err, size_t cap);

/* The uid and gid a daemon started as root with `user` becomes (files it
 * creates before the drop and must use after it are given to them).
 * 0, or -1 with the reason in err. */
int priv_target_ids(const slinkd_config *c, uid_t *uid, gid_t *gid, char *err, size_t cap);

/* After everything privileged is open: if root and `user` is set, becomes
 * that user (its groups from the group database, or `group` as the primary
 * one) and verifies root cannot be regained.  0 (also when there is
 * nothing to do), or -1 with the reason in err: the caller must exit. */
int priv_drop(const slinkd_config *c, char *err, size_t cap);

#endif

/* Instances: several slinkd on one host (one per serial port) never share
 * a path by default.  Each has a name (--instance NAME, else the config
 * file's basename without ".conf", else "slinkd") and its control socket
 * defaults to RUNDIR/NAME.ctl, where RUNDIR is the first that applies:
 *   $RUNTIME_DIRECTORY   systemd's RuntimeDirectory= (slinkd@.service)
 *   /run/slink           created 0755 by a daemon started as root; used by
 *                        a non-root daemon when it may write there
 *   $XDG_RUNTIME_DIR/slink   a non-root daemon started by hand (0700)
 * slinkctl -i NAME looks in the same places. */
#ifndef SLINKD_INSTANCE_H
#define SLINKD_INSTANCE_H

#include <stddef.h>
#include "config.h"

/* A valid instance name: 1..63 of [A-Za-z0-9_.@-], not starting with '.'
 * (it becomes a file name).  NULL, or what is wrong. */
const char *instance_name_check(const char *name);

/* The instance name c stands for, into out (cap >= 64). */
void instance_name(const slinkd_config *c, char *out, size_t cap);

/* When c->ctl is empty: sets it to the instance's default control socket,
 * creating /run/slink or $XDG_RUNTIME_DIR/slink when needed.  0, or -1
 * with the reason and what to do in err (the caller must not run without
 * a control socket it was not told to go without: `ctl = none` opts out). */
int instance_default_ctl(slinkd_config *c, char *err, size_t cap);

/* When c->pidfile is empty: sets it to RUNDIR/NAME.pid.  For a daemon that
 * detaches (an init script needs its pid); one in the foreground or under
 * systemd has no default pidfile.  0, or -1 with the reason in err. */
int instance_default_pidfile(slinkd_config *c, char *err, size_t cap);

#endif

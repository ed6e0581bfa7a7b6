#define _GNU_SOURCE
/* The privilege drop (privdrop.h).  Linux: setresuid/setresgid set the
 * real, effective and saved ids together, so no saved id keeps root. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

static int lookup(const slinkd_config *c, uid_t *uid, gid_t *gid, char *err, size_t cap)
{
    struct passwd *pw;
    errno = 0;
    pw = getpwnam(c->user);
    if (!pw) {
        snprintf(err, cap, "user '%s' does not exist%s%s", c->user, errno ? ": " : "",
                 errno ? strerror(errno) : "");
        return -1;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    if (c->group[0]) {
        struct group *g;
        errno = 0;
        g = getgrnam(c->group);
        if (!g) {
            snprintf(err, cap, "group '%s' does not exist", c->group);
            return -1;
        }
        *gid = g->gr_gid;
    }
    if (*uid == 0) {
        snprintf(err, cap, "user '%s' is root (uid 0): name an unprivileged user", c->user);
        return -1;
    }
    return 0;
}

int priv_target_ids(const slinkd_config *c, uid_t *uid, gid_t *gid, char *err, size_t cap)
{
    return lookup(c, uid, gid, err, cap);
}

int priv_check(const slinkd_config *c, char *err, size_t cap)
{
    uid_t uid;
    gid_t gid;
    if (c->group[0] && !c->user[0]) {
        snprintf(err, cap, "group '%s' is set without user", c->group);
        return -1;
    }
    if (geteuid() == 0) {
        if (!c->user[0] && !c->allow_root) {
            snprintf(err, cap, "refusing to run as root: set 'user = NAME' in [link] (or --user NAME) to "
                     "drop to that user once the port and sockets are open, or pass --allow-root");
            return -1;
        }
        return c->user[0] ? lookup(c, &uid, &gid, err, cap) : 0;
    }
    if (!c->user[0])
        return 0;
    /* Not root: already that user (e.g. systemd's User=), or we cannot
     * become it. */
    if (lookup(c, &uid, &gid, err, cap) != 0)
        return -1;
    if (uid != geteuid()) {
        snprintf(err, cap, "user '%s' (uid %u): slinkd runs as uid %u, not root, and cannot switch users",
                 c->user, (unsigned)uid, (unsigned)geteuid());
        return -1;
    }
    return 0;
}

int priv_drop(const slinkd_config *c, char *err, size_t cap)
{
    uid_t uid, ru, eu, su;
    gid_t gid, rg, eg, sg;
    if (geteuid() != 0 || !c->user[0])
        return 0;
    if (lookup(c, &uid, &gid, err, cap) != 0)
        return -1;
    /* groups first: afterwards we no longer may change them */
    if (initgroups(c->user, gid) != 0) {
        snprintf(err, cap, "initgroups(%s): %s", c->user, strerror(errno));
        return -1;
    }
    if (setresgid(gid, gid, gid) != 0) {
        snprintf(err, cap, "setresgid(%u): %s", (unsigned)gid, strerror(errno));
        return -1;
    }
    if (setresuid(uid, uid, uid) != 0) {
        snprintf(err, cap, "setresuid(%u): %s", (unsigned)uid, strerror(errno));
        return -1;
    }
    /* Verify rather than trust: every id is the user's, and root is gone
     * for good (setuid(0) and setgroups must fail now). */
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 || ru != uid || eu != uid ||
        su != uid || rg != gid || eg != gid || sg != gid) {
        snprintf(err, cap, "privilege drop to '%s' incomplete", c->user);
        return -1;
    }
    if (setuid(0) == 0 || seteuid(0) == 0 || setgroups(0, NULL) == 0) {
        snprintf(err, cap, "privilege drop to '%s' did not stick: root could be regained", c->user);
        return -1;
    }
    /* and nothing we might run could gain privileges through exec */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, cap, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
        return -1;
    }
    return 0;
}

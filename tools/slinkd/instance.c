/* Instance names and default paths (instance.h). */
#include "instance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *instance_name_check(const char *name)
{
    size_t i, n = strlen(name);
    if (n == 0 || n > 63)
        return "must be 1 to 63 characters";
    if (name[0] == '.')
        return "must not start with '.'";
    for (i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '.' || ch == '@' || ch == '-'))
            return "may hold only letters, digits and _ . @ -";
    }
    return NULL;
}

void instance_name(const slinkd_config *c, char *out, size_t cap)
{
    const char *base;
    size_t n;
    if (c->instance[0]) {
        snprintf(out, cap, "%s", c->instance);
        return;
    }
    if (!c->config_file[0]) {
        snprintf(out, cap, "slinkd");
        return;
    }
    base = strrchr(c->config_file, '/');
    base = base ? base + 1 : c->config_file;
    n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".conf"))
        n -= 5;
    snprintf(out, cap, "%.*s", (int)n, base);
    /* a basename that cannot name a file here falls back to the default */
    if (instance_name_check(out) != NULL)
        snprintf(out, cap, "slinkd");
}

/* A directory we may use: a real directory (not a symlink planted for
 * root to follow), writable and searchable by us. */
static int usable_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(path, W_OK | X_OK) == 0;
}

/* mkdir that accepts an existing directory; -1 with errno otherwise. */
static int ensure_dir(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0) {
        /* the mode as meant, whatever the umask (0077 would hide the
         * sockets from the users they are for) */
        if (chmod(path, mode) != 0)
            return -1;
    } else if (errno != EEXIST) {
        return -1;
    }
    return usable_dir(path) ? 0 : (errno = ENOTDIR, -1);
}

/* The run directory for this process (instance.h), into dir; 0, or -1
 * with the reason and what to do in err. */
static int rundir(char *dir, size_t cap, char *err, size_t ecap)
{
    const char *rd = getenv("RUNTIME_DIRECTORY"), *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (rd && rd[0] == '/') {
        /* systemd may list several directories, ':'-separated */
        size_t len = strcspn(rd, ":");
        n = snprintf(dir, cap, "%.*s", (int)len, rd);
    } else if (geteuid() == 0) {
        if (ensure_dir("/run/slink", 0755) != 0) {
            snprintf(err, ecap, "cannot create /run/slink: %s", strerror(errno));
            return -1;
        }
        n = snprintf(dir, cap, "/run/slink");
    } else if (usable_dir("/run/slink")) {
        n = snprintf(dir, cap, "/run/slink");
    } else if (xdg && xdg[0] == '/') {
        n = snprintf(dir, cap, "%s/slink", xdg);
        if (n < 0 || (size_t)n >= cap || ensure_dir(dir, 0700) != 0) {
            snprintf(err, ecap, "cannot create %s/slink: %s", xdg, strerror(errno));
            return -1;
        }
    } else {
        snprintf(err, ecap, "no run directory: running as uid %u, /run/slink is missing or not writable by it, "
                 "and XDG_RUNTIME_DIR is unset", (unsigned)geteuid());
        return -1;
    }
    if (n < 0 || (size_t)n >= cap) {
        snprintf(err, ecap, "run directory path too long");
        return -1;
    }
    return 0;
}

/* dir/NAME.ext into out; -1 if it does not fit */
static int instance_path(const slinkd_config *c, const char *dir, const char *ext, char *out, size_t cap)
{
    char name[64];
    int n;
    instance_name(c, name, sizeof name);
    n = snprintf(out, cap, "%s/%s.%s", dir, name, ext);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = 0;
        return -1;
    }
    return 0;
}

int instance_default_ctl(slinkd_config *c, char *err, size_t cap)
{
    char dir[SLINKD_PATH], why[SLINKD_PATH + 64];
    if (c->ctl[0])
        return 0;
    if (rundir(dir, sizeof dir, why, sizeof why) != 0) {
        snprintf(err, cap, "no place for the control socket: %s.  Set ctl = PATH ([link]) or --ctl PATH, run "
                 "under systemd (slinkd@.service: RuntimeDirectory=slink), start as root with 'user = NAME', "
                 "or set ctl = none to run without one", why);
        return -1;
    }
    if (instance_path(c, dir, "ctl", c->ctl, sizeof c->ctl) != 0) {
        snprintf(err, cap, "control socket path in %s too long; set ctl = PATH", dir);
        return -1;
    }
    return 0;
}

int instance_default_pidfile(slinkd_config *c, char *err, size_t cap)
{
    char dir[SLINKD_PATH], why[SLINKD_PATH + 64];
    if (c->pidfile[0])
        return 0;
    if (rundir(dir, sizeof dir, why, sizeof why) != 0) {
        snprintf(err, cap, "no place for the pidfile of a detached daemon: %s.  Give --pidfile PATH, or "
                 "run in the foreground (--foreground, or under systemd)", why);
        return -1;
    }
    if (instance_path(c, dir, "pid", c->pidfile, sizeof c->pidfile) != 0) {
        snprintf(err, cap, "pidfile path in %s too long; give --pidfile PATH", dir);
        return -1;
    }
    return 0;
}

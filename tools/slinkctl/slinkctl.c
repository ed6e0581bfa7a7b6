/* slinkctl: asks a running slinkd for its status, its metrics or a reload
 * over the control socket.  The daemon answers an error as one line
 * starting with "error:"; that is passed on to stderr with exit status 1.
 * `slinkctl err CODE|NAME` names an error code without a daemon (devices
 * print numeric codes: the name tables cost a small image about 1 KB). */
#include "slink/err.h"
#include "slink/version.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: slinkctl [-i NAME | --ctl PATH] status [--json]\n"
          "       slinkctl [-i NAME | --ctl PATH] metrics     (Prometheus text exposition)\n"
          "       slinkctl [-i NAME | --ctl PATH] reload\n"
          "       slinkctl err CODE|NAME  (an error code: \"CODE NAME description\")\n"
          "       slinkctl -h|--help | --version\n"
          "  -i, --instance NAME  the daemon started with --instance NAME or --config .../NAME.conf\n"
          "                       (slinkd@NAME): its socket NAME.ctl in /run/slink or\n"
          "                       $XDG_RUNTIME_DIR/slink (a NAME with a '/' is a socket path)\n"
          "  --ctl PATH           a control socket by path (default $SLINKD_CTL)\n"
          "  with neither: instance slinkd if its socket exists, else the only daemon running\n"
          "  exit status: 0 ok; 1 daemon unreachable, or it refused the request (reason on\n"
          "  stderr, e.g. a refused reload); 2 usage error\n", f);
}

/* The places slinkd puts an instance's control socket (its instance.h). */
static int dirs(const char *out[2])
{
    static char xdg[4096];
    const char *x = getenv("XDG_RUNTIME_DIR");
    int n = 0;
    out[n++] = "/run/slink";
    if (x && x[0] == '/' && snprintf(xdg, sizeof xdg, "%s/slink", x) < (int)sizeof xdg)
        out[n++] = xdg;
    return n;
}

static int is_socket(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* A daemon listens there (a daemon that dropped root cannot remove its
 * socket from a root-owned /run/slink at exit: stale ones stay behind). */
static int alive(const char *path)
{
    struct sockaddr_un sa;
    int fd, ok;
    if (!is_socket(path) || strlen(path) >= sizeof sa.sun_path)
        return 0;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

/* NAME's socket, into out; 0, or -1 with the places searched said. */
static int find_instance(const char *name, char *out, size_t cap)
{
    const char *d[2];
    int i, n = dirs(d);
    for (i = 0; i < n; i++) {
        snprintf(out, cap, "%s/%s.ctl", d[i], name);
        if (is_socket(out))
            return 0;
    }
    fprintf(stderr, "slinkctl: no slinkd instance '%s': no %s.ctl in /run/slink%s\n", name, name,
            n > 1 ? " or $XDG_RUNTIME_DIR/slink" : "");
    return -1;
}

/* No name given: "slinkd" (the default instance) if it is there, else the
 * one instance there is; several are listed so that the user picks one. */
static int find_default(char *out, size_t cap)
{
    const char *d[2];
    char found[4096] = "", names[1024] = "";
    int i, n = dirs(d), count = 0;
    for (i = 0; i < n; i++) {
        snprintf(out, cap, "%s/slinkd.ctl", d[i]);
        if (is_socket(out))
            return 0;
    }
    for (i = 0; i < n; i++) {
        DIR *dir = opendir(d[i]);
        struct dirent *e;
        if (!dir)
            continue;
        while ((e = readdir(dir)) != NULL) {
            size_t l = strlen(e->d_name);
            char path[4096];
            if (l <= 4 || strcmp(e->d_name + l - 4, ".ctl"))
                continue;
            snprintf(path, sizeof path, "%s/%s", d[i], e->d_name);
            if (!alive(path))
                continue;
            count++;
            snprintf(found, sizeof found, "%s", path);
            if (strlen(names) + l + 2 < sizeof names) {
                strcat(names, " ");
                strncat(names, e->d_name, l - 4);
            }
        }
        closedir(dir);
    }
    if (count == 1) {
        snprintf(out, cap, "%s", found);
        return 0;
    }
    if (count == 0)
        fprintf(stderr, "slinkctl: no slinkd control socket in /run/slink%s: is slinkd running? "
                "(-i NAME or --ctl PATH names one)\n", n > 1 ? " or $XDG_RUNTIME_DIR/slink" : "");
    else
        fprintf(stderr, "slinkctl: %d slinkd instances are running:%s; name one with -i NAME\n", count, names);
    return -1;
}

/* "CODE NAME description" for a numeric code or a name (with or without
 * its ERR_ prefix, any case); 0, or 2 for one that names no code. */
static int err_lookup(const char *arg)
{
    int v;
    for (v = 0; v < 256; v++) {
        const char *name = slink_err_str((slink_err)v);
        char num[8];
        if (!strcmp(name, "UNKNOWN"))
            continue;
        snprintf(num, sizeof num, "%d", v);
        if (!strcmp(arg, num) || !strcasecmp(arg, name) ||
            (!strncmp(name, "ERR_", 4) && !strcasecmp(arg, name + 4))) {
            printf("%d %s %s\n", v, name, slink_err_desc((slink_err)v));
            return 0;
        }
    }
    fprintf(stderr, "slinkctl: '%s' is not a slink error code or name (include/slink/err.h)\n", arg);
    return 2;
}

int main(int argc, char **argv)
{
    const char *ctl = getenv("SLINKD_CTL"), *inst = NULL;
    const char *cmd = NULL;
    char path[4096];
    int json = 0, i, fd;
    struct sockaddr_un sa;
    char req[32], buf[4096];
    char *resp = NULL;
    ssize_t n;
    size_t total = 0;

    if (ctl && !*ctl)
        ctl = NULL;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ctl") && i + 1 < argc)
            ctl = argv[++i], inst = NULL;
        else if (!strncmp(argv[i], "--ctl=", 6))
            ctl = argv[i] + 6, inst = NULL;
        else if ((!strcmp(argv[i], "--instance") || !strcmp(argv[i], "-i")) && i + 1 < argc)
            inst = argv[++i], ctl = NULL;
        else if (!strncmp(argv[i], "--instance=", 11))
            inst = argv[i] + 11, ctl = NULL;
        else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
            json = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("slinkctl %s\n", SLINK_VERSION_STRING);
            return 0;
        } else if (!cmd && !strcmp(argv[i], "err")) {
            if (i + 2 != argc) {
                usage(stderr);
                return 2;
            }
            return err_lookup(argv[i + 1]);
        } else if (!cmd && (!strcmp(argv[i], "status") || !strcmp(argv[i], "reload") ||
                            !strcmp(argv[i], "metrics")))
            cmd = argv[i];
        else {
            fprintf(stderr, "slinkctl: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!cmd)
        cmd = "status";
    /* -i PATH: a name with a '/' is the socket itself */
    if (inst && strchr(inst, '/')) {
        ctl = inst;
        inst = NULL;
    }
    if (inst && (!*inst || inst[0] == '.' || strlen(inst) > 63)) {
        fprintf(stderr, "slinkctl: '%s' is not an instance name (see slinkd --instance)\n", inst);
        return 2;
    }
    if (inst) {
        if (find_instance(inst, path, sizeof path) != 0)
            return 1;
        ctl = path;
    } else if (!ctl) {
        if (find_default(path, sizeof path) != 0)
            return 1;
        ctl = path;
    }
    if (strlen(ctl) >= sizeof sa.sun_path) {
        fprintf(stderr, "slinkctl: control socket path too long\n");
        return 2;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("slinkctl: socket");
        return 1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, ctl, strlen(ctl) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "slinkctl: cannot reach slinkd at %s: %s\n", ctl, strerror(errno));
        close(fd);
        return 1;
    }
    snprintf(req, sizeof req, "%s%s\n", cmd, (!strcmp(cmd, "status") && json) ? " json" : "");
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
        fprintf(stderr, "slinkctl: write: %s\n", strerror(errno));
        close(fd);
        return 1;
    }
    /* the whole answer first: whether it is an error decides where it goes */
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        char *nr = realloc(resp, total + (size_t)n);
        if (!nr) {
            fprintf(stderr, "slinkctl: out of memory\n");
            free(resp);
            close(fd);
            return 1;
        }
        resp = nr;
        memcpy(resp + total, buf, (size_t)n);
        total += (size_t)n;
    }
    close(fd);
    if (n < 0 || total == 0) {
        fprintf(stderr, "slinkctl: no answer from slinkd\n");
        free(resp);
        return 1;
    }
    if (total >= 6 && !memcmp(resp, "error:", 6)) {
        fputs("slinkctl: ", stderr);
        fwrite(resp, 1, total, stderr);
        free(resp);
        return 1;
    }
    fwrite(resp, 1, total, stdout);
    free(resp);
    return 0;
}

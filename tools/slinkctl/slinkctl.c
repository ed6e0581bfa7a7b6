/* slinkctl: asks a running slinkd for its status, its metrics or a reload
 * over the control socket.  The daemon answers an error as one line
 * starting with "error:"; that is passed on to stderr with exit status 1. */
#include "slink/version.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: slinkctl [--ctl PATH] status [--json]\n"
          "       slinkctl [--ctl PATH] metrics     (Prometheus text exposition)\n"
          "       slinkctl [--ctl PATH] reload\n"
          "       slinkctl -h|--help | --version\n"
          "  --ctl PATH  control socket (default $SLINKD_CTL, else /run/slink/slinkd.ctl\n"
          "              if it exists, else /run/slinkd.ctl)\n"
          "  exit status: 0 ok; 1 daemon unreachable, or it refused the request (reason on\n"
          "  stderr, e.g. a refused reload); 2 usage error\n", f);
}

int main(int argc, char **argv)
{
    const char *ctl = getenv("SLINKD_CTL");
    const char *cmd = NULL;
    int json = 0, i, fd;
    struct sockaddr_un sa;
    char req[32], buf[4096];
    char *resp = NULL;
    ssize_t n;
    size_t total = 0;

    /* the systemd unit's place (its RuntimeDirectory, writable by the
     * unprivileged daemon), then the one a daemon run by hand as root uses */
    if (!ctl || !*ctl)
        ctl = access("/run/slink/slinkd.ctl", F_OK) == 0 ? "/run/slink/slinkd.ctl" : "/run/slinkd.ctl";
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ctl") && i + 1 < argc)
            ctl = argv[++i];
        else if (!strncmp(argv[i], "--ctl=", 6))
            ctl = argv[i] + 6;
        else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
            json = 1;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--version")) {
            printf("slinkctl %s\n", SLINK_VERSION_STRING);
            return 0;
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

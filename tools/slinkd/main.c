/* slinkd: runs the slink core on a serial port and pipes application data
 * through local sockets.  Start-up, credentials, reload, sd_notify. */
#include "daemon.h"
#include "instance.h"
#include "keylog.h"
#include "../keydiag/key_diag.h"
#include "key_p11.h"
#include "log.h"
#include "pidfile.h"
#include "privdrop.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

static int plat_entropy(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        ssize_t r = getrandom(out, len, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        out += r;
        len -= (size_t)r;
    }
    return 0;
}

static int plat_wall(void *ctx, int64_t *s)
{
    struct timespec ts;
    (void)ctx;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return -1;
    *s = (int64_t)ts.tv_sec;
    return 0;
}

static int read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t cap)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (!f) {
        snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 65536 || fseek(f, 0, SEEK_SET) != 0) {
        snprintf(err, cap, "%s: not a readable file of at most 64 KiB", path);
        fclose(f);
        return -1;
    }
    *buf = malloc((size_t)n + 1);
    if (!*buf || fread(*buf, 1, (size_t)n, f) != (size_t)n) {
        snprintf(err, cap, "cannot read %s", path);
        free(*buf);
        *buf = NULL;
        fclose(f);
        return -1;
    }
    fclose(f);
    (*buf)[n] = 0;
    /* mbedTLS wants the terminating NUL counted for PEM, not for DER */
    *len = (size_t)n + (strstr((char *)*buf, "-----BEGIN") ? 1 : 0);
    return 0;
}

/* Group-readable is fine when the group is slinkd's own (the one it runs as
 * after a drop): that is how a daemon that dropped root re-reads its key on
 * SIGHUP.  Nobody else may read it. */
static int key_group_ok(const slinkd *d, const struct stat *st)
{
    gid_t gid = getegid();
    if ((st->st_mode & 037) != 0)
        return 0;
    if (geteuid() == 0 && d->cfg.user[0]) {
        const struct group *g = d->cfg.group[0] ? getgrnam(d->cfg.group) : NULL;
        const struct passwd *pw = d->cfg.group[0] ? NULL : getpwnam(d->cfg.user);
        if (g)
            gid = g->gr_gid;
        else if (pw)
            gid = pw->pw_gid;
        else
            return 0;
    }
    return st->st_gid == gid && gid != 0;
}

int slinkd_load_creds(slinkd *d, slink_creds *out, char *why_out, size_t why_cap)
{
    uint8_t *ca = NULL, *cert = NULL, *key = NULL;
    size_t ca_len = 0, cert_len = 0, key_len = 0;
    char err[300], kd[300], diag[700];
    const char *why = NULL;
    struct stat st;
    int rc = -1;
    slink_err e;

    /* key = pkcs11:... names a key in a token: no file, no scalar here */
    int token = slinkd_key_is_token(d->cfg.key);
    if (read_file(d->cfg.ca, &ca, &ca_len, err, sizeof err) || read_file(d->cfg.cert, &cert, &cert_len, err, sizeof err) ||
        (!token && read_file(d->cfg.key, &key, &key_len, err, sizeof err))) {
        logm(SLINK_LOG_ERROR, -1, "%s", err);
        snprintf(why_out, why_cap, "%s", err);
        goto out;
    }
    if (!token && stat(d->cfg.key, &st) == 0 && (st.st_mode & 077) && !key_group_ok(d, &st))
        logm(SLINK_LOG_WARN, -1, "private key %s has mode %04o: it should be readable only by slinkd (0600 or "
             "0400, or 0640 with slinkd's own group)", d->cfg.key, (unsigned)(st.st_mode & 0777));
    memset(out, 0, sizeof *out);
    e = token ? slinkd_token_creds(d->cfg.key, out, ca, ca_len, cert, cert_len, &why)
              : slink_creds_load(out, ca, ca_len, cert, cert_len, key, key_len, &why);
    if (e != SLINK_OK) {
        /* the core names the check that failed; say what to do instead when
         * the files show it (swapped, encrypted, RSA, not a pair) */
        int known = token ? kd_explain_cert(cert, cert_len, d->cfg.cert, diag, sizeof diag)
                          : kd_explain_creds(cert, cert_len, d->cfg.cert, key, key_len, d->cfg.key, diag, sizeof diag);
        snprintf(why_out, why_cap, "credentials (ca %s, cert %s, key %s) refused: %s", d->cfg.ca, d->cfg.cert,
                 slinkd_key_display(d->cfg.key, kd, sizeof kd), known ? diag : why ? why : slink_err_desc(e));
        logm(SLINK_LOG_ERROR, -1, "%s", why_out);
        goto out;
    }
    slinkd_warn_cert_expiry(out, d->cfg.cert);
    rc = 0;
out:
    if (key) {
        /* a plain memset before free() is a dead store the compiler may drop */
        mbedtls_platform_zeroize(key, key_len);
        free(key);
    }
    free(ca);
    free(cert);
    return rc;
}

static void peer_conn_cfg(slinkd *d, slinkd_peer *p, slink_conn_cfg *k)
{
    memset(k, 0, sizeof *k);
    k->local_addr = (uint8_t)d->cfg.addr;
    k->peer_addr = (uint8_t)p->cfg.addr;
    k->role = p->cfg.role;
    k->baud = d->cfg.baud;
    k->idle_timeout_ms = d->cfg.idle_timeout_ms;
    k->tx_pacing = (uint8_t)(d->cfg.tx_pacing != 0);
    /* a host scheduler can stall far longer than a character time */
    k->gap_ms = 200;
    /* on a half-duplex bus a device speaks only when the master polls it */
    k->half_duplex_device = (uint8_t)(d->cfg.half_duplex && d->cfg.bus_device);
    k->creds = &d->creds[d->creds_cur];
    k->policy.name = p->cfg.name;
    k->policy.time_mode = d->cfg.time_mode;
    k->policy.time_floor = d->cfg.time_floor;
    /* revocation and pinning (revoke.c keeps these current on reload) */
    k->policy.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])d->deny.fp;
    k->policy.deny_count = d->deny.n;
    k->policy.pin = p->cfg.has_pin ? p->cfg.pin : NULL;
    k->policy.cache = &d->cert_cache;
}

int slinkd_reload(slinkd *d, char *why, size_t cap)
{
    slinkd_config *nc = calloc(1, sizeof *nc);
    char err[SLINKD_ERR];
    int slot = 1 - d->creds_cur;
    size_t i, j;
    slinkd_denylist deny;
    if (!nc) {
        snprintf(why, cap, "reload refused: out of memory");
        return -1;
    }
    logm(SLINK_LOG_INFO, -1, "reloading configuration and credentials");
    slinkd_config_defaults(nc);
    if (slinkd_config_from_args(nc, d->argc, d->argv, err, sizeof err) != SLINKD_CFG_OK ||
        slinkd_config_validate(nc, err, sizeof err) != SLINKD_CFG_OK) {
        snprintf(why, cap, "reload refused, keeping the running configuration: %s", err);
        logm(SLINK_LOG_ERROR, -1, "%s", why);
        free(nc);
        return -1;
    }
    for (i = 0; i < d->npeers; i++) {
        slink_conn *c = &d->peers[i].conn;
        if (slink_conn_hs_uses_creds(c, &d->creds[slot])) {
            snprintf(why, cap, "reload postponed: a handshake still uses the previous credentials; "
                               "reload again");
            logm(SLINK_LOG_WARN, -1, "%s", why);
            free(nc);
            return -1;
        }
    }
    /* a deny-list that does not load refuses the whole reload: the
     * running one stays (fail closed, never an empty list by accident) */
    memset(&deny, 0, sizeof deny);
    if (slinkd_denylist_load(nc, &deny.fp, &deny.n, err, sizeof err) != SLINKD_CFG_OK) {
        snprintf(why, cap, "reload refused: the deny-list does not load; keeping the running one: %s", err);
        logm(SLINK_LOG_ERROR, -1, "%s", why);
        free(nc);
        return -1;
    }
    if (strcmp(nc->device, d->cfg.device) || nc->addr != d->cfg.addr || nc->npeers != d->npeers ||
        nc->baud != d->cfg.baud || nc->half_duplex != d->cfg.half_duplex)
        logm(SLINK_LOG_WARN, -1, "device, baud, address, mode and the set of peers change only on restart");
    {
        slinkd_config old = d->cfg;
        d->cfg = *nc;
        /* what cannot change under a running loop stays as it is */
        memcpy(d->cfg.device, old.device, sizeof old.device);
        d->cfg.addr = old.addr;
        d->cfg.baud = old.baud;
        d->cfg.half_duplex = old.half_duplex;
        memcpy(d->cfg.peers, old.peers, sizeof old.peers);
        d->cfg.npeers = old.npeers;
        memcpy(d->cfg.ctl, old.ctl, sizeof old.ctl);
        memcpy(d->cfg.keylog, old.keylog, sizeof old.keylog);
        /* the drop happened once, at start */
        memcpy(d->cfg.user, old.user, sizeof old.user);
        memcpy(d->cfg.group, old.group, sizeof old.group);
        d->cfg.allow_root = old.allow_root;
        d->cfg.foreground = old.foreground;
        d->cfg.use_syslog = old.use_syslog;
        if (slinkd_load_creds(d, &d->creds[slot], err, sizeof err) != 0) {
            snprintf(why, cap, "reload refused, keeping the running credentials: %s", err);
            logm(SLINK_LOG_ERROR, -1, "reload refused: credentials do not load; keeping the old ones");
            d->cfg = old;
            free(deny.fp);
            free(nc);
            return -1;
        }
    }
    {
        d->creds_cur = slot;
        for (i = 0; i < d->npeers; i++) {
            slinkd_peer *p = &d->peers[i];
            /* established sessions keep their keys; new handshakes use the
             * new credentials and the new expected name */
            p->conn.cfg.creds = &d->creds[slot];
            for (j = 0; j < nc->npeers; j++) {
                if (nc->peers[j].addr != p->cfg.addr)
                    continue;
                memcpy(p->cfg.name, nc->peers[j].name, sizeof p->cfg.name);
                p->cfg.role = nc->peers[j].role;
                p->cfg.has_pin = nc->peers[j].has_pin;
                memcpy(p->cfg.pin, nc->peers[j].pin, sizeof p->cfg.pin);
                p->conn.cfg.policy.time_mode = d->cfg.time_mode;
                p->conn.cfg.policy.time_floor = d->cfg.time_floor;
            }
        }
    }
    logm(SLINK_LOG_INFO, -1, "deny-list: %zu revoked certificate(s)", deny.n);
    /* A new CA misses the cache anyway (its entries name the anchor), but
     * an operator who reloads expects every certificate to be checked in
     * full again, as after a restart. */
    slink_cert_cache_clear(&d->cert_cache);
    slinkd_revocation_apply(d, &deny, slinkd_now_ms());
    log_setup(d->cfg.verbosity, d->cfg.use_syslog);
    log_set_format(d->cfg.log_format);
    snprintf(why, cap, "reload done; sessions kept (unless their certificate is now refused)");
    logm(SLINK_LOG_INFO, -1, "%s", why);
    free(nc);
    return 0;
}

/* Type=notify without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void sd_notify_msg(const char *msg)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    socklen_t sl;
    int fd;
    size_t n;
    if (!path || !*path || (path[0] != '/' && path[0] != '@'))
        return;
    n = strlen(path);
    if (n >= sizeof sa.sun_path)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, n);
    if (path[0] == '@')
        sa.sun_path[0] = 0;   /* abstract namespace */
    sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    (void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, sl);
    close(fd);
}

static int setup(slinkd *d)
{
    char err[SLINKD_ERR];
    uint64_t now = slinkd_now_ms();
    size_t i;
    sigset_t ss;

    d->started_ms = now;
    d->ctl_fd = -1;
    d->sig_fd = -1;
    d->port.fd = -1;
    d->pp.path = d->cfg.device;
    d->pp.baud = d->cfg.baud;
    d->pp.data_bits = d->cfg.data_bits;
    d->pp.parity = d->cfg.parity;
    d->pp.stop_bits = d->cfg.stop_bits;
    d->pp.flow = d->cfg.flow;
    d->pp.rs485 = d->cfg.rs485;
    d->pp.rts_on_send = d->cfg.rs485_rts_on_send;
    d->pp.rts_delay_before_ms = d->cfg.rs485_delay_before_ms;
    d->pp.rts_delay_after_ms = d->cfg.rs485_delay_after_ms;
    d->port_backoff_ms = 100;
    log_set_port(d->cfg.device);

    if (slinkd_load_creds(d, &d->creds[0], err, sizeof err) != 0)
        return 1;
    if (slinkd_revocation_load(&d->cfg, &d->deny) != 0)
        return 1;
    if (d->deny.n > 0)
        logm(SLINK_LOG_INFO, -1, "deny-list: %zu revoked certificate(s)", d->deny.n);
    if (d->cfg.keylog[0]) {
        d->keylog = keylog_open(d->cfg.keylog);
        if (!d->keylog) {
            if (errno == EEXIST)
                logm(SLINK_LOG_ERROR, -1, "key log %s already exists (or is a symlink): refusing to write "
                     "traffic secrets into a file this run did not create; remove it or name a new one",
                     d->cfg.keylog);
            else
                logm(SLINK_LOG_ERROR, -1, "cannot create key log %s: %s", d->cfg.keylog, strerror(errno));
            return 1;
        }
        logm(SLINK_LOG_WARN, -1, "**************************************************************");
        logm(SLINK_LOG_WARN, -1, "KEY LOG ENABLED (%s): every session's traffic secrets are written "
             "to disk; anyone who reads this file and a capture of the line reads all traffic. "
             "Debugging only: never in production.", d->cfg.keylog);
        logm(SLINK_LOG_WARN, -1, "**************************************************************");
    }
    d->npeers = d->cfg.npeers;
    d->peers = calloc(d->npeers, sizeof *d->peers);
    if (!d->peers)
        return 1;
    d->use_node = d->npeers > 1 || (d->cfg.half_duplex && !d->cfg.bus_device);
    if (d->use_node &&
        slink_node_init(&d->node, (uint8_t)d->cfg.addr, d->cfg.baud, (uint8_t)d->cfg.half_duplex, 200) != SLINK_OK) {
        logm(SLINK_LOG_ERROR, -1, "cannot set up the bus node");
        return 1;
    }
    for (i = 0; i < d->npeers; i++) {
        slinkd_peer *p = &d->peers[i];
        slink_conn_cfg k;
        slink_err e;
        p->d = d;
        p->cfg = d->cfg.peers[i];
        p->lst_stream = p->lst_dgram = -1;
        p->stream.fd = p->stream_old.fd = p->dgram.fd = -1;
        p->plat.entropy = plat_entropy;
        p->plat.wall_time = plat_wall;
        p->plat.log = peer_core_log;
        p->plat.log_ctx = p;
        peer_conn_cfg(d, p, &k);
        e = slink_conn_init(&p->conn, &k, &p->plat, now);
        if (e != SLINK_OK) {
            logm(SLINK_LOG_ERROR, (int)p->cfg.addr, "cannot set up the connection: %s", slink_err_desc(e));
            return 1;
        }
        if (d->use_node && (e = slink_node_add(&d->node, &p->conn)) != SLINK_OK) {
            logm(SLINK_LOG_ERROR, (int)p->cfg.addr, "cannot add the peer to the bus: %s", slink_err_desc(e));
            return 1;
        }
        if (app_listen_all(p, err, sizeof err) != 0) {
            logm(SLINK_LOG_ERROR, (int)p->cfg.addr, "%s", err);
            return 1;
        }
        if (!strcmp(p->cfg.name, "*"))
            logm(SLINK_LOG_WARN, (int)p->cfg.addr, "accepting any peer certificate signed by the CA (peer-name '*')");
    }
    if (ctl_listen(d, err, sizeof err) != 0) {
        logm(SLINK_LOG_ERROR, -1, "%s", err);
        return 1;
    }
    sigemptyset(&ss);
    sigaddset(&ss, SIGHUP);
    sigaddset(&ss, SIGTERM);
    sigaddset(&ss, SIGINT);
    sigprocmask(SIG_BLOCK, &ss, NULL);
    d->sig_fd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
    if (d->sig_fd < 0) {
        logm(SLINK_LOG_ERROR, -1, "signalfd: %s", strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    if (port_open(&d->port, &d->pp, err, sizeof err) != 0) {
        if (!d->cfg.wait) {
            logm(SLINK_LOG_ERROR, -1, "%s (use --wait to keep retrying)", err);
            return 1;
        }
        logm(SLINK_LOG_WARN, -1, "%s; waiting for the port (--wait)", err);
        snprintf(d->port_error, sizeof d->port_error, "%s", err);
        d->port_retry_at = now + d->port_backoff_ms;
    } else {
        d->port_opens = 1;
        logm(SLINK_LOG_INFO, -1, "port open (%s)%s, addr %u, %zu peer(s), %s", port_backend(&d->port),
             d->port.rs485_active ? " with RS485 direction control" : "", d->cfg.addr, d->npeers,
             !d->cfg.half_duplex ? "full-duplex" : d->cfg.bus_device ? "half-duplex bus device"
                                                                       : "half-duplex bus master");
    }
    if (d->cfg.pidfile[0]) {
        /* opened now, while a daemon started as root may still create it
         * in /run; written once daemon() has given the final id */
        d->pid_fd = pidfile_open(d->cfg.pidfile, err, sizeof err);
        if (d->pid_fd < 0) {
            logm(SLINK_LOG_ERROR, -1, "%s", err);
            return 1;
        }
    }
    /* Everything that may need root is open: the port, the sockets, the
     * credentials, the key log, the pidfile.  From here on the hostile line
     * is parsed without it. */
    if (geteuid() == 0 && d->cfg.user[0]) {
        if (priv_drop(&d->cfg, err, sizeof err) != 0) {
            logm(SLINK_LOG_ERROR, -1, "%s", err);
            return 1;
        }
        logm(SLINK_LOG_INFO, -1, "running as user %s (uid %u, gid %u); root cannot be regained", d->cfg.user,
             (unsigned)getuid(), (unsigned)getgid());
    } else if (geteuid() == 0) {
        logm(SLINK_LOG_WARN, -1, "running as root (--allow-root): the serial line's input is parsed with full "
             "privileges; set 'user' to drop them");
    }
    return 0;
}

static void teardown(slinkd *d)
{
    size_t i;
    for (i = 0; i < d->npeers; i++) {
        app_close_listeners(&d->peers[i]);
        slink_conn_wipe(&d->peers[i].conn);
    }
    ctl_close_all(d);
    pidfile_remove(d->pid_fd, d->cfg.pidfile);
    d->pid_fd = -1;
    port_close(&d->port);
    slink_creds_free(&d->creds[0]);
    slink_creds_free(&d->creds[1]);
    free(d->deny.fp);
    d->deny.fp = NULL;
    if (d->keylog)
        fclose(d->keylog);
    free(d->peers);
}

/* --check-config (-t), like sshd -t: the configuration as the daemon would
 * use it (file, options, cross-checks, privileges) and the credentials it
 * would load (CA, certificate, key, deny-list).  Opens no port and no
 * socket.  0 "configuration OK", 1 with the reason. */
static int check_config(slinkd *d)
{
    char err[SLINKD_ERR + 64];
    slink_creds creds;
    slinkd_denylist deny;
    memset(&deny, 0, sizeof deny);
    if (priv_check(&d->cfg, err, sizeof err) != 0)
        goto bad;
    log_setup(d->cfg.verbosity, 0);
    log_set_format(d->cfg.log_format);
    log_set_port(d->cfg.device);
    if (slinkd_load_creds(d, &creds, err, sizeof err) != 0)
        goto bad;
    slink_creds_free(&creds);
    if (slinkd_denylist_load(&d->cfg, &deny.fp, &deny.n, err, sizeof err) != SLINKD_CFG_OK)
        goto bad;
    free(deny.fp);
    printf("slinkd: %s: configuration OK (%zu peer(s), %zu revoked certificate(s))\n",
           d->cfg.config_file[0] ? d->cfg.config_file : "command line", d->cfg.npeers, deny.n);
    return 0;
bad:
    fprintf(stderr, "slinkd: configuration invalid: %s\n", err);
    return 1;
}

static int wants_check(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--check-config") || !strcmp(argv[i], "-t"))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    static slinkd d;   /* large: lives outside the stack */
    char err[SLINKD_ERR];
    int rc;

    d.pid_fd = -1;
    slinkd_config_defaults(&d.cfg);
    rc = slinkd_config_from_args(&d.cfg, argc, argv, err, sizeof err);
    if (rc == SLINKD_CFG_EXIT)
        return 0;
    if (rc == SLINKD_CFG_OK)
        rc = slinkd_config_validate(&d.cfg, err, sizeof err);
    if (rc != SLINKD_CFG_OK) {
        /* a check reports an invalid configuration as such (1); a
         * malformed command line is a usage error (2) either way */
        if (wants_check(argc, argv) && !d.cfg.usage_error) {
            fprintf(stderr, "slinkd: configuration invalid: %s\n", err);
            return 1;
        }
        fprintf(stderr, "slinkd: %s\n", err);
        return 2;
    }
    if (d.cfg.check_config)
        return check_config(&d);
    if (d.cfg.list_ports) {
        int n = port_list(stdout);
        if (n < 0) {
            fprintf(stderr, "slinkd: cannot enumerate serial ports\n");
            return 1;
        }
        if (n == 0)
            fprintf(stderr, "slinkd: no serial ports found (pseudo-terminals are not listed)\n");
        return 0;
    }
    if (priv_check(&d.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "slinkd: %s\n", err);
        return 2;
    }
    /* every daemon gets a control socket of its own by default (root or
     * not), or says why it cannot */
    if (instance_default_ctl(&d.cfg, err, sizeof err) != 0 ||
        (!d.cfg.foreground && !getenv("NOTIFY_SOCKET") && instance_default_pidfile(&d.cfg, err, sizeof err) != 0)) {
        fprintf(stderr, "slinkd: %s\n", err);
        return 1;
    }
    d.argc = argc;
    d.argv = argv;
    log_setup(d.cfg.verbosity, d.cfg.use_syslog);
    log_set_format(d.cfg.log_format);
    if (setup(&d) != 0) {
        teardown(&d);
        return 1;
    }
    if (!d.cfg.foreground && !getenv("NOTIFY_SOCKET")) {
        /* classic daemon: keep the working directory (relative paths in the
         * configuration stay valid), log to syslog */
        if (daemon(1, 0) != 0) {
            logm(SLINK_LOG_ERROR, -1, "daemon(): %s", strerror(errno));
            teardown(&d);
            return 1;
        }
        log_setup(d.cfg.verbosity, 1);
    }
    if (d.pid_fd >= 0 && pidfile_write(d.pid_fd) != 0) {
        logm(SLINK_LOG_ERROR, -1, "pidfile %s: cannot write: %s", d.cfg.pidfile, strerror(errno));
        teardown(&d);
        return 1;
    }
    sd_notify_msg("READY=1\nSTATUS=running");
    rc = slinkd_run(&d);
    sd_notify_msg("STOPPING=1");
    logm(SLINK_LOG_INFO, -1, "exiting with status %d", rc);
    teardown(&d);
    return rc;
}

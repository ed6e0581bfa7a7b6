#define _GNU_SOURCE
/* Control socket: a UNIX stream socket that answers one request per
 * connection ("status", "status json", "metrics", "reload") and closes.  The status
 * comes straight from the core's counters; JSON is built by hand with
 * escaping, so it is valid whatever a certificate name contains. */
#include "daemon.h"
#include "log.h"
#include "privdrop.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (b->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        {
            size_t ncap = (b->cap + (size_t)n + 1) * 2;
            char *np = realloc(b->p, ncap);
            if (!np) {
                b->oom = 1;
                return;
            }
            b->p = np;
            b->cap = ncap;
        }
    }
}

static void sb_jstr(sbuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            sb_printf(b, "\\%c", ch);
        else if (ch < 0x20 || ch >= 0x7f)
            sb_printf(b, "\\u%04x", ch);
        else
            sb_printf(b, "%c", ch);
    }
    sb_printf(b, "\"");
}

static const char *state_name(slink_conn_state s)
{
    switch (s) {
    case SLINK_CONN_IDLE: return "idle";
    case SLINK_CONN_HANDSHAKE: return "handshake";
    case SLINK_CONN_ESTABLISHED: return "established";
    case SLINK_CONN_CLOSED: return "closed";
    default: return "unknown";
    }
}

static const char *role_name(slink_start_role r)
{
    return r == SLINK_START_INITIATOR ? "initiator" : r == SLINK_START_RESPONDER ? "responder" : "auto";
}

static const slink_frame_stats *link_frames(slinkd *d)
{
    return d->use_node ? &d->node.deframer.stats : &d->peers[0].conn.deframer.stats;
}

/* Our own certificate's validity (creds_check.c): peers refuse it once it
 * has expired, so it is shown before it does. */
static void own_cert_json(slinkd *d, sbuf *b)
{
    slinkd_cert_validity v;
    slinkd_own_cert_validity(d, &v);
    sb_printf(b, "\"own_cert\":{\"not_after\":\"%s\",\"not_after_unix\":%lld,\"expires_in_s\":%lld,"
                 "\"expired\":%s,\"expires_soon\":%s}",
              v.not_after_text, (long long)v.not_after, (long long)v.left_s, v.expired ? "true" : "false",
              v.soon ? "true" : "false");
}

static void own_cert_text(slinkd *d, sbuf *b)
{
    slinkd_cert_validity v;
    slinkd_own_cert_validity(d, &v);
    sb_printf(b, "  own certificate valid until %s", v.not_after_text);
    if (v.expired)
        sb_printf(b, ": EXPIRED %lld day(s) ago; peers refuse it (issue a new one: slink-pki issue)\n",
                  (long long)(-v.left_s / 86400));
    else if (v.soon)
        sb_printf(b, ": EXPIRES in %lld day(s) (renew it: slink-pki issue, then slinkctl reload)\n",
                  (long long)(v.left_s / 86400));
    else
        sb_printf(b, "\n");
}

static void status_json(slinkd *d, sbuf *b)
{
    const slink_frame_stats *fs = link_frames(d);
    uint64_t now = slinkd_now_ms();
    size_t i;
    sb_printf(b, "{\"daemon\":{\"version\":\"%s\",\"pid\":%d,\"uptime_s\":%llu,\"config\":",
              SLINK_VERSION_STRING, (int)getpid(), (unsigned long long)((now - d->started_ms) / 1000));
    sb_jstr(b, d->cfg.config_file);
    sb_printf(b, ",\"stopping\":%s,", d->stopping ? "true" : "false");
    own_cert_json(d, b);
    sb_printf(b, "},\n");
    sb_printf(b, "\"link\":{\"device\":");
    sb_jstr(b, d->cfg.device);
    sb_printf(b, ",\"state\":\"%s\",\"backend\":\"%s\",\"baud\":%u,\"addr\":%u,\"mode\":\"%s\","
                 "\"rs485\":%s,\"opens\":%u,\"losses\":%u,\"last_error\":",
              port_is_open(&d->port) ? "open" : (d->cfg.wait ? "waiting" : "closed"),
              port_backend(&d->port), (unsigned)d->cfg.baud, d->cfg.addr,
              d->cfg.half_duplex ? "half-duplex" : "full-duplex", d->port.rs485_active ? "true" : "false",
              d->port_opens, d->port_losses);
    sb_jstr(b, d->port_error);
    sb_printf(b, ",\"bytes_in\":%llu,\"bytes_out\":%llu,\"frames_ok\":%u,"
                 "\"drops\":{\"crc\":%u,\"runt\":%u,\"oversize\":%u,\"cobs\":%u,\"not_for_us\":%u,"
                 "\"bad_addr\":%u,\"timeout\":%u},\"unknown_peer\":%u,\"turns_granted\":%u,\"turn_timeouts\":%u,"
                 "\"garbled_frames\":%u,\"idle_polls\":%u,\"dup_suspects\":%u},\n",
              (unsigned long long)d->port_bytes_in, (unsigned long long)d->port_bytes_out, fs->frames_ok,
              fs->crc, fs->runt, fs->oversize, fs->cobs, fs->not_for_us, fs->bad_addr, fs->timeout,
              d->use_node ? d->node.stats.unknown_peer : 0, d->use_node ? d->node.stats.turns_granted : 0,
              d->use_node ? d->node.stats.turn_timeouts : 0, d->use_node ? d->node.stats.garbled : 0,
              d->use_node ? d->node.stats.idle_polls : 0, d->use_node ? d->node.stats.dup_suspects : 0);
    sb_printf(b, "\"peers\":[");
    for (i = 0; i < d->npeers; i++) {
        slinkd_peer *p = &d->peers[i];
        slink_conn *c = &p->conn;
        const slink_conn_stats *st = &c->stats;
        const slink_rec_stats *rs = &c->rec.stats;
        char sid[16];
        snprintf(sid, sizeof sid, "%08x", (unsigned)c->session_id);
        sb_printf(b, "%s\n {\"name\":", i ? "," : "");
        sb_jstr(b, p->cfg.section);
        sb_printf(b, ",\"addr\":%u,\"expected_name\":", p->cfg.addr);
        sb_jstr(b, p->cfg.name);
        sb_printf(b, ",\"role\":\"%s\",\"state\":\"%s\",\"session_id\":\"%s\",\"sessions\":%u,",
                  role_name(p->cfg.role), state_name(slink_conn_get_state(c)), sid, p->sessions);
        sb_printf(b, "\"no_answer_s\":%llu,", (unsigned long long)(peer_no_answer_ms(p, now) / 1000u));
        if (d->use_node) {
            /* bus master: this device's turns (§2.5) */
            const slink_node_peer_stats *ps = slink_node_peer_stats_of(&d->node, p->cfg.addr);
            if (ps)
                sb_printf(b, "\"bus\":{\"turns\":%u,\"silent\":%u,\"garbled_turns\":%u,\"stray_turn_ends\":%u,"
                             "\"duplicate_address_suspected\":%s},",
                          ps->turns, ps->silent, ps->garbled_turns, ps->stray_turn_ends,
                          ps->dup_suspect ? "true" : "false");
        }
        if (c->rec_valid)
            sb_printf(b, "\"epoch_tx\":%u,\"epoch_rx\":%u,", c->rec.tx.epoch, SLINK_REC_RX(&c->rec).epoch);
        else
            sb_printf(b, "\"epoch_tx\":null,\"epoch_rx\":null,");
        sb_printf(b, "\"peer_subject\":");
        if (c->peer_cn[0]) {
            char subj[80];
            snprintf(subj, sizeof subj, "CN=%s", c->peer_cn);
            sb_jstr(b, subj);
        } else {
            sb_printf(b, "null");
        }
        sb_printf(b, ",\"bytes_out\":%llu,\"bytes_in\":%llu,\"frames_out\":%u,\"frames_in\":%u,"
                     "\"records_out\":%u,\"records_in\":%u,\"app_bytes_to_peer\":%llu,"
                     "\"app_bytes_from_peer\":%llu,\"dgrams_to_peer\":%u,\"dgrams_from_peer\":%u,",
                  (unsigned long long)st->bytes_out, (unsigned long long)st->bytes_in, st->frames_out,
                  st->frames_in, st->records_out, st->records_in, (unsigned long long)p->app_to_peer,
                  (unsigned long long)p->app_from_peer, p->dgrams_to_peer, p->dgrams_from_peer);
        sb_printf(b, "\"retransmissions\":{\"stream\":%u,\"stream_fast\":%u,\"handshake\":%u},",
                  c->stream.stats.retransmits, c->stream.stats.fast_retransmits, st->hs_retransmits);
        /* frame-level drops happen before a frame is attributed to a peer:
         * they are the link's counters, repeated here for convenience */
        sb_printf(b, "\"drops\":{\"crc\":%u,\"runt\":%u,\"oversize\":%u,\"not_for_us\":%u,\"timeout\":%u,"
                     "\"replay\":%u,\"auth\":%u,\"epoch\":%u,\"malformed\":%u,\"records_dropped\":%u,"
                     "\"handshake_dropped\":%u,\"dgram_queue\":%u,\"dgram_too_big\":%u,\"rate_limited\":%u,"
                     "\"stream_duplicates\":%u,\"stream_out_of_window\":%u,\"too_long\":%u},",
                  fs->crc, fs->runt, fs->oversize, fs->not_for_us, fs->timeout, rs->replay, rs->auth_fail,
                  rs->bad_epoch, rs->malformed, st->records_dropped, st->hs_dropped, st->dgram_dropped,
                  p->dgrams_too_big, st->hs_rate_limited, c->stream.stats.duplicates,
                  c->stream.stats.out_of_window, st->records_too_long);
        sb_printf(b, "\"handshakes\":{\"started\":%u,\"completed\":%u,\"failed\":%u,\"refused\":%u,"
                     "\"duplicates\":%u},\"key_updates\":{\"tx\":%u,\"rx\":%u},\"last_alert_rx\":%u,",
                  st->hs_started, st->hs_completed, st->hs_failed, p->hs_failures, st->hs_duplicates,
                  rs->key_updates_tx, rs->key_updates_rx, st->last_alert_rx);
        /* bytes the core delivered (and acknowledged) that no application
         * read: an ended session's rest with its application gone, and
         * bytes an application of an ended session closed or stalled on */
        sb_printf(b, "\"apps\":{\"stream\":%s,\"stream_pending_bytes\":%zu,\"stream_draining\":%s,"
                     "\"draining_bytes\":%zu,\"dgram\":%s,"
                     "\"refused\":%u,\"orphaned_bytes\":%llu,\"orphaned_sessions\":%u,\"unread_bytes\":%llu,"
                     "\"streams_finished\":%u,\"stream_ends_sent\":%u,\"stream_ends_received\":%u,"
                     "\"discarded_bytes\":%llu},"
                     "\"last_error\":",
                  p->stream.fd >= 0 ? "true" : "false", p->stream.fd >= 0 ? p->stream.out_len : (size_t)0,
                  p->stream_old.fd >= 0 ? "true" : "false",
                  p->stream_old.fd >= 0 ? p->stream_old.out_len : (size_t)0, p->dgram.fd >= 0 ? "true" : "false",
                  p->app_refused, (unsigned long long)p->orphan_bytes, p->orphan_sessions,
                  (unsigned long long)p->unread_bytes, p->app_streams, c->stream.stats.ends_sent,
                  c->stream.stats.ends_received, (unsigned long long)p->rx_discarded_bytes);
        if (p->last_error[0])
            sb_jstr(b, p->last_error);
        else
            sb_printf(b, "null");
        sb_printf(b, "}");
    }
    sb_printf(b, "\n]}\n");
}

static void status_text(slinkd *d, sbuf *b)
{
    const slink_frame_stats *fs = link_frames(d);
    uint64_t now = slinkd_now_ms();
    size_t i;
    sb_printf(b, "link %s: %s (%s), %u baud, addr %u, %s%s\n", d->cfg.device,
              port_is_open(&d->port) ? "open" : (d->cfg.wait ? "waiting" : "closed"), port_backend(&d->port),
              (unsigned)d->cfg.baud, d->cfg.addr, d->cfg.half_duplex ? "half-duplex (bus master)" : "full-duplex",
              d->port.rs485_active ? ", RS485" : "");
    if (d->port_error[0])
        sb_printf(b, "  last error: %s\n", d->port_error);
    own_cert_text(d, b);
    sb_printf(b, "  bytes in %llu out %llu, frames ok %u; drops: crc %u runt %u oversize %u cobs %u "
                 "not-for-us %u bad-addr %u timeout %u\n",
              (unsigned long long)d->port_bytes_in, (unsigned long long)d->port_bytes_out, fs->frames_ok, fs->crc,
              fs->runt, fs->oversize, fs->cobs, fs->not_for_us, fs->bad_addr, fs->timeout);
    if (d->use_node)
        sb_printf(b, "  unknown peer %u, turns granted %u, turn timeouts %u, garbled frames %u, idle polls %u\n",
                  d->node.stats.unknown_peer, d->node.stats.turns_granted, d->node.stats.turn_timeouts,
                  d->node.stats.garbled, d->node.stats.idle_polls);
    for (i = 0; i < d->npeers; i++) {
        slinkd_peer *p = &d->peers[i];
        slink_conn *c = &p->conn;
        const slink_conn_stats *st = &c->stats;
        const slink_rec_stats *rs = &c->rec.stats;
        sb_printf(b, "peer %u (%s, expects '%s', %s): %s", p->cfg.addr, p->cfg.section, p->cfg.name,
                  role_name(p->cfg.role), state_name(slink_conn_get_state(c)));
        if (c->rec_valid)
            sb_printf(b, ", session %08x, epoch tx %u rx %u, subject CN=%s", (unsigned)c->session_id,
                      c->rec.tx.epoch, SLINK_REC_RX(&c->rec).epoch, c->peer_cn);
        if (d->use_node) {
            const slink_node_peer_stats *ps = slink_node_peer_stats_of(&d->node, p->cfg.addr);
            if (ps && ps->dup_suspect)
                sb_printf(b, ", DUPLICATE ADDRESS SUSPECTED (%u garbled turns, %u stray TURN_ENDs)",
                          ps->garbled_turns, ps->stray_turn_ends);
        }
        sb_printf(b, "\n  out: %llu bytes %u records %u frames; in: %llu bytes %u records %u frames\n",
                  (unsigned long long)st->bytes_out, st->records_out, st->frames_out,
                  (unsigned long long)st->bytes_in, st->records_in, st->frames_in);
        sb_printf(b, "  application: %llu bytes to peer, %llu from peer, %u/%u datagrams; stream app %s, "
                     "dgram app %s\n",
                  (unsigned long long)p->app_to_peer, (unsigned long long)p->app_from_peer, p->dgrams_to_peer,
                  p->dgrams_from_peer, p->stream.fd >= 0 ? "connected" : "none",
                  p->dgram.fd >= 0 ? "connected" : "none");
        if (p->stream_old.fd >= 0)
            sb_printf(b, "  stream app of ended session %08x still reading (%zu bytes left)\n",
                      (unsigned)p->stream_old.session, p->stream_old.out_len);
        sb_printf(b, "  application drops: orphaned %llu bytes in %u ended sessions (no application), unread "
                     "%llu bytes (application closed or stalled), refused %u connections\n",
                  (unsigned long long)p->orphan_bytes, p->orphan_sessions, (unsigned long long)p->unread_bytes,
                  p->app_refused);
        sb_printf(b, "  retransmissions: stream %u (fast %u), handshake %u\n", c->stream.stats.retransmits,
                  c->stream.stats.fast_retransmits, st->hs_retransmits);
        sb_printf(b, "  drops: replay %u auth %u epoch %u malformed %u records %u handshake %u dgram %u "
                     "rate-limited %u too-long %u\n",
                  rs->replay, rs->auth_fail, rs->bad_epoch, rs->malformed, st->records_dropped, st->hs_dropped,
                  st->dgram_dropped, st->hs_rate_limited, st->records_too_long);
        sb_printf(b, "  handshakes: started %u completed %u failed %u\n", st->hs_started, st->hs_completed,
                  st->hs_failed);
        if (peer_no_answer_ms(p, now) >= 1000u)
            sb_printf(b, "  no answer for %llu s, still %s\n",
                      (unsigned long long)(peer_no_answer_ms(p, now) / 1000u),
                      p->cfg.role == SLINK_START_RESPONDER ? "waiting" : "trying");
        if (p->last_error[0])
            sb_printf(b, "  last error: %s\n", p->last_error);
    }
}

char *ctl_status(slinkd *d, int json, size_t *len)
{
    sbuf b = { NULL, 0, 0, 0 };
    if (json)
        status_json(d, &b);
    else
        status_text(d, &b);
    if (b.oom || !b.p) {
        free(b.p);
        return NULL;
    }
    *len = b.len;
    return b.p;
}

int ctl_listen(slinkd *d, char *err, size_t cap)
{
    struct sockaddr_un sa;
    struct stat st;
    int fd, i;
    for (i = 0; i < CTL_MAX; i++)
        d->ctl[i].fd = -1;
    d->ctl_fd = -1;
    /* `ctl = none`: run without one, by choice */
    if (!d->cfg.ctl[0] || !strcmp(d->cfg.ctl, "none")) {
        logm(SLINK_LOG_INFO, -1, "no control socket (ctl = none): slinkctl cannot reach this daemon");
        return 0;
    }
    if (strlen(d->cfg.ctl) >= sizeof sa.sun_path) {
        snprintf(err, cap, "control socket path too long");
        return -1;
    }
    if (lstat(d->cfg.ctl, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, cap, "%s exists and is not a socket", d->cfg.ctl);
            return -1;
        }
        if (app_socket_in_use(d->cfg.ctl)) {
            snprintf(err, cap, "control socket %s is in use by another slinkd: give each daemon its own "
                     "(--instance NAME, a config file of another name, or ctl = PATH)", d->cfg.ctl);
            return -1;
        }
        unlink(d->cfg.ctl);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, cap, "socket(): %s", strerror(errno));
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, d->cfg.ctl, strlen(d->cfg.ctl) + 1);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4) != 0) {
        snprintf(err, cap, "cannot listen on control socket %s: %s", d->cfg.ctl, strerror(errno));
        close(fd);
        return -1;
    }
    /* status reveals no secrets, but reload is an operator action: owner
     * and group only.  A daemon that drops root gives the socket to its
     * user and group, so that their members reach it (slinkctl). */
    if (chmod(d->cfg.ctl, 0660) != 0) {
        snprintf(err, cap, "control socket %s: chmod: %s", d->cfg.ctl, strerror(errno));
        close(fd);
        return -1;
    }
    if (geteuid() == 0 && d->cfg.user[0]) {
        uid_t uid;
        gid_t gid;
        if (priv_target_ids(&d->cfg, &uid, &gid, err, cap) != 0) {
            close(fd);
            return -1;
        }
        if (chown(d->cfg.ctl, uid, gid) != 0) {
            snprintf(err, cap, "control socket %s: cannot give it to user '%s': %s", d->cfg.ctl, d->cfg.user,
                     strerror(errno));
            close(fd);
            return -1;
        }
    }
    d->ctl_fd = fd;
    logm(SLINK_LOG_INFO, -1, "control socket %s", d->cfg.ctl);
    return 0;
}

void ctl_accept(slinkd *d)
{
    int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), i;
    if (fd < 0)
        return;
    for (i = 0; i < CTL_MAX; i++) {
        if (d->ctl[i].fd < 0) {
            memset(&d->ctl[i], 0, sizeof d->ctl[i]);
            d->ctl[i].fd = fd;
            return;
        }
    }
    close(fd);   /* busy: the client retries */
}

static void ctl_close(ctl_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->resp);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

static void ctl_answer(slinkd *d, ctl_client *c)
{
    char *req = c->req;
    size_t n;
    while (*req == ' ')
        req++;
    n = strcspn(req, "\r\n");
    req[n] = 0;
    if (!strcmp(req, "status") || !strcmp(req, "status text")) {
        c->resp = ctl_status(d, 0, &c->resp_len);
    } else if (!strcmp(req, "status json")) {
        c->resp = ctl_status(d, 1, &c->resp_len);
    } else if (!strcmp(req, "metrics")) {
        c->resp = ctl_metrics(d, &c->resp_len);
    } else if (!strcmp(req, "reload")) {
        /* one line: "ok: ..." or "error: ..." so slinkctl can exit non-zero
         * with the reason */
        char why[SLINKD_ERR + 64], line[SLINKD_ERR + 80];
        int rc = slinkd_reload(d, why, sizeof why);
        snprintf(line, sizeof line, "%s: %s\n", rc == 0 ? "ok" : "error", why);
        c->resp = strdup(line);
        c->resp_len = c->resp ? strlen(c->resp) : 0;
    } else {
        c->resp = strdup("error: unknown request (status, status json, metrics, reload)\n");
        c->resp_len = c->resp ? strlen(c->resp) : 0;
    }
    if (!c->resp)
        ctl_close(c);
}

void ctl_client_io(slinkd *d, ctl_client *c, short revents)
{
    ssize_t r;
    if (!c->resp) {
        r = read(c->fd, c->req + c->req_len, sizeof c->req - 1 - c->req_len);
        if (r <= 0) {
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                return;
            ctl_close(c);
            return;
        }
        c->req_len += (size_t)r;
        c->req[c->req_len] = 0;
        if (!strchr(c->req, '\n') && c->req_len < sizeof c->req - 1)
            return;
        ctl_answer(d, c);
        if (c->fd < 0)
            return;
        revents = POLLOUT;
    }
    if (revents & (POLLOUT | POLLHUP | POLLERR)) {
        r = send(c->fd, c->resp + c->resp_off, c->resp_len - c->resp_off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r < 0) {
            if (errno != EAGAIN && errno != EINTR)
                ctl_close(c);
            return;
        }
        c->resp_off += (size_t)r;
        if (c->resp_off >= c->resp_len)
            ctl_close(c);
    }
}

void ctl_close_all(slinkd *d)
{
    int i;
    for (i = 0; i < CTL_MAX; i++)
        if (d->ctl[i].fd >= 0)
            ctl_close(&d->ctl[i]);
    if (d->ctl_fd >= 0) {
        close(d->ctl_fd);
        unlink(d->cfg.ctl);
        d->ctl_fd = -1;
    }
}

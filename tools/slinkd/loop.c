/* The single-threaded event loop: poll() over the serial port, the
 * application and control sockets and a signalfd; the core's
 * next_timeout() sets the poll timeout.  Everything is non-blocking. */
#include "daemon.h"
#include "keylog.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_PFD (4 + 2 * CTL_MAX + SLINKD_MAX_PEERS * 6)
#define PORT_BACKOFF_MIN_MS 100u
#define PORT_BACKOFF_MAX_MS 5000u
#define STOP_GRACE_MS 3000u
#define RECONNECT_AFTER_CLOSE_MS 300u

uint64_t slinkd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void port_try_open(slinkd *d, uint64_t now)
{
    char err[256];
    size_t i;
    if (port_open(&d->port, &d->pp, err, sizeof err) != 0) {
        if (strcmp(err, d->port_error) != 0)
            logm(SLINK_LOG_WARN, -1, "%s; retrying (backoff up to %u s)", err, PORT_BACKOFF_MAX_MS / 1000);
        snprintf(d->port_error, sizeof d->port_error, "%s", err);
        d->port_retry_at = now + d->port_backoff_ms;
        d->port_backoff_ms = d->port_backoff_ms * 2 > PORT_BACKOFF_MAX_MS ? PORT_BACKOFF_MAX_MS
                                                                           : d->port_backoff_ms * 2;
        return;
    }
    d->port_error[0] = 0;
    d->port_backoff_ms = PORT_BACKOFF_MIN_MS;
    d->port_opens++;
    d->tx_off = d->tx_len = 0;
    logm(SLINK_LOG_INFO, -1, "port open (%s)%s", port_backend(&d->port),
         d->port.rs485_active ? ", RS485 direction control on" : "");
    if (d->port_opens > 1) {
        /* The line was gone: whoever initiates starts over, so both ends
         * agree on fresh keys (the peer may have rebooted meanwhile). */
        for (i = 0; i < d->npeers; i++)
            if (d->peers[i].cfg.role != SLINK_START_RESPONDER)
                slink_conn_connect(&d->peers[i].conn, now);
    }
}

static void port_lost(slinkd *d, const char *why, uint64_t now)
{
    d->port_losses++;
    port_close(&d->port);
    d->tx_off = d->tx_len = 0;
    if (!d->cfg.wait) {
        logm(SLINK_LOG_ERROR, -1, "port lost (%s); exiting (use --wait to keep retrying)", why);
        d->exit_code = 1;
        d->stopping = 1;
        d->stop_deadline = now;
        return;
    }
    logm(SLINK_LOG_WARN, -1, "port lost (%s); waiting for it to return", why);
    snprintf(d->port_error, sizeof d->port_error, "port lost: %s", why);
    d->port_backoff_ms = PORT_BACKOFF_MIN_MS;
    d->port_retry_at = now + PORT_BACKOFF_MIN_MS;
}

static void feed(slinkd *d, const uint8_t *buf, size_t n, uint64_t now)
{
    if (d->use_node)
        (void)slink_node_input(&d->node, buf, n, now);
    else
        (void)slink_conn_input(&d->peers[0].conn, buf, n, now);
}

/* A tty read returns at most one line-discipline buffer (4 KB on Linux),
 * often less than what has arrived by the time we wake: after a large read,
 * read again (bounded), so one wake-up takes several frames and the core
 * answers them with one acknowledgement and the application gets them in
 * one send.  A small read (an acknowledgement, a frame's tail) means the
 * port was drained; asking again would mostly cost an EAGAIN syscall. */
#define PORT_READ_AGAIN 2048
static void port_readable(slinkd *d, uint64_t now)
{
    uint8_t buf[16384];
    int rounds;
    for (rounds = 0; rounds < 8; rounds++) {
        ssize_t r = port_read(&d->port, buf, sizeof buf);
        if (r < 0) {
            port_lost(d, "read failed or hung up", now);
            return;
        }
        if (r == 0)
            return;
        d->port_bytes_in += (uint64_t)r;
        feed(d, buf, (size_t)r, now);
        if (r < PORT_READ_AGAIN)
            return;
    }
}

/* One write() for everything queued.  A short write means the line (pty or
 * UART driver) is full: stop there, poll() reports when it has room, and the
 * rest goes out in order from tx_off. */
static void port_flush(slinkd *d, uint64_t now)
{
    if (port_is_open(&d->port) && d->tx_len > 0) {
        ssize_t w = port_write(&d->port, d->tx + d->tx_off, d->tx_len);
        if (w < 0) {
            port_lost(d, "write failed", now);
            return;
        }
        d->port_bytes_out += (uint64_t)w;
        d->tx_off += (size_t)w;
        d->tx_len -= (size_t)w;
    }
    if (d->tx_len == 0)
        d->tx_off = 0;
}

/* Pull every frame the core has (while they fit) into tx, then write them
 * with one syscall: in this VM a syscall and the wake-up it causes cost
 * more than sealing a frame.  tx holds at most TX_CAP, so on a slow real
 * line no more than that waits here beyond the driver's own buffer. */
static void produce(slinkd *d, uint64_t now)
{
    for (;;) {
        int drained = 0;
        if (!port_is_open(&d->port))
            return;
        if (d->tx_off > 0 && TX_CAP - d->tx_off - d->tx_len < SLINK_WIRE_FRAME_MAX) {
            memmove(d->tx, d->tx + d->tx_off, d->tx_len);
            d->tx_off = 0;
        }
        while (TX_CAP - d->tx_off - d->tx_len >= SLINK_WIRE_FRAME_MAX) {
            uint8_t *dst = d->tx + d->tx_off + d->tx_len;
            size_t cap = TX_CAP - d->tx_off - d->tx_len, n;
            n = d->use_node ? slink_node_output(&d->node, dst, cap, now)
                            : slink_conn_output(&d->peers[0].conn, dst, cap, now);
            if (n == 0) {
                drained = 1;
                break;
            }
            d->tx_len += n;
        }
        port_flush(d, now);
        /* more only if the core may still hold frames and the line took all */
        if (drained || d->tx_len > 0)
            return;
    }
}

static void keylog_check(slinkd_peer *p)
{
    slink_conn *c = &p->conn;
    if (!p->d->keylog || !c->rec_valid)
        return;
    if (p->kl_session != c->session_id || p->kl_tx_epoch != c->rec.tx.epoch) {
        keylog_write(p->d->keylog, c->cfg.local_addr, c->cfg.peer_addr, c->rec.tx.epoch, c->rec.tx.secret);
        p->kl_tx_epoch = c->rec.tx.epoch;
    }
    if (p->kl_session != c->session_id || p->kl_rx_epoch != SLINK_REC_RX(&c->rec).epoch) {
        keylog_write(p->d->keylog, c->cfg.peer_addr, c->cfg.local_addr, SLINK_REC_RX(&c->rec).epoch, SLINK_REC_RX(&c->rec).secret);
        p->kl_rx_epoch = SLINK_REC_RX(&c->rec).epoch;
    }
    p->kl_session = c->session_id;
}

void slinkd_peer_handle_events(slinkd_peer *p, uint64_t now)
{
    slink_event ev;
    int a = (int)p->cfg.addr;
    while (slink_conn_poll_event(&p->conn, &ev)) {
        switch (ev.type) {
        case SLINK_EV_ESTABLISHED:
            p->sessions++;
            p->reconnect_at = 0;
            peer_log_established(p, ev.session_id);
            app_session_up(p, ev.session_id);
            break;
        case SLINK_EV_ENDED:
            peer_log_ended(p, ev.session_id, ev.err);
            app_session_ended(p, ev.session_id, now);
            /* The core does not restart after an orderly close; a new
             * application may arrive, so the initiating side offers a new
             * session shortly. */
            if (ev.err == SLINK_ERR_CLOSED && p->cfg.role != SLINK_START_RESPONDER && !p->d->stopping)
                p->reconnect_at = now + RECONNECT_AFTER_CLOSE_MS;
            break;
        case SLINK_EV_HS_FAILED:
            p->hs_failures++;
            peer_log_hs_failed(p, ev.err);
            if (ev.err == SLINK_ERR_CERT_UNKNOWN_REF && p->conn.peer_cert_len > 0) {
                /* our cached copy of the peer's certificate is stale (the
                 * peer got a new one): forget it so the next handshake asks
                 * for the full certificate instead of failing forever */
                p->conn.peer_cert_len = 0;
                logm(SLINK_LOG_INFO, a, "forgetting the cached peer certificate");
            }
            break;
        default:
            break;
        }
    }
    peer_log_flush(p);
    peer_watch(p, now);
    keylog_check(p);
    if (p->d->use_node) {
        /* §2.5: a device whose turns keep colliding (or whose address sends
         * TURN_END out of turn) may share its address with another node */
        const slink_node_peer_stats *ps = slink_node_peer_stats_of(&p->d->node, p->cfg.addr);
        if (ps && ps->dup_suspect && !p->dup_logged)
            logm(SLINK_LOG_WARN, a, "possible duplicate address: %u garbled turns, %u TURN_END out of turn "
                 "(two nodes answering polls for %d collide)", ps->garbled_turns, ps->stray_turn_ends, a);
        p->dup_logged = ps ? ps->dup_suspect : 0;
    }
}

void slinkd_request_stop(slinkd *d, uint64_t now)
{
    size_t i;
    if (d->stopping)
        return;
    d->stopping = 1;
    d->stop_deadline = now + STOP_GRACE_MS;
    logm(SLINK_LOG_INFO, -1, "stopping: closing sessions");
    for (i = 0; i < d->npeers; i++) {
        slinkd_peer *p = &d->peers[i];
        p->reconnect_at = 0;
        if (slink_conn_get_state(&p->conn) == SLINK_CONN_ESTABLISHED) {
            peer_note_own_close(p);
            slink_conn_close(&p->conn, now);
        } else
            p->conn.hs_restart_at_ms = UINT64_MAX;   /* no new attempts while going down */
    }
}

static int stop_done(slinkd *d, uint64_t now)
{
    size_t i;
    if (now >= d->stop_deadline || !port_is_open(&d->port))
        return 1;
    if (d->tx_len > 0)
        return 0;
    for (i = 0; i < d->npeers; i++) {
        const slinkd_peer *p = &d->peers[i];
        if (slink_conn_get_state(&p->conn) == SLINK_CONN_ESTABLISHED)
            return 0;
        /* what the peer sent before its close reaches the applications
         * (they are closed once they have it), within the grace period */
        if ((p->stream.fd >= 0 && p->stream.closing) || (p->stream_old.fd >= 0 && p->stream_old.closing) ||
            (p->dgram.fd >= 0 && p->dgram.closing))
            return 0;
    }
    return 1;
}

static void handle_signals(slinkd *d, uint64_t now)
{
    struct signalfd_siginfo si;
    char why[SLINKD_ERR + 64];
    while (read(d->sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP)
            (void)slinkd_reload(d, why, sizeof why);   /* the outcome is logged */
        else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
            slinkd_request_stop(d, now);
    }
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

int slinkd_run(slinkd *d)
{
    struct pollfd pfd[MAX_PFD];
    /* what each pollfd is: kind, peer index, which */
    int kind[MAX_PFD], who[MAX_PFD];
    void *obj[MAX_PFD];
    enum { K_SIG, K_PORT, K_LST, K_CLIENT, K_CTL_LST, K_CTL };

    if (!port_is_open(&d->port))
        d->port_retry_at = slinkd_now_ms();
    for (;;) {
        uint64_t now = slinkd_now_ms(), due = UINT64_MAX;
        int n = 0, i, timeout, r;
        size_t k;

        if (d->stopping && stop_done(d, now)) {
            if (port_is_open(&d->port))
                tcdrain(d->port.fd);
            return d->exit_code;
        }
        log_tick(now);
        /* timers first: they may produce output */
        if (!port_is_open(&d->port) && now >= d->port_retry_at && !d->stopping)
            port_try_open(d, now);
        for (k = 0; k < d->npeers; k++) {
            slinkd_peer *p = &d->peers[k];
            if (p->reconnect_at && now >= p->reconnect_at) {
                p->reconnect_at = 0;
                if (slink_conn_get_state(&p->conn) != SLINK_CONN_ESTABLISHED &&
                    slink_conn_get_state(&p->conn) != SLINK_CONN_HANDSHAKE)
                    slink_conn_connect(&p->conn, now);
            }
            app_pump(p, now);
        }
        produce(d, now);
        for (k = 0; k < d->npeers; k++) {
            slinkd_peer_handle_events(&d->peers[k], now);
            app_pump(&d->peers[k], now);
        }
        produce(d, now);

        pfd[n].fd = d->sig_fd; pfd[n].events = POLLIN; kind[n] = K_SIG; n++;
        if (port_is_open(&d->port)) {
            pfd[n].fd = d->port.fd;
            pfd[n].events = (short)(POLLIN | (d->tx_len ? POLLOUT : 0));
            kind[n] = K_PORT;
            n++;
        }
        if (d->ctl_fd >= 0) {
            pfd[n].fd = d->ctl_fd; pfd[n].events = POLLIN; kind[n] = K_CTL_LST; n++;
        }
        for (i = 0; i < CTL_MAX; i++) {
            if (d->ctl[i].fd < 0)
                continue;
            pfd[n].fd = d->ctl[i].fd;
            pfd[n].events = d->ctl[i].resp ? POLLOUT : POLLIN;
            kind[n] = K_CTL; obj[n] = &d->ctl[i]; n++;
        }
        for (k = 0; k < d->npeers; k++) {
            slinkd_peer *p = &d->peers[k];
            int lst[2] = { p->lst_stream, p->lst_dgram };
            app_client *cl[3] = { &p->stream, &p->stream_old, &p->dgram };
            for (i = 0; i < 2; i++) {
                if (lst[i] < 0 || d->stopping)
                    continue;
                pfd[n].fd = lst[i]; pfd[n].events = POLLIN; kind[n] = K_LST; who[n] = (int)k; n++;
            }
            for (i = 0; i < 3; i++) {
                short ev = app_client_events(cl[i]);
                /* nothing wanted: leave it out, or a hung-up socket whose
                 * pending bytes still wait for the session would spin */
                if (cl[i]->fd < 0 || ev == 0)
                    continue;
                pfd[n].fd = cl[i]->fd; pfd[n].events = ev; kind[n] = K_CLIENT; who[n] = (int)k;
                obj[n] = cl[i]; n++;
            }
            if (port_is_open(&d->port) && !d->use_node && d->tx_len == 0)
                due = min_u64(due, slink_conn_next_timeout(&p->conn, now));
            if (p->reconnect_at)
                due = min_u64(due, p->reconnect_at);
            for (i = 0; i < 3; i++)
                due = min_u64(due, app_client_due(cl[i]));
        }
        /* The core's deadlines only ever lead to output.  While the port
         * has not taken what we have (a write gave EAGAIN: the line is
         * busy), wait for POLLOUT instead: a deadline already due would
         * make poll() return at once, thousands of times a second. */
        if (d->use_node && port_is_open(&d->port) && d->tx_len == 0)
            due = min_u64(due, slink_node_next_timeout(&d->node, now));
        if (!port_is_open(&d->port) && !d->stopping)
            due = min_u64(due, d->port_retry_at);
        if (d->stopping)   /* re-check soon: the last close may just have completed */
            due = min_u64(due, min_u64(d->stop_deadline, now + 20));
        if (due <= now)
            timeout = 0;
        else if (due - now > 1000)
            timeout = 1000;   /* a bound, never a busy loop */
        else
            timeout = (int)(due - now);

        r = poll(pfd, (nfds_t)n, timeout);
        if (r < 0 && errno != EINTR) {
            logm(SLINK_LOG_ERROR, -1, "poll: %s", strerror(errno));
            return 1;
        }
        now = slinkd_now_ms();
        for (i = 0; r > 0 && i < n; i++) {
            short re = pfd[i].revents;
            if (!re)
                continue;
            switch (kind[i]) {
            case K_SIG:
                handle_signals(d, now);
                break;
            case K_PORT:
                if (re & (POLLIN | POLLHUP | POLLERR))
                    port_readable(d, now);
                if (port_is_open(&d->port) && (re & POLLOUT))
                    port_flush(d, now);
                if (port_is_open(&d->port) && (re & (POLLHUP | POLLERR | POLLNVAL)) && !(re & POLLIN))
                    port_lost(d, "hang-up", now);
                break;
            case K_LST:
                app_accept(&d->peers[who[i]], pfd[i].fd);
                break;
            case K_CLIENT: {
                app_client *c = (app_client *)obj[i];
                slinkd_peer *p = &d->peers[who[i]];
                if (c->fd != pfd[i].fd)
                    break;
                if (re & POLLOUT)
                    app_client_writable(p, c);
                if (c->fd >= 0 && (re & (POLLIN | POLLHUP)))
                    app_client_readable(p, c);
                /* a hang-up is an end of input (handled by the read above);
                 * what the application wrote before it still goes out */
                if (c->fd >= 0 && (re & (POLLERR | POLLNVAL)))
                    app_client_close(p, c, "socket error");
                break;
            }
            case K_CTL_LST:
                ctl_accept(d);
                break;
            case K_CTL:
                ctl_client_io(d, (ctl_client *)obj[i], re);
                break;
            default:
                break;
            }
        }
    }
}

#define _GNU_SOURCE
/* Application side of one peer: a UNIX stream socket (the core's stream
 * mode) and an optional SOCK_SEQPACKET socket (datagram mode).  Only UNIX
 * sockets: their owner, group and mode are the access control (a localhost
 * TCP port has none, so there is no TCP listener).  One application per mode
 * at a time.  Data written before the session is up waits here, bounded; beyond
 * that we stop reading the socket (back-pressure) - it is never sent
 * unprotected.  The session outlives applications: each stream application
 * connection is one application stream inside it (docs/PROTOCOL.md §3.6.1).
 * When the application closes, its stream ends (the peer's application sees
 * end of file) and the session stays up for the next one, which sends at
 * once; the peer's end of stream reaches the application as end of file
 * (shutdown SHUT_WR).  When the session an application was attached to
 * ends, it first gets every byte that session delivered (the peer saw them
 * acknowledged), then its connection is closed so it knows; meanwhile the
 * next application may connect to the next session. */
#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PADDR(p) ((int)(p)->cfg.addr)

int app_socket_in_use(const char *path)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r;
    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    r = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    /* a SOCK_SEQPACKET listener refuses a stream connect with EPROTOTYPE:
     * somebody is listening there too */
    if (r != 0 && errno == EPROTOTYPE)
        r = 0;
    close(fd);
    return r == 0;
}

static int unix_listen(slinkd_peer *p, const char *path, int type, char *err, size_t cap)
{
    struct sockaddr_un sa;
    struct stat st;
    int fd;
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, cap, "socket path %s too long", path);
        return -1;
    }
    /* A socket left behind by a previous run would make bind fail; anything
     * that is not a socket is not ours to remove. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, cap, "%s exists and is not a socket", path);
            return -1;
        }
        if (app_socket_in_use(path)) {
            snprintf(err, cap, "%s is in use by another process (another slinkd?)", path);
            return -1;
        }
        unlink(path);
    }
    fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, cap, "socket(): %s", strerror(errno));
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 4) != 0) {
        snprintf(err, cap, "cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (chmod(path, p->cfg.socket_mode) != 0)
        logm(SLINK_LOG_WARN, PADDR(p), "chmod %s: %s", path, strerror(errno));
    if (p->cfg.socket_group[0]) {
        struct group *g = getgrnam(p->cfg.socket_group);
        if (!g || chown(path, (uid_t)-1, g->gr_gid) != 0)
            logm(SLINK_LOG_WARN, PADDR(p), "cannot give %s to group '%s'", path, p->cfg.socket_group);
    }
    return fd;
}

int app_listen_all(slinkd_peer *p, char *err, size_t cap)
{
    p->lst_stream = p->lst_dgram = -1;
    p->stream.fd = p->stream_old.fd = p->dgram.fd = -1;
    p->dgram.dgram = 1;
    if (p->cfg.socket[0] && (p->lst_stream = unix_listen(p, p->cfg.socket, SOCK_STREAM, err, cap)) < 0)
        return -1;
    if (p->cfg.dgram_socket[0] &&
        (p->lst_dgram = unix_listen(p, p->cfg.dgram_socket, SOCK_SEQPACKET, err, cap)) < 0)
        return -1;
    return 0;
}

void app_close_listeners(slinkd_peer *p)
{
    if (p->lst_stream >= 0) {
        close(p->lst_stream);
        unlink(p->cfg.socket);
    }
    if (p->lst_dgram >= 0) {
        close(p->lst_dgram);
        unlink(p->cfg.dgram_socket);
    }
    p->lst_stream = p->lst_dgram = -1;
    app_client_close(p, &p->stream, NULL);
    app_client_close(p, &p->stream_old, NULL);
    app_client_close(p, &p->dgram, NULL);
}

static void client_reset(app_client *c)
{
    int dg = c->dgram;
    c->fd = -1;
    c->bound = c->eof = c->closing = c->rx_done = c->peer_fin = c->shut_wr = c->end_sent = 0;
    c->session = 0;
    c->in_len = c->in_msgs = 0;
    c->out_off = c->out_len = 0;
    c->progress_ms = 0;
    c->dgram = dg;
}

static const char *mode_name(const app_client *c)
{
    return c->dgram ? "datagram" : "stream";
}

void app_client_close(slinkd_peer *p, app_client *c, const char *why)
{
    if (c->fd < 0)
        return;
    if (c->out_len > 0) {
        /* already taken from the core (and acknowledged to the peer): the
         * application went away, or stopped reading, before it got them */
        p->unread_bytes += c->out_len;
        if (why)
            logm(SLINK_LOG_WARN, PADDR(p), "%s application of session %08x: %zu received bytes it did "
                 "not read discarded (%s)", mode_name(c), (unsigned)c->session, c->out_len, why);
    }
    if (why)
        logm(SLINK_LOG_INFO, PADDR(p), "%s application disconnected: %s", mode_name(c), why);
    if (!c->dgram && c->bound && !c->closing && p->conn.rec_valid && c->session == p->conn.session_id) {
        /* Gone inside a live session: its stream ends here, and the rest
         * of the peer's matching stream is nobody's (§3.6.1 pairing). */
        if (!c->end_sent)
            (void)slink_conn_end_stream(&p->conn);
        if (!c->peer_fin) {
            if (p->rx_discard_session != c->session)
                p->rx_discard = 0;
            p->rx_discard++;
            p->rx_discard_session = c->session;
        }
    }
    close(c->fd);
    client_reset(c);
}

static int session_usable(const slinkd_peer *p)
{
    return slink_conn_get_state(&p->conn) == SLINK_CONN_ESTABLISHED &&
           !(p->close_requested && p->closing_session == p->conn.session_id);
}

/* A session a new application may attach to: usable, and the peer has not
 * finished sending (its authenticated close).  Such a session only winds
 * down: an application bound to it now would get nothing and then be cut
 * off, so it waits for the next session instead.  (One already attached
 * keeps writing: a half-close.) */
static int session_joinable(const slinkd_peer *p)
{
    return session_usable(p) && !p->conn.stream.peer_closed;
}

void app_accept(slinkd_peer *p, int lfd)
{
    app_client *c = (lfd == p->lst_dgram) ? &p->dgram : &p->stream;
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return;
    if (c->fd >= 0 && !c->dgram) {
        /* The previous application may have closed just now (a client
         * that reconnects at once): take its end of file first, which
         * ends its stream and frees the slot if it is finished. */
        app_client_readable(p, c);
        app_pump(p, slinkd_now_ms());
    }
    if (c->fd >= 0) {
        /* One application per mode: a second one would interleave bytes
         * into the same stream.  It sees its connection closed at once; a
         * client that reconnects on end of file makes many of these, so
         * the log says it once per APP_REFUSE_LOG_MS with a count. */
        uint64_t now = slinkd_now_ms();
        p->app_refused++;
        if (p->refuse_log_ms == 0 || now >= p->refuse_log_ms + APP_REFUSE_LOG_MS) {
            char more[64] = "";
            if (p->refuse_quiet > 0)
                snprintf(more, sizeof more, "; %u more refused since the last report", (unsigned)p->refuse_quiet);
            logm(SLINK_LOG_WARN, PADDR(p), "refused a second %s application: %s (one at a time%s)",
                 mode_name(c),
                 c->closing ? "the previous one is still reading its ended session" : "one is connected",
                 more);
            p->refuse_log_ms = now;
            p->refuse_quiet = 0;
        } else {
            p->refuse_quiet++;
        }
        close(fd);
        return;
    }
    client_reset(c);
    c->fd = fd;
    if (session_joinable(p)) {
        c->bound = 1;
        c->session = p->conn.session_id;
    }
    logm(SLINK_LOG_INFO, PADDR(p), "%s application connected%s", mode_name(c),
         c->bound ? "" : " (waiting for the session)");
}

short app_client_events(const app_client *c)
{
    short ev = 0;
    if (c->fd < 0)
        return 0;
    if (!c->eof && !c->closing) {
        if (c->dgram ? c->in_msgs < APP_DGRAM_Q : c->in_len < APP_IN_CAP)
            ev |= POLLIN;
    }
    if (c->out_len > 0)
        ev |= POLLOUT;
    return ev;
}

uint64_t app_client_due(const app_client *c)
{
    if (c->fd < 0 || !c->closing || c->out_len == 0)
        return UINT64_MAX;
    return c->progress_ms + APP_DRAIN_STALL_MS;
}

void app_client_readable(slinkd_peer *p, app_client *c)
{
    ssize_t r;
    if (c->fd < 0)
        return;
    if (c->dgram) {
        uint8_t msg[SLINK_DGRAM_MAX + 1];
        while (c->in_msgs < APP_DGRAM_Q) {
            r = recv(c->fd, msg, sizeof msg, MSG_TRUNC);
            if (r < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                    return;
                app_client_close(p, c, strerror(errno));
                return;
            }
            if (r == 0) {
                app_client_close(p, c, "closed by the application");
                return;
            }
            if ((size_t)r > SLINK_DGRAM_MAX) {
                p->dgrams_too_big++;
                logm(SLINK_LOG_WARN, PADDR(p), "datagram of %zd bytes dropped (limit %u)", r,
                     (unsigned)SLINK_DGRAM_MAX);
                continue;
            }
            c->in[c->in_len] = (uint8_t)(r >> 8);
            c->in[c->in_len + 1] = (uint8_t)r;
            memcpy(c->in + c->in_len + 2, msg, (size_t)r);
            c->in_len += 2 + (size_t)r;
            c->in_msgs++;
        }
        return;
    }
    while (c->in_len < APP_IN_CAP && !c->eof) {
        size_t want = APP_IN_CAP - c->in_len;
        r = read(c->fd, c->in + c->in_len, want);
        if (r > 0) {
            c->in_len += (size_t)r;
            if ((size_t)r < want)
                return;   /* drained for now: another read would only say EAGAIN */
            continue;
        }
        if (r == 0) {
            c->eof = 1;   /* flushed to the peer, then the session is closed */
            logm(SLINK_LOG_DEBUG, PADDR(p), "stream application finished writing");
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        app_client_close(p, c, strerror(errno));
        return;
    }
}

void app_client_writable(slinkd_peer *p, app_client *c)
{
    ssize_t r;
    while (c->fd >= 0 && c->out_len > 0) {
        r = send(c->fd, c->out + c->out_off, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            app_client_close(p, c, strerror(errno));
            return;
        }
        if (c->dgram) {
            c->out_len = 0;
        } else {
            c->out_off += (size_t)r;
            c->out_len -= (size_t)r;
        }
        if (c->out_len == 0)
            c->out_off = 0;
        if (c->closing)
            c->progress_ms = slinkd_now_ms();
        if (c->out_len > 0)
            return;   /* short send: the socket is full, POLLOUT says when it is not */
    }
}

/* The stream application that reads session `sid`'s bytes, if it is still
 * there. */
static app_client *rx_owner(slinkd_peer *p, uint32_t sid)
{
    app_client *cl[2] = { &p->stream_old, &p->stream };
    int i;
    for (i = 0; i < 2; i++)
        if (cl[i]->fd >= 0 && cl[i]->bound && cl[i]->session == sid && !cl[i]->rx_done &&
            !(cl[i]->peer_fin && !cl[i]->closing))
            return cl[i];
    return NULL;
}

/* Bytes (and the end) of an ended session whose application is gone: the
 * next session's bytes are queued behind them in the core, so they are
 * read out and dropped, counted and logged. */
static void drop_orphaned(slinkd_peer *p, uint32_t sid)
{
    slink_conn *cn = &p->conn;
    uint8_t junk[1024];
    size_t n = 0;
    slink_err e = SLINK_OK;
    while (slink_conn_rx_session(cn) == sid) {
        size_t got = 0;
        e = slink_conn_recv(cn, junk, sizeof junk, &got);
        n += got;
        if (got == 0 && (e == SLINK_OK || e == SLINK_ERR_AGAIN))
            break;   /* no progress: the core holds nothing of sid after all */
    }
    if (n > 0) {
        p->orphan_bytes += n;
        p->orphan_sessions++;
        logm(SLINK_LOG_WARN, PADDR(p), "session %08x ended (%s) with %zu received bytes and no application "
             "left to read them: dropped", (unsigned)sid, slink_err_desc(e), n);
    }
}

/* peer -> stream applications.  The core returns an ended session's unread
 * bytes, then its end, before the next session's bytes
 * (slink_conn_rx_session() names the session); each application gets
 * exactly its own session's bytes.  A live session is read only while the
 * application keeps up, so the core's receive window closes and the peer
 * slows down otherwise; an ended session's rest (at most the core's receive
 * buffer) is taken at once, so the next session never waits behind it. */
static void stream_rx(slinkd_peer *p, uint64_t now)
{
    slink_conn *cn = &p->conn;
    if (p->rx_discard_session != cn->session_id)
        p->rx_discard = 0;
    for (;;) {
        uint32_t sid = slink_conn_rx_session(cn);
        int over = sid != cn->session_id || !cn->rec_valid;
        app_client *c;
        size_t got = 0, room;
        slink_err e;
        if (!over && p->rx_discard > 0) {
            /* the rest of a stream whose application is gone */
            uint8_t junk[512];
            e = slink_conn_recv(cn, junk, sizeof junk, &got);
            p->rx_discarded_bytes += got;
            if (e == SLINK_ERR_STREAM_END) {
                p->rx_discard--;
                continue;
            }
            if (e == SLINK_OK && got > 0)
                continue;
            break;
        }
        c = rx_owner(p, sid);
        if (!c) {
            if (sid == cn->session_id)
                break;   /* the current session's application may still come */
            drop_orphaned(p, sid);
            if (slink_conn_rx_session(cn) == sid)
                break;
            continue;
        }
        if (!over && c->out_len >= APP_OUT_CAP / 2)
            break;
        if (c->out_off > 0 && c->out_len > 0 && c->out_off + c->out_len > APP_OUT_CAP / 2) {
            memmove(c->out, c->out + c->out_off, c->out_len);
            c->out_off = 0;
        }
        room = APP_OUT_CAP - c->out_off - c->out_len;
        if (room == 0)
            break;
        e = slink_conn_recv(cn, c->out + c->out_off + c->out_len, room, &got);
        if (got > 0) {
            c->out_len += got;
            p->app_from_peer += got;
        }
        if (e == SLINK_OK && got > 0)
            continue;
        if (e == SLINK_OK || e == SLINK_ERR_AGAIN || (e == SLINK_ERR_NOT_READY && !over))
            break;
        if (over) {
            /* its session's end: everything it will get is in out now */
            c->rx_done = 1;
            if (!c->closing) {
                c->closing = 1;
                c->progress_ms = now;
            }
            continue;
        }
        if (e == SLINK_ERR_STREAM_END) {
            /* the peer's application finished: end of file for ours; what
             * follows is the next stream, for the next application */
            c->peer_fin = 1;
            continue;
        }
        if (e == SLINK_ERR_CLOSED)
            c->peer_fin = 1;   /* half-close: the application may still write */
        break;
    }
}

/* An application that finished writing gives way to the next one while the
 * peer's answer to it may still be coming. */
static void retire_finished(slinkd_peer *p)
{
    if (p->stream.fd >= 0 && p->stream.end_sent && !p->stream.peer_fin && !p->stream.closing &&
        p->stream_old.fd < 0) {
        memcpy(&p->stream_old, &p->stream, sizeof p->stream);
        client_reset(&p->stream);
    }
}

/* Both directions of its application stream ended and it has read
 * everything: the application connection is over, the session stays. */
static void finish_stream(slinkd_peer *p, app_client *c)
{
    if (c->fd < 0 || c->closing || !c->end_sent || !c->peer_fin || c->out_len > 0)
        return;
    p->app_streams++;
    logm(SLINK_LOG_DEBUG, PADDR(p), "stream application finished (session %08x stays up)",
         (unsigned)c->session);
    app_client_close(p, c, NULL);
}

/* A stream application whose session is over moves aside, so the next
 * application can connect while it reads the rest. */
static void retire(slinkd_peer *p)
{
    if (p->stream.fd >= 0 && p->stream.closing && p->stream_old.fd < 0) {
        memcpy(&p->stream_old, &p->stream, sizeof p->stream);
        client_reset(&p->stream);
    }
}

static void close_if_done(slinkd_peer *p, app_client *c, uint64_t now)
{
    if (c->fd < 0 || !c->closing)
        return;
    if (c->rx_done && c->out_len == 0)
        app_client_close(p, c, "session ended");
    else if (c->out_len > 0 && now >= c->progress_ms + APP_DRAIN_STALL_MS) {
        char why[96];
        snprintf(why, sizeof why, "session ended and the application read nothing for %u s",
                 APP_DRAIN_STALL_MS / 1000u);
        app_client_close(p, c, why);
    }
}

/* Moves data between the application sockets and the core. */
void app_pump(slinkd_peer *p, uint64_t now)
{
    app_client *s = &p->stream, *g = &p->dgram;
    slink_conn *cn = &p->conn;
    int usable = session_usable(p);

    if (session_joinable(p)) {
        if (s->fd >= 0 && !s->bound && !s->closing) {
            s->bound = 1;
            s->session = cn->session_id;
        }
        if (g->fd >= 0 && !g->bound && !g->closing) {
            g->bound = 1;
            g->session = cn->session_id;
        }
    }
    /* application -> peer */
    if (usable && s->fd >= 0 && s->bound && s->session == cn->session_id && !s->closing) {
        size_t done = 0;
        while (done < s->in_len) {
            size_t acc = 0;
            slink_err e = slink_conn_send(cn, s->in + done, s->in_len - done, &acc);
            done += acc;
            if (e != SLINK_OK || acc == 0)
                break;
        }
        if (done > 0) {
            /* one move for all the core took, not one per chunk */
            memmove(s->in, s->in + done, s->in_len - done);
            s->in_len -= done;
            p->app_to_peer += done;
        }
        if (s->eof && s->in_len == 0 && !s->end_sent &&
            slink_conn_end_stream(cn) == SLINK_OK) {
            /* The application is done writing: its stream ends in band
             * (the peer's application sees end of file), the session stays
             * up for the next application (§3.6.1). */
            s->end_sent = 1;
        }
    }
    if (usable && g->fd >= 0 && g->bound && g->session == cn->session_id && !g->closing) {
        while (g->in_msgs > 0) {
            size_t len = ((size_t)g->in[0] << 8) | g->in[1];
            slink_err e = slink_conn_send_dgram(cn, g->in + 2, len);
            if (e == SLINK_ERR_WOULD_BLOCK || e == SLINK_ERR_AGAIN || e == SLINK_ERR_NOT_READY)
                break;
            if (e == SLINK_OK) {
                p->dgrams_to_peer++;
            } else {
                p->dgrams_too_big++;
                logm(SLINK_LOG_WARN, PADDR(p), "datagram of %zu bytes not sent: %s", len,
                     slink_err_desc(e));
            }
            memmove(g->in, g->in + 2 + len, g->in_len - 2 - len);
            g->in_len -= 2 + len;
            g->in_msgs--;
        }
    }
    if (cn->rec_valid && cn->stream.peer_closed &&
        !(p->peer_closed_seen && p->peer_closed_session == cn->session_id)) {
        p->peer_closed_seen = 1;
        p->peer_closed_session = cn->session_id;
        if (cn->stream.rcv_nxt == cn->stream.peer_final)
            /* the session's end is the event (peer_log.c says who closed) */
            logm(SLINK_LOG_DEBUG, PADDR(p), "peer closed its stream with an authenticated close (session %08x)",
                 (unsigned)cn->session_id);
        else
            /* An honest peer sends close_notify only once all its data
             * was acknowledged, so this final is ahead of what it sent. */
            logm(SLINK_LOG_WARN, PADDR(p), "peer's close_notify (session %08x) puts the end of its stream at "
                 "chunk %u, but chunks %u..%u never arrived: no end of stream until they do",
                 (unsigned)cn->session_id, (unsigned)cn->stream.peer_final, (unsigned)cn->stream.rcv_nxt,
                 (unsigned)(uint8_t)(cn->stream.peer_final - 1u));
    }
    /* peer -> application */
    stream_rx(p, now);
    app_client_writable(p, &p->stream_old);
    app_client_writable(p, s);
    /* the peer will send no more: pass the end of stream on */
    {
        app_client *cl[2] = { &p->stream_old, s };
        int i;
        for (i = 0; i < 2; i++) {
            app_client *c = cl[i];
            if (c->fd >= 0 && c->peer_fin && !c->closing && c->out_len == 0 && !c->shut_wr) {
                c->shut_wr = 1;
                shutdown(c->fd, SHUT_WR);
            }
            finish_stream(p, c);
        }
        retire_finished(p);
    }
    if (s->fd < 0 && usable && p->peer_closed_seen && p->peer_closed_session == cn->session_id &&
        slink_conn_rx_session(cn) == cn->session_id && slink_stream_readable(&cn->stream) == 0 &&
        !p->close_requested) {
        /* nobody is attached to answer: close our side too */
        p->close_requested = 1;
        p->closing_session = cn->session_id;
        slink_conn_close(cn, now);
    }
    if (g->fd >= 0 && g->bound && !g->rx_done) {
        if (g->session != cn->session_id) {
            g->rx_done = 1;   /* the core keeps no datagrams across sessions */
        } else {
            while (g->fd >= 0 && g->out_len == 0) {
                size_t len = 0;
                slink_err e = slink_conn_recv_dgram(cn, g->out, APP_OUT_CAP, &len);
                if (e != SLINK_OK) {
                    if (e != SLINK_ERR_AGAIN && !cn->rec_valid)
                        g->rx_done = 1;
                    break;
                }
                g->out_len = len;
                p->dgrams_from_peer++;
                app_client_writable(p, g);
            }
        }
    }
    /* applications whose session ended: close once they have read it all */
    close_if_done(p, &p->stream_old, now);
    close_if_done(p, s, now);
    close_if_done(p, g, now);
    retire(p);
}

static void session_over(app_client *c, uint64_t now)
{
    if (!c->closing) {
        c->closing = 1;
        c->progress_ms = now;
    }
}

void app_session_up(slinkd_peer *p, uint32_t session)
{
    app_client *cl[2] = { &p->stream, &p->dgram };
    uint64_t now = slinkd_now_ms();
    int i;
    for (i = 0; i < 2; i++) {
        app_client *c = cl[i];
        if (c->fd < 0 || c->closing)
            continue;
        if (c->bound && c->session != session) {
            /* attached to a session that is gone: the application must not
             * be silently fed a new one */
            session_over(c, now);
        } else if (!c->bound) {
            c->bound = 1;
            c->session = session;
        }
    }
    /* Take the replaced session's rest now, before more input can arrive:
     * the core keeps one ended session's bytes apart from the next. */
    stream_rx(p, now);
    retire(p);
}

void app_session_ended(slinkd_peer *p, uint32_t session, uint64_t now)
{
    app_client *cl[2] = { &p->stream, &p->dgram };
    int i;
    for (i = 0; i < 2; i++)
        if (cl[i]->fd >= 0 && cl[i]->bound && cl[i]->session == session)
            session_over(cl[i], now);
    /* hand over whatever the peer sent (and we acknowledged) first */
    stream_rx(p, now);
    app_client_writable(p, &p->stream);
    retire(p);
    if (p->close_requested && p->closing_session == session)
        p->close_requested = 0;
}

/* slinkd's run-time state, shared by the loop, the application sockets and
 * the control socket.  One slinkd per serial port; one slinkd_peer per
 * configured bus address, each owning one slink_conn. */
#ifndef SLINKD_DAEMON_H
#define SLINKD_DAEMON_H

#include <stdint.h>
#include <stdio.h>
#include "slink/slink.h"
#include "config.h"
#include "port.h"

#define APP_IN_CAP   65536u   /* bytes an application may write ahead of the session */
/* A live session is read while an application's buffer is under half full,
 * one read adding at most the core's receive buffer; when the session is
 * replaced, its carried rest (at most that buffer again) must fit at once
 * (app_sock.c stream_rx), so the core never has two ended sessions queued.
 * Hence at least 4 core receive buffers (17 KiB each on hosts). */
#define APP_OUT_CAP  (4u * SLINK_STREAM_RX_BUF > 65536u ? 4u * SLINK_STREAM_RX_BUF : 65536u)
typedef char app_out_fits_carry[(APP_OUT_CAP / 2u + 2u * SLINK_STREAM_RX_BUF <= APP_OUT_CAP) ? 1 : -1];
#define APP_DGRAM_Q  8u       /* datagrams queued ahead of the session */
/* An application whose session ended is closed once it has read everything
 * that session delivered; one that takes no byte for this long is closed
 * anyway (its unread bytes are counted and logged). */
#define APP_DRAIN_STALL_MS 30000u
#define APP_REFUSE_LOG_MS 10000u
#define CTL_MAX      4
#define TX_CAP       (8u * SLINK_WIRE_FRAME_MAX)

typedef struct {
    int      fd;              /* -1: no application connected */
    int      dgram;           /* SOCK_SEQPACKET client */
    int      bound;           /* attached to session `session` */
    uint32_t session;
    int      eof;             /* application shut its writing side */
    int      closing;         /* its session ended: flush, then close */
    int      rx_done;         /* the core reported the end of its session: out holds the rest */
    int      peer_fin;        /* the peer finished sending: its application stream ended
                                 (§3.6.1) or its authenticated close */
    int      end_sent;        /* stream: we ended our application stream for it */
    int      shut_wr;         /* ... and we passed that on with shutdown(SHUT_WR) */
    uint64_t progress_ms;     /* closing: when the application last took bytes */
    /* stream: raw bytes; dgram: (len16 || message) entries */
    uint8_t  in[APP_IN_CAP];
    size_t   in_len;
    size_t   in_msgs;
    uint8_t  out[APP_OUT_CAP];
    size_t   out_off, out_len;
} app_client;

struct slinkd;

/* The deny-list in force (revoke.c): fingerprints, malloc'd */
typedef struct {
    uint8_t (*fp)[SLINK_CERT_FP_LEN];
    size_t n;
} slinkd_denylist;

typedef struct slinkd_peer {
    struct slinkd *d;
    slinkd_peer_cfg cfg;      /* own copy: policy.name points here */
    slink_conn conn;
    slink_platform plat;      /* log hook names this peer */
    int      lst_stream, lst_dgram;
    /* stream: the application of the current (or next) session;
     * stream_old: one whose session ended, still reading what it was sent */
    app_client stream, stream_old, dgram;
    uint32_t closing_session; /* we asked the core to close this one */
    int      close_requested;
    int      peer_closed_seen; /* peer's close_notify seen in session peer_closed_session */
    uint32_t peer_closed_session;
    uint64_t reconnect_at;    /* 0 = none */
    char     last_error[320];
    char     last_core_msg[256]; /* the core's first complaint, held for the event it leads to */
    int      last_core_level;
    int      close_ours;          /* we closed session close_ours_session before the peer did */
    uint32_t close_ours_session;
    /* no answer (peer_log.c): since when nothing came from the peer while
     * there is no session (0: it answers, or a session is up) */
    uint32_t heard_frames;
    uint64_t silent_since_ms;
    uint32_t no_answer_next_s;  /* the next line at this much silence */
    int      no_answer_logged;
    uint32_t hs_failures, sessions, app_refused;
    /* Incoming application streams whose application left before their
     * end arrived: read and dropped up to their end (session rx_discard_session). */
    uint32_t rx_discard, rx_discard_session;
    uint64_t rx_discarded_bytes;
    uint32_t app_streams;     /* application streams finished within a session */
    uint64_t refuse_log_ms;   /* refusals are logged at most once per APP_REFUSE_LOG_MS */
    uint32_t refuse_quiet;    /* refusals not logged since */
    uint64_t app_to_peer, app_from_peer;
    uint64_t orphan_bytes;    /* an ended session's bytes with no application left: dropped */
    uint32_t orphan_sessions;
    uint64_t unread_bytes;    /* taken from the core, application closed or stalled first */
    uint32_t dgrams_to_peer, dgrams_from_peer, dgrams_too_big;
    uint32_t kl_session;
    uint8_t  dup_logged;      /* bus master: duplicate-address suspicion already logged */
    uint16_t kl_tx_epoch, kl_rx_epoch;
} slinkd_peer;

typedef struct {
    int fd;
    char req[128];
    size_t req_len;
    char *resp;
    size_t resp_len, resp_off;
} ctl_client;

typedef struct slinkd {
    slinkd_config cfg;
    port_params pp;
    port port;
    uint64_t port_retry_at;
    uint32_t port_backoff_ms;
    uint32_t port_opens, port_losses;
    char port_error[SLINKD_ERR];
    uint64_t port_bytes_in, port_bytes_out;

    slink_creds creds[2];
    int creds_cur;
    slinkd_denylist deny;     /* every peer's policy points here */
    /* CA signatures already verified (include/slink/cert.h): every peer's
     * policy points here; emptied on each reload of the trust settings */
    slink_cert_cache cert_cache;

    slink_node node;
    int use_node;
    slinkd_peer *peers;
    size_t npeers;

    uint8_t tx[TX_CAP];
    size_t tx_off, tx_len;

    int ctl_fd;
    ctl_client ctl[CTL_MAX];
    int sig_fd;
    FILE *keylog;
    uint64_t started_ms;
    int stopping;
    uint64_t stop_deadline;
    int exit_code;
    int pid_fd;          /* --pidfile, locked; -1 without */
    int argc;            /* kept for SIGHUP: the same options are applied again */
    char **argv;
} slinkd;

uint64_t slinkd_now_ms(void);

/* main.c */
/* Both log why they fail and leave the reason (one line) in why. */
int  slinkd_load_creds(slinkd *d, slink_creds *out, char *why, size_t cap);
/* 0 when the reload is in force; -1 when it was refused or postponed
 * (the running configuration stays).  why: what happened, for slinkctl. */
int  slinkd_reload(slinkd *d, char *why, size_t cap);

/* creds_check.c: our own certificate's validity against the wall clock
 * (warned at start and reload when expired or within CERT_WARN_DAYS) */
#define CERT_WARN_DAYS 30
typedef struct {
    int64_t not_after;        /* unix seconds */
    int64_t left_s;           /* negative once expired */
    int     expired, soon;
    char    not_after_text[40];
} slinkd_cert_validity;
void slinkd_cert_validity_of(const slink_crt *crt, int64_t now_s, slinkd_cert_validity *v);
void slinkd_own_cert_validity(const slinkd *d, slinkd_cert_validity *v);
void slinkd_warn_cert_expiry(const slink_creds *c, const char *path);

/* revoke.c: load a configuration's deny-list (logs why not; -1), and put
 * one in force: every peer's policy, pins from the peers' configs, and a
 * close for each established session whose certificate it now refuses.
 * apply takes the list over (and frees the previous one). */
int  slinkd_revocation_load(const slinkd_config *c, slinkd_denylist *out);
void slinkd_revocation_apply(slinkd *d, slinkd_denylist *list, uint64_t now);

/* loop.c */
int  slinkd_run(slinkd *d);
void slinkd_peer_handle_events(slinkd_peer *p, uint64_t now);
void slinkd_request_stop(slinkd *d, uint64_t now);

/* peer_log.c: one log line per peer event (see there) */
void peer_core_log(void *ctx, int level, const char *msg);   /* the core's platform log hook */
void peer_log_established(slinkd_peer *p, uint32_t session);
void peer_log_ended(slinkd_peer *p, uint32_t session, slink_err e);
void peer_log_hs_failed(slinkd_peer *p, slink_err e);
void peer_log_flush(slinkd_peer *p);
void peer_note_own_close(slinkd_peer *p);   /* before our slink_conn_close: who closed first */
void peer_watch(slinkd_peer *p, uint64_t now);
uint64_t peer_no_answer_ms(const slinkd_peer *p, uint64_t now);

/* app_sock.c */
int  app_listen_all(slinkd_peer *p, char *err, size_t cap);
void app_close_listeners(slinkd_peer *p);
void app_accept(slinkd_peer *p, int lfd);
void app_client_readable(slinkd_peer *p, app_client *c);
void app_client_writable(slinkd_peer *p, app_client *c);
void app_pump(slinkd_peer *p, uint64_t now);
uint64_t app_client_due(const app_client *c);
void app_session_up(slinkd_peer *p, uint32_t session);
void app_session_ended(slinkd_peer *p, uint32_t session, uint64_t now);
void app_client_close(slinkd_peer *p, app_client *c, const char *why);
short app_client_events(const app_client *c);
int  app_socket_in_use(const char *path);

/* ctl.c */
int  ctl_listen(slinkd *d, char *err, size_t cap);
void ctl_accept(slinkd *d);
void ctl_client_io(slinkd *d, ctl_client *c, short revents);
void ctl_close_all(slinkd *d);
char *ctl_status(slinkd *d, int json, size_t *len);

/* metrics.c: the status counters as Prometheus text (malloc'd; NULL on
 * out of memory) */
char *ctl_metrics(slinkd *d, size_t *len);

#endif

/* slinkd configuration: one [link] and up to SLINKD_MAX_PEERS [peer NAME]
 * sections from an INI file, overridden by the command line (which can also
 * describe the one-peer case on its own).  Pure parsing: no sockets, no
 * ports; errors come back as one line of text. */
#ifndef SLINKD_CONFIG_H
#define SLINKD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "slink/conn.h"

#define SLINKD_MAX_PEERS 32   /* a bus master's devices: SLINK_MAX_PEERS */
#define SLINKD_MAX_DENY 64         /* `deny =` lines in the file itself */
#define SLINKD_DENY_FILE_MAX 65536 /* fingerprints in a deny-file */
#define SLINKD_PATH 256
#define SLINKD_ERR 1024   /* room for a credential diagnosis naming two paths (key_diag.h) */

typedef struct {
    char     section[64];          /* NAME from [peer NAME]; "cmdline" for --peer */
    unsigned addr;                 /* 0 = not set */
    char     name[128];            /* identity expected in the peer certificate */
    char     socket[SLINKD_PATH];
    char     dgram_socket[SLINKD_PATH];
    slink_start_role role;
    unsigned socket_mode;          /* permission bits for the UNIX sockets */
    char     socket_group[64];
    int      has_pin;              /* pin = SHA-256: only that certificate */
    uint8_t  pin[SLINK_CERT_FP_LEN];
} slinkd_peer_cfg;

typedef struct {
    char     device[SLINKD_PATH];
    uint32_t baud;
    unsigned addr;
    int      half_duplex;          /* mode = half-duplex */
    int      bus_device;           /* half-duplex: we are a device polled by a master */
    int      rs485;                /* TIOCSRS485 direction control */
    int      rs485_rts_on_send;    /* RTS level while sending (1) or idle */
    uint32_t rs485_delay_before_ms; /* RTS turn-around delays (TIOCSRS485), ms */
    uint32_t rs485_delay_after_ms;
    int      data_bits;            /* 5..8 */
    char     parity;               /* 'n' 'e' 'o' */
    int      stop_bits;            /* 1 or 2 */
    int      flow;                 /* 0 none, 1 rtscts, 2 xonxoff */
    int      wait;                 /* retry the port with backoff */
    char     ca[SLINKD_PATH], cert[SLINKD_PATH], key[SLINKD_PATH];
    char     ctl[SLINKD_PATH];
    char     keylog[SLINKD_PATH];  /* debug only: traffic secrets; --keylog only, never the file */
    char     user[64];             /* started as root: drop to this user after opening everything */
    char     group[64];            /* ... and this group (default: the user's own) */
    int      allow_root;           /* --allow-root: keep running as root without `user` */
    slink_time_mode time_mode;
    int64_t  time_floor;
    /* revocation: `deny =` fingerprints and a deny-file (read by
     * slinkd_denylist_load at start and on every reload) */
    uint8_t  deny[SLINKD_MAX_DENY][SLINK_CERT_FP_LEN];
    size_t   ndeny;
    char     deny_file[SLINKD_PATH];
    uint32_t idle_timeout_ms;
    int      tx_pacing;            /* hold small writes while the line is busy at `baud` */
    int      verbosity;            /* log level: 0 error .. 3 debug */
    int      foreground;
    int      use_syslog;
    uint32_t no_answer_log_s;      /* log a peer that has not answered this long; 0 never */
    int      log_format;           /* SLINKD_LOG_AUTO, _PLAIN or _JOURNAL (log.h) */
    int      list_ports;
    int      check_config;         /* --check-config: validate config and credentials, exit */
    char     pidfile[SLINKD_PATH]; /* --pidfile (command line only: it is written as root) */
    char     instance[64];         /* --instance NAME: names the default paths (instance.h) */
    int      usage_error;          /* the error came from the command line itself (exit 2) */
    char     config_file[SLINKD_PATH];
    /* Read when the command line names neither --config nor --device (as
     * sshd reads its sshd_config); SLINKD_DEFAULT_CONFIG unless a test sets
     * another.  A missing file is not an error by itself. */
    const char *default_config;
    slinkd_peer_cfg peers[SLINKD_MAX_PEERS];
    size_t   npeers;
} slinkd_config;

/* Results of the parsing functions. */
enum { SLINKD_CFG_OK = 0, SLINKD_CFG_EXIT = 1, SLINKD_CFG_ERROR = 2 };

void slinkd_config_defaults(slinkd_config *c);

#ifndef SLINKD_DEFAULT_CONFIG
#define SLINKD_DEFAULT_CONFIG "/etc/slink/slinkd.conf"
#endif

/* Reads an INI file into c (on top of what is there).  Errors look like
 * "config FILE:LINE: what is wrong". */
int  slinkd_config_load_file(slinkd_config *c, const char *path, char *err, size_t cap);

/* Full command line: loads --config FILE first (or, when the command line
 * names neither --config nor --device, c->default_config if it exists), then
 * applies every other option on top.  SLINKD_CFG_EXIT for --help/--version (text already
 * printed). */
int  slinkd_config_from_args(slinkd_config *c, int argc, char **argv, char *err, size_t cap);

/* Cross-field checks (required fields, unique addresses, peer names). */
int  slinkd_config_validate(const slinkd_config *c, char *err, size_t cap);

/* Value parsers shared with the tests. */
int  slinkd_parse_bool(const char *s, int *out);
int  slinkd_parse_uint(const char *s, unsigned long max, unsigned long *out);
int  slinkd_parse_role(const char *s, slink_start_role *out);
int  slinkd_parse_time_policy(const char *s, slink_time_mode *mode, int64_t *floor_s);
/* A certificate fingerprint: 64 hex digits, or 32 colon-separated pairs
 * (openssl x509 -fingerprint -sha256), either case. */
int  slinkd_parse_fingerprint(const char *s, uint8_t out[SLINK_CERT_FP_LEN]);

/* Deny-list text: one fingerprint per line, then optionally a '#'
 * comment; blank lines and lines starting with '#' are skipped.  Appends
 * to out[*n..cap); errors name SRC and the line. */
int  slinkd_denylist_parse(const char *text, const char *src, uint8_t (*out)[SLINK_CERT_FP_LEN],
                           size_t cap, size_t *n, char *err, size_t ecap);
/* The whole deny-list of a configuration: its `deny =` entries, then the
 * deny-file's (a configured file that cannot be read is an error: fail
 * closed).  *out is malloc'd (NULL when empty); the caller frees it. */
int  slinkd_denylist_load(const slinkd_config *c, uint8_t (**out)[SLINK_CERT_FP_LEN], size_t *n,
                          char *err, size_t ecap);

#endif

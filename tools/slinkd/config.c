/* INI file and command-line parsing for slinkd.  Every error is reported as
 * one line naming the file and line (or the option) and what is wrong, so
 * an operator can fix it without reading the source. */
#include "config.h"
#include "instance.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slink/slink.h"

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return SLINKD_CFG_ERROR;
}

static char *trim_ws(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = 0;
    return s;
}

static int copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

void slinkd_config_defaults(slinkd_config *c)
{
    memset(c, 0, sizeof *c);
    c->baud = 115200;
    c->addr = SLINK_ADDR_HOST_DEFAULT;
    c->rs485_rts_on_send = 1;
    c->data_bits = 8;
    c->parity = 'n';
    c->stop_bits = 1;
    c->time_mode = SLINK_TIME_CLOCK_REQUIRED;
    c->verbosity = SLINK_LOG_INFO;
    c->no_answer_log_s = 30;
    c->default_config = SLINKD_DEFAULT_CONFIG;
}

int slinkd_parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

int slinkd_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;
    if (!*s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoul(s, &end, 0);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

int slinkd_parse_role(const char *s, slink_start_role *out)
{
    if (!strcmp(s, "initiator")) *out = SLINK_START_INITIATOR;
    else if (!strcmp(s, "responder")) *out = SLINK_START_RESPONDER;
    else if (!strcmp(s, "auto")) *out = SLINK_START_AUTO;
    else return -1;
    return 0;
}

int slinkd_parse_time_policy(const char *s, slink_time_mode *mode, int64_t *floor_s)
{
    unsigned long v;
    if (!strcmp(s, "clock")) {
        *mode = SLINK_TIME_CLOCK_REQUIRED;
        *floor_s = 0;
        return 0;
    }
    if (!strcmp(s, "ignore")) {
        *mode = SLINK_TIME_IGNORE;
        *floor_s = 0;
        return 0;
    }
    if (!strncmp(s, "floor:", 6) && slinkd_parse_uint(s + 6, 0xFFFFFFFFFFul, &v) == 0 && v > 0) {
        *mode = SLINK_TIME_CLOCK_OR_FLOOR;
        *floor_s = (int64_t)v;
        return 0;
    }
    return -1;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

int slinkd_parse_fingerprint(const char *s, uint8_t out[SLINK_CERT_FP_LEN])
{
    size_t len = strlen(s), i, step;
    if (len == 2 * SLINK_CERT_FP_LEN)
        step = 2;
    else if (len == 3 * SLINK_CERT_FP_LEN - 1)
        step = 3;   /* AB:CD:... */
    else
        return -1;
    for (i = 0; i < SLINK_CERT_FP_LEN; i++) {
        const char *q = s + i * step;
        int hi = hexval((unsigned char)q[0]), lo = hexval((unsigned char)q[1]);
        if (hi < 0 || lo < 0 || (step == 3 && i + 1 < SLINK_CERT_FP_LEN && q[2] != ':'))
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int slinkd_denylist_parse(const char *text, const char *src, uint8_t (*out)[SLINK_CERT_FP_LEN],
                          size_t cap, size_t *n, char *err, size_t ecap)
{
    unsigned lineno = 0;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[256], *w, *rest;
        lineno++;
        if (len >= sizeof line)
            return fail(err, ecap, "deny-file %s:%u: line longer than %zu characters", src, lineno,
                        sizeof line - 1);
        memcpy(line, p, len);
        line[len] = 0;
        p = eol ? eol + 1 : p + len;
        w = trim_ws(line);
        if (!*w || *w == '#')
            continue;
        rest = w + strcspn(w, " \t");
        if (*rest) {
            *rest++ = 0;
            rest = trim_ws(rest);
            if (*rest && *rest != '#')
                return fail(err, ecap, "deny-file %s:%u: one fingerprint per line, then only a '#' comment",
                            src, lineno);
        }
        if (*n >= cap)
            return fail(err, ecap, "deny-file %s:%u: more than %zu fingerprints", src, lineno, cap);
        if (slinkd_parse_fingerprint(w, out[*n]) != 0)
            return fail(err, ecap, "deny-file %s:%u: not a SHA-256 fingerprint (64 hex digits): '%s'",
                        src, lineno, w);
        (*n)++;
    }
    return SLINKD_CFG_OK;
}

int slinkd_denylist_load(const slinkd_config *c, uint8_t (**out)[SLINK_CERT_FP_LEN], size_t *n,
                         char *err, size_t ecap)
{
    size_t cap = c->ndeny + (c->deny_file[0] ? SLINKD_DENY_FILE_MAX : 0);
    uint8_t (*list)[SLINK_CERT_FP_LEN] = NULL;
    char *text = NULL;
    FILE *f = NULL;
    size_t got = 0;
    int rc = SLINKD_CFG_OK;

    *out = NULL;
    *n = 0;
    if (cap == 0)
        return SLINKD_CFG_OK;
    list = malloc(cap * sizeof *list);
    if (!list)
        return fail(err, ecap, "deny-list: out of memory");
    memcpy(list, c->deny, c->ndeny * sizeof *list);
    got = c->ndeny;
    if (c->deny_file[0]) {
        /* 100 bytes a line is generous for "HASH  # comment" */
        size_t max = (size_t)SLINKD_DENY_FILE_MAX * 100u, len;
        f = fopen(c->deny_file, "r");
        if (!f) {
            rc = fail(err, ecap, "deny-file %s: cannot open: %s", c->deny_file, strerror(errno));
            goto out;
        }
        text = malloc(max + 1);
        if (!text) {
            rc = fail(err, ecap, "deny-file %s: out of memory", c->deny_file);
            goto out;
        }
        len = fread(text, 1, max + 1, f);
        if (ferror(f) || len > max) {
            rc = fail(err, ecap, "deny-file %s: read error or larger than %zu bytes", c->deny_file, max);
            goto out;
        }
        text[len] = 0;
        if (memchr(text, 0, len)) {
            rc = fail(err, ecap, "deny-file %s: not a text file", c->deny_file);
            goto out;
        }
        rc = slinkd_denylist_parse(text, c->deny_file, list, cap, &got, err, ecap);
    }
out:
    if (f)
        fclose(f);
    free(text);
    if (rc != SLINKD_CFG_OK || got == 0) {
        free(list);
        return rc;
    }
    *out = list;
    *n = got;
    return SLINKD_CFG_OK;
}

static int parse_parity(const char *s, char *out)
{
    if (!strcmp(s, "none") || !strcmp(s, "n")) *out = 'n';
    else if (!strcmp(s, "even") || !strcmp(s, "e")) *out = 'e';
    else if (!strcmp(s, "odd") || !strcmp(s, "o")) *out = 'o';
    else return -1;
    return 0;
}

static int parse_flow(const char *s, int *out)
{
    if (!strcmp(s, "none")) *out = 0;
    else if (!strcmp(s, "rtscts")) *out = 1;
    else if (!strcmp(s, "xonxoff")) *out = 2;
    else return -1;
    return 0;
}

static int parse_unicast(const char *s, unsigned *out)
{
    unsigned long v;
    if (slinkd_parse_uint(s, SLINK_ADDR_UNICAST_MAX, &v) || v < SLINK_ADDR_UNICAST_MIN)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* One key of the [link] section (also used by the command line).  Returns a
 * static description of what is wrong, or NULL. */
static const char *set_link_key(slinkd_config *c, const char *k, const char *v)
{
    unsigned long n;
    if (!strcmp(k, "device"))
        return copy_str(c->device, sizeof c->device, v) ? "device path too long" : NULL;
    if (!strcmp(k, "baud"))
        return (slinkd_parse_uint(v, 20000000ul, &n) || n < 50) ? "baud must be a number from 50 to 20000000"
               : (c->baud = (uint32_t)n, NULL);
    if (!strcmp(k, "addr"))
        return parse_unicast(v, &c->addr) ? "addr must be a unicast address 1..239" : NULL;
    if (!strcmp(k, "mode")) {
        if (!strcmp(v, "full-duplex")) c->half_duplex = 0;
        else if (!strcmp(v, "half-duplex")) c->half_duplex = 1;
        else return "mode must be full-duplex or half-duplex";
        return NULL;
    }
    if (!strcmp(k, "bus-role")) {
        if (!strcmp(v, "master")) c->bus_device = 0;
        else if (!strcmp(v, "device")) c->bus_device = 1;
        else return "bus-role must be master or device";
        return NULL;
    }
    if (!strcmp(k, "rs485"))
        return slinkd_parse_bool(v, &c->rs485) ? "rs485 must be true or false" : NULL;
    if (!strcmp(k, "rts-on-send"))
        return slinkd_parse_bool(v, &c->rs485_rts_on_send) ? "rts-on-send must be true or false" : NULL;
    if (!strcmp(k, "rs485-delay-before"))
        return slinkd_parse_uint(v, 100, &n) ? "rs485-delay-before must be milliseconds, 0 to 100"
               : (c->rs485_delay_before_ms = (uint32_t)n, NULL);
    if (!strcmp(k, "rs485-delay-after"))
        return slinkd_parse_uint(v, 100, &n) ? "rs485-delay-after must be milliseconds, 0 to 100"
               : (c->rs485_delay_after_ms = (uint32_t)n, NULL);
    if (!strcmp(k, "data-bits"))
        return (slinkd_parse_uint(v, 8, &n) || n < 5) ? "data-bits must be 5, 6, 7 or 8"
               : (c->data_bits = (int)n, NULL);
    if (!strcmp(k, "parity"))
        return parse_parity(v, &c->parity) ? "parity must be none, even or odd" : NULL;
    if (!strcmp(k, "stop-bits"))
        return (slinkd_parse_uint(v, 2, &n) || n < 1) ? "stop-bits must be 1 or 2"
               : (c->stop_bits = (int)n, NULL);
    if (!strcmp(k, "flow"))
        return parse_flow(v, &c->flow) ? "flow must be none, rtscts or xonxoff" : NULL;
    if (!strcmp(k, "wait"))
        return slinkd_parse_bool(v, &c->wait) ? "wait must be true or false" : NULL;
    if (!strcmp(k, "ca"))
        return copy_str(c->ca, sizeof c->ca, v) ? "ca path too long" : NULL;
    if (!strcmp(k, "cert"))
        return copy_str(c->cert, sizeof c->cert, v) ? "cert path too long" : NULL;
    if (!strcmp(k, "key"))
        return copy_str(c->key, sizeof c->key, v) ? "key path too long" : NULL;
    if (!strcmp(k, "ctl"))
        return copy_str(c->ctl, sizeof c->ctl, v) ? "ctl path too long" : NULL;
    /* Whoever can write the configuration must not be able to make the
     * daemon write traffic secrets to disk: only the operator's command
     * line can (slinkd_config_from_args handles --keylog itself). */
    if (!strcmp(k, "keylog"))
        return "keylog is accepted on the command line only (--keylog FILE, debugging): "
               "a configuration file cannot switch on the logging of traffic secrets";
    if (!strcmp(k, "user"))
        return copy_str(c->user, sizeof c->user, v) ? "user name too long" : NULL;
    if (!strcmp(k, "group"))
        return copy_str(c->group, sizeof c->group, v) ? "group name too long" : NULL;
    if (!strcmp(k, "time-policy"))
        return slinkd_parse_time_policy(v, &c->time_mode, &c->time_floor)
               ? "time-policy must be clock, ignore or floor:UNIXSECONDS" : NULL;
    if (!strcmp(k, "deny")) {
        if (c->ndeny >= SLINKD_MAX_DENY)
            return "more than 64 deny entries: put them in a deny-file";
        if (slinkd_parse_fingerprint(v, c->deny[c->ndeny]))
            return "deny must be a certificate's SHA-256 fingerprint (64 hex digits; slink-pki fingerprint)";
        c->ndeny++;
        return NULL;
    }
    if (!strcmp(k, "deny-file"))
        return copy_str(c->deny_file, sizeof c->deny_file, v) ? "deny-file path too long" : NULL;
    if (!strcmp(k, "tx-pacing"))
        return slinkd_parse_bool(v, &c->tx_pacing) ? "tx-pacing must be true or false" : NULL;
    if (!strcmp(k, "idle-timeout"))
        return slinkd_parse_uint(v, 86400000ul, &n) ? "idle-timeout must be milliseconds"
               : (c->idle_timeout_ms = (uint32_t)n, NULL);
    if (!strcmp(k, "syslog"))
        return slinkd_parse_bool(v, &c->use_syslog) ? "syslog must be true or false" : NULL;
    if (!strcmp(k, "no-answer-log"))
        return slinkd_parse_uint(v, 86400ul, &n) ? "no-answer-log must be seconds (0: never)"
               : (c->no_answer_log_s = (uint32_t)n, NULL);
    if (!strcmp(k, "log-format")) {
        if (!strcmp(v, "auto")) c->log_format = SLINKD_LOG_AUTO;
        else if (!strcmp(v, "plain")) c->log_format = SLINKD_LOG_PLAIN;
        else if (!strcmp(v, "journal")) c->log_format = SLINKD_LOG_JOURNAL;
        else return "log-format must be auto, plain or journal";
        return NULL;
    }
    if (!strcmp(k, "log-level")) {
        if (!strcmp(v, "error")) c->verbosity = SLINK_LOG_ERROR;
        else if (!strcmp(v, "warn")) c->verbosity = SLINK_LOG_WARN;
        else if (!strcmp(v, "info")) c->verbosity = SLINK_LOG_INFO;
        else if (!strcmp(v, "debug")) c->verbosity = SLINK_LOG_DEBUG;
        else return "log-level must be error, warn, info or debug";
        return NULL;
    }
    return "unknown key in [link]";
}

static const char *set_peer_key(slinkd_peer_cfg *p, const char *k, const char *v)
{
    unsigned long n;
    if (!strcmp(k, "addr"))
        return parse_unicast(v, &p->addr) ? "addr must be a unicast address 1..239" : NULL;
    if (!strcmp(k, "name")) {
        if (!*v)
            return "name must not be empty (use '*' to accept any CA-signed peer)";
        return copy_str(p->name, sizeof p->name, v) ? "name too long" : NULL;
    }
    if (!strcmp(k, "socket"))
        return copy_str(p->socket, sizeof p->socket, v) ? "socket path too long" : NULL;
    if (!strcmp(k, "dgram-socket"))
        return copy_str(p->dgram_socket, sizeof p->dgram_socket, v) ? "dgram-socket path too long" : NULL;
    /* A TCP port on localhost has no owner or mode: it would widen access
     * beyond the UNIX socket's permissions.  Named, so an old
     * configuration stops with the reason rather than "unknown key". */
    if (!strcmp(k, "tcp"))
        return "tcp (a localhost TCP listener) was removed: any local user, or a web page through a browser, "
               "could have become this peer's application; use the UNIX socket (socket, socket-mode, "
               "socket-group), see slinkd(8)";
    if (!strcmp(k, "role"))
        return slinkd_parse_role(v, &p->role) ? "role must be initiator, responder or auto" : NULL;
    if (!strcmp(k, "socket-mode")) {
        char *end;
        errno = 0;
        n = strtoul(v, &end, 8);
        if (!*v || *end || errno || n > 0777)
            return "socket-mode must be octal permissions such as 0660";
        p->socket_mode = (unsigned)n;
        return NULL;
    }
    if (!strcmp(k, "socket-group"))
        return copy_str(p->socket_group, sizeof p->socket_group, v) ? "socket-group too long" : NULL;
    if (!strcmp(k, "pin")) {
        if (slinkd_parse_fingerprint(v, p->pin))
            return "pin must be the peer certificate's SHA-256 fingerprint (64 hex digits; slink-pki fingerprint)";
        p->has_pin = 1;
        return NULL;
    }
    return "unknown key in [peer]";
}

static void peer_defaults(slinkd_peer_cfg *p)
{
    memset(p, 0, sizeof *p);
    p->role = SLINK_START_AUTO;
    p->socket_mode = 0660;
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        *--e = 0;
    return s;
}

/* Inline comments: '#' or ';' preceded by a space or tab starts a comment,
 * except inside double quotes.  The whitespace is required so that values
 * such as "a#b" (a socket group, a certificate name) stay whole.  Returns
 * -1 on an unterminated quote. */
static int strip_inline_comment(char *s)
{
    int quoted = 0;
    char *p;
    for (p = s; *p; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (*p == '#' || *p == ';') && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = 0;
            break;
        }
    }
    return quoted ? -1 : 0;
}

/* A value wholly in double quotes loses them (so it may hold " #"); any
 * other quote is an error rather than a silently literal character. */
static const char *unquote(char **v)
{
    size_t n = strlen(*v);
    if (!strchr(*v, '"'))
        return NULL;
    if (n >= 2 && (*v)[0] == '"' && (*v)[n - 1] == '"' && !memchr(*v + 1, '"', n - 2)) {
        (*v)[n - 1] = 0;
        (*v)++;
        return NULL;
    }
    return "a value may be quoted only as a whole: \"value\"";
}

int slinkd_config_load_file(slinkd_config *c, const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    unsigned lineno = 0;
    int in_link = 0;
    slinkd_peer_cfg *peer = NULL;
    int rc = SLINKD_CFG_OK;

    if (!f)
        return fail(err, cap, "config %s: cannot open: %s", path, strerror(errno));
    if (path != c->config_file)
        snprintf(c->config_file, sizeof c->config_file, "%s", path);
    while (fgets(line, sizeof line, f)) {
        char *s, *eq, *k, *v;
        const char *why;
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = fail(err, cap, "config %s:%u: line longer than %zu characters", path, lineno,
                      sizeof line - 2);
            break;
        }
        s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (strip_inline_comment(s)) {
            rc = fail(err, cap, "config %s:%u: unterminated '\"'", path, lineno);
            break;
        }
        s = trim(s);
        if (*s == '[') {
            char *end = strchr(s, ']');
            char *name;
            if (!end || *trim(end + 1)) {
                rc = fail(err, cap, "config %s:%u: section header needs a closing ']'", path, lineno);
                break;
            }
            *end = 0;
            name = trim(s + 1);
            if (!strcmp(name, "link")) {
                in_link = 1;
                peer = NULL;
                continue;
            }
            if (!strncmp(name, "peer", 4) && (name[4] == ' ' || name[4] == '\t')) {
                char *pn = trim(name + 4);
                size_t i;
                if (!*pn || strlen(pn) >= sizeof c->peers[0].section) {
                    rc = fail(err, cap, "config %s:%u: [peer NAME] needs a name of 1..63 characters",
                              path, lineno);
                    break;
                }
                for (i = 0; i < c->npeers; i++)
                    if (!strcmp(c->peers[i].section, pn))
                        break;
                if (i < c->npeers) {
                    rc = fail(err, cap, "config %s:%u: peer '%s' defined twice", path, lineno, pn);
                    break;
                }
                if (c->npeers >= SLINKD_MAX_PEERS) {
                    rc = fail(err, cap, "config %s:%u: more than %d peers", path, lineno, SLINKD_MAX_PEERS);
                    break;
                }
                peer = &c->peers[c->npeers++];
                peer_defaults(peer);
                memcpy(peer->section, pn, strlen(pn) + 1);
                in_link = 0;
                continue;
            }
            rc = fail(err, cap, "config %s:%u: unknown section [%s] (expected [link] or [peer NAME])",
                      path, lineno, name);
            break;
        }
        eq = strchr(s, '=');
        if (!eq) {
            rc = fail(err, cap, "config %s:%u: expected 'key = value'", path, lineno);
            break;
        }
        *eq = 0;
        k = trim(s);
        v = trim(eq + 1);
        if (!*k) {
            rc = fail(err, cap, "config %s:%u: missing key before '='", path, lineno);
            break;
        }
        if (!in_link && !peer) {
            rc = fail(err, cap, "config %s:%u: '%s' outside a section (start with [link])", path, lineno, k);
            break;
        }
        if ((why = unquote(&v)) != NULL) {
            rc = fail(err, cap, "config %s:%u: %s: %s", path, lineno, k, why);
            break;
        }
        if (!*v) {
            rc = fail(err, cap, "config %s:%u: %s: empty value", path, lineno, k);
            break;
        }
        why = in_link ? set_link_key(c, k, v) : set_peer_key(peer, k, v);
        if (why) {
            if (!strncmp(why, "unknown key", 11))
                rc = fail(err, cap, "config %s:%u: %s '%s'", path, lineno, why, k);
            else
                rc = fail(err, cap, "config %s:%u: %s (got '%s')", path, lineno, why, v);
            break;
        }
    }
    if (rc == SLINKD_CFG_OK && ferror(f))
        rc = fail(err, cap, "config %s: read error", path);
    fclose(f);
    return rc;
}

enum {
    OPT_DEVICE = 256, OPT_BAUD, OPT_ADDR, OPT_CA, OPT_CERT, OPT_KEY, OPT_PEER, OPT_PEER_NAME,
    OPT_SOCKET, OPT_DGRAM, OPT_TCP, OPT_ROLE, OPT_DATA_BITS, OPT_PARITY, OPT_STOP_BITS, OPT_FLOW,
    OPT_WAIT, OPT_CTL, OPT_TIME, OPT_KEYLOG, OPT_FG, OPT_CONFIG, OPT_LIST, OPT_MODE, OPT_RS485,
    OPT_SYSLOG, OPT_IDLE, OPT_SOCKET_MODE, OPT_PACING, OPT_BUS_ROLE, OPT_HELP, OPT_VERSION,
    OPT_DENY, OPT_DENY_FILE, OPT_PIN, OPT_USER, OPT_GROUP, OPT_ALLOW_ROOT, OPT_CHECK, OPT_PIDFILE,
    OPT_INSTANCE, OPT_RS485_BEFORE, OPT_RS485_AFTER, OPT_LOG_FORMAT, OPT_NO_ANSWER
};

static const struct option long_opts[] = {
    {"device", required_argument, 0, OPT_DEVICE},
    {"baud", required_argument, 0, OPT_BAUD},
    {"addr", required_argument, 0, OPT_ADDR},
    {"ca", required_argument, 0, OPT_CA},
    {"cert", required_argument, 0, OPT_CERT},
    {"key", required_argument, 0, OPT_KEY},
    {"peer", required_argument, 0, OPT_PEER},
    {"peer-name", required_argument, 0, OPT_PEER_NAME},
    {"socket", required_argument, 0, OPT_SOCKET},
    {"dgram-socket", required_argument, 0, OPT_DGRAM},
    {"tcp", required_argument, 0, OPT_TCP},
    {"role", required_argument, 0, OPT_ROLE},
    {"data-bits", required_argument, 0, OPT_DATA_BITS},
    {"parity", required_argument, 0, OPT_PARITY},
    {"stop-bits", required_argument, 0, OPT_STOP_BITS},
    {"flow", required_argument, 0, OPT_FLOW},
    {"wait", no_argument, 0, OPT_WAIT},
    {"ctl", required_argument, 0, OPT_CTL},
    {"time-policy", required_argument, 0, OPT_TIME},
    {"keylog", required_argument, 0, OPT_KEYLOG},
    {"foreground", no_argument, 0, OPT_FG},
    {"config", required_argument, 0, OPT_CONFIG},
    {"list-ports", no_argument, 0, OPT_LIST},
    {"mode", required_argument, 0, OPT_MODE},
    {"bus-role", required_argument, 0, OPT_BUS_ROLE},
    {"rs485", no_argument, 0, OPT_RS485},
    {"rs485-delay-before", required_argument, 0, OPT_RS485_BEFORE},
    {"rs485-delay-after", required_argument, 0, OPT_RS485_AFTER},
    {"syslog", no_argument, 0, OPT_SYSLOG},
    {"log-format", required_argument, 0, OPT_LOG_FORMAT},
    {"no-answer-log", required_argument, 0, OPT_NO_ANSWER},
    {"idle-timeout", required_argument, 0, OPT_IDLE},
    {"tx-pacing", no_argument, 0, OPT_PACING},
    {"socket-mode", required_argument, 0, OPT_SOCKET_MODE},
    {"deny", required_argument, 0, OPT_DENY},
    {"deny-file", required_argument, 0, OPT_DENY_FILE},
    {"pin", required_argument, 0, OPT_PIN},
    {"user", required_argument, 0, OPT_USER},
    {"group", required_argument, 0, OPT_GROUP},
    {"allow-root", no_argument, 0, OPT_ALLOW_ROOT},
    {"check-config", no_argument, 0, OPT_CHECK},
    {"pidfile", required_argument, 0, OPT_PIDFILE},
    {"instance", required_argument, 0, OPT_INSTANCE},
    {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, OPT_HELP},
    {"version", no_argument, 0, OPT_VERSION},
    {0, 0, 0, 0}
};

static const char usage_text[] =
    "usage: slinkd [--config FILE] [options]   (default FILE: " SLINKD_DEFAULT_CONFIG ",\n"
    "       read when neither --config nor --device is given)\n"
    "  one peer:  slinkd --device PATH --baud N --addr A --ca CA.crt --cert ME.crt --key ME.key\n"
    "                    --peer B --peer-name NAME --socket PATH [--dgram-socket PATH]\n"
    "                    [--role initiator|responder|auto]\n"
    "  serial:    --data-bits 5-8 --parity none|even|odd --stop-bits 1|2 --flow none|rtscts|xonxoff\n"
    "             --mode full-duplex|half-duplex --bus-role master|device --rs485 --wait\n"
    "             --rs485-delay-before MS --rs485-delay-after MS (RTS turn-around, 0..100)\n"
    "  other:     --ctl PATH --time-policy clock|floor:UNIX|ignore --idle-timeout MS --tx-pacing\n"
    "             --deny SHA256 --deny-file PATH --pin SHA256 (revocation, pinning)\n"
    "             --keylog FILE (debug only) --syslog -v --foreground --list-ports\n"
    "             --log-format auto|plain|journal (journal: <N> priority prefixes, no timestamp)\n"
    "             --no-answer-log S (log a peer silent this long, then at doubling intervals)\n"
    "  privilege: --user NAME [--group NAME] (drop from root after opening) | --allow-root\n"
    "  service:   --check-config (-t): check the configuration and credentials, then exit\n"
    "             --pidfile PATH   -h, --help   --version\n"
    "             --instance NAME: names the default control socket RUNDIR/NAME.ctl\n"
    "               (default: the config file's basename without .conf, else slinkd;\n"
    "               RUNDIR: $RUNTIME_DIRECTORY, /run/slink, $XDG_RUNTIME_DIR/slink)\n"
    "  exit status: 0 ok, 1 run-time error or invalid configuration (--check-config),\n"
    "               2 malformed command line or configuration\n"
    "  see slinkd(8)\n";

/* The command-line peer: the one named "cmdline", created on first use. */
static slinkd_peer_cfg *cmdline_peer(slinkd_config *c)
{
    size_t i;
    for (i = 0; i < c->npeers; i++)
        if (!strcmp(c->peers[i].section, "cmdline"))
            return &c->peers[i];
    if (c->npeers >= SLINKD_MAX_PEERS)
        return NULL;
    peer_defaults(&c->peers[c->npeers]);
    strcpy(c->peers[c->npeers].section, "cmdline");
    return &c->peers[c->npeers++];
}

static const char *link_key_for(int opt)
{
    switch (opt) {
    case OPT_DEVICE: return "device";
    case OPT_BAUD: return "baud";
    case OPT_ADDR: return "addr";
    case OPT_CA: return "ca";
    case OPT_CERT: return "cert";
    case OPT_KEY: return "key";
    case OPT_DATA_BITS: return "data-bits";
    case OPT_PARITY: return "parity";
    case OPT_STOP_BITS: return "stop-bits";
    case OPT_FLOW: return "flow";
    case OPT_CTL: return "ctl";
    case OPT_TIME: return "time-policy";
    case OPT_USER: return "user";
    case OPT_GROUP: return "group";
    case OPT_MODE: return "mode";
    case OPT_BUS_ROLE: return "bus-role";
    case OPT_IDLE: return "idle-timeout";
    case OPT_DENY: return "deny";
    case OPT_DENY_FILE: return "deny-file";
    case OPT_RS485_BEFORE: return "rs485-delay-before";
    case OPT_RS485_AFTER: return "rs485-delay-after";
    case OPT_LOG_FORMAT: return "log-format";
    case OPT_NO_ANSWER: return "no-answer-log";
    default: return NULL;
    }
}

static const char *peer_key_for(int opt)
{
    switch (opt) {
    case OPT_PEER: return "addr";
    case OPT_PEER_NAME: return "name";
    case OPT_SOCKET: return "socket";
    case OPT_DGRAM: return "dgram-socket";
    case OPT_TCP: return "tcp";
    case OPT_ROLE: return "role";
    case OPT_SOCKET_MODE: return "socket-mode";
    case OPT_PIN: return "pin";
    default: return NULL;
    }
}

static const char *long_name(int opt)
{
    const struct option *o;
    for (o = long_opts; o->name; o++)
        if (o->val == opt)
            return o->name;
    return "?";
}

int slinkd_config_from_args(slinkd_config *c, int argc, char **argv, char *err, size_t cap)
{
    int opt, i, rc;
    int named_file = 0, named_device = 0;
    /* The file comes first so that options on the command line win. */
    for (i = 1; i < argc; i++) {
        const char *path = NULL;
        if (!strcmp(argv[i], "--device") || !strncmp(argv[i], "--device=", 9))
            named_device = 1;
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            path = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            path = argv[i] + 9;
        if (path) {
            named_file = 1;
            if (copy_str(c->config_file, sizeof c->config_file, path))
                return fail(err, cap, "--config: path too long");
            rc = slinkd_config_load_file(c, path, err, cap);
            if (rc)
                return rc;
        }
    }
    /* Neither a file nor a device: a daemon started bare reads the default
     * file, so `slinkd -t` and a unit without arguments work. */
    if (!named_file && !named_device && c->default_config && c->default_config[0] &&
        access(c->default_config, F_OK) == 0) {
        if (copy_str(c->config_file, sizeof c->config_file, c->default_config))
            return fail(err, cap, "default config: path too long");
        rc = slinkd_config_load_file(c, c->default_config, err, cap);
        if (rc)
            return rc;
    }
    optind = 0;   /* glibc: full re-initialisation (reload parses again) */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":vht", long_opts, NULL)) != -1) {
        const char *k, *why = NULL;
        switch (opt) {
        case 'v': if (c->verbosity < SLINK_LOG_DEBUG) c->verbosity++; continue;
        case 'h':
        case OPT_HELP: fputs(usage_text, stdout); return SLINKD_CFG_EXIT;
        case OPT_VERSION: printf("slinkd %s\n", SLINK_VERSION_STRING); return SLINKD_CFG_EXIT;
        case OPT_WAIT: c->wait = 1; continue;
        case OPT_FG: c->foreground = 1; continue;
        case OPT_LIST: c->list_ports = 1; continue;
        case OPT_RS485: c->rs485 = 1; continue;
        case OPT_SYSLOG: c->use_syslog = 1; continue;
        case OPT_PACING: c->tx_pacing = 1; continue;
        case OPT_ALLOW_ROOT: c->allow_root = 1; continue;
        case 't':
        case OPT_CHECK: c->check_config = 1; continue;
        case OPT_PIDFILE:
            if (!*optarg || copy_str(c->pidfile, sizeof c->pidfile, optarg)) {
                c->usage_error = 1;
                return fail(err, cap, "option --pidfile: empty or too long (got '%s')", optarg);
            }
            continue;
        case OPT_INSTANCE: {
            const char *bad = instance_name_check(optarg);
            if (bad || copy_str(c->instance, sizeof c->instance, optarg)) {
                c->usage_error = 1;
                return fail(err, cap, "option --instance: the name %s (got '%s')",
                            bad ? bad : "is too long", optarg);
            }
            continue;
        }
        case OPT_KEYLOG:
            if (copy_str(c->keylog, sizeof c->keylog, optarg)) {
                c->usage_error = 1;
                return fail(err, cap, "option --keylog: path too long (got '%s')", optarg);
            }
            continue;
        case OPT_CONFIG: continue;
        case ':':
            c->usage_error = 1;
            return fail(err, cap, "option %s needs a value", argv[optind - 1]);
        case '?':
            c->usage_error = 1;
            return fail(err, cap, "unknown option '%s' (see --help)", argv[optind - 1]);
        default: break;
        }
        c->usage_error = 1;   /* cleared below when the value is accepted */
        if ((k = link_key_for(opt)) != NULL) {
            why = set_link_key(c, k, optarg);
        } else if ((k = peer_key_for(opt)) != NULL) {
            slinkd_peer_cfg *p = cmdline_peer(c);
            if (!p)
                return fail(err, cap, "--%s: the config file already has %d peers", k, SLINKD_MAX_PEERS);
            why = set_peer_key(p, k, optarg);
        }
        if (why)
            return fail(err, cap, "option --%s: %s (got '%s')", long_name(opt), why, optarg);
        c->usage_error = 0;
    }
    if (optind < argc) {
        c->usage_error = 1;
        return fail(err, cap, "unexpected argument '%s' (see --help)", argv[optind]);
    }
    return SLINKD_CFG_OK;
}

int slinkd_config_validate(const slinkd_config *c, char *err, size_t cap)
{
    size_t i, j;
    const char *src = c->config_file[0] ? c->config_file : "command line";
    if (c->list_ports)
        return SLINKD_CFG_OK;
    if (!c->device[0])
        return fail(err, cap, "%s: no serial device (--device or [link] device%s%s)", src,
                    c->config_file[0] || !c->default_config ? "" : "; no default config ",
                    c->config_file[0] || !c->default_config ? "" : c->default_config);
    if (!c->ca[0] || !c->cert[0] || !c->key[0])
        return fail(err, cap, "%s: ca, cert and key are all required", src);
    if (c->npeers == 0)
        return fail(err, cap, "%s: no peer configured (--peer ADDR or a [peer NAME] section)", src);
    if (c->half_duplex && c->bus_device && c->npeers != 1)
        return fail(err, cap, "%s: a bus device (bus-role = device) talks to exactly one peer, its master", src);
    for (i = 0; i < c->npeers; i++) {
        const slinkd_peer_cfg *p = &c->peers[i];
        if (!p->addr)
            return fail(err, cap, "%s: peer '%s' has no address (--peer / addr)", src, p->section);
        if (p->addr == c->addr)
            return fail(err, cap, "%s: peer '%s' has our own address %u", src, p->section, p->addr);
        if (!p->name[0])
            return fail(err, cap, "%s: peer '%s' (addr %u) needs the expected certificate name "
                        "(--peer-name / name; '*' accepts any CA-signed peer)", src, p->section, p->addr);
        if (!p->socket[0] && !p->dgram_socket[0])
            return fail(err, cap, "%s: peer '%s' has no socket or dgram-socket for applications",
                        src, p->section);
        for (j = 0; j < i; j++) {
            if (c->peers[j].addr == p->addr)
                return fail(err, cap, "%s: peers '%s' and '%s' share address %u", src,
                            c->peers[j].section, p->section, p->addr);
            if (p->socket[0] && !strcmp(c->peers[j].socket, p->socket))
                return fail(err, cap, "%s: peers '%s' and '%s' share socket %s", src,
                            c->peers[j].section, p->section, p->socket);
        }
    }
    return SLINKD_CFG_OK;
}

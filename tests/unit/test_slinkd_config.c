/* slinkd's configuration parser: INI files, command line, validation.
 * Every malformed input must give the exact "config FILE:LINE: ..." line. */
#include "testutil.h"
#include "config.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];
static char err[SLINKD_ERR];

static const char *write_conf(const char *text)
{
    int fd;
    FILE *f;
    strcpy(path, "/tmp/slinkd-cfg-XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static int load(slinkd_config *c, const char *text)
{
    int rc;
    slinkd_config_defaults(c);
    err[0] = 0;
    rc = slinkd_config_load_file(c, write_conf(text), err, sizeof err);
    unlink(path);
    return rc;
}

/* The error must be exactly "config PATH:LINE: what". */
static void expect_validate(const char *what)
{
    char want[SLINKD_ERR + 64];
    snprintf(want, sizeof want, "%s: %s", path, what);
    ck_assert_str_eq(err, want);
}

static void expect_err(const char *text, unsigned line, const char *what)
{
    slinkd_config c;
    char want[SLINKD_ERR + 64];
    ck_assert_int_eq(load(&c, text), SLINKD_CFG_ERROR);
    snprintf(want, sizeof want, "config %s:%u: %s", path, line, what);
    ck_assert_str_eq(err, want);
}

static const char good[] =
    "# gateway\n"
    "[link]\n"
    "device = /dev/ttyUSB0\n"
    "baud = 115200\n"
    "addr = 1\n"
    "mode = half-duplex\n"
    "rs485 = true\n"
    "rs485-delay-before = 2\n"
    "rs485-delay-after = 100\n"
    "parity = even\n"
    "stop-bits = 2\n"
    "flow = rtscts\n"
    "wait = yes\n"
    "ca = /etc/slink/ca.crt\n"
    "cert = /etc/slink/host.crt\n"
    "key = /etc/slink/host.key\n"
    "ctl = /run/slinkd.ctl\n"
    "user = slink\n"
    "group = slinkgrp\n"
    "time-policy = floor:1700000000\n"
    "\n"
    "[peer pump]\n"
    "addr = 7\n"
    "name = pump-7\n"
    "socket = /run/slink/pump.sock\n"
    "dgram-socket = /run/slink/pump.dgram\n"
    "role = initiator\n"
    "socket-mode = 0660\n"
    "socket-group = dialout\n"
    "  ; indented comment\n"
    "[peer valve]\n"
    "addr = 0x08\n"
    "name = *\n"
    "socket = /run/slink/valve.sock\n";

START_TEST(good_file_parses_every_key)
{
    slinkd_config c;
    ck_assert_int_eq(load(&c, good), SLINKD_CFG_OK);
    ck_assert_str_eq(c.device, "/dev/ttyUSB0");
    ck_assert_uint_eq(c.baud, 115200);
    ck_assert_uint_eq(c.addr, 1);
    ck_assert_int_eq(c.half_duplex, 1);
    ck_assert_int_eq(c.rs485, 1);
    ck_assert_uint_eq(c.rs485_delay_before_ms, 2);
    ck_assert_uint_eq(c.rs485_delay_after_ms, 100);
    ck_assert_int_eq(c.parity, 'e');
    ck_assert_int_eq(c.stop_bits, 2);
    ck_assert_int_eq(c.flow, 1);
    ck_assert_int_eq(c.wait, 1);
    ck_assert_str_eq(c.user, "slink");
    ck_assert_str_eq(c.group, "slinkgrp");
    ck_assert_int_eq(c.allow_root, 0);
    ck_assert_int_eq(c.time_mode, SLINK_TIME_CLOCK_OR_FLOOR);
    ck_assert_int_eq((int)c.time_floor, 1700000000);
    ck_assert_uint_eq(c.npeers, 2);
    ck_assert_str_eq(c.peers[0].section, "pump");
    ck_assert_uint_eq(c.peers[0].addr, 7);
    ck_assert_str_eq(c.peers[0].name, "pump-7");
    ck_assert_str_eq(c.peers[0].dgram_socket, "/run/slink/pump.dgram");
    ck_assert_int_eq(c.peers[0].role, SLINK_START_INITIATOR);
    ck_assert_uint_eq(c.peers[0].socket_mode, 0660);
    ck_assert_str_eq(c.peers[0].socket_group, "dialout");
    ck_assert_uint_eq(c.peers[1].addr, 8);
    ck_assert_str_eq(c.peers[1].name, "*");
    ck_assert_int_eq(c.peers[1].role, SLINK_START_AUTO);
    ck_assert_uint_eq(c.peers[1].socket_mode, 0660);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_OK);
}
END_TEST

START_TEST(malformed_lines_name_file_and_line)
{
    expect_err("[link]\nbaud = fast\n", 2, "baud must be a number from 50 to 20000000 (got 'fast')");
    expect_err("[link]\nbaud = 20000001\n", 2, "baud must be a number from 50 to 20000000 (got '20000001')");
    expect_err("[link]\naddr = 0\n", 2, "addr must be a unicast address 1..239 (got '0')");
    expect_err("[link]\naddr = 240\n", 2, "addr must be a unicast address 1..239 (got '240')");
    expect_err("[link]\nmode = simplex\n", 2, "mode must be full-duplex or half-duplex (got 'simplex')");
    expect_err("[link]\nrs485 = maybe\n", 2, "rs485 must be true or false (got 'maybe')");
    expect_err("[link]\nrs485-delay-before = 101\n", 2,
               "rs485-delay-before must be milliseconds, 0 to 100 (got '101')");
    expect_err("[link]\nrs485-delay-after = -1\n", 2, "rs485-delay-after must be milliseconds, 0 to 100 (got '-1')");
    expect_err("[link]\ndata-bits = 9\n", 2, "data-bits must be 5, 6, 7 or 8 (got '9')");
    expect_err("[link]\nparity = mark\n", 2, "parity must be none, even or odd (got 'mark')");
    expect_err("[link]\ntime-policy = floor:x\n", 2,
               "time-policy must be clock, ignore or floor:UNIXSECONDS (got 'floor:x')");
    expect_err("device = /dev/x\n", 1, "'device' outside a section (start with [link])");
    expect_err("[link]\n\n# c\nfoo\n", 4, "expected 'key = value'");
    expect_err("[link]\n = 3\n", 2, "missing key before '='");
    expect_err("[link]\ndevice =\n", 2, "device: empty value");
    expect_err("[link\n", 1, "section header needs a closing ']'");
    expect_err("[links]\n", 1, "unknown section [links] (expected [link] or [peer NAME])");
    expect_err("[peer]\n", 1, "unknown section [peer] (expected [link] or [peer NAME])");
    expect_err("[link]\ncolour = red\n", 2, "unknown key in [link] 'colour'");
    expect_err("[peer a]\ncolour = red\n", 2, "unknown key in [peer] 'colour'");
    expect_err("[peer a]\n[peer a]\n", 2, "peer 'a' defined twice");
    /* the TCP listener is gone: an old configuration says why */
    expect_err("[peer a]\ntcp = 127.0.0.1:7007\n", 2,
               "tcp (a localhost TCP listener) was removed: any local user, or a web page through a browser, "
               "could have become this peer's application; use the UNIX socket (socket, socket-mode, "
               "socket-group), see slinkd(8) (got '127.0.0.1:7007')");
    /* traffic secrets are never switched on by a file */
    expect_err("[link]\nkeylog = /var/tmp/k\n", 2,
               "keylog is accepted on the command line only (--keylog FILE, debugging): a configuration "
               "file cannot switch on the logging of traffic secrets (got '/var/tmp/k')");
    expect_err("[link]\nallow-root = true\n", 2, "unknown key in [link] 'allow-root'");
    expect_err("[peer a]\nrole = master\n", 2, "role must be initiator, responder or auto (got 'master')");
    expect_err("[peer a]\nsocket-mode = 0999\n", 2, "socket-mode must be octal permissions such as 0660 (got '0999')");
}
END_TEST

START_TEST(missing_file_is_an_error)
{
    slinkd_config c;
    slinkd_config_defaults(&c);
    ck_assert_int_eq(slinkd_config_load_file(&c, "/nonexistent/slinkd.conf", err, sizeof err), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "config /nonexistent/slinkd.conf: cannot open: No such file or directory");
}
END_TEST

static int args(slinkd_config *c, const char *const *argv)
{
    int argc = 0;
    char *v[40];
    while (argv[argc]) {
        v[argc] = (char *)(uintptr_t)argv[argc];
        argc++;
    }
    v[argc] = NULL;
    slinkd_config_defaults(c);
    err[0] = 0;
    return slinkd_config_from_args(c, argc, v, err, sizeof err);
}

/* Revocation and pinning keys (docs/DAEMON.md): `deny` (repeatable) and
 * `deny-file` in [link], `pin` in [peer]; hex either plain or colon-separated. */
#define FP_A "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF"
#define FP_B_COLONS "FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00"

static void expect_fp(const uint8_t *fp, uint8_t first, uint8_t last)
{
    ck_assert_uint_eq(fp[0], first);
    ck_assert_uint_eq(fp[SLINK_CERT_FP_LEN - 1], last);
}

START_TEST(revocation_and_pin_keys)
{
    slinkd_config c;
    ck_assert_int_eq(load(&c, "[link]\ndeny = " FP_A "\ndeny = " FP_B_COLONS "\n"
                              "deny-file = /etc/slink/deny.list\n"
                              "[peer p]\naddr = 7\nname = pump-7\npin = " FP_A "\n"
                              "[peer q]\naddr = 8\nname = pump-8\n"), SLINKD_CFG_OK);
    ck_assert_uint_eq(c.ndeny, 2);
    expect_fp(c.deny[0], 0x00, 0xFF);
    ck_assert_uint_eq(c.deny[0][1], 0x11);
    expect_fp(c.deny[1], 0xFF, 0x00);
    ck_assert_str_eq(c.deny_file, "/etc/slink/deny.list");
    ck_assert_int_eq(c.peers[0].has_pin, 1);
    expect_fp(c.peers[0].pin, 0x00, 0xFF);
    ck_assert_int_eq(c.peers[1].has_pin, 0);

    expect_err("[link]\ndeny = 0011\n", 2,
               "deny must be a certificate's SHA-256 fingerprint (64 hex digits; slink-pki fingerprint) (got '0011')");
    /* 64 characters, one not hex */
    expect_err("[link]\ndeny = " "g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" "\n", 2,
               "deny must be a certificate's SHA-256 fingerprint (64 hex digits; slink-pki fingerprint) "
               "(got 'g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')");
    expect_err("[peer a]\npin = nope\n", 2,
               "pin must be the peer certificate's SHA-256 fingerprint (64 hex digits; slink-pki fingerprint) (got 'nope')");
    expect_err("[link]\npin = " FP_A "\n", 2, "unknown key in [link] 'pin'");
    expect_err("[peer a]\ndeny = " FP_A "\n", 2, "unknown key in [peer] 'deny'");
    {
        /* more than SLINKD_MAX_DENY inline entries: use a deny-file */
        static char many[SLINKD_MAX_DENY * 80 + 64];
        size_t n = (size_t)sprintf(many, "[link]\n");
        for (int i = 0; i <= SLINKD_MAX_DENY; i++)
            n += (size_t)sprintf(many + n, "deny = %s\n", FP_A);
        expect_err(many, SLINKD_MAX_DENY + 2, "more than 64 deny entries: put them in a deny-file (got '" FP_A "')");
    }
}
END_TEST

START_TEST(revocation_on_the_command_line)
{
    slinkd_config c;
    const char *const argv[] = { "slinkd", "--device", "/dev/ttyS1", "--addr", "1", "--ca", "ca.crt",
                                 "--cert", "me.crt", "--key", "me.key", "--peer", "7", "--peer-name",
                                 "pump-7", "--socket", "/tmp/p.sock", "--deny", FP_B_COLONS,
                                 "--deny-file", "/tmp/deny.list", "--pin", FP_A, NULL };
    ck_assert_int_eq(args(&c, argv), SLINKD_CFG_OK);
    ck_assert_uint_eq(c.ndeny, 1);
    expect_fp(c.deny[0], 0xFF, 0x00);
    ck_assert_str_eq(c.deny_file, "/tmp/deny.list");
    ck_assert_int_eq(c.peers[0].has_pin, 1);
    expect_fp(c.peers[0].pin, 0x00, 0xFF);
    const char *const bad[] = { "slinkd", "--pin", "abc", NULL };
    ck_assert_int_eq(args(&c, bad), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "option --pin: pin must be the peer certificate's SHA-256 fingerprint "
                          "(64 hex digits; slink-pki fingerprint) (got 'abc')");
}
END_TEST

START_TEST(deny_file_format)
{
    uint8_t list[4][SLINK_CERT_FP_LEN];
    size_t n = 0;
    /* what `slink-pki revoke` appends, comments, blank lines, CRLF */
    ck_assert_int_eq(slinkd_denylist_parse("# revoked devices\n\n" FP_A "  # CN=pump-7 serial 01\r\n"
                                           "   " FP_B_COLONS "\n", "d.list", list, 4, &n, err, sizeof err),
                     SLINKD_CFG_OK);
    ck_assert_uint_eq(n, 2);
    expect_fp(list[0], 0x00, 0xFF);
    expect_fp(list[1], 0xFF, 0x00);
    n = 0;
    ck_assert_int_eq(slinkd_denylist_parse("\n" FP_A " extra\n", "d.list", list, 4, &n, err, sizeof err),
                     SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "deny-file d.list:2: one fingerprint per line, then only a '#' comment");
    n = 0;
    ck_assert_int_eq(slinkd_denylist_parse(FP_A "\nzz\n", "d.list", list, 4, &n, err, sizeof err),
                     SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "deny-file d.list:2: not a SHA-256 fingerprint (64 hex digits): 'zz'");
    n = 3;
    ck_assert_int_eq(slinkd_denylist_parse(FP_A "\n" FP_A "\n", "d.list", list, 4, &n, err, sizeof err),
                     SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "deny-file d.list:2: more than 4 fingerprints");
}
END_TEST

START_TEST(deny_list_load_joins_inline_and_file)
{
    slinkd_config c;
    uint8_t (*list)[SLINK_CERT_FP_LEN] = NULL;
    size_t n = 99;
    slinkd_config_defaults(&c);
    /* nothing configured: no list */
    ck_assert_int_eq(slinkd_denylist_load(&c, &list, &n, err, sizeof err), SLINKD_CFG_OK);
    ck_assert_ptr_null(list);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(slinkd_parse_fingerprint(FP_A, c.deny[0]), 0);
    c.ndeny = 1;
    snprintf(c.deny_file, sizeof c.deny_file, "%s", write_conf("# one\n" FP_B_COLONS "\n"));
    ck_assert_int_eq(slinkd_denylist_load(&c, &list, &n, err, sizeof err), SLINKD_CFG_OK);
    ck_assert_uint_eq(n, 2);
    expect_fp(list[0], 0x00, 0xFF);
    expect_fp(list[1], 0xFF, 0x00);
    free(list);
    /* a configured file that is gone is an error, never an empty list */
    unlink(path);
    ck_assert_int_eq(slinkd_denylist_load(&c, &list, &n, err, sizeof err), SLINKD_CFG_ERROR);
    ck_assert_ptr_null(list);
    char want[SLINKD_ERR];
    snprintf(want, sizeof want, "deny-file %s: cannot open: No such file or directory", path);
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(command_line_one_peer)
{
    slinkd_config c;
    const char *const argv[] = { "slinkd", "--device", "/dev/ttyS1", "--baud", "9600", "--addr", "1",
                                 "--ca", "ca.crt", "--cert", "me.crt", "--key", "me.key", "--peer", "7",
                                 "--peer-name", "pump-7", "--socket", "/tmp/p.sock", "--role", "responder",
                                 "--parity", "odd", "--data-bits", "7", "--wait", "-v", "--time-policy",
                                 "ignore", "--instance", "rs485-a", "--rs485-delay-after", "3", NULL };
    ck_assert_int_eq(args(&c, argv), SLINKD_CFG_OK);
    ck_assert_str_eq(c.instance, "rs485-a");
    ck_assert_uint_eq(c.rs485_delay_after_ms, 3);
    ck_assert_str_eq(c.device, "/dev/ttyS1");
    ck_assert_uint_eq(c.baud, 9600);
    ck_assert_uint_eq(c.npeers, 1);
    ck_assert_str_eq(c.peers[0].section, "cmdline");
    ck_assert_uint_eq(c.peers[0].addr, 7);
    ck_assert_str_eq(c.peers[0].name, "pump-7");
    ck_assert_int_eq(c.peers[0].role, SLINK_START_RESPONDER);
    ck_assert_int_eq(c.parity, 'o');
    ck_assert_int_eq(c.data_bits, 7);
    ck_assert_int_eq(c.wait, 1);
    ck_assert_int_eq(c.verbosity, SLINK_LOG_DEBUG);
    ck_assert_int_eq(c.time_mode, SLINK_TIME_IGNORE);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_OK);
}
END_TEST

START_TEST(command_line_errors)
{
    slinkd_config c;
    const char *const bad_baud[] = { "slinkd", "--baud", "12x", NULL };
    const char *const unknown[] = { "slinkd", "--colour", NULL };
    const char *const noval[] = { "slinkd", "--device", NULL };
    const char *const stray[] = { "slinkd", "extra", NULL };
    const char *const tcp[] = { "slinkd", "--tcp", "127.0.0.1:7007", NULL };
    /* usage_error: a malformed command line is a usage error (exit 2 even
     * under --check-config), a bad file is not */
    const char *const badfile[] = { "slinkd", "--config", "/nonexistent/slinkd.conf", NULL };
    const char *const check[] = { "slinkd", "-t", "--pidfile", "/run/slinkd.pid", NULL };
    ck_assert_int_eq(args(&c, bad_baud), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "option --baud: baud must be a number from 50 to 20000000 (got '12x')");
    ck_assert_int_eq(c.usage_error, 1);
    ck_assert_int_eq(args(&c, unknown), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "unknown option '--colour' (see --help)");
    ck_assert_int_eq(c.usage_error, 1);
    ck_assert_int_eq(args(&c, noval), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "option --device needs a value");
    ck_assert_int_eq(c.usage_error, 1);
    ck_assert_int_eq(args(&c, stray), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "unexpected argument 'extra' (see --help)");
    ck_assert_int_eq(c.usage_error, 1);
    ck_assert_int_eq(args(&c, badfile), SLINKD_CFG_ERROR);
    ck_assert_int_eq(c.usage_error, 0);
    ck_assert_int_eq(args(&c, check), SLINKD_CFG_OK);
    ck_assert_int_eq(c.check_config, 1);
    ck_assert_str_eq(c.pidfile, "/run/slinkd.pid");
    ck_assert_int_eq(c.usage_error, 0);
    ck_assert_int_eq(args(&c, tcp), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "option --tcp: tcp (a localhost TCP listener) was removed: any local user, or a web "
                          "page through a browser, could have become this peer's application; use the UNIX "
                          "socket (socket, socket-mode, socket-group), see slinkd(8) (got '127.0.0.1:7007')");
}
END_TEST

/* --keylog, --user, --group and --allow-root come from the command line; the
 * key log only from there (the file refuses it, above). */
START_TEST(command_line_keylog_and_privileges)
{
    slinkd_config c;
    const char *const argv[] = { "slinkd", "--keylog", "/var/tmp/keys", "--user", "slink", "--group", "dialout",
                                 "--allow-root", NULL };
    ck_assert_int_eq(args(&c, argv), SLINKD_CFG_OK);
    ck_assert_str_eq(c.keylog, "/var/tmp/keys");
    ck_assert_str_eq(c.user, "slink");
    ck_assert_str_eq(c.group, "dialout");
    ck_assert_int_eq(c.allow_root, 1);
}
END_TEST

/* log-format and no-answer-log, in the file and on the command line */
/* Without --config and --device, the default file is read (as sshd reads
 * sshd_config); naming either on the command line leaves it unread, and a
 * missing default is reported with the validation error, not before. */
START_TEST(default_config_when_bare)
{
    slinkd_config c;
    const char *dflt = write_conf("[link]\ndevice=/dev/from-default\nbaud=9600\n");
    char *bare[] = {"slinkd", "-v", NULL};
    slinkd_config_defaults(&c);
    c.default_config = dflt;
    ck_assert_int_eq(slinkd_config_from_args(&c, 2, bare, err, sizeof err), SLINKD_CFG_OK);
    ck_assert_str_eq(c.device, "/dev/from-default");
    ck_assert_str_eq(c.config_file, dflt);
    ck_assert_uint_eq(c.baud, 9600);

    char *with_dev[] = {"slinkd", "--device", "/dev/cmdline", NULL};
    slinkd_config_defaults(&c);
    c.default_config = dflt;
    ck_assert_int_eq(slinkd_config_from_args(&c, 3, with_dev, err, sizeof err), SLINKD_CFG_OK);
    ck_assert_str_eq(c.device, "/dev/cmdline");
    ck_assert_str_eq(c.config_file, "");
    ck_assert_uint_eq(c.baud, 115200);
    unlink(path);

    slinkd_config_defaults(&c);
    c.default_config = "/nonexistent/slink/slinkd.conf";
    ck_assert_int_eq(slinkd_config_from_args(&c, 2, bare, err, sizeof err), SLINKD_CFG_OK);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "command line: no serial device (--device or [link] device; "
                          "no default config /nonexistent/slink/slinkd.conf)");
}
END_TEST

START_TEST(log_keys)
{
    slinkd_config c;
    const char *const argv[] = { "slinkd", "--log-format", "journal", "--no-answer-log", "5", NULL };
    const char *const bad[] = { "slinkd", "--log-format", "json", NULL };
    slinkd_config_defaults(&c);
    ck_assert_int_eq(c.log_format, SLINKD_LOG_AUTO);
    ck_assert_uint_eq(c.no_answer_log_s, 30);
    ck_assert_int_eq(load(&c, "[link]\nlog-format = plain\nno-answer-log = 0\n"), SLINKD_CFG_OK);
    ck_assert_int_eq(c.log_format, SLINKD_LOG_PLAIN);
    ck_assert_uint_eq(c.no_answer_log_s, 0);
    ck_assert_int_eq(args(&c, argv), SLINKD_CFG_OK);
    ck_assert_int_eq(c.log_format, SLINKD_LOG_JOURNAL);
    ck_assert_uint_eq(c.no_answer_log_s, 5);
    ck_assert_int_eq(args(&c, bad), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "option --log-format: log-format must be auto, plain or journal (got 'json')");
    expect_err("[link]\nno-answer-log = soon\n", 2, "no-answer-log must be seconds (0: never) (got 'soon')");
}
END_TEST

START_TEST(peer_name_is_required)
{
    slinkd_config c;
    const char *const argv[] = { "slinkd", "--device", "/dev/x", "--ca", "a", "--cert", "b", "--key", "c",
                                 "--peer", "7", "--socket", "/tmp/s", NULL };
    const char *const star[] = { "slinkd", "--device", "/dev/x", "--ca", "a", "--cert", "b", "--key", "c",
                                 "--peer", "7", "--socket", "/tmp/s", "--peer-name", "*", NULL };
    ck_assert_int_eq(args(&c, argv), SLINKD_CFG_OK);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_ERROR);
    ck_assert_str_eq(err, "command line: peer 'cmdline' (addr 7) needs the expected certificate name "
                          "(--peer-name / name; '*' accepts any CA-signed peer)");
    ck_assert_int_eq(args(&c, star), SLINKD_CFG_OK);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_OK);
}
END_TEST

START_TEST(validation_catches_conflicts)
{
    slinkd_config c;
    ck_assert_int_eq(load(&c, "[link]\ndevice=/dev/x\nca=a\ncert=b\nkey=c\naddr=1\n"
                              "[peer a]\naddr=7\nname=a\nsocket=/s1\n[peer b]\naddr=7\nname=b\nsocket=/s2\n"),
                     SLINKD_CFG_OK);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_ERROR);
    expect_validate("peers 'a' and 'b' share address 7");
    ck_assert_int_eq(load(&c, "[link]\ndevice=/dev/x\nca=a\ncert=b\nkey=c\naddr=1\n"
                              "[peer a]\naddr=1\nname=a\nsocket=/s1\n"), SLINKD_CFG_OK);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_ERROR);
    expect_validate("peer 'a' has our own address 1");
    ck_assert_int_eq(load(&c, "[link]\ndevice=/dev/x\nca=a\ncert=b\nkey=c\n[peer a]\naddr=3\nname=a\n"),
                     SLINKD_CFG_OK);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_ERROR);
    expect_validate("peer 'a' has no socket or dgram-socket for applications");
    ck_assert_int_eq(load(&c, "[link]\nca=a\n"), SLINKD_CFG_OK);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_ERROR);
    expect_validate("no serial device (--device or [link] device)");
}
END_TEST

START_TEST(value_parsers)
{
    slink_time_mode m;
    int64_t fl;
    int b;
    ck_assert_int_eq(slinkd_parse_time_policy("clock", &m, &fl), 0);
    ck_assert_int_eq(m, SLINK_TIME_CLOCK_REQUIRED);
    ck_assert_int_eq(slinkd_parse_time_policy("floor:0", &m, &fl), -1);
    ck_assert_int_eq(slinkd_parse_time_policy("", &m, &fl), -1);
    ck_assert_int_eq(slinkd_parse_bool("on", &b), 0);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(slinkd_parse_bool("2", &b), -1);
}
END_TEST

START_TEST(shipped_example_is_valid)
{
    slinkd_config c;
    slinkd_config_defaults(&c);
    ck_assert_int_eq(slinkd_config_load_file(&c, "docs/slinkd.conf.example", err, sizeof err), SLINKD_CFG_OK);
    ck_assert_int_eq(slinkd_config_validate(&c, err, sizeof err), SLINKD_CFG_OK);
    ck_assert_uint_eq(c.npeers, 2);
    ck_assert_int_eq(c.half_duplex, 1);
}
END_TEST

START_TEST(inline_comments)
{
    slinkd_config c;
    ck_assert_int_eq(load(&c, "[link]   # the port\n"
                              "baud = 9600   # slow bus\n"
                              "device = /dev/ttyS0\t; tab then semicolon\n"
                              "ctl = /run/a#b.ctl\n"          /* no blank before '#': part of the value */
                              "[peer p] ; comment\n"
                              "addr = 7 #seven\n"
                              "name = \"pump #7\"   # quoted: the ' #' is the value's\n"
                              "socket = \"/run/p.sock\"\n"), SLINKD_CFG_OK);
    ck_assert_uint_eq(c.baud, 9600);
    ck_assert_str_eq(c.device, "/dev/ttyS0");
    ck_assert_str_eq(c.ctl, "/run/a#b.ctl");
    ck_assert_uint_eq(c.peers[0].addr, 7);
    ck_assert_str_eq(c.peers[0].name, "pump #7");
    ck_assert_str_eq(c.peers[0].socket, "/run/p.sock");
    expect_err("[link]\ndevice =   # nothing\n", 2, "device: empty value");
    expect_err("[link]\ndevice = \"/dev/tty # x\n", 2, "unterminated '\"'");
    expect_err("[link]\ndevice = /dev/\"tty\"\n", 2,
               "device: a value may be quoted only as a whole: \"value\"");
    expect_err("[link]\nbaud = 9600 / 2 # half\n", 2,
               "baud must be a number from 50 to 20000000 (got '9600 / 2')");
}
END_TEST

/* Reads the shipped example into a malloc'd string. */
static char *read_example(void)
{
    FILE *f = fopen("docs/slinkd.conf.example", "r");
    char *text;
    long n;
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    ck_assert_int_gt(n, 0);
    rewind(f);
    text = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = 0;
    fclose(f);
    return text;
}

/* "# key = value": a commented-out setting (not prose, which never has a
 * bare lower-case word followed by " = "). */
static int is_commented_setting(const char *line)
{
    const char *p = line;
    if (p[0] != '#' || p[1] != ' ')
        return 0;
    p += 2;
    if (!(*p >= 'a' && *p <= 'z'))
        return 0;
    while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')
        p++;
    return !strncmp(p, " = ", 3);
}

/* Every commented-out setting of the shipped example, uncommented on its
 * own, must still give a valid configuration: the example documents them
 * as ready to use. */
START_TEST(shipped_example_every_setting_uncommented)
{
    char *text = read_example(), *line, *save = NULL, *copy;
    unsigned tried = 0;
    copy = strdup(text);
    ck_assert_ptr_nonnull(copy);
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t off = (size_t)(line - copy);   /* same layout as text */
        char *variant;
        slinkd_config c;
        if (!is_commented_setting(line))
            continue;
        variant = malloc(strlen(text) + 1);
        ck_assert_ptr_nonnull(variant);
        /* drop the "# " in place of that one line */
        memcpy(variant, text, off);
        memcpy(variant + off, text + off + 2, strlen(text) - off - 2 + 1);
        if (load(&c, variant) != SLINKD_CFG_OK || slinkd_config_validate(&c, err, sizeof err) != SLINKD_CFG_OK)
            ck_abort_msg("uncommenting '%s' broke the example: %s", line, err);
        free(variant);
        tried++;
    }
    /* the example has some 17 of them: a parser change that stopped
     * recognising them must not make this test vacuous */
    ck_assert_uint_ge(tried, 15);
    free(copy);
    free(text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("slinkd_config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, good_file_parses_every_key);
    tcase_add_test(tc, malformed_lines_name_file_and_line);
    tcase_add_test(tc, missing_file_is_an_error);
    tcase_add_test(tc, revocation_and_pin_keys);
    tcase_add_test(tc, revocation_on_the_command_line);
    tcase_add_test(tc, deny_file_format);
    tcase_add_test(tc, deny_list_load_joins_inline_and_file);
    tcase_add_test(tc, command_line_one_peer);
    tcase_add_test(tc, command_line_errors);
    tcase_add_test(tc, command_line_keylog_and_privileges);
    tcase_add_test(tc, log_keys);
    tcase_add_test(tc, default_config_when_bare);
    tcase_add_test(tc, peer_name_is_required);
    tcase_add_test(tc, validation_catches_conflicts);
    tcase_add_test(tc, value_parsers);
    tcase_add_test(tc, shipped_example_is_valid);
    tcase_add_test(tc, inline_comments);
    tcase_add_test(tc, shipped_example_every_setting_uncommented);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

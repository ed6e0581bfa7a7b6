/* libFuzzer target for the slinkd configuration parser
 * (tools/slinkd/config.c): the INI file reader, the command-line parser
 * that applies options on top of it, the cross-field validation and the
 * value parsers.  Input: mode(1) then bytes.
 *
 *   mode bit 0 clear  the bytes are a config file: slinkd_config_load_file
 *   mode bit 0 set    the bytes are a command line, arguments split at NUL
 *                     bytes: slinkd_config_from_args (arguments that would
 *                     load a file, --config, are left out)
 *
 * Either way a successful parse is validated, and every input also goes
 * through the shared value parsers as one string.  Checked besides the
 * sanitizers: every string field stays NUL-terminated inside its array,
 * every numeric field stays in the range its key allows, an error always
 * leaves a non-empty one-line message inside the buffer, a configuration
 * that validates has distinct peer addresses other than our own, and parsing
 * the same input twice gives byte-identical results (no uninitialised or
 * stale state).
 *
 * The file reaches the parser through a memfd (the parser takes a path and
 * uses stdio, as slinkd does), so nothing is written to disk.
 *
 * Seeds (tests/fuzz/corpus/fuzz_config/) come from this file built with
 * -DFUZZ_CONFIG_MAKE_SEEDS (no libFuzzer; see make fuzz-config-seeds):
 * docs/slinkd.conf.example as a file, and the command lines of docs/man/slinkd.8
 * and the integration tests. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../tools/slinkd/config.c"
#include "../../tools/slinkd/instance.c"   /* --instance names (config.c checks them) */

#define REQUIRE(c) do { if (!(c)) abort(); } while (0)

#define MAX_ARGS 64

static int memfd = -1;
static char memfd_path[64];

#define TERMINATED(field) REQUIRE(memchr((field), 0, sizeof(field)) != NULL)

static void check_peer(const slinkd_peer_cfg *p)
{
    TERMINATED(p->section);
    TERMINATED(p->name);
    TERMINATED(p->socket);
    TERMINATED(p->dgram_socket);
    TERMINATED(p->socket_group);
    REQUIRE(p->section[0] != 0);
    REQUIRE(p->addr == 0 || (p->addr >= SLINK_ADDR_UNICAST_MIN && p->addr <= SLINK_ADDR_UNICAST_MAX));
    REQUIRE(p->role == SLINK_START_INITIATOR || p->role == SLINK_START_RESPONDER ||
            p->role == SLINK_START_AUTO);
    REQUIRE(p->socket_mode <= 0777);
}

static void check_config(const slinkd_config *c)
{
    size_t i, j;
    TERMINATED(c->device);
    TERMINATED(c->ca);
    TERMINATED(c->cert);
    TERMINATED(c->key);
    TERMINATED(c->ctl);
    TERMINATED(c->keylog);
    TERMINATED(c->user);
    TERMINATED(c->group);
    TERMINATED(c->config_file);
    REQUIRE(c->baud >= 50 && c->baud <= 20000000u);
    REQUIRE(c->addr >= SLINK_ADDR_UNICAST_MIN && c->addr <= SLINK_ADDR_UNICAST_MAX);
    REQUIRE(c->data_bits >= 5 && c->data_bits <= 8);
    REQUIRE(c->parity == 'n' || c->parity == 'e' || c->parity == 'o');
    REQUIRE(c->stop_bits == 1 || c->stop_bits == 2);
    REQUIRE(c->flow >= 0 && c->flow <= 2);
    REQUIRE(c->half_duplex == 0 || c->half_duplex == 1);
    REQUIRE(c->bus_device == 0 || c->bus_device == 1);
    REQUIRE(c->verbosity >= SLINK_LOG_ERROR && c->verbosity <= SLINK_LOG_DEBUG);
    REQUIRE(c->idle_timeout_ms <= 86400000u);
    REQUIRE(c->time_mode == SLINK_TIME_CLOCK_REQUIRED || c->time_mode == SLINK_TIME_IGNORE ||
            (c->time_mode == SLINK_TIME_CLOCK_OR_FLOOR && c->time_floor > 0));
    REQUIRE(c->npeers <= SLINKD_MAX_PEERS);
    for (i = 0; i < c->npeers; i++) {
        check_peer(&c->peers[i]);
        for (j = 0; j < i; j++)
            REQUIRE(strcmp(c->peers[i].section, c->peers[j].section) != 0);
    }
}

static void check_error(const char *err, size_t cap, int one_line)
{
    const char *end = memchr(err, 0, cap);
    REQUIRE(end != NULL && end > err);
    if (one_line)
        REQUIRE(memchr(err, '\n', (size_t)(end - err)) == NULL);
}

static void check_valid(const slinkd_config *c)
{
    size_t i, j;
    if (c->list_ports)
        return;
    REQUIRE(c->device[0] && c->ca[0] && c->cert[0] && c->key[0] && c->npeers > 0);
    for (i = 0; i < c->npeers; i++) {
        REQUIRE(c->peers[i].addr != 0 && c->peers[i].addr != c->addr);
        REQUIRE(c->peers[i].name[0] != 0);
        for (j = 0; j < i; j++)
            REQUIRE(c->peers[i].addr != c->peers[j].addr);
    }
}

/* Parses once; returns the parse result, fills c and err. */
static int parse(int as_args, const uint8_t *p, size_t n, slinkd_config *c, char *err, size_t cap)
{
    static char buf[4096 + 1];
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    size_t i, start;

    slinkd_config_defaults(c);
    memset(err, 0, cap);
    if (!as_args) {
        REQUIRE(ftruncate(memfd, 0) == 0);
        REQUIRE(pwrite(memfd, p, n, 0) == (ssize_t)n);
        return slinkd_config_load_file(c, memfd_path, err, cap);
    }
    if (n > sizeof buf - 1)
        n = sizeof buf - 1;
    memcpy(buf, p, n);
    buf[n] = 0;
    argv[argc++] = "slinkd";
    for (i = 0, start = 0; i <= n && argc < MAX_ARGS; i++) {
        if (buf[i] != 0)
            continue;
        if (i > start || i < n) {
            char *a = buf + start;
            /* --config opens the named file: not this target's business. */
            if (strcmp(a, "--config") != 0 && strncmp(a, "--config=", 9) != 0)
                argv[argc++] = a;
        }
        start = i + 1;
    }
    argv[argc] = NULL;
    return slinkd_config_from_args(c, argc, argv, err, cap);
}

static void value_parsers(const uint8_t *p, size_t n)
{
    char s[512];
    int b;
    unsigned long v;
    slink_start_role role;
    slink_time_mode mode;
    int64_t floor_s;
    if (n >= sizeof s)
        n = sizeof s - 1;
    memcpy(s, p, n);
    s[n] = 0;
    if (slinkd_parse_bool(s, &b) == 0) REQUIRE(b == 0 || b == 1);
    if (slinkd_parse_uint(s, 1000000ul, &v) == 0) REQUIRE(v <= 1000000ul);
    if (slinkd_parse_role(s, &role) == 0)
        REQUIRE(role == SLINK_START_INITIATOR || role == SLINK_START_RESPONDER || role == SLINK_START_AUTO);
    if (slinkd_parse_time_policy(s, &mode, &floor_s) == 0)
        REQUIRE(mode != SLINK_TIME_CLOCK_OR_FLOOR || floor_s > 0);
}

static void setup(void)
{
    if (memfd >= 0)
        return;
    memfd = memfd_create("fuzz_config", 0);
    REQUIRE(memfd >= 0);
    snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
}

static void one_input(const uint8_t *data, size_t size)
{
    static slinkd_config c1, c2;
    static char e1[SLINKD_ERR], e2[SLINKD_ERR];
    int as_args, r1, r2;

    if (size < 1)
        return;
    as_args = data[0] & 1;
    data++;
    size--;
    value_parsers(data, size);

    r1 = parse(as_args, data, size, &c1, e1, sizeof e1);
    REQUIRE(r1 == SLINKD_CFG_OK || r1 == SLINKD_CFG_ERROR || (as_args && r1 == SLINKD_CFG_EXIT));
    check_config(&c1);
    if (r1 == SLINKD_CFG_ERROR) {
        /* A file line never holds a newline; a command-line argument may,
         * and is quoted back as given. */
        check_error(e1, sizeof e1, !as_args);
        if (!as_args)
            REQUIRE(!strncmp(e1, "config ", 7));
    } else if (r1 == SLINKD_CFG_OK) {
        if (slinkd_config_validate(&c1, e1, sizeof e1) == SLINKD_CFG_OK)
            check_valid(&c1);
        else
            check_error(e1, sizeof e1, 0);
    }

    r2 = parse(as_args, data, size, &c2, e2, sizeof e2);
    REQUIRE(r2 == r1);
    REQUIRE(memcmp(&c1, &c2, sizeof c1) == 0);
    if (r1 == SLINKD_CFG_ERROR)
        REQUIRE(strcmp(e1, e2) == 0);
}

#ifndef FUZZ_CONFIG_MAKE_SEEDS

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setup();
    /* --help and --version print to stdout; libFuzzer reports on stderr. */
    REQUIRE(freopen("/dev/null", "w", stdout) != NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_input(data, size);
    return 0;
}

#else /* FUZZ_CONFIG_MAKE_SEEDS: write the seed corpus into argv[1] */

static void write_seed(const char *dir, const char *name, int as_args, const char *body, size_t n)
{
    char path[512];
    FILE *f;
    uint8_t mode = (uint8_t)as_args;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    REQUIRE(f != NULL);
    REQUIRE(fwrite(&mode, 1, 1, f) == 1);
    REQUIRE(fwrite(body, 1, n, f) == n);
    REQUIRE(fclose(f) == 0);
    {
        /* every seed must pass the target's own checks */
        static uint8_t in[65537];
        REQUIRE(n < sizeof in);
        in[0] = mode;
        memcpy(in + 1, body, n);
        one_input(in, n + 1);
    }
}

/* A command line with arguments separated by spaces becomes NUL-separated
 * (no argument here contains a space). */
static void write_args(const char *dir, const char *name, const char *line)
{
    char buf[1024];
    size_t i, n = strlen(line);
    REQUIRE(n < sizeof buf);
    for (i = 0; i < n; i++)
        buf[i] = line[i] == ' ' ? 0 : line[i];
    write_seed(dir, name, 1, buf, n);
}

int main(int argc, char **argv)
{
    static char file[65536];
    size_t n;
    FILE *f;
    if (argc != 3) {
        fprintf(stderr, "usage: %s OUTDIR docs/slinkd.conf.example\n", argv[0]);
        return 2;
    }
    setup();
    f = fopen(argv[2], "rb");
    REQUIRE(f != NULL);
    n = fread(file, 1, sizeof file, f);
    fclose(f);
    write_seed(argv[1], "file_example", 0, file, n);
    {
        static const char small[] =
            "[link]\ndevice=/dev/x\nca=a\ncert=b\nkey=c\naddr=1\ntime-policy = floor:1735689600\n"
            "flow = rtscts\nparity = e\nstop-bits = 2\ndata-bits = 7\nlog-level = debug\n"
            "idle-timeout = 30000\nbus-role = device\nmode = half-duplex\n"
            "[peer a]\naddr=0x07\nname=*\nrole = auto\nsocket-mode = 0600\n";
        static const char errors[] =
            "; comment\n[link]\r\n  baud\t=\t9600  \n[peer  b ]\naddr = 239\nsocket-group = dialout\n"
            "dgram-socket = /run/b.dgram\nuser = x\n[link]\nuser = slink\ngroup = dialout\nkeylog = /k\n"
            "[peer c]\ntcp = 127.0.0.1:7007\n";
        write_seed(argv[1], "file_fields", 0, small, sizeof small - 1);
        write_seed(argv[1], "file_error", 0, errors, sizeof errors - 1);
    }
    /* docs/man/slinkd.8 and tests/integration/slinkd_t_*.sh */
    write_args(argv[1], "args_one_peer",
               "--device /dev/ttyUSB0 --baud 115200 --addr 1 --ca ca.crt --cert host.crt "
               "--key host.key --peer 7 --peer-name pump-7 --socket /run/slink/pump.sock "
               "--dgram-socket /run/slink/pump.dgram --role initiator --user slink --group dialout");
    write_args(argv[1], "args_serial",
               "--device=/dev/ttyS1 --data-bits 7 --parity even --stop-bits 2 --flow xonxoff "
               "--mode half-duplex --bus-role device --rs485 --wait -vv --foreground --syslog");
    write_args(argv[1], "args_other",
               "--ctl /run/slinkd.ctl --time-policy floor:1735689600 --idle-timeout 5000 "
               "--keylog /var/tmp/k --socket-mode 0640 --allow-root --list-ports");
    write_args(argv[1], "args_errors", "--baud --peer 240 -x extra --help");
    return 0;
}

#endif

/* Example slink device for QEMU mps2-an385 and microbit (firmware/board/):
 * the unchanged core on UART0 at its provisioned bus address (7 in the
 * default image; the host is 1), point to point or as a device on a
 * half-duplex bus (provisioning fw_prov_bus_device), credentials
 * provisioned at build time.
 * Application: stream bytes come back upper-cased; the datagram "count"
 * is answered with "count=N echoed=M" (N requests so far this boot, M
 * stream bytes echoed); "stats" returns the memory measurements, "link"
 * the line and stream counters, "cpu" the time asleep and the handshake
 * counters.
 * Diagnostics (events, stack and heap peaks) go to the board's console
 * (UART1 on the AN385, semihosting on the microbit).  Errors are printed
 * as their numeric codes (include/slink/err.h; `slinkctl err CODE` names
 * one): the name tables of slink_err_str would cost the image about 1 KB. */
#include <string.h>
#include "board.h"
#include "fw_identity.h"
#include "fw_port.h"
#include "slink/conn.h"

#ifndef FW_HS_MIN_INTERVAL_MS
#define FW_HS_MIN_INTERVAL_MS 4000u
#endif

static slink_conn conn;
static slink_creds creds;
static slink_cert_cache cert_cache;
static slink_platform plat;
static fw_entropy_state entropy;

/* Upper-cased bytes waiting for room in the send window. */
static uint8_t  echo_buf[64];
static size_t   echo_len, echo_off;
static uint32_t echoed, count_requests;
static int      close_sent;

static void put_kv_u(char *buf, size_t cap, size_t *pos, const char *key, uint32_t v)
{
    char digits[11];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    size_t klen = strlen(key);
    if (*pos + klen + n + 2 > cap)
        return;
    if (*pos > 0)
        buf[(*pos)++] = ' ';
    memcpy(buf + *pos, key, klen);
    *pos += klen;
    buf[(*pos)++] = '=';
    while (n > 0)
        buf[(*pos)++] = digits[--n];
}

/* Memory measurements: deepest stack use since reset (painted stack), and
 * the mbedTLS heap peak (allocator's count and painted high-water). */
static size_t format_stats(char *buf, size_t cap)
{
    size_t pos = 0, peak, blocks;
    fw_alloc_peak(&peak, &blocks);
    put_kv_u(buf, cap, &pos, "stack_peak", (uint32_t)board_stack_used());
    put_kv_u(buf, cap, &pos, "stack_size", (uint32_t)board_stack_size());
    put_kv_u(buf, cap, &pos, "heap_peak", (uint32_t)peak);
    put_kv_u(buf, cap, &pos, "heap_blocks", (uint32_t)blocks);
    put_kv_u(buf, cap, &pos, "heap_high_water", (uint32_t)fw_alloc_high_water());
    put_kv_u(buf, cap, &pos, "heap_pool", (uint32_t)fw_alloc_pool_size());
    put_kv_u(buf, cap, &pos, "conn_bytes", (uint32_t)sizeof conn);
    put_kv_u(buf, cap, &pos, "creds_bytes", (uint32_t)sizeof creds);
    put_kv_u(buf, cap, &pos, "boot", entropy.boot_count);
    put_kv_u(buf, cap, &pos, "rx_lost", uart_rx_overruns() + uart_hw_overruns());
    return pos;
}

/* The application's buffers (reply, message, console line) are locals of
 * these helpers, not of main: inlined, they would sit in main's frame under
 * the core's deepest path (the peer's certificate check during a
 * handshake) instead of being gone by then. */
#define FW_NOINLINE __attribute__((noinline))

static FW_NOINLINE void console_stats(const char *what)
{
    char line[200];
    size_t n = format_stats(line, sizeof line - 1);
    line[n] = 0;
    console_puts("fw: ");
    console_puts(what);
    console_puts(" ");
    console_puts(line);
    console_puts("\r\n");
}

static FW_NOINLINE void serve_datagrams(void)
{
    uint8_t msg[64];
    size_t len;
    while (slink_conn_recv_dgram(&conn, msg, sizeof msg, &len) == SLINK_OK) {
        char reply[160];
        size_t pos = 0;
        if (len == 5 && memcmp(msg, "count", 5) == 0) {
            count_requests++;
            put_kv_u(reply, sizeof reply, &pos, "count", count_requests);
            put_kv_u(reply, sizeof reply, &pos, "echoed", echoed);
        } else if (len == 5 && memcmp(msg, "stats", 5) == 0) {
            pos = format_stats(reply, sizeof reply);
        } else if (len == 4 && memcmp(msg, "link", 4) == 0) {
            const slink_frame_stats *fs = &conn.deframer.stats;
            put_kv_u(reply, sizeof reply, &pos, "frames_ok", fs->frames_ok);
            put_kv_u(reply, sizeof reply, &pos, "crc", fs->crc);
            put_kv_u(reply, sizeof reply, &pos, "cobs", fs->cobs);
            put_kv_u(reply, sizeof reply, &pos, "gap_timeout", fs->timeout);
            put_kv_u(reply, sizeof reply, &pos, "ring_overruns", uart_rx_overruns());
            put_kv_u(reply, sizeof reply, &pos, "uart_overruns", uart_hw_overruns());
            put_kv_u(reply, sizeof reply, &pos, "retransmits", conn.stream.stats.retransmits);
            put_kv_u(reply, sizeof reply, &pos, "dups_rx", conn.stream.stats.duplicates);
        } else if (len == 3 && memcmp(msg, "cpu", 3) == 0) {
            /* Busy share = 1 - idle/up between two readings; the
             * handshake counters tell what a msg1 flood cost. */
            const slink_conn_stats *cs = &conn.stats;
            put_kv_u(reply, sizeof reply, &pos, "up_ms", (uint32_t)board_millis());
            put_kv_u(reply, sizeof reply, &pos, "idle_ms", board_idle_ms());
            put_kv_u(reply, sizeof reply, &pos, "frames_in", cs->frames_in);
            put_kv_u(reply, sizeof reply, &pos, "hs_started", cs->hs_started);
            put_kv_u(reply, sizeof reply, &pos, "hs_rate_limited", cs->hs_rate_limited);
            put_kv_u(reply, sizeof reply, &pos, "hs_busy", cs->hs_busy);
            put_kv_u(reply, sizeof reply, &pos, "hs_dropped", cs->hs_dropped);
        } else {
            memcpy(reply, "unknown", 7);
            pos = 7;
        }
        /* A reply that does not fit now is dropped, as datagrams may be. */
        (void)slink_conn_send_dgram(&conn, (const uint8_t *)reply, pos);
    }
}

static FW_NOINLINE void serve_stream(void)
{
    for (;;) {
        if (echo_off == echo_len) {
            size_t got = 0;
            echo_off = echo_len = 0;
            if (slink_conn_rx_session(&conn) != conn.session_id) {
                /* Bytes (and the end) of a session that a new one replaced:
                 * their echo has nowhere to go, and must not leak into the
                 * new session's stream. */
                (void)slink_conn_recv(&conn, echo_buf, sizeof echo_buf, &got);
                continue;
            }
            slink_err e = slink_conn_recv(&conn, echo_buf, sizeof echo_buf, &got);
            if (e == SLINK_ERR_CLOSED && !close_sent) {
                /* The host finished its direction and we have echoed
                 * everything: close ours, so the session ends with an
                 * authenticated close both ways. */
                close_sent = 1;
                (void)slink_conn_close(&conn, board_millis());
            }
            if (e != SLINK_OK || got == 0)
                return;
            for (size_t i = 0; i < got; i++)
                if (echo_buf[i] >= 'a' && echo_buf[i] <= 'z')
                    echo_buf[i] = (uint8_t)(echo_buf[i] - 'a' + 'A');
            echo_len = got;
        }
        size_t acc = 0;
        slink_err e = slink_conn_send(&conn, echo_buf + echo_off, echo_len - echo_off, &acc);
        echo_off += acc;
        echoed += (uint32_t)acc;
        if (e != SLINK_OK || acc == 0)
            return;
    }
}

static FW_NOINLINE void handle_events(void)
{
    slink_event ev;
    while (slink_conn_poll_event(&conn, &ev)) {
        switch (ev.type) {
        case SLINK_EV_ESTABLISHED:
            echo_off = echo_len = 0;
            close_sent = 0;
            console_stats("established");
            break;
        case SLINK_EV_ENDED:
            console_puts("fw: session ended");
            console_put_kv("err", (uint32_t)ev.err);
            console_puts("\r\n");
            break;
        case SLINK_EV_HS_FAILED:
            console_puts("fw: handshake failed");
            console_put_kv("err", (uint32_t)ev.err);
            console_puts("\r\n");
            console_stats("after-failure");
            break;
        default:
            break;
        }
    }
}

static void halt(const char *why)
{
    console_puts("fw: FATAL ");
    console_puts(why);
    console_puts("\r\n");
    for (;;)
        board_wait_for_interrupt();
}

/* Boot to a listening connection.  Out of main so that its locals (the
 * connection config is copied by slink_conn_init) are gone before the
 * loop runs the core. */
static FW_NOINLINE void device_init(void)
{
    const char *why = "";

    board_init();
    fw_alloc_init();
    console_puts("fw: slink device booting\r\n");
    int er = fw_entropy_boot(&entropy, fw_prov_device_seed);
    if (er != 0)
        halt(fw_entropy_strerror(er));
    fw_platform_init(&plat, &entropy);
    /* The identity: a provisioned key, or a PSA key id (fw_identity.h). */
    if (fw_identity_load(&creds, &plat, &why) != SLINK_OK)
        halt(why);

    slink_conn_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = fw_prov_local_addr;
    cfg.peer_addr = fw_prov_host_addr;
    cfg.role = SLINK_START_RESPONDER;
    cfg.baud = 115200;
    cfg.gap_ms = FW_LINK_GAP_MS;
    /* On a bus the host polls; we talk only in the turns it grants. */
    cfg.half_duplex_device = fw_prov_bus_device;
    /* One msg1's public-key work (key generation, ECDH, signature) takes
     * this Cortex-M3 about 1.25 s (measured by tests/integration/fw_flood.sh
     * under -icount): with the core's default of one per second a msg1
     * flood keeps the processor busy for good and the session stalls
     * (docs/SECURITY.md).  One every FW_HS_MIN_INTERVAL_MS bounds the
     * flood's share of the processor to about a third. */
    cfg.hs_min_interval_ms = FW_HS_MIN_INTERVAL_MS;
    cfg.creds = &creds;
    cfg.policy.name = fw_prov_host_name;
    cfg.policy.time_mode = SLINK_TIME_CLOCK_OR_FLOOR;
    cfg.policy.time_floor = fw_prov_time_floor;
    /* the gateway's certificate is verified against the CA once per boot,
     * not once per handshake (include/slink/cert.h) */
    cfg.policy.cache = &cert_cache;
    slink_err e = slink_conn_init(&conn, &cfg, &plat, board_millis());
    if (e != SLINK_OK) {
        console_puts("fw: conn_init");
        console_put_kv("err", (uint32_t)e);
        console_puts("\r\n");
        halt("conn_init");
    }
    console_stats("ready");
    console_puts("fw: nv seed: restored\r\n");
}

int main(void)
{
    /* tx holds one frame for the UART at a time; the hand-off from the
     * interrupt ring to the core borrows its first 64 bytes, as the two
     * never overlap in the loop. */
    static uint8_t tx[SLINK_WIRE_FRAME_MAX];
    uint8_t *const rx = tx;
    const size_t rx_cap = 64;

    device_init();
    for (;;) {
        int busy = 0;
        size_t n;
        /* Each pass empties the receive ring, then hands at most one frame
         * to the UART: between two drains the line brings in at most what
         * arrives while one frame goes out, which is what the ring is
         * sized for (firmware/port/fw_rxring.c).  The ring empties even
         * under a flood: 64 bytes take 5.6 ms to arrive at 115200 baud and
         * far less to parse, public-key work aside. */
        while ((n = uart_read(rx, rx_cap)) > 0) {
            busy = 1;
            (void)slink_conn_input(&conn, rx, n, board_millis());
            handle_events();
        }
        serve_datagrams();
        serve_stream();
        size_t out = slink_conn_output(&conn, tx, sizeof tx, board_millis());
        if (out > 0) {
            uart_write(tx, out);
            busy = 1;
        }
        handle_events();
        if (!busy) {
            /* The next handshake's ephemeral key, drawn while no session
             * is up or being set up and the line is quiet: msg1 is then
             * answered without the key generation (about a seventh of the
             * device's handshake compute).  Not while a session runs:
             * stream bytes could outrun the receive ring meanwhile. */
            if (conn.state == SLINK_CONN_IDLE || conn.state == SLINK_CONN_CLOSED)
                (void)slink_conn_precompute(&conn);
            board_wait_for_interrupt();   /* SysTick wakes us every ms */
        }
    }
}

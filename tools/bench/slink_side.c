#include "slink_side.h"

#include <stdlib.h>
#include <string.h>
#include <mbedtls/x509_crt.h>

static uint8_t *load_der_cert(const char *prog, const char *path, size_t *len)
{
    size_t n;
    uint8_t *raw = bench_load(prog, path, &n);
    mbedtls_x509_crt crt;
    uint8_t *der;
    mbedtls_x509_crt_init(&crt);
    if (mbedtls_x509_crt_parse(&crt, raw, n) != 0) bench_die(prog, "cannot parse certificate %s", path);
    der = malloc(crt.raw.len);
    if (!der) bench_die(prog, "out of memory");
    memcpy(der, crt.raw.p, crt.raw.len);
    *len = crt.raw.len;
    mbedtls_x509_crt_free(&crt);
    free(raw);
    return der;
}

void slink_side_init(slink_side *s, const char *prog, const slink_side_cfg *cfg, bench_link link)
{
    size_t ca_len, cert_len, key_len;
    uint8_t *ca, *cert, *key;
    const char *why = "";
    slink_conn_cfg cc;
    slink_err e;

    memset(s, 0, sizeof *s);
    s->prog = prog;
    s->link = link;
    bench_platform(&s->plat);
    ca = bench_load(prog, cfg->ca, &ca_len);
    cert = bench_load(prog, cfg->cert, &cert_len);
    key = bench_load(prog, cfg->key, &key_len);
    e = slink_creds_load(&s->creds, ca, ca_len, cert, cert_len, key, key_len, &why);
    if (e != SLINK_OK) bench_die(prog, "credentials: %s (%s)", slink_err_desc(e), why);
    free(ca);
    free(cert);
    mbedtls_platform_zeroize(key, key_len);
    free(key);
    if (cfg->peer_cert) s->known_cert = load_der_cert(prog, cfg->peer_cert, &s->known_cert_len);

    memset(&cc, 0, sizeof cc);
    cc.local_addr = cfg->addr;
    cc.peer_addr = cfg->peer;
    cc.role = cfg->initiator ? SLINK_START_INITIATOR : SLINK_START_RESPONDER;
    cc.baud = cfg->baud;
    cc.tx_pacing = cfg->tx_pacing;
    /* A process reading a pty is woken in batches, later than the 2 ms
     * inter-byte floor of 115200 baud; the 0x00 delimiter resynchronises
     * anyway, so a generous gap only delays dropping a cut frame. */
    cc.gap_ms = 50;
    cc.creds = &s->creds;
    cc.policy.name = cfg->peer_name;
    cc.policy.known_cert = s->known_cert;
    cc.policy.known_cert_len = s->known_cert_len;
    cc.policy.time_mode = SLINK_TIME_CLOCK_REQUIRED;
    e = slink_conn_init(&s->conn, &cc, &s->plat, bench_now_ms());
    if (e != SLINK_OK) bench_die(prog, "slink_conn_init: %s", slink_err_desc(e));
    slink_deframer_init(&s->txmon, SLINK_ADDR_NONE, 0);
}

void slink_side_free(slink_side *s)
{
    slink_conn_wipe(&s->conn);
    slink_creds_free(&s->creds);
    free(s->known_cert);
}

static void account(slink_side *s, const uint8_t *p, size_t n)
{
    size_t off = 0, start = 0;
    s->last_write_bytes = n;
    s->last_write_frames = 0;
    while (off < n) {
        size_t used = 0;
        slink_frame f;
        slink_err e = slink_deframer_push(&s->txmon, p + off, n - off, 0, &used, &f);
        off += used;
        if (e == SLINK_OK) {
            size_t fb = off - start;
            if (f.type & SLINK_FT_RECORD_BIT) s->rec_frame_bytes += fb;
            else s->hs_frame_bytes += fb;
            if (s->last_write_frames < sizeof s->last_types)
                s->last_types[s->last_write_frames] = f.type;
            s->last_write_frames++;
            start = off;
        } else if (e != SLINK_ERR_NEED_MORE) {
            bench_die(s->prog, "own output did not deframe: %s", slink_err_str(e));
        }
        if (used == 0) break;
    }
}

size_t slink_side_flush(slink_side *s)
{
    static uint8_t buf[4 * SLINK_WIRE_FRAME_MAX];
    size_t total = 0, n;
    while ((n = slink_conn_output(&s->conn, buf, sizeof buf, bench_now_ms())) > 0) {
        if (s->t_first_tx_us == 0) s->t_first_tx_us = bench_now_us();
        if (bench_link_write(&s->link, buf, n) != 0) bench_die(s->prog, "write to the line failed");
        account(s, buf, n);
        total += n;
    }
    if (!s->complete && slink_side_hs_complete(s)) {
        s->complete = 1;
        s->t_complete_us = bench_now_us();
        s->hs_bytes_out = s->link.bytes_out;
        s->hs_msg_bytes = s->hs_frame_bytes;
    }
    return total;
}

int slink_side_hs_complete(const slink_side *s)
{
    if (slink_conn_get_state(&s->conn) != SLINK_CONN_ESTABLISHED) return 0;
    if (s->conn.cfg.role == SLINK_START_INITIATOR) return !s->conn.hs_msg3_unconfirmed;
    return !s->conn.ack_now;
}

int slink_side_pump(slink_side *s, int max_wait_ms)
{
    uint8_t in[4096];
    uint64_t now, next;
    long r;
    int wait = max_wait_ms;

    slink_side_flush(s);
    now = bench_now_ms();
    next = slink_conn_next_timeout(&s->conn, now);
    if (next <= now) wait = 0;
    else if (next - now < (uint64_t)wait) wait = (int)(next - now);
    r = bench_link_read(&s->link, in, sizeof in, wait);
    if (r < 0) return -1;
    if (r > 0) {
        (void)slink_conn_input(&s->conn, in, (size_t)r, bench_now_ms());
        /* the initiator completes on input (the confirming record) */
        slink_side_flush(s);
    }
    return 0;
}

void slink_side_check(slink_side *s)
{
    slink_event ev;
    while (slink_conn_poll_event(&s->conn, &ev)) {
        if (ev.type == SLINK_EV_HS_FAILED)
            bench_die(s->prog, "handshake failed: %s", slink_err_desc(ev.err));
        if (ev.type == SLINK_EV_ENDED)
            bench_die(s->prog, "session ended: %s", slink_err_desc(ev.err));
    }
}

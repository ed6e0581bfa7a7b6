#include "dtls13_side.h"

#include <stdlib.h>
#include <string.h>

static void wolf_die(dtls13_side *s, const char *what, int ret)
{
    char buf[WOLFSSL_MAX_ERROR_SZ];
    int err = s->ssl ? wolfSSL_get_error(s->ssl, ret) : ret;
    wolfSSL_ERR_error_string_n((unsigned long)(err < 0 ? -err : err), buf, sizeof buf);
    bench_die(s->prog, "%s: %d (%s)", what, err, buf);
}

static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    dtls13_side *s = ctx;
    uint8_t wire[SLINK_WIRE_FRAME_MAX];
    size_t n = 0;
    (void)ssl;
    /* wolfSSL_dtls_set_mtu keeps datagrams within one frame body; a larger
     * one would be a bug here, not something to split. */
    if (sz <= 0 || (size_t)sz > SLINK_MAX_FRAME_BODY)
        bench_die(s->prog, "DTLS 1.3 datagram of %d bytes does not fit one frame", sz);
    if (slink_frame_encode(s->peer, s->addr, DTLS13_FRAME_TYPE, (const uint8_t *)buf, (size_t)sz,
                           wire, sizeof wire, &n) != SLINK_OK)
        return WOLFSSL_CBIO_ERR_GENERAL;
    if (s->t_first_tx_us == 0) s->t_first_tx_us = bench_now_us();
    if (bench_link_write(&s->link, wire, n) != 0) return WOLFSSL_CBIO_ERR_GENERAL;
    s->datagrams_out++;
    return sz;
}

/* Next whole datagram from the frames received so far, if any. */
static int next_datagram(dtls13_side *s, char *buf, int len)
{
    while (s->raw_off < s->raw_len) {
        slink_frame f;
        size_t used = 0;
        slink_err e = slink_deframer_push(&s->rx, s->raw + s->raw_off, s->raw_len - s->raw_off, 0, &used, &f);
        s->raw_off += used;
        if (e == SLINK_OK && f.type == DTLS13_FRAME_TYPE) {
            size_t n = f.body_len < (size_t)len ? f.body_len : (size_t)len;
            memcpy(buf, f.body, n);
            return (int)n;
        }
        if (e != SLINK_OK && e != SLINK_ERR_NEED_MORE) s->frames_dropped++;
        if (used == 0) break;
    }
    s->raw_off = s->raw_len = 0;
    return 0;
}

/* Blocking link: wait as wolfSSL's own UDP receive does (wolfio.c,
 * EmbedReceiveFrom): the current retransmission timeout, a quarter of it
 * when wolfSSL asks for its quick (ACK) timeout, and only while something
 * is outstanding; then WOLFSSL_CBIO_ERR_TIMEOUT, on which wolfSSL sends
 * ACKs or retransmits and reads again.  While the client waits for the
 * server's ACK (dtls13_side_wait_acked), the read ends once it came. */
static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    dtls13_side *s = ctx;
    uint64_t until = s->deadline_us;
    int pending = wolfSSL_dtls13_has_pending_msg(ssl);
    if (s->await_ack && !pending) return WOLFSSL_CBIO_ERR_WANT_READ;
    if (s->blocking && (!s->complete || pending)) {
        uint64_t to_us = (uint64_t)wolfSSL_dtls_get_current_timeout(ssl) * 1000000u;
        if (wolfSSL_dtls13_use_quick_timeout(ssl)) to_us /= 4u;
        if (bench_now_us() + to_us < until) until = bench_now_us() + to_us;
    }
    for (;;) {
        int r = next_datagram(s, buf, sz);
        long got;
        uint64_t now;
        if (r > 0) return r;
        if (!s->blocking) {
            got = bench_link_read(&s->link, s->raw, sizeof s->raw, 0);
            if (got < 0) return WOLFSSL_CBIO_ERR_GENERAL;
            if (got == 0) return WOLFSSL_CBIO_ERR_WANT_READ;
        } else {
            now = bench_now_us();
            if (now >= until) {
                if (now >= s->deadline_us) bench_die(s->prog, "timed out waiting for the peer");
                s->timeouts++;
                return WOLFSSL_CBIO_ERR_TIMEOUT;
            }
            got = bench_link_read(&s->link, s->raw, sizeof s->raw, (int)((until - now + 999) / 1000));
            if (got < 0) return WOLFSSL_CBIO_ERR_GENERAL;
        }
        s->raw_off = 0;
        s->raw_len = (size_t)got;
    }
}

void dtls13_side_init(dtls13_side *s, const char *prog, const dtls13_side_cfg *cfg,
                      bench_link link, int blocking)
{
    int groups[] = { WOLFSSL_ECC_SECP256R1 };
    uint8_t cid[8];
    int ret, to_s;

    memset(s, 0, sizeof *s);
    s->prog = prog;
    s->link = link;
    s->blocking = blocking;
    s->deadline_us = UINT64_MAX;
    s->addr = cfg->addr;
    s->peer = cfg->peer;
    slink_deframer_init(&s->rx, cfg->addr, 0);

    if ((ret = wolfSSL_Init()) != WOLFSSL_SUCCESS) bench_die(prog, "wolfSSL_Init: %d", ret);
    s->ctx = wolfSSL_CTX_new(cfg->client ? wolfDTLSv1_3_client_method() : wolfDTLSv1_3_server_method());
    if (!s->ctx) bench_die(prog, "wolfSSL_CTX_new (DTLS 1.3) failed");
    if ((ret = wolfSSL_CTX_load_verify_locations(s->ctx, cfg->ca, NULL)) != WOLFSSL_SUCCESS)
        bench_die(prog, "%s: wolfSSL_CTX_load_verify_locations: %d", cfg->ca, ret);
    if ((ret = wolfSSL_CTX_use_certificate_file(s->ctx, cfg->cert, WOLFSSL_FILETYPE_PEM)) != WOLFSSL_SUCCESS)
        bench_die(prog, "%s: wolfSSL_CTX_use_certificate_file: %d", cfg->cert, ret);
    if ((ret = wolfSSL_CTX_use_PrivateKey_file(s->ctx, cfg->key, WOLFSSL_FILETYPE_PEM)) != WOLFSSL_SUCCESS)
        bench_die(prog, "%s: wolfSSL_CTX_use_PrivateKey_file: %d", cfg->key, ret);
    /* Mutual authentication: the server demands the client's certificate. */
    wolfSSL_CTX_set_verify(s->ctx, WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    if ((ret = wolfSSL_CTX_set_cipher_list(s->ctx, "TLS13-AES128-GCM-SHA256")) != WOLFSSL_SUCCESS)
        bench_die(prog, "wolfSSL_CTX_set_cipher_list: %d", ret);
    if (!cfg->client && (ret = wolfSSL_CTX_no_ticket_TLSv13(s->ctx)) != 0)
        bench_die(prog, "wolfSSL_CTX_no_ticket_TLSv13: %d", ret);
    wolfSSL_CTX_SetIORecv(s->ctx, io_recv);
    wolfSSL_CTX_SetIOSend(s->ctx, io_send);

    s->ssl = wolfSSL_new(s->ctx);
    if (!s->ssl) bench_die(prog, "wolfSSL_new failed");
    wolfSSL_SetIOReadCtx(s->ssl, s);
    wolfSSL_SetIOWriteCtx(s->ssl, s);
    /* P-256 only, in supported_groups and as the one key share. */
    if ((ret = wolfSSL_set_groups(s->ssl, groups, 1)) != WOLFSSL_SUCCESS) wolf_die(s, "wolfSSL_set_groups", ret);
    if (cfg->client) {
        if ((ret = wolfSSL_UseKeyShare(s->ssl, WOLFSSL_ECC_SECP256R1)) != WOLFSSL_SUCCESS)
            wolf_die(s, "wolfSSL_UseKeyShare", ret);
        if ((ret = wolfSSL_check_domain_name(s->ssl, cfg->peer_name)) != WOLFSSL_SUCCESS)
            wolf_die(s, "wolfSSL_check_domain_name", ret);
    } else if ((ret = wolfSSL_disable_hrr_cookie(s->ssl)) != WOLFSSL_SUCCESS) {
        /* As the DTLS 1.2 side: no cookie exchange (it costs a round trip). */
        wolf_die(s, "wolfSSL_disable_hrr_cookie", ret);
    }
    /* Datagrams are frame bodies: the same frame size limit slink has. */
    if ((ret = wolfSSL_dtls_set_mtu(s->ssl, SLINK_MAX_FRAME_BODY)) != WOLFSSL_SUCCESS)
        wolf_die(s, "wolfSSL_dtls_set_mtu", ret);
    to_s = (int)((bench_dtls_rto_ms(cfg->baud) + 999u) / 1000u);
    if ((ret = wolfSSL_dtls_set_timeout_init(s->ssl, to_s)) != WOLFSSL_SUCCESS)
        wolf_die(s, "wolfSSL_dtls_set_timeout_init", ret);
    if (!blocking) wolfSSL_dtls_set_using_nonblock(s->ssl, 1);
    if (cfg->cid_len) {
        /* The CID this end wants on the records it receives; any fixed
         * value serves (one connection per line). */
        if (cfg->cid_len > sizeof cid) bench_die(prog, "connection ID longer than %zu bytes", sizeof cid);
        memset(cid, cfg->addr, sizeof cid);
        if ((ret = wolfSSL_dtls_cid_use(s->ssl)) != WOLFSSL_SUCCESS) wolf_die(s, "wolfSSL_dtls_cid_use", ret);
        if ((ret = wolfSSL_dtls_cid_set(s->ssl, cid, cfg->cid_len)) != WOLFSSL_SUCCESS)
            wolf_die(s, "wolfSSL_dtls_cid_set", ret);
    }
}

void dtls13_side_free(dtls13_side *s)
{
    if (s->ssl) wolfSSL_free(s->ssl);
    if (s->ctx) wolfSSL_CTX_free(s->ctx);
    s->ssl = NULL;
    s->ctx = NULL;
}

int dtls13_side_handshake(dtls13_side *s)
{
    for (;;) {
        int ret = wolfSSL_negotiate(s->ssl), err;
        if (ret == WOLFSSL_SUCCESS) {
            if (!s->complete) {
                s->complete = 1;
                s->t_complete_us = bench_now_us();
                s->hs_bytes_out = s->link.bytes_out;
            }
            return 0;
        }
        err = wolfSSL_get_error(s->ssl, ret);
        if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) wolf_die(s, "DTLS 1.3 handshake", ret);
        if (!s->blocking) return 1;
    }
}

int dtls13_side_wait_acked(dtls13_side *s)
{
    uint8_t b[16];
    s->await_ack = 1;
    while (wolfSSL_dtls13_has_pending_msg(s->ssl)) {
        int ret = wolfSSL_read(s->ssl, b, sizeof b), err;
        if (ret > 0) bench_die(s->prog, "application data before the handshake was acknowledged");
        err = wolfSSL_get_error(s->ssl, ret);
        if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) wolf_die(s, "waiting for the ACK", ret);
        if (!s->blocking && wolfSSL_dtls13_has_pending_msg(s->ssl)) return 1;
    }
    s->await_ack = 0;
    if (!s->acked) {
        s->acked = 1;
        s->t_acked_us = bench_now_us();
        s->acked_bytes_out = s->link.bytes_out;
    }
    return 0;
}

void dtls13_side_write(dtls13_side *s, const uint8_t *p, size_t n)
{
    int ret = wolfSSL_write(s->ssl, p, (int)n);
    if (ret != (int)n) wolf_die(s, "wolfSSL_write", ret);
}

size_t dtls13_side_read(dtls13_side *s, uint8_t *p, size_t cap)
{
    for (;;) {
        int ret = wolfSSL_read(s->ssl, p, (int)cap), err;
        if (ret > 0) return (size_t)ret;
        err = wolfSSL_get_error(s->ssl, ret);
        if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) wolf_die(s, "wolfSSL_read", ret);
        if (!s->blocking) return 0;
    }
}

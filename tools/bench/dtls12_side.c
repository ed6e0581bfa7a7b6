#include "dtls12_side.h"

#include <stdlib.h>
#include <string.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>

static const int suites[] = { MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0 };
static const mbedtls_ecp_group_id curves[] = { MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_NONE };
static const int sig_hashes[] = { MBEDTLS_MD_SHA256, MBEDTLS_MD_NONE };

static void tls_die(const char *prog, const char *what, int ret)
{
    char buf[160];
    mbedtls_strerror(ret, buf, sizeof buf);
    bench_die(prog, "%s: -0x%04x %s", what, (unsigned)-ret, buf);
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    dtls12_side *s = ctx;
    uint8_t wire[SLINK_WIRE_FRAME_MAX];
    size_t n = 0;
    if (len > SLINK_MAX_FRAME_BODY) return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
    if (slink_frame_encode(s->peer, s->addr, DTLS12_FRAME_TYPE, buf, len, wire, sizeof wire, &n) != SLINK_OK)
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    if (s->t_first_tx_us == 0) s->t_first_tx_us = bench_now_us();
    if (bench_link_write(&s->link, wire, n) != 0) return MBEDTLS_ERR_NET_SEND_FAILED;
    s->datagrams_out++;
    return (int)len;
}

/* Next whole datagram from the frames received so far, if any. */
static int next_datagram(dtls12_side *s, unsigned char *buf, size_t len)
{
    while (s->raw_off < s->raw_len) {
        slink_frame f;
        size_t used = 0;
        slink_err e = slink_deframer_push(&s->rx, s->raw + s->raw_off, s->raw_len - s->raw_off, 0, &used, &f);
        s->raw_off += used;
        if (e == SLINK_OK && f.type == DTLS12_FRAME_TYPE) {
            size_t n = f.body_len < len ? f.body_len : len;
            memcpy(buf, f.body, n);
            return (int)n;
        }
        if (e != SLINK_OK && e != SLINK_ERR_NEED_MORE) s->frames_dropped++;
        if (used == 0) break;
    }
    s->raw_off = s->raw_len = 0;
    return 0;
}

static int bio_recv_timeout(void *ctx, unsigned char *buf, size_t len, uint32_t timeout)
{
    dtls12_side *s = ctx;
    uint64_t until = timeout ? bench_now_us() + (uint64_t)timeout * 1000u : s->deadline_us;
    for (;;) {
        int r = next_datagram(s, buf, len);
        long got;
        uint64_t now;
        if (r > 0) return r;
        if (!s->blocking) {
            got = bench_link_read(&s->link, s->raw, sizeof s->raw, 0);
            if (got < 0) return MBEDTLS_ERR_NET_RECV_FAILED;
            if (got == 0) return MBEDTLS_ERR_SSL_WANT_READ;
        } else {
            now = bench_now_us();
            if (now >= until) {
                if (now >= s->deadline_us) bench_die(s->prog, "timed out waiting for the peer");
                return MBEDTLS_ERR_SSL_TIMEOUT;
            }
            got = bench_link_read(&s->link, s->raw, sizeof s->raw, (int)((until - now + 999) / 1000));
            if (got < 0) return MBEDTLS_ERR_NET_RECV_FAILED;
        }
        s->raw_off = 0;
        s->raw_len = (size_t)got;
    }
}

void dtls12_side_init(dtls12_side *s, const char *prog, const dtls12_side_cfg *cfg,
                      bench_link link, int blocking)
{
    int ret;
    memset(s, 0, sizeof *s);
    s->prog = prog;
    s->link = link;
    s->blocking = blocking;
    s->deadline_us = UINT64_MAX;
    s->addr = cfg->addr;
    s->peer = cfg->peer;
    slink_deframer_init(&s->rx, cfg->addr, 0);

    mbedtls_ssl_init(&s->ssl);
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_x509_crt_init(&s->ca);
    mbedtls_x509_crt_init(&s->cert);
    mbedtls_pk_init(&s->key);
    mbedtls_ctr_drbg_init(&s->drbg);

    if ((ret = mbedtls_ctr_drbg_seed(&s->drbg, bench_entropy, NULL, (const unsigned char *)"dtls12", 6)) != 0)
        tls_die(prog, "ctr_drbg_seed", ret);
    if ((ret = mbedtls_x509_crt_parse_file(&s->ca, cfg->ca)) != 0) tls_die(prog, cfg->ca, ret);
    if ((ret = mbedtls_x509_crt_parse_file(&s->cert, cfg->cert)) != 0) tls_die(prog, cfg->cert, ret);
    if ((ret = mbedtls_pk_parse_keyfile(&s->key, cfg->key, NULL)) != 0) tls_die(prog, cfg->key, ret);

    if ((ret = mbedtls_ssl_config_defaults(&s->conf, cfg->client ? MBEDTLS_SSL_IS_CLIENT : MBEDTLS_SSL_IS_SERVER,
                                           MBEDTLS_SSL_TRANSPORT_DATAGRAM, MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
        tls_die(prog, "ssl_config_defaults", ret);
    mbedtls_ssl_conf_min_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(&s->conf, suites);
    mbedtls_ssl_conf_curves(&s->conf, curves);
    mbedtls_ssl_conf_sig_hashes(&s->conf, sig_hashes);
    mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&s->conf, &s->ca, NULL);
    if ((ret = mbedtls_ssl_conf_own_cert(&s->conf, &s->cert, &s->key)) != 0) tls_die(prog, "own_cert", ret);
    mbedtls_ssl_conf_rng(&s->conf, mbedtls_ctr_drbg_random, &s->drbg);
    /* mbedTLS's default initial timeout (1 s) unless the line is slow
     * (bench_dtls_rto_ms); its default maximum (60 s). */
    mbedtls_ssl_conf_handshake_timeout(&s->conf, bench_dtls_rto_ms(cfg->baud), 60000);
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    mbedtls_ssl_conf_session_tickets(&s->conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
#endif
    if (!cfg->client) {
#if defined(MBEDTLS_SSL_DTLS_HELLO_VERIFY)
        mbedtls_ssl_conf_dtls_cookies(&s->conf, NULL, NULL, NULL);
#endif
        /* The smallest standard CertificateRequest: no list of acceptable
         * CA names (the default would add the CA's distinguished name). */
        mbedtls_ssl_conf_cert_req_ca_list(&s->conf, MBEDTLS_SSL_CERT_REQ_CA_LIST_DISABLED);
    }
    if ((ret = mbedtls_ssl_setup(&s->ssl, &s->conf)) != 0) tls_die(prog, "ssl_setup", ret);
    if (cfg->client && (ret = mbedtls_ssl_set_hostname(&s->ssl, cfg->peer_name)) != 0)
        tls_die(prog, "set_hostname", ret);
    /* Datagrams are frame bodies: the same frame size limit slink has. */
    mbedtls_ssl_set_mtu(&s->ssl, SLINK_MAX_FRAME_BODY);
    mbedtls_ssl_set_bio(&s->ssl, s, bio_send, NULL, bio_recv_timeout);
    mbedtls_ssl_set_timer_cb(&s->ssl, &s->timer, mbedtls_timing_set_delay, mbedtls_timing_get_delay);
}

void dtls12_side_free(dtls12_side *s)
{
    mbedtls_ssl_free(&s->ssl);
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_x509_crt_free(&s->ca);
    mbedtls_x509_crt_free(&s->cert);
    mbedtls_pk_free(&s->key);
    mbedtls_ctr_drbg_free(&s->drbg);
}

int dtls12_side_handshake(dtls12_side *s)
{
    for (;;) {
        int ret = mbedtls_ssl_handshake(&s->ssl);
        if (ret == 0) {
            if (!s->complete) {
                s->complete = 1;
                s->t_complete_us = bench_now_us();
                s->hs_bytes_out = s->link.bytes_out;
            }
            return 0;
        }
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE && ret != MBEDTLS_ERR_SSL_TIMEOUT) {
            if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
                char why[256];
                mbedtls_x509_crt_verify_info(why, sizeof why, "", mbedtls_ssl_get_verify_result(&s->ssl));
                bench_die(s->prog, "DTLS peer certificate refused: %s", why);
            }
            tls_die(s->prog, "DTLS handshake", ret);
        }
        if (!s->blocking) return 1;
    }
}

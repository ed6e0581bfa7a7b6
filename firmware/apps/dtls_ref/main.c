/* Size reference: the same device built on mbedTLS's own DTLS 1.2 client
 * (ECDHE-ECDSA-AES128-GCM-SHA256, mutual certificate authentication, the
 * same CA/certificate/key, the same board, port and crypto configuration
 * plus the ssl modules).  It exists so `make firmware-size` can put slink
 * beside DTLS with the same toolchain and flags; it is linked, not run
 * (there is no DTLS peer in the test setup).  Application as in the slink
 * device: received bytes come back upper-cased. */
#include <string.h>
#include <mbedtls/ssl.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/x509_crt.h>
#include <mbedtls/pk.h>
#include "board.h"
#include "fw_port.h"

static mbedtls_ssl_context ssl;
static mbedtls_ssl_config conf;
static mbedtls_x509_crt ca, own;
static mbedtls_pk_context key;
static mbedtls_hmac_drbg_context drbg;
static fw_entropy_state entropy;

static const int suites[] = { MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0 };

struct fw_timer {
    uint64_t start, int_ms, fin_ms;
};
static struct fw_timer timer;

static void timer_set(void *ctx, uint32_t int_ms, uint32_t fin_ms)
{
    struct fw_timer *t = ctx;
    t->start = board_millis();
    t->int_ms = int_ms;
    t->fin_ms = fin_ms;
}

static int timer_get(void *ctx)
{
    struct fw_timer *t = ctx;
    if (t->fin_ms == 0)
        return -1;
    uint64_t el = board_millis() - t->start;
    return el >= t->fin_ms ? 2 : el >= t->int_ms ? 1 : 0;
}

/* One datagram per call: on a serial line DTLS would need a framing layer;
 * the reference uses the raw UART so the comparison counts only DTLS. */
static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    uart_write(buf, len);
    return (int)len;
}

static int bio_recv_timeout(void *ctx, unsigned char *buf, size_t len, uint32_t timeout)
{
    (void)ctx;
    uint64_t end = board_millis() + timeout;
    for (;;) {
        size_t n = uart_read(buf, len);
        if (n > 0)
            return (int)n;
        if (timeout != 0 && board_millis() >= end)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        board_wait_for_interrupt();
    }
}

int main(void)
{
    static unsigned char buf[256];
    int ret;

    board_init();
    fw_alloc_init();
    if (fw_entropy_boot(&entropy, fw_prov_device_seed) != 0)
        return 1;
    mbedtls_hmac_drbg_init(&drbg);
    if (mbedtls_hmac_drbg_seed(&drbg, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                               fw_entropy, &entropy, (const unsigned char *)"dtls", 4) != 0)
        return 1;
    mbedtls_x509_crt_init(&ca);
    mbedtls_x509_crt_init(&own);
    mbedtls_pk_init(&key);
    if (mbedtls_x509_crt_parse_der(&ca, fw_prov_ca_der, fw_prov_ca_der_len) != 0 ||
        mbedtls_x509_crt_parse_der(&own, fw_prov_cert_der, fw_prov_cert_der_len) != 0 ||
        mbedtls_pk_parse_key(&key, fw_prov_key_der, fw_prov_key_der_len, NULL, 0,
                             mbedtls_hmac_drbg_random, &drbg) != 0)
        return 1;

    mbedtls_ssl_init(&ssl);
    mbedtls_ssl_config_init(&conf);
    if (mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_DATAGRAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return 1;
    mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
    mbedtls_ssl_conf_own_cert(&conf, &own, &key);
    mbedtls_ssl_conf_rng(&conf, mbedtls_hmac_drbg_random, &drbg);
    mbedtls_ssl_conf_ciphersuites(&conf, suites);
    if (mbedtls_ssl_setup(&ssl, &conf) != 0 ||
        mbedtls_ssl_set_hostname(&ssl, fw_prov_host_name) != 0)
        return 1;
    mbedtls_ssl_set_bio(&ssl, NULL, bio_send, NULL, bio_recv_timeout);
    mbedtls_ssl_set_timer_cb(&ssl, &timer, timer_set, timer_get);

    while ((ret = mbedtls_ssl_handshake(&ssl)) != 0)
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE &&
            ret != MBEDTLS_ERR_SSL_TIMEOUT)
            return 1;
    for (;;) {
        ret = mbedtls_ssl_read(&ssl, buf, sizeof buf);
        if (ret <= 0) {
            if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_TIMEOUT)
                continue;
            break;
        }
        for (int i = 0; i < ret; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] = (unsigned char)(buf[i] - 'a' + 'A');
        (void)mbedtls_ssl_write(&ssl, buf, (size_t)ret);
    }
    (void)mbedtls_ssl_close_notify(&ssl);
    return 0;
}

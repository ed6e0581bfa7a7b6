/* Record layer cost against raw mbedTLS AES-GCM on the same bytes.
 *
 * Per 100-byte record: slink_rec_seal + slink_rec_open (header, AAD, nonce,
 * sequence reconstruction, replay window, stats) versus
 * mbedtls_gcm_crypt_and_tag + mbedtls_gcm_auth_decrypt with the same key,
 * a 12-byte nonce and 11-byte AAD.  Blocks of each alternate (ABAB...) so
 * frequency changes and noise hit both sides alike; CPU time comes from
 * CLOCK_PROCESS_CPUTIME_ID.
 *   bench_record [--json] [iterations]   (default 200000 per side) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mbedtls/gcm.h>
#include "slink/record.h"

#define PT_LEN 100u
#define BLOCK  2000u

static double cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_record: %s failed\n", what);
    exit(1);
}

int main(int argc, char **argv)
{
    int json = 0;
    unsigned long iters = 200000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else
            iters = strtoul(argv[i], NULL, 10);
    }
    if (iters < BLOCK)
        iters = BLOCK;

    uint8_t tx[32], rx[32], key[16], nonce[12], aad[11];
    for (unsigned i = 0; i < 32; i++) {
        tx[i] = (uint8_t)i;
        rx[i] = (uint8_t)(i + 32);
    }
    memset(key, 0x11, sizeof key);
    memset(nonce, 0x22, sizeof nonce);
    memset(aad, 0x33, sizeof aad);

    static slink_record a, b;
    slink_rec_limits lim = { 0, 0, 0 };
    if (slink_rec_init(&a, 0x01, 0x02, tx, rx, &lim) != SLINK_OK ||
        slink_rec_init(&b, 0x02, 0x01, rx, tx, &lim) != SLINK_OK)
        die("slink_rec_init");
    mbedtls_gcm_context g;
    mbedtls_gcm_init(&g);
    if (mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, 128) != 0)
        die("mbedtls_gcm_setkey");

    uint8_t pt[PT_LEN], out[PT_LEN], body[PT_LEN + SLINK_REC_OVERHEAD_MAX], ct[PT_LEN], tag[16];
    memset(pt, 0x5a, sizeof pt);
    double t_slink = 0, t_raw = 0;
    unsigned long done = 0;
    volatile uint8_t sink = 0;

    while (done < iters) {
        double t0 = cpu_ns();
        for (unsigned i = 0; i < BLOCK; i++) {
            uint8_t type, cty;
            size_t len, n;
            if (slink_rec_seal(&a, SLINK_CT_DATAGRAM, pt, PT_LEN, &type, body, sizeof body,
                               &len) != SLINK_OK ||
                slink_rec_open(&b, 0x02, 0x01, type, body, len, out, sizeof out, &n, &cty,
                               1000) != SLINK_OK)
                die("slink seal/open");
            sink ^= out[i % PT_LEN];
        }
        double t1 = cpu_ns();
        for (unsigned i = 0; i < BLOCK; i++) {
            nonce[11] = (uint8_t)i;
            if (mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, PT_LEN, nonce, 12, aad, 11,
                                          pt, ct, 16, tag) != 0 ||
                mbedtls_gcm_auth_decrypt(&g, PT_LEN, nonce, 12, aad, 11, tag, 16, ct, out) != 0)
                die("mbedtls gcm");
            sink ^= out[i % PT_LEN];
        }
        double t2 = cpu_ns();
        t_slink += t1 - t0;
        t_raw += t2 - t1;
        done += BLOCK;
    }
    (void)sink;

    double ns_slink = t_slink / (double)done, ns_raw = t_raw / (double)done;
    double ratio = ns_slink / ns_raw;
    if (json)
        printf("{\"record_cost_ratio\": %.3f, \"record_ns_slink\": %.1f, "
               "\"record_ns_mbedtls\": %.1f}\n", ratio, ns_slink, ns_raw);
    else
        printf("bench_record: %lu records of %u bytes, seal+open\n"
               "  slink record layer : %8.1f ns/record\n"
               "  raw mbedTLS GCM    : %8.1f ns/record\n"
               "  ratio              : %8.3f\n",
               done, PT_LEN, ns_slink, ns_raw, ratio);
    slink_rec_wipe(&a);
    slink_rec_wipe(&b);
    mbedtls_gcm_free(&g);
    return 0;
}

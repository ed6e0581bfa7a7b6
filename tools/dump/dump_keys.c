/* slink-dump: the debug key log, and opening records with the core's own
 * record layer so the dump decrypts exactly as a receiver would.
 *
 * Line format (written by slinkd --keylog, see docs/TOOLS.md):
 *   SLINK_TRAFFIC <sender> <receiver> <epoch> <64 hex digits>
 * sender/receiver are bus addresses (decimal, or 0x.. hex), epoch the full
 * epoch number of the traffic secret. */
#include "dump.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <mbedtls/platform_util.h>

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    ch = tolower(ch);
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    return -1;
}

static int parse_line(char *s, unsigned long *snd, unsigned long *rcv, unsigned long *ep,
                      uint8_t secret[32])
{
    char *tok[6];
    int n = 0;
    for (char *p = strtok(s, " \t\r\n"); p && n < 6; p = strtok(NULL, " \t\r\n")) tok[n++] = p;
    if (n != 5 || strcmp(tok[0], "SLINK_TRAFFIC") != 0) return 1;   /* not ours */
    char *end;
    *snd = strtoul(tok[1], &end, 0);
    if (*end) return -1;
    *rcv = strtoul(tok[2], &end, 0);
    if (*end) return -1;
    *ep = strtoul(tok[3], &end, 0);
    if (*end) return -1;
    if (strlen(tok[4]) != 64) return -1;
    for (int i = 0; i < 32; i++) {
        int hi = hexval((unsigned char)tok[4][2 * i]), lo = hexval((unsigned char)tok[4][2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        secret[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int dump_keylog_load(dump_keylog *kl, const char *path, FILE *err)
{
    memset(kl, 0, sizeof *kl);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char buf[512];
    unsigned lineno = 0;
    dump_key **tail = &kl->head;
    while (fgets(buf, sizeof buf, f)) {
        unsigned long snd, rcv, ep;
        uint8_t secret[32];
        lineno++;
        int r = parse_line(buf, &snd, &rcv, &ep, secret);
        mbedtls_platform_zeroize(buf, sizeof buf);
        if (r == 1) continue;
        if (r < 0 || snd > 255 || rcv > 255 || ep < SLINK_EPOCH_APP || ep > SLINK_EPOCH_MAX ||
            !slink_addr_is_unicast((uint8_t)snd) || !slink_addr_is_unicast((uint8_t)rcv)) {
            fprintf(err, "slink-dump: %s:%u: not a usable SLINK_TRAFFIC line, skipped\n", path, lineno);
            kl->skipped++;
            mbedtls_platform_zeroize(secret, sizeof secret);
            continue;
        }
        dump_key *k = calloc(1, sizeof *k);
        if (!k) { mbedtls_platform_zeroize(secret, sizeof secret); break; }
        k->sender = (uint8_t)snd;
        k->receiver = (uint8_t)rcv;
        k->epoch = (uint16_t)ep;
        /* Only the receive side is used: it opens sender -> receiver. */
        slink_err e = slink_rec_init(&k->rec, k->receiver, k->sender, secret, secret, NULL);
        mbedtls_platform_zeroize(secret, sizeof secret);
        if (e != SLINK_OK) {
            fprintf(err, "slink-dump: %s:%u: %s\n", path, lineno, slink_err_str(e));
            free(k);
            kl->skipped++;
            continue;
        }
        /* slink_rec_init installs a secret as epoch 2.  Key and IV derive
         * from the secret alone (PROTOCOL.md §3.4); the epoch only enters
         * the AAD and the epoch-bit match, so a later epoch's secret is
         * installed by relabelling it. */
        SLINK_REC_RX(&k->rec).epoch = k->epoch;
        *tail = k;
        tail = &k->next;
        kl->lines++;
    }
    fclose(f);
    return 0;
}

void dump_keylog_free(dump_keylog *kl)
{
    dump_key *k = kl->head;
    while (k) {
        dump_key *n = k->next;
        slink_rec_wipe(&k->rec);
        free(k);
        k = n;
    }
    kl->head = NULL;
}

static int rank(slink_err e)
{
    switch (e) {
    case SLINK_ERR_REC_REPLAY: return 4;
    case SLINK_ERR_REC_AUTH: return 3;
    case SLINK_ERR_REC_MALFORMED: return 2;
    case SLINK_ERR_REC_EPOCH: return 1;
    default: return 0;
    }
}

slink_err dump_keylog_open(dump_keylog *kl, uint8_t dst, uint8_t src, uint8_t type,
                           const uint8_t *body, size_t body_len, uint64_t now_ms,
                           uint8_t *pt, size_t cap, size_t *pt_len, uint16_t *epoch)
{
    slink_err best = SLINK_ERR_NO_PEER;
    for (dump_key *k = kl->head; k; k = k->next) {
        if (k->sender != src || k->receiver != dst) continue;
        uint8_t ct;
        /* Each key context follows its own epoch ratchet, like a receiver. */
        slink_err e = slink_rec_open(&k->rec, dst, src, type, body, body_len,
                                     pt, cap, pt_len, &ct, now_ms);
        if (e == SLINK_OK) {
            *epoch = SLINK_REC_RX(&k->rec).epoch;
            /* a late record of the previous epoch opened in the previous slot */
            if (((type & SLINK_REC_EPOCH_MASK) >> SLINK_REC_EPOCH_SHIFT) != (SLINK_REC_RX(&k->rec).epoch & 3u))
                *epoch = SLINK_REC_RX_PREV(&k->rec).epoch;
            return SLINK_OK;
        }
        if (best == SLINK_ERR_NO_PEER || rank(e) > rank(best)) best = e;
    }
    return best;
}

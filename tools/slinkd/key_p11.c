/* slinkd's identity key in a PKCS#11 token: `key = pkcs11:...` (RFC 7512).
 * The token stays open for the daemon's life, so a reload (SIGHUP) that
 * keeps the same URI reuses it while the credentials in use still point at
 * it; a new URI opens another and the old one stays open until exit (the
 * slot still serving sessions signs through it). */
#include "key_p11.h"
#include "../p11/p11_key.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKENS_MAX 4

static struct {
    char uri[1024];
    p11_key *k;
} tokens[TOKENS_MAX];

static void close_all(void)
{
    for (int i = 0; i < TOKENS_MAX; i++) {
        p11_key_close(tokens[i].k);
        tokens[i].k = NULL;
    }
}

int slinkd_key_is_token(const char *key)
{
    return p11_key_is_uri(key);
}

slink_err slinkd_token_creds(const char *uri, slink_creds *out,
                             const uint8_t *ca, size_t ca_len,
                             const uint8_t *cert, size_t cert_len, const char **why)
{
    static char reason[400];
    static int registered;
    slink_signer s;
    int i, free_slot = -1;

    for (i = 0; i < TOKENS_MAX; i++) {
        if (tokens[i].k != NULL && strcmp(tokens[i].uri, uri) == 0) break;
        if (tokens[i].k == NULL && free_slot < 0) free_slot = i;
    }
    if (i == TOKENS_MAX) {
        char err[300];
        if (free_slot < 0 || strlen(uri) >= sizeof tokens[0].uri) {
            *why = "too many different key URIs over reloads, or URI too long (restart slinkd)";
            return SLINK_ERR_CONFIG;
        }
        if (p11_key_open(&tokens[free_slot].k, uri, err, sizeof err) != 0) {
            snprintf(reason, sizeof reason, "PKCS#11 key: %s", err);
            *why = reason;
            return SLINK_ERR_CONFIG;
        }
        snprintf(tokens[free_slot].uri, sizeof tokens[free_slot].uri, "%s", uri);
        if (!registered) {
            atexit(close_all);
            registered = 1;
        }
        i = free_slot;
    }
    s = p11_key_signer(tokens[i].k);
    return slink_creds_load_signer(out, ca, ca_len, cert, cert_len, &s, why);
}

const char *slinkd_key_display(const char *key, char *buf, size_t cap)
{
    size_t n;
    if (!p11_key_is_uri(key)) return key;
    /* the query part may hold pin-value: never logged */
    n = strcspn(key, "?");
    snprintf(buf, cap, "%.*s%s", (int)n, key, key[n] ? "?..." : "");
    return buf;
}

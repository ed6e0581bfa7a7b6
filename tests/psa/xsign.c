/* Cross-backend signatures: linked once with each crypto backend.
 *   xsign sign N    N software-key signatures (keys and messages derived
 *                   from the index), then whatever the backend's key store
 *                   signs (xsign_key_store), one "pub hash sig" hex line each
 *   xsign verify    reads such lines, verifies each through the port, and
 *                   checks a flipped hash bit is refused
 * tests/psa/xbackend.sh pipes one backend's signatures into the other's
 * verifier both ways and compares the deterministic (RFC 6979) ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "slink/crypto.h"

int xsign_key_store(FILE *out, int n);   /* xsign_psa_key.c / xsign_no_key_store.c */

static void hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) fprintf(f, "%02x", p[i]);
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1) return -1;
        out[i] = (uint8_t)v;
    }
    return s[2 * n] == '\0' || s[2 * n] == ' ' || s[2 * n] == '\n' ? 0 : -1;
}

static int do_sign(int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t seed[8], d[32], pub[SLINK_ECPUB_LEN], h[32], sig[SLINK_SIG_LEN];
        slink_soft_key k;
        slink_signer s;
        memcpy(seed, "xsign", 5);
        seed[5] = (uint8_t)(i >> 8);
        seed[6] = (uint8_t)i;
        seed[7] = 'k';
        if (slink_sha256(seed, sizeof seed, d) != SLINK_OK) return 1;
        if (!slink_p256_scalar_ok(d)) continue;
        seed[7] = 'm';
        if (slink_sha256(seed, sizeof seed, h) != SLINK_OK) return 1;
        if (slink_p256_public(d, pub, NULL) != SLINK_OK || slink_soft_key_set(&k, d) != SLINK_OK) return 1;
        s = slink_soft_key_signer(&k);
        if (slink_sign_hash(&s, h, sig, NULL) != SLINK_OK) return 1;
        slink_soft_key_wipe(&k);
        printf("soft ");
        hex(stdout, pub, sizeof pub);
        putchar(' ');
        hex(stdout, h, sizeof h);
        putchar(' ');
        hex(stdout, sig, sizeof sig);
        putchar('\n');
    }
    return xsign_key_store(stdout, n) < 0;
}

static int do_verify(void)
{
    char line[512];
    int ok = 0, bad = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        uint8_t pub[SLINK_ECPUB_LEN], h[32], sig[SLINK_SIG_LEN];
        char *p = strchr(line, ' ');
        if (p == NULL || unhex(p + 1, pub, sizeof pub) != 0 ||
            unhex(p + 2 + 2 * sizeof pub, h, sizeof h) != 0 ||
            unhex(p + 3 + 2 * sizeof pub + 2 * sizeof h, sig, sizeof sig) != 0) {
            fprintf(stderr, "xsign: malformed line: %s", line);
            return 1;
        }
        if (slink_ecdsa_verify_hash(pub, h, sig) == SLINK_OK) ok++;
        else { bad++; fprintf(stderr, "xsign: does not verify: %s", line); }
        h[0] ^= 1;
        if (slink_ecdsa_verify_hash(pub, h, sig) != SLINK_ERR_HS_BAD_SIG) {
            bad++;
            fprintf(stderr, "xsign: flipped hash accepted: %s", line);
        }
    }
    printf("%s: %d signatures verified, %d failures\n", slink_crypto_backend, ok, bad);
    return bad != 0 || ok == 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sign") == 0) return do_sign(atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "verify") == 0) return do_verify();
    fprintf(stderr, "usage: xsign sign N | xsign verify\n");
    return 2;
}

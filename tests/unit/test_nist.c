/* NIST CAVP known-answer tests run through slink's own wrappers:
 *   AES-128-GCM  gcmEncryptExtIV128.rsp, gcmDecrypt128.rsp (96-bit IV,
 *                128-bit tag: the parameters slink uses)
 *   ECDSA P-256  FIPS_186-3/SigVer.rsp, section [P-256,SHA-256], as raw r||s
 * The .rsp files come from Debian's python3-cryptography-vectors (installed
 * by `make deps`).  Directory: $SLINK_VECTORS_DIR, else the compile-time
 * SLINK_VECTORS_DIR, else Debian's location. */
#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SLINK_VECTORS_DIR
#define SLINK_VECTORS_DIR "/usr/lib/python3/dist-packages/cryptography_vectors"
#endif

#define FIELD_MAX 1024
#define NFIELDS   8

typedef struct {
    char name[NFIELDS][16];
    uint8_t val[NFIELDS][FIELD_MAX];
    size_t len[NFIELDS];
    int n;
    int fail;                   /* a bare FAIL line was seen */
    char section[64];           /* last [..] line without "=" */
    int keylen, ivlen, taglen;  /* from [Keylen = ..] etc. */
} rsp_rec;

static FILE *open_vectors(const char *rel)
{
    char path[512];
    const char *dir = getenv("SLINK_VECTORS_DIR");
    if (dir == NULL || dir[0] == '\0')
        dir = SLINK_VECTORS_DIR;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        ck_abort_msg("NIST vector file %s is missing: run `make deps` (installs "
                     "python3-cryptography-vectors) or set SLINK_VECTORS_DIR", path);
    return f;
}

static const uint8_t *field(const rsp_rec *r, const char *name, size_t *len)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->name[i], name) == 0) {
            *len = r->len[i];
            return r->val[i];
        }
    ck_abort_msg("vector without field %s", name);
    return NULL;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

/* Reads lines until a record ends (the line naming `last`, or FAIL).
 * Returns 0 at end of file. */
static int next_record(FILE *f, rsp_rec *r, const char *last)
{
    char line[4096];
    r->n = 0;
    r->fail = 0;
    while (fgets(line, sizeof line, f)) {
        trim(line);
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (line[0] == '[') {
            int v;
            if (sscanf(line, "[Keylen = %d]", &v) == 1) r->keylen = v;
            else if (sscanf(line, "[IVlen = %d]", &v) == 1) r->ivlen = v;
            else if (sscanf(line, "[Taglen = %d]", &v) == 1) r->taglen = v;
            else if (!strchr(line, '='))
                snprintf(r->section, sizeof r->section, "%s", line);
            continue;
        }
        if (strcmp(line, "FAIL") == 0) {
            r->fail = 1;
            return 1;
        }
        char *eq = strstr(line, " = ");
        if (eq == NULL) {
            eq = strstr(line, " =");
            if (eq == NULL)
                continue;
        }
        *eq = '\0';
        const char *v = eq + 2;
        while (*v == ' ' || *v == '=') v++;
        if (r->n >= NFIELDS)
            ck_abort_msg("vector with too many fields");
        snprintf(r->name[r->n], sizeof r->name[r->n], "%s", line);
        size_t n = 0;
        if (strcmp(line, "Result") == 0) {
            r->val[r->n][0] = (uint8_t)v[0];
            n = 1;
        } else {
            while (v[0] && v[1] && n < FIELD_MAX) {
                unsigned b;
                /* plain if: check logs every passing assertion, and this
                 * loop runs for every hex byte of the files */
                if (sscanf(v, "%2x", &b) != 1)
                    ck_abort_msg("bad hex in vector field %s", line);
                r->val[r->n][n++] = (uint8_t)b;
                v += 2;
            }
        }
        r->len[r->n] = n;
        r->n++;
        if (strcmp(line, last) == 0)
            return 1;
    }
    return 0;
}

static int gcm_params_used(const rsp_rec *r)
{
    return r->keylen == 128 && r->ivlen == 96 && r->taglen == 128;
}

START_TEST(gcm_encrypt_ext_iv_128)
{
    static rsp_rec r;
    FILE *f = open_vectors("ciphers/AES/GCM/gcmEncryptExtIV128.rsp");
    unsigned run = 0;
    memset(&r, 0, sizeof r);
    while (next_record(f, &r, "Tag")) {
        if (!gcm_params_used(&r))
            continue;
        size_t kl, il, pl, al, cl, tl;
        const uint8_t *key = field(&r, "Key", &kl), *iv = field(&r, "IV", &il);
        const uint8_t *pt = field(&r, "PT", &pl), *aad = field(&r, "AAD", &al);
        const uint8_t *ct = field(&r, "CT", &cl), *tag = field(&r, "Tag", &tl);
        uint8_t out[FIELD_MAX], got[16];
        slink_aead a;
        memset(&a, 0, sizeof a);
        ck_assert_uint_eq(pl, cl);
        ck_assert_uint_eq(tl, 16);
        ck_assert_int_eq(slink_aead_setkey(&a, key, kl), SLINK_OK);
        ck_assert_int_eq(slink_aead_seal(&a, iv, il, al ? aad : NULL, al, pl ? pt : NULL, pl,
                                         out, got, tl), SLINK_OK);
        if (pl) ck_assert_mem_eq(out, ct, cl);
        ck_assert_mem_eq(got, tag, tl);
        slink_aead_free(&a);
        run++;
    }
    fclose(f);
    printf("nist: AES-128-GCM encrypt vectors run: %u\n", run);
    /* 25 (PTlen, AADlen) groups of 15 with these parameters */
    ck_assert_uint_eq(run, 375);
}
END_TEST

START_TEST(gcm_decrypt_128)
{
    static rsp_rec r;
    FILE *f = open_vectors("ciphers/AES/GCM/gcmDecrypt128.rsp");
    unsigned run = 0, fails = 0;
    memset(&r, 0, sizeof r);
    while (next_record(f, &r, "PT")) {
        if (!gcm_params_used(&r))
            continue;
        size_t kl, il, al, cl, tl, pl = 0;
        const uint8_t *key = field(&r, "Key", &kl), *iv = field(&r, "IV", &il);
        const uint8_t *aad = field(&r, "AAD", &al), *ct = field(&r, "CT", &cl);
        const uint8_t *tag = field(&r, "Tag", &tl), *pt = NULL;
        uint8_t out[FIELD_MAX];
        slink_aead a;
        if (!r.fail)
            pt = field(&r, "PT", &pl);
        memset(&a, 0, sizeof a);
        ck_assert_int_eq(slink_aead_setkey(&a, key, kl), SLINK_OK);
        slink_err e = slink_aead_open(&a, iv, il, al ? aad : NULL, al, cl ? ct : NULL, cl,
                                      out, tag, tl);
        if (r.fail) {
            ck_assert_int_eq(e, SLINK_ERR_REC_AUTH);
            fails++;
        } else {
            ck_assert_int_eq(e, SLINK_OK);
            ck_assert_uint_eq(pl, cl);
            if (pl) ck_assert_mem_eq(out, pt, pl);
        }
        slink_aead_free(&a);
        run++;
    }
    fclose(f);
    printf("nist: AES-128-GCM decrypt vectors run: %u (%u expected to fail, all REC_AUTH)\n",
           run, fails);
    ck_assert_uint_eq(run, 375);
    ck_assert_uint_eq(fails, 196);
}
END_TEST

START_TEST(ecdsa_p256_sha256_sigver)
{
    static rsp_rec r;
    FILE *f = open_vectors("asymmetric/ECDSA/FIPS_186-3/SigVer.rsp");
    unsigned run = 0, pass = 0;
    memset(&r, 0, sizeof r);
    while (next_record(f, &r, "Result")) {
        if (strcmp(r.section, "[P-256,SHA-256]") != 0)
            continue;
        size_t ml, xl, yl, rl, sl, resl;
        const uint8_t *msg = field(&r, "Msg", &ml), *qx = field(&r, "Qx", &xl);
        const uint8_t *qy = field(&r, "Qy", &yl), *rr = field(&r, "R", &rl);
        const uint8_t *ss = field(&r, "S", &sl), *res = field(&r, "Result", &resl);
        uint8_t pt[65], sig[64], h[32];
        ck_assert(xl == 32 && yl == 32 && rl == 32 && sl == 32);
        pt[0] = 0x04;
        memcpy(pt + 1, qx, 32);
        memcpy(pt + 33, qy, 32);
        memcpy(sig, rr, 32);
        memcpy(sig + 32, ss, 32);
        ck_assert_int_eq(slink_sha256(msg, ml, h), SLINK_OK);
        slink_err e = slink_ecdsa_verify_hash(pt, h, sig);
        if (res[0] == 'P') {
            ck_assert_int_eq(e, SLINK_OK);
            pass++;
        } else {
            ck_assert_int_eq(res[0], 'F');
            ck_assert_int_eq(e, SLINK_ERR_HS_BAD_SIG);
        }
        run++;
    }
    fclose(f);
    printf("nist: ECDSA P-256/SHA-256 SigVer vectors run: %u (%u valid)\n", run, pass);
    ck_assert_uint_eq(run, 15);
    ck_assert_uint_eq(pass, 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("nist");
    TCase *tc = tcase_create("cavp");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, gcm_encrypt_ext_iv_128);
    tcase_add_test(tc, gcm_decrypt_128);
    tcase_add_test(tc, ecdsa_p256_sha256_sigver);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* AES-GCM wrapper: known answers from the GCM specification (McGrew &
 * Viega test cases 1-4), tamper detection with the exact error, and the
 * argument checks.  The full NIST CAVP set runs in test_nist.c. */
#include "testutil.h"
#include <string.h>

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    while (h[0] && h[1]) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

typedef struct {
    const char *key, *iv, *pt, *aad, *ct, *tag;
} gcm_kat;

/* The GCM spec's test cases 1-4 (AES-128, 96-bit IV). */
static const gcm_kat kats[] = {
    { "00000000000000000000000000000000", "000000000000000000000000", "", "", "",
      "58e2fccefa7e3061367f1d57a4e7455a" },
    { "00000000000000000000000000000000", "000000000000000000000000",
      "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78",
      "ab6e47d42cec13bdf53a67b21257bddf" },
    { "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
      "",
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
      "4d5c2af327cd64a62cf35abd2ba6fab4" },
    { "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
      "feedfacedeadbeeffeedfacedeadbeefabaddad2",
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
      "5bc94fbc3221a5db94fae95ae7121a47" },
};

START_TEST(gcm_spec_vectors_seal_and_open)
{
    const gcm_kat *v = &kats[_i];
    uint8_t key[16], iv[12], pt[64], aad[32], ct[64], tag[16];
    uint8_t out[64], got_tag[16];
    slink_aead a;
    memset(&a, 0, sizeof a);
    size_t kl = unhex(v->key, key), il = unhex(v->iv, iv), pl = unhex(v->pt, pt);
    size_t al = unhex(v->aad, aad), cl = unhex(v->ct, ct);
    unhex(v->tag, tag);
    ck_assert_uint_eq(pl, cl);
    ck_assert_int_eq(slink_aead_setkey(&a, key, kl), SLINK_OK);
    ck_assert_int_eq(slink_aead_seal(&a, iv, il, aad, al, pt, pl, out, got_tag, 16), SLINK_OK);
    ck_assert_mem_eq(got_tag, tag, 16);
    if (cl) ck_assert_mem_eq(out, ct, cl);
    memset(out, 0, sizeof out);
    ck_assert_int_eq(slink_aead_open(&a, iv, il, aad, al, ct, cl, out, tag, 16), SLINK_OK);
    if (pl) ck_assert_mem_eq(out, pt, pl);
    slink_aead_free(&a);
}
END_TEST

START_TEST(open_rejects_flipped_tag_and_wipes_output)
{
    uint8_t key[16] = { 1 }, iv[12] = { 2 }, pt[40], ct[40], tag[16], out[40];
    slink_aead a;
    memset(&a, 0, sizeof a);
    memset(pt, 0x5c, sizeof pt);
    ck_assert_int_eq(slink_aead_setkey(&a, key, 16), SLINK_OK);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 0, pt, sizeof pt, ct, tag, 16), SLINK_OK);
    for (unsigned bit = 0; bit < 128; bit += 7) {
        tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        memset(out, 0xEE, sizeof out);
        ck_assert_int_eq(slink_aead_open(&a, iv, 12, NULL, 0, ct, sizeof ct, out, tag, 16),
                         SLINK_ERR_REC_AUTH);
        for (size_t i = 0; i < sizeof out; i++)
            ck_assert_uint_eq(out[i], 0);
        tag[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    ct[39] ^= 0x80;
    ck_assert_int_eq(slink_aead_open(&a, iv, 12, NULL, 0, ct, sizeof ct, out, tag, 16),
                     SLINK_ERR_REC_AUTH);
    ct[39] ^= 0x80;
    uint8_t aad[1] = { 9 };
    ck_assert_int_eq(slink_aead_open(&a, iv, 12, aad, 1, ct, sizeof ct, out, tag, 16),
                     SLINK_ERR_REC_AUTH);
    iv[0] ^= 1;
    ck_assert_int_eq(slink_aead_open(&a, iv, 12, NULL, 0, ct, sizeof ct, out, tag, 16),
                     SLINK_ERR_REC_AUTH);
    iv[0] ^= 1;
    ck_assert_int_eq(slink_aead_open(&a, iv, 12, NULL, 0, ct, sizeof ct, out, tag, 16), SLINK_OK);
    ck_assert_mem_eq(out, pt, sizeof pt);
    slink_aead_free(&a);
}
END_TEST

START_TEST(seal_in_place_matches_out_of_place)
{
    uint8_t key[16] = { 7 }, iv[12] = { 8 }, buf[33], ref[33], t1[16], t2[16];
    slink_aead a;
    memset(&a, 0, sizeof a);
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)i;
    ck_assert_int_eq(slink_aead_setkey(&a, key, 16), SLINK_OK);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 0, buf, sizeof buf, ref, t1, 16), SLINK_OK);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 0, buf, sizeof buf, buf, t2, 16), SLINK_OK);
    ck_assert_mem_eq(buf, ref, sizeof buf);
    ck_assert_mem_eq(t1, t2, 16);
    ck_assert_int_eq(slink_aead_open(&a, iv, 12, NULL, 0, buf, sizeof buf, buf, t2, 16), SLINK_OK);
    ck_assert_uint_eq(buf[32], 32);
    slink_aead_free(&a);
}
END_TEST

START_TEST(rekey_replaces_old_key)
{
    uint8_t k1[16] = { 1 }, k2[16] = { 2 }, iv[12] = { 0 }, pt[4] = { 1, 2, 3, 4 };
    uint8_t c1[4], c2[4], t1[16], t2[16];
    slink_aead a;
    memset(&a, 0, sizeof a);
    ck_assert_int_eq(slink_aead_setkey(&a, k1, 16), SLINK_OK);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 0, pt, 4, c1, t1, 16), SLINK_OK);
    ck_assert_int_eq(slink_aead_setkey(&a, k2, 16), SLINK_OK);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 0, pt, 4, c2, t2, 16), SLINK_OK);
    ck_assert_int_ne(memcmp(t1, t2, 16), 0);
    ck_assert_int_eq(slink_aead_open(&a, iv, 12, NULL, 0, c1, 4, pt, t1, 16), SLINK_ERR_REC_AUTH);
    slink_aead_free(&a);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
    uint8_t key[32] = { 0 }, iv[12] = { 0 }, buf[8] = { 0 }, tag[16];
    slink_aead a;
    memset(&a, 0, sizeof a);
    ck_assert_int_eq(slink_aead_setkey(&a, key, 15), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_aead_setkey(NULL, key, 16), SLINK_ERR_ARG);
    /* not keyed yet */
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 0, buf, 8, buf, tag, 16), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_aead_setkey(&a, key, 32), SLINK_OK);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 0, NULL, 0, buf, 8, buf, tag, 16), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 0, buf, 8, buf, tag, 3), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 0, buf, 8, buf, tag, 17), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_aead_seal(&a, iv, 12, NULL, 4, buf, 8, buf, tag, 16), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_aead_open(&a, iv, 12, NULL, 0, NULL, 8, buf, tag, 16), SLINK_ERR_ARG);
    slink_aead_free(&a);
    ck_assert_int_eq(a.ready, 0);
    /* freeing twice is harmless; a freed object refuses work */
    slink_aead_free(&a);
    ck_assert_int_eq(slink_aead_open(&a, iv, 12, NULL, 0, buf, 8, buf, tag, 16), SLINK_ERR_ARG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("aead");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, gcm_spec_vectors_seal_and_open, 0, (int)(sizeof kats / sizeof kats[0]));
    tcase_add_test(tc, open_rejects_flipped_tag_and_wipes_output);
    tcase_add_test(tc, seal_in_place_matches_out_of_place);
    tcase_add_test(tc, rekey_replaces_old_key);
    tcase_add_test(tc, bad_arguments_are_refused);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Known-answer tests of the handshake key schedule (src/handshake/keysched.c).
 * The expected values were computed by an independent Python
 * implementation (hashlib/hmac for SHA-256 and HKDF, the `cryptography`
 * package for AES-128-GCM); inputs and outputs are listed in
 * docs/PROTOCOL.md, Appendix A. */
#include "testutil.h"
#include <stdio.h>
#include <string.h>
#include "handshake/keysched.h"

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = strlen(h) / 2;
    ck_assert_uint_le(n, cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

#define ck_assert_hex(buf, len, hex) do { \
    uint8_t exp_[512]; size_t n_ = unhex((hex), exp_, sizeof exp_); \
    ck_assert_uint_eq((len), n_); \
    ck_assert_mem_eq((buf), exp_, n_); } while (0)

/* ---- the vector's inputs (docs/PROTOCOL.md, Appendix A, "Inputs") ---- */
static const uint8_t ADDR_I = 0x01, ADDR_R = 0x07;
static uint8_t msg1[SLINK_HS1_LEN], m2c[SLINK_HS2_CLEAR_LEN], G[32];
static uint8_t cert_r[300], cert_i[200], pt2[73], pt3[73];

static void inputs(void)
{
    size_t i;
    msg1[0] = 0x21; msg1[1] = 0x00; msg1[2] = 0x45;
    for (i = 0; i < 32; i++) msg1[3 + i] = (uint8_t)(0x20 + i);
    m2c[0] = 0x01; m2c[1] = 0x45;
    for (i = 0; i < 32; i++) m2c[2 + i] = (uint8_t)(0x50 + i);
    for (i = 0; i < 32; i++) G[i] = (uint8_t)(0x80 + i);
    for (i = 0; i < sizeof cert_r; i++) cert_r[i] = (uint8_t)(i * 7 + 3);
    for (i = 0; i < sizeof cert_i; i++) cert_i[i] = (uint8_t)(i * 13 + 5);
    for (i = 0; i < sizeof pt2; i++) pt2[i] = (uint8_t)(0xa0 + i);
    for (i = 0; i < sizeof pt3; i++) pt3[i] = (uint8_t)(0xff - i);
}

#define TH2  "27155b79486fbb120ea9def75421eb711538338c9511f780c4d007812a0a80b1"
#define PRK  "016d4dd7f879de804beff708ac96c3eed6955eb6a6c9f50be8935ec8625c30da"
#define K2   "ab1a8a3d022867cbe6fc7811613b7a8d"
#define IV2  "f1de7775b9cba669a50f5e7d"
#define MAC2 "61fbce879eb6523947f16efe2610f221"
#define SIG2 "736c696e6b31207369673227155b79486fbb120ea9def75421eb711538338c9511f780c4d007812a0a80b104773f8726c81cafcfa1a09a82664b98b00d2021031a1715bca1154f2dad347261fbce879eb6523947f16efe2610f221"
#define TH3  "b56bfd510d713f98683f8943548a892ca1b9525e5ef8c4c3aaa81c4db75e1844"
#define K3   "48e63180cb1acb3320bbfa16f11b7b0e"
#define IV3  "7abf81988eda3965268594fd"
#define MAC3 "deb426f9415d950561580ffa0eb4924d"
#define SIG3 "736c696e6b312073696733b56bfd510d713f98683f8943548a892ca1b9525e5ef8c4c3aaa81c4db75e18445662cd43a9a08890f6eea10b9cb37854163d54629a5ca604a03e88c3ce47419fdeb426f9415d950561580ffa0eb4924d"
#define TH4  "b455e263d71dcda9ebdb095f000cfd9630251be4f4c61eebe26d0355eab062cb"
#define I2R  "bec50f936c6cb0cb108e30a279c14b9c35b6feec8bab074652b8d5b16e8ae6f3"
#define R2I  "a3da49b385cfbf88aeb08d17f682dd83c4d86e0efe6594f2e9541b29d4db9d66"
#define CT2  "e0b216aee2414f3c62d83f50dc8fa175d88d572233fa4b045a05fad462f463a82e686f4f0bb5090e78dc65e2d51e71478cbee65b1f824e0266961ee1a5fb6946cebddfe5b776810a86e777e84a20f874ded20095dad6cc6f1f"
#define CT3  "f99c1a288005ba994a4045b4b41b3df0f51ed98a472579513464ecd7f7eace19f1da01222a63f9ad814532e3a2dba5f114c0534bfb9be4fd69b84dc20047d0506591d0820be6b063add8edd1afaf263410adad9bc335bcbf8f"

static uint8_t th2[32], prk[32], th3[32], th4[32];

static void chain(void)
{
    inputs();
    ck_assert_int_eq(ks_th2(ADDR_I, ADDR_R, msg1, m2c, th2), SLINK_OK);
    ck_assert_int_eq(ks_prk(th2, G, prk), SLINK_OK);
    ck_assert_int_eq(ks_th_next(th2, pt2, sizeof pt2, th3), SLINK_OK);
    ck_assert_int_eq(ks_th_next(th3, pt3, sizeof pt3, th4), SLINK_OK);
}

START_TEST(kat_th2)
{
    chain();
    ck_assert_hex(th2, sizeof th2, TH2);
}
END_TEST

START_TEST(kat_prk)
{
    chain();
    ck_assert_hex(prk, sizeof prk, PRK);
}
END_TEST

START_TEST(kat_msg2_key_iv)
{
    uint8_t k[KS_KEY_LEN], iv[KS_IV_LEN];
    chain();
    ck_assert_int_eq(ks_msg_key(prk, KS_MSG2, th2, k, iv), SLINK_OK);
    ck_assert_hex(k, sizeof k, K2);
    ck_assert_hex(iv, sizeof iv, IV2);
}
END_TEST

START_TEST(kat_mac2_and_sig2_input)
{
    uint8_t mac[SLINK_MAC_LEN], in[KS_SIG_INPUT_LEN];
    chain();
    ck_assert_int_eq(ks_mac(prk, KS_MSG2, th2, cert_r, sizeof cert_r, mac), SLINK_OK);
    ck_assert_hex(mac, sizeof mac, MAC2);
    ck_assert_int_eq(ks_sig_input(KS_MSG2, th2, cert_r, sizeof cert_r, mac, in), SLINK_OK);
    ck_assert_hex(in, sizeof in, SIG2);
}
END_TEST

START_TEST(kat_th3_th4)
{
    chain();
    ck_assert_hex(th3, sizeof th3, TH3);
    ck_assert_hex(th4, sizeof th4, TH4);
}
END_TEST

START_TEST(kat_msg3_key_iv_mac_sig3_input)
{
    uint8_t k[KS_KEY_LEN], iv[KS_IV_LEN], mac[SLINK_MAC_LEN], in[KS_SIG_INPUT_LEN];
    chain();
    ck_assert_int_eq(ks_msg_key(prk, KS_MSG3, th3, k, iv), SLINK_OK);
    ck_assert_hex(k, sizeof k, K3);
    ck_assert_hex(iv, sizeof iv, IV3);
    ck_assert_int_eq(ks_mac(prk, KS_MSG3, th3, cert_i, sizeof cert_i, mac), SLINK_OK);
    ck_assert_hex(mac, sizeof mac, MAC3);
    ck_assert_int_eq(ks_sig_input(KS_MSG3, th3, cert_i, sizeof cert_i, mac, in), SLINK_OK);
    ck_assert_hex(in, sizeof in, SIG3);
}
END_TEST

START_TEST(kat_traffic_secrets)
{
    uint8_t i2r[32], r2i[32];
    chain();
    ck_assert_int_eq(ks_traffic(prk, th4, i2r, r2i), SLINK_OK);
    ck_assert_hex(i2r, sizeof i2r, I2R);
    ck_assert_hex(r2i, sizeof r2i, R2I);
}
END_TEST

START_TEST(kat_seal_msg2_and_msg3)
{
    uint8_t ct[73 + 16];
    chain();
    ck_assert_int_eq(ks_seal(prk, KS_MSG2, th2, pt2, sizeof pt2, ct, ct + 73), SLINK_OK);
    ck_assert_hex(ct, sizeof ct, CT2);
    ck_assert_int_eq(ks_seal(prk, KS_MSG3, th3, pt3, sizeof pt3, ct, ct + 73), SLINK_OK);
    ck_assert_hex(ct, sizeof ct, CT3);
}
END_TEST

START_TEST(open_kat_ciphertext)
{
    uint8_t ct[73 + 16], pt[73];
    chain();
    unhex(CT2, ct, sizeof ct);
    ck_assert_int_eq(ks_open(prk, KS_MSG2, th2, ct, 73, ct + 73, pt), SLINK_OK);
    ck_assert_mem_eq(pt, pt2, sizeof pt);
}
END_TEST

START_TEST(open_bad_tag_is_hs_decrypt_and_wipes)
{
    uint8_t ct[73 + 16], pt[73];
    chain();
    unhex(CT2, ct, sizeof ct);
    ct[73 + 15] ^= 0x01;
    memset(pt, 0xEE, sizeof pt);
    ck_assert_int_eq(ks_open(prk, KS_MSG2, th2, ct, 73, ct + 73, pt), SLINK_ERR_HS_DECRYPT);
    for (size_t i = 0; i < sizeof pt; i++)
        ck_assert_uint_eq(pt[i], 0);
}
END_TEST

START_TEST(open_under_other_message_key_fails)
{
    /* msg2's ciphertext offered as msg3 (same TH): the labels separate them. */
    uint8_t ct[73 + 16], pt[73];
    chain();
    unhex(CT2, ct, sizeof ct);
    ck_assert_int_eq(ks_open(prk, KS_MSG3, th2, ct, 73, ct + 73, pt), SLINK_ERR_HS_DECRYPT);
}
END_TEST

START_TEST(open_with_other_aad_fails)
{
    uint8_t ct[73 + 16], pt[73];
    chain();
    unhex(CT2, ct, sizeof ct);
    ck_assert_int_eq(ks_open(prk, KS_MSG2, th3, ct, 73, ct + 73, pt), SLINK_ERR_HS_DECRYPT);
}
END_TEST

START_TEST(th2_binds_addresses_and_each_byte)
{
    uint8_t a[32], b[32];
    inputs();
    ck_assert_int_eq(ks_th2(ADDR_I, ADDR_R, msg1, m2c, a), SLINK_OK);
    ck_assert_int_eq(ks_th2(ADDR_R, ADDR_I, msg1, m2c, b), SLINK_OK);
    ck_assert_mem_ne(a, b, 32);
    ck_assert_int_eq(ks_th2(ADDR_I, 0x08, msg1, m2c, b), SLINK_OK);
    ck_assert_mem_ne(a, b, 32);
    msg1[1] ^= 0x01;  /* the flags byte (downgrade of cert-by-reference) */
    ck_assert_int_eq(ks_th2(ADDR_I, ADDR_R, msg1, m2c, b), SLINK_OK);
    ck_assert_mem_ne(a, b, 32);
}
END_TEST

START_TEST(mac_and_sig_input_differ_by_role)
{
    uint8_t m2[16], m3[16], s2[KS_SIG_INPUT_LEN], s3[KS_SIG_INPUT_LEN];
    chain();
    ck_assert_int_eq(ks_mac(prk, KS_MSG2, th2, cert_r, sizeof cert_r, m2), SLINK_OK);
    ck_assert_int_eq(ks_mac(prk, KS_MSG3, th2, cert_r, sizeof cert_r, m3), SLINK_OK);
    ck_assert_mem_ne(m2, m3, 16);
    ck_assert_int_eq(ks_sig_input(KS_MSG2, th2, cert_r, sizeof cert_r, m2, s2), SLINK_OK);
    ck_assert_int_eq(ks_sig_input(KS_MSG3, th2, cert_r, sizeof cert_r, m2, s3), SLINK_OK);
    ck_assert_mem_ne(s2, s3, sizeof s2);
}
END_TEST

START_TEST(bad_arguments)
{
    uint8_t k[16], iv[12], mac[16], in[KS_SIG_INPUT_LEN];
    chain();
    ck_assert_int_eq(ks_msg_key(prk, (ks_msg)4, th2, k, iv), SLINK_ERR_ARG);
    ck_assert_int_eq(ks_mac(prk, (ks_msg)1, th2, cert_r, sizeof cert_r, mac), SLINK_ERR_ARG);
    ck_assert_int_eq(ks_mac(prk, KS_MSG2, th2, cert_r, 0, mac), SLINK_ERR_ARG);
    ck_assert_int_eq(ks_sig_input(KS_MSG2, th2, cert_r, 0, mac, in), SLINK_ERR_ARG);
    ck_assert_int_eq(ks_sig_input((ks_msg)4, th2, cert_r, sizeof cert_r, mac, in), SLINK_ERR_ARG);
    /* Pointers are not checked (keysched.h): the handshake passes its own buffers. */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("keysched");
    TCase *tc = tcase_create("kat");
    tcase_add_test(tc, kat_th2);
    tcase_add_test(tc, kat_prk);
    tcase_add_test(tc, kat_msg2_key_iv);
    tcase_add_test(tc, kat_mac2_and_sig2_input);
    tcase_add_test(tc, kat_th3_th4);
    tcase_add_test(tc, kat_msg3_key_iv_mac_sig3_input);
    tcase_add_test(tc, kat_traffic_secrets);
    tcase_add_test(tc, kat_seal_msg2_and_msg3);
    suite_add_tcase(s, tc);
    tc = tcase_create("negative");
    tcase_add_test(tc, open_kat_ciphertext);
    tcase_add_test(tc, open_bad_tag_is_hs_decrypt_and_wipes);
    tcase_add_test(tc, open_under_other_message_key_fails);
    tcase_add_test(tc, open_with_other_aad_fails);
    tcase_add_test(tc, th2_binds_addresses_and_each_byte);
    tcase_add_test(tc, mac_and_sig_input_differ_by_role);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

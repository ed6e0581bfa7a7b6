/* The SIGMA-I handshake (src/handshake/handshake.c) run with two slink_hs back to
 * back: an initiator at bus address 1 ("host-1") and a responder at address
 * 7 ("dev-7"), each with its own fake platform and DRBG.  Positive runs
 * with full certificates and by reference, then every tamper, replay,
 * reflection and policy failure with its exact code, state and alert. */
#include "testutil.h"
#include "test_pki.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "slink/handshake.h"
#include "handshake/hs_driver.h"
#include "handshake/hs_msg.h"
#include "handshake/keysched.h"

#define ADDR_HOST 1
#define ADDR_DEV  7
/* where the ephemeral x sits in msg1 and in msg2's clear part */
#define MSG1_X    (SLINK_HS1_LEN - SLINK_ECX_LEN)
#define MSG2_X    (SLINK_HS2_CLEAR_LEN - SLINK_ECX_LEN)

typedef struct {
    slink_platform plat;
    fake_plat_ctx pctx;
    slink_rng rng;
    slink_creds creds;
    slink_peer_policy pol;
    slink_hs_cfg cfg;
    slink_hs hs;
} side;

static side I, R;

static void side_setup(side *s, uint64_t seed, const test_cred *own, const char *peer_name,
                       uint8_t local, uint8_t peer)
{
    memset(s, 0, sizeof *s);
    fake_platform_init(&s->plat, &s->pctx, seed);
    s->pctx.quiet = 1;
    ck_assert_int_eq(slink_rng_init(&s->rng, &s->plat, NULL, 0), SLINK_OK);
    ck_assert_int_eq(test_pki_load_creds(&s->creds, test_pki_default_ca(), own), SLINK_OK);
    s->pol = test_pki_policy(peer_name);
    s->cfg.creds = &s->creds;
    s->cfg.policy = &s->pol;
    s->cfg.plat = &s->plat;
    s->cfg.rng = &s->rng;
    s->cfg.local_addr = local;
    s->cfg.peer_addr = peer;
    s->cfg.local_mtu = 256;
    slink_hs_init(&s->hs, &s->cfg);
}

/* Re-read cfg after a test changed it. */
static void side_reinit(side *s)
{
    slink_hs_init(&s->hs, &s->cfg);
}

static void default_pair(void)
{
    side_setup(&I, 11, test_pki_default_host(), TEST_PKI_DEVICE_NAME, ADDR_HOST, ADDR_DEV);
    side_setup(&R, 77, test_pki_default_device(), TEST_PKI_HOST_NAME, ADDR_DEV, ADDR_HOST);
}

static void teardown(void)
{
    slink_creds_free(&I.creds);
    slink_creds_free(&R.creds);
    slink_rng_free(&I.rng);
    slink_rng_free(&R.rng);
}

/* Copies of the three messages of one run. */
typedef struct {
    uint8_t m[3][SLINK_HS_MSG_MAX];
    size_t n[3];
} flights;

static void copy_out(const side *s, flights *f, int idx)
{
    memcpy(f->m[idx], s->hs.out, s->hs.out_len);
    f->n[idx] = s->hs.out_len;
}

static void run_ok(flights *f)
{
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    ck_assert_uint_eq(I.hs.out_msgno, 1);
    copy_out(&I, f, 0);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f->m[0], f->n[0]), SLINK_OK);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    ck_assert_uint_eq(R.hs.out_msgno, 2);
    copy_out(&R, f, 1);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f->m[1], f->n[1]), SLINK_OK);
    ck_assert_int_eq(I.hs.state, SLINK_HS_DONE);
    ck_assert_uint_eq(I.hs.out_msgno, 3);
    copy_out(&I, f, 2);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f->m[2], f->n[2]), SLINK_OK);
    ck_assert_int_eq(R.hs.state, SLINK_HS_DONE);
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

static void assert_crossed_secrets(void)
{
    ck_assert_mem_eq(I.hs.tx_secret, R.hs.rx_secret, 32);
    ck_assert_mem_eq(I.hs.rx_secret, R.hs.tx_secret, 32);
    ck_assert_mem_ne(I.hs.tx_secret, I.hs.rx_secret, 32);
    ck_assert(!all_zero(I.hs.tx_secret, 32));
    /* the ECDH and key-schedule secrets are gone once done */
    ck_assert(all_zero(I.hs.prk, 32) && all_zero(R.hs.prk, 32));
    ck_assert(all_zero(I.hs.eph.d, 32) && all_zero(R.hs.eph.d, 32));
}

/* R's current msg2 to I, I's msg3 back: both done with the same secrets. */
static void finish_from_msg2(flights *f)
{
    copy_out(&R, f, 1);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f->m[1], f->n[1]), SLINK_OK);
    copy_out(&I, f, 2);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f->m[2], f->n[2]), SLINK_OK);
    assert_crossed_secrets();
}

/* A msg2 that opened but did not authenticate the responder: refused, the
 * attempt kept (its ephemeral, msg1, state), the reason recorded, the PRK
 * gone (handshake.h; PROTOCOL.md §4.11, I4). */
static void assert_msg2_refused(const side *s, slink_err code, uint8_t alert)
{
    ck_assert_int_eq(s->hs.state, SLINK_HS_WAIT_MSG2);
    ck_assert_int_eq(s->hs.fail, code);
    ck_assert_uint_eq(s->hs.alert, alert);
    ck_assert_uint_gt(s->pctx.log_count, 0);
    ck_assert_ptr_nonnull(strstr(s->pctx.last_log, "handshake: "));
    ck_assert(all_zero(s->hs.prk, 32));
    ck_assert(!all_zero(s->hs.eph.d, 32));
}

static void assert_failed(const side *s, slink_err code, uint8_t alert)
{
    ck_assert_int_eq(s->hs.state, SLINK_HS_FAILED);
    ck_assert_int_eq(s->hs.fail, code);
    ck_assert_uint_eq(s->hs.alert, alert);
    ck_assert_uint_gt(s->pctx.log_count, 0);
    ck_assert_ptr_nonnull(strstr(s->pctx.last_log, "handshake: "));
    ck_assert(all_zero(s->hs.prk, 32) && all_zero(s->hs.eph.d, 32));
}

/* The test knows the responder's PRK, so it can open and re-seal msg2 the
 * way a responder that misbehaves on purpose would. */
static size_t open_msg2(const flights *f, uint8_t th2[32], uint8_t *pt)
{
    size_t ct_len = f->n[1] - SLINK_HS2_CLEAR_LEN - SLINK_TAG_LEN;
    ck_assert_int_eq(ks_th2(ADDR_HOST, ADDR_DEV, f->m[0], f->m[1], th2), SLINK_OK);
    ck_assert_int_eq(ks_open(R.hs.prk, KS_MSG2, th2, f->m[1] + SLINK_HS2_CLEAR_LEN, ct_len,
                             f->m[1] + f->n[1] - SLINK_TAG_LEN, pt), SLINK_OK);
    return ct_len;
}

static size_t seal_msg2(const flights *f, const uint8_t th2[32], const uint8_t *pt,
                        size_t pt_len, uint8_t *out)
{
    memcpy(out, f->m[1], SLINK_HS2_CLEAR_LEN);
    ck_assert_int_eq(ks_seal(R.hs.prk, KS_MSG2, th2, pt, pt_len, out + SLINK_HS2_CLEAR_LEN,
                             out + SLINK_HS2_CLEAR_LEN + pt_len), SLINK_OK);
    return SLINK_HS2_CLEAR_LEN + pt_len + SLINK_TAG_LEN;
}

/* First two messages, leaving I in WAIT_MSG2 and R in WAIT_MSG3. */
static void run_to_msg2(flights *f)
{
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    copy_out(&I, f, 0);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f->m[0], f->n[0]), SLINK_OK);
    copy_out(&R, f, 1);
}

/* ---- positive runs ------------------------------------------------------ */

START_TEST(full_certificates_complete_with_crossed_secrets)
{
    flights f;
    default_pair();
    run_ok(&f);
    assert_crossed_secrets();
    ck_assert_str_eq(I.hs.peer_cn, "dev-7");
    ck_assert_str_eq(R.hs.peer_cn, "host-1");
    ck_assert_uint_eq(I.hs.peer_cert_len, test_pki_default_device()->der_len);
    ck_assert_mem_eq(I.hs.peer_cert_der, test_pki_default_device()->der, I.hs.peer_cert_len);
    ck_assert_mem_eq(R.hs.peer_cert_der, test_pki_default_host()->der, R.hs.peer_cert_len);
    ck_assert_uint_eq(I.hs.peer_mtu, 256);
    ck_assert_uint_eq(R.hs.peer_mtu, 256);
    ck_assert_uint_eq(f.n[0], SLINK_HS1_LEN);
    ck_assert_uint_eq(f.n[0], 35);
    ck_assert_uint_eq(f.n[1], 34 + 3 + test_pki_default_device()->der_len + 64 + 16);
    ck_assert_uint_eq(f.n[2], 3 + test_pki_default_host()->der_len + 64 + 16);
    fprintf(stderr, "handshake sizes, full certificates: msg1 %zu, msg2 %zu, msg3 %zu, total %zu"
            " (device cert %zu, host cert %zu bytes)\n",
            f.n[0], f.n[1], f.n[2], f.n[0] + f.n[1] + f.n[2],
            test_pki_default_device()->der_len, test_pki_default_host()->der_len);
    teardown();
}
END_TEST

START_TEST(by_reference_both_ways_is_123_and_89_bytes)
{
    flights f;
    default_pair();
    I.cfg.peer_cert = test_pki_default_device()->der;
    I.cfg.peer_cert_len = test_pki_default_device()->der_len;
    R.cfg.peer_cert = test_pki_default_host()->der;
    R.cfg.peer_cert_len = test_pki_default_host()->der_len;
    side_reinit(&I);
    side_reinit(&R);
    run_ok(&f);
    assert_crossed_secrets();
    ck_assert_uint_eq(f.m[0][1], SLINK_HS_F_HAVE_PEER_CERT);
    ck_assert_uint_eq(f.n[0], 35);
    ck_assert_uint_eq(f.n[1], 34 + 1 + 8 + 64 + 16);
    ck_assert_uint_eq(f.n[1], 123);
    ck_assert_uint_eq(f.n[2], 89);
    ck_assert_str_eq(I.hs.peer_cn, "dev-7");
    ck_assert_str_eq(R.hs.peer_cn, "host-1");
    ck_assert_mem_eq(I.hs.peer_cert_der, test_pki_default_device()->der, I.hs.peer_cert_len);
    fprintf(stderr, "handshake sizes, by reference: msg1 %zu, msg2 %zu, msg3 %zu, total %zu\n",
            f.n[0], f.n[1], f.n[2], f.n[0] + f.n[1] + f.n[2]);
    teardown();
}
END_TEST

START_TEST(reference_one_way_only)
{
    flights f;
    default_pair();
    I.cfg.peer_cert = test_pki_default_device()->der;
    I.cfg.peer_cert_len = test_pki_default_device()->der_len;
    side_reinit(&I);
    run_ok(&f);
    assert_crossed_secrets();
    ck_assert_uint_eq(f.n[1], 123);
    ck_assert_uint_eq(f.n[2], 3 + test_pki_default_host()->der_len + 64 + 16);
    teardown();
}
END_TEST

START_TEST(sessions_use_distinct_ephemerals_and_secrets)
{
    flights f;
    uint8_t xi[32], xr[32], tx1[32];
    default_pair();
    run_ok(&f);
    memcpy(xi, f.m[0] + MSG1_X, 32);
    memcpy(xr, f.m[1] + MSG2_X, 32);
    memcpy(tx1, I.hs.tx_secret, 32);
    run_ok(&f);   /* same two nodes, same DRBGs, second session */
    assert_crossed_secrets();
    ck_assert_mem_ne(xi, f.m[0] + MSG1_X, 32);
    ck_assert_mem_ne(xr, f.m[1] + MSG2_X, 32);
    ck_assert_mem_ne(tx1, I.hs.tx_secret, 32);
    teardown();
}
END_TEST

/* With no nonces, only the ephemeral keys make one attempt's transcript
 * differ from another's: every attempt must draw a new one. */
START_TEST(every_attempt_draws_a_new_ephemeral)
{
    flights f;
    uint8_t m1[3][SLINK_HS1_LEN], m2a[SLINK_HS_MSG_MAX], bad[SLINK_HS1_LEN];
    size_t n2a;
    default_pair();
    /* initiator: a restart on the same state, and one after a wipe */
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    memcpy(m1[0], I.hs.out, SLINK_HS1_LEN);
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    memcpy(m1[1], I.hs.out, SLINK_HS1_LEN);
    slink_hs_wipe(&I.hs);
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    memcpy(m1[2], I.hs.out, SLINK_HS1_LEN);
    for (int a = 0; a < 3; a++)
        for (int b = a + 1; b < 3; b++) {
            ck_assert_mem_ne(m1[a], m1[b], SLINK_HS1_LEN);
            ck_assert_mem_ne(m1[a] + MSG1_X, m1[b] + MSG1_X, 32);
        }
    /* responder: the same msg1 answered again after the attempt was
     * abandoned (wiped, as on its timeout) gets a new msg2 */
    copy_out(&I, &f, 0);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_OK);
    n2a = R.hs.out_len;
    memcpy(m2a, R.hs.out, n2a);
    slink_hs_wipe(&R.hs);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_OK);
    ck_assert_uint_eq(R.hs.out_len, n2a);
    ck_assert_mem_ne(R.hs.out + MSG2_X, m2a + MSG2_X, 32);
    memcpy(m2a, R.hs.out, n2a);
    /* ... and after a failed attempt (FAILED, not wiped) */
    memcpy(bad, f.m[0], sizeof bad);
    bad[0] = 0x11;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, bad, sizeof bad), SLINK_ERR_HS_VERSION);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_OK);
    ck_assert_mem_ne(R.hs.out + MSG2_X, m2a + MSG2_X, 32);
    /* the newest answer is a working one */
    finish_from_msg2(&f);
    teardown();
}
END_TEST

START_TEST(handshake_cpu_time_per_side)
{
    /* One timing run for the report; not an assertion on speed. */
    flights f;
    struct timespec a, b;
    double ti = 0, tr = 0;
    default_pair();
#define T_NOW(t) clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &(t))
#define T_MS(x, y) (((double)(y).tv_sec - (double)(x).tv_sec) * 1e3 + \
                    ((double)(y).tv_nsec - (double)(x).tv_nsec) / 1e6)
    T_NOW(a); ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK); T_NOW(b); ti += T_MS(a, b);
    copy_out(&I, &f, 0);
    T_NOW(a); ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_OK);
    T_NOW(b); tr += T_MS(a, b);
    copy_out(&R, &f, 1);
    T_NOW(a); ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    T_NOW(b); ti += T_MS(a, b);
    copy_out(&I, &f, 2);
    T_NOW(a); ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[2], f.n[2]), SLINK_OK);
    T_NOW(b); tr += T_MS(a, b);
    fprintf(stderr, "handshake CPU time (full certificates): initiator %.2f ms, responder %.2f ms\n",
            ti, tr);
    ck_assert_int_eq(R.hs.state, SLINK_HS_DONE);
    teardown();
}
END_TEST

START_TEST(wipe_keeps_cfg_and_clears_results)
{
    flights f;
    default_pair();
    run_ok(&f);
    slink_hs_wipe(&I.hs);
    ck_assert_int_eq(I.hs.state, SLINK_HS_IDLE);
    ck_assert_int_eq(I.hs.role, SLINK_ROLE_NONE);
    ck_assert(all_zero(I.hs.tx_secret, 32) && all_zero(I.hs.rx_secret, 32));
    ck_assert_ptr_eq(I.hs.cfg.creds, &I.creds);
    ck_assert_uint_eq(I.hs.out_len, 0);
    teardown();
}
END_TEST

/* ---- a third party's msg2 ----------------------------------------------- */

START_TEST(forged_msg2_that_opens_does_not_end_the_attempt)
{
    /* Issue 12 / I4: msg2's AEAD key comes from the initiator's public key
     * and an ephemeral the sender picks, so anyone can make a msg2 that
     * opens.  One carrying the genuine responder's certificate and a
     * signature it cannot make is refused, and the attempt waits on: the
     * genuine msg2 arriving after it completes the handshake. */
    flights f;
    slink_ecdh_key y;
    hs_msg2_clear c;
    hs_cred cred;
    uint8_t msg[SLINK_HS_MSG_MAX], th2[32], g[32], prk[32], sig[SLINK_SIG_LEN], *pt;
    size_t n = 0, pt_len = 0;
    default_pair();
    run_to_msg2(&f);
    ck_assert_int_eq(slink_ecdh_keygen(&y, &R.rng), SLINK_OK);
    memset(&c, 0, sizeof c);
    c.mtu_code = 16;
    memcpy(c.x, y.x, sizeof c.x);
    ck_assert_int_eq(hs_msg2_clear_encode(&c, msg, sizeof msg, &n), SLINK_OK);
    ck_assert_int_eq(ks_th2(ADDR_HOST, ADDR_DEV, f.m[0], msg, th2), SLINK_OK);
    ck_assert_int_eq(slink_ecdh_shared(&y, f.m[0] + 3, g, &R.rng), SLINK_OK);
    ck_assert_int_eq(ks_prk(th2, g, prk), SLINK_OK);
    memset(&cred, 0, sizeof cred);
    cred.type = SLINK_CRED_FULL;
    cred.der = test_pki_default_device()->der;
    cred.der_len = test_pki_default_device()->der_len;
    memset(sig, 0x5a, sizeof sig);
    pt = msg + n;
    ck_assert_int_eq(hs_plain_encode(&cred, sig, pt, sizeof msg - n - SLINK_TAG_LEN, &pt_len), SLINK_OK);
    ck_assert_int_eq(ks_seal(prk, KS_MSG2, th2, pt, pt_len, pt, pt + pt_len), SLINK_OK);
    n += pt_len + SLINK_TAG_LEN;
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, msg, n), SLINK_ERR_HS_BAD_SIG);
    assert_msg2_refused(&I, SLINK_ERR_HS_BAD_SIG, SLINK_ALERT_HANDSHAKE_FAILURE);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    ck_assert_int_eq(I.hs.state, SLINK_HS_DONE);
    ck_assert_str_eq(I.hs.peer_cn, "dev-7");
    slink_ecdh_wipe(&y);
    teardown();
}
END_TEST

/* ---- certificate policy ------------------------------------------------- */

START_TEST(wrong_peer_name_is_cert_name_access_denied)
{
    flights f;
    default_pair();
    I.pol.name = "dev-8";
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_NAME);
    assert_msg2_refused(&I, SLINK_ERR_CERT_NAME, SLINK_ALERT_ACCESS_DENIED);
    ck_assert_ptr_nonnull(strstr(I.pctx.last_log, "certificate"));
    ck_assert(all_zero(I.hs.tx_secret, 32));
    /* the attempt waits on (a forger could have sent that msg2): the same
     * msg2 again is refused again for the same reason, nothing installed */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_NAME);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    teardown();
}
END_TEST

START_TEST(responder_rejects_initiator_name_at_msg3)
{
    flights f;
    default_pair();
    R.pol.name = "host-2";
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    copy_out(&I, &f, 2);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[2], f.n[2]), SLINK_ERR_CERT_NAME);
    assert_failed(&R, SLINK_ERR_CERT_NAME, SLINK_ALERT_ACCESS_DENIED);
    teardown();
}
END_TEST

START_TEST(certificate_from_other_ca_is_cert_chain)
{
    flights f;
    default_pair();
    slink_creds_free(&R.creds);
    ck_assert_int_eq(test_pki_load_creds(&R.creds, test_pki_other_ca(), test_pki_other_device()),
                     SLINK_OK);
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_CHAIN);
    assert_msg2_refused(&I, SLINK_ERR_CERT_CHAIN, SLINK_ALERT_UNKNOWN_CA);
    teardown();
}
END_TEST

START_TEST(same_ca_other_device_is_cert_name)
{
    /* dev-9 holds a valid certificate from the same CA, but address 7 is
     * configured for dev-7: impersonation by a legitimate bus member. */
    flights f;
    default_pair();
    slink_creds_free(&R.creds);
    ck_assert_int_eq(test_pki_load_creds(&R.creds, test_pki_default_ca(),
                                         test_pki_default_device2()), SLINK_OK);
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_NAME);
    assert_msg2_refused(&I, SLINK_ERR_CERT_NAME, SLINK_ALERT_ACCESS_DENIED);
    teardown();
}
END_TEST

static test_cred expired;

static void load_expired_device(void)
{
    test_leaf_opts o;
    memset(&o, 0, sizeof o);
    o.name = TEST_PKI_DEVICE_NAME;
    o.not_after = "20260101000000";   /* the fake clock says 2027-01-15 */
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &expired, &o, 4242), 0);
    slink_creds_free(&R.creds);
    ck_assert_int_eq(test_pki_load_creds(&R.creds, test_pki_default_ca(), &expired), SLINK_OK);
}

START_TEST(expired_certificate_is_cert_expired)
{
    flights f;
    default_pair();
    load_expired_device();
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_EXPIRED);
    assert_msg2_refused(&I, SLINK_ERR_CERT_EXPIRED, SLINK_ALERT_CERTIFICATE_EXPIRED);
    teardown();
}
END_TEST

START_TEST(cached_certificate_is_checked_again)
{
    /* The initiator holds the (now expired) certificate and the responder
     * names it by reference: the cached copy is validated all the same. */
    flights f;
    default_pair();
    load_expired_device();
    I.cfg.peer_cert = expired.der;
    I.cfg.peer_cert_len = expired.der_len;
    side_reinit(&I);
    run_to_msg2(&f);
    ck_assert_uint_eq(f.n[1], 123);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_EXPIRED);
    assert_msg2_refused(&I, SLINK_ERR_CERT_EXPIRED, SLINK_ALERT_CERTIFICATE_EXPIRED);
    teardown();
}
END_TEST

START_TEST(reference_to_other_certificate_is_unknown_ref)
{
    /* The initiator's cached certificate for address 7 is dev-9's. */
    flights f;
    default_pair();
    I.cfg.peer_cert = test_pki_default_device2()->der;
    I.cfg.peer_cert_len = test_pki_default_device2()->der_len;
    side_reinit(&I);
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_UNKNOWN_REF);
    assert_msg2_refused(&I, SLINK_ERR_CERT_UNKNOWN_REF, SLINK_ALERT_BAD_CERTIFICATE);
    teardown();
}
END_TEST

/* ---- revocation and pinning (docs/PKI.md §8) ---------------------------- */

static uint8_t fps[3][SLINK_CERT_FP_LEN];

/* fps[0] an unrelated fingerprint, fps[1] the given certificate's */
static void deny_list_for(const test_cred *c)
{
    memset(fps[0], 0xA5, sizeof fps[0]);
    ck_assert_int_eq(slink_cert_fingerprint(c->der, c->der_len, fps[1]), SLINK_OK);
}

START_TEST(revoked_full_certificate_is_cert_revoked)
{
    flights f;
    default_pair();
    deny_list_for(test_pki_default_device());
    I.pol.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])fps;
    I.pol.deny_count = 2;
    run_to_msg2(&f);
    ck_assert_uint_gt(f.n[1], 123);   /* the full certificate was sent */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_REVOKED);
    assert_msg2_refused(&I, SLINK_ERR_CERT_REVOKED, SLINK_ALERT_CERTIFICATE_REVOKED);
    ck_assert(all_zero(I.hs.tx_secret, 32));
    ck_assert_uint_eq(I.hs.peer_cert_len, 0);
    teardown();
}
END_TEST

START_TEST(revoked_certificate_by_reference_is_cert_revoked)
{
    /* The initiator cached dev-7's certificate before it was revoked; the
     * responder names it by reference (123-byte msg2): still refused. */
    flights f;
    default_pair();
    I.cfg.peer_cert = test_pki_default_device()->der;
    I.cfg.peer_cert_len = test_pki_default_device()->der_len;
    side_reinit(&I);
    deny_list_for(test_pki_default_device());
    I.pol.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])fps;
    I.pol.deny_count = 2;
    run_to_msg2(&f);
    ck_assert_uint_eq(f.n[1], 123);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_REVOKED);
    assert_msg2_refused(&I, SLINK_ERR_CERT_REVOKED, SLINK_ALERT_CERTIFICATE_REVOKED);
    teardown();
}
END_TEST

START_TEST(responder_refuses_revoked_initiator_at_msg3)
{
    flights f;
    default_pair();
    R.cfg.peer_cert = test_pki_default_host()->der;
    R.cfg.peer_cert_len = test_pki_default_host()->der_len;
    side_reinit(&R);
    deny_list_for(test_pki_default_host());
    R.pol.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])fps;
    R.pol.deny_count = 2;
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    copy_out(&I, &f, 2);
    ck_assert_uint_eq(f.n[2], 89);    /* by reference */
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[2], f.n[2]), SLINK_ERR_CERT_REVOKED);
    assert_failed(&R, SLINK_ERR_CERT_REVOKED, SLINK_ALERT_CERTIFICATE_REVOKED);
    teardown();
}
END_TEST

START_TEST(deny_list_without_the_peer_completes)
{
    flights f;
    default_pair();
    deny_list_for(test_pki_default_device2());   /* dev-9 revoked, dev-7 not */
    I.pol.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])fps;
    I.pol.deny_count = 2;
    run_ok(&f);
    assert_crossed_secrets();
    teardown();
}
END_TEST

START_TEST(pin_mismatch_is_cert_pin)
{
    /* Address 7 is pinned to dev-7's certificate; a re-issued dev-7
     * certificate (same name, same CA, valid) is refused all the same. */
    static test_cred reissued;
    test_leaf_opts o;
    flights f;
    default_pair();
    memset(&o, 0, sizeof o);
    o.name = TEST_PKI_DEVICE_NAME;
    ck_assert_int_eq(test_pki_leaf(test_pki_default_ca(), &reissued, &o, 5151), 0);
    slink_creds_free(&R.creds);
    ck_assert_int_eq(test_pki_load_creds(&R.creds, test_pki_default_ca(), &reissued), SLINK_OK);
    deny_list_for(test_pki_default_device());
    I.pol.pin = fps[1];
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_CERT_PIN);
    assert_msg2_refused(&I, SLINK_ERR_CERT_PIN, SLINK_ALERT_ACCESS_DENIED);
    ck_assert_uint_eq(I.hs.peer_cert_len, 0);
    teardown();
}
END_TEST

START_TEST(pin_match_completes_full_and_by_reference)
{
    flights f;
    default_pair();
    deny_list_for(test_pki_default_device());
    I.pol.pin = fps[1];
    run_ok(&f);
    assert_crossed_secrets();
    ck_assert_mem_eq(I.hs.peer_cert_der, test_pki_default_device()->der, I.hs.peer_cert_len);
    /* again, the responder naming its certificate by reference */
    I.cfg.peer_cert = test_pki_default_device()->der;
    I.cfg.peer_cert_len = test_pki_default_device()->der_len;
    side_reinit(&I);
    slink_hs_init(&R.hs, &R.cfg);
    run_ok(&f);
    ck_assert_uint_eq(f.n[1], 123);
    assert_crossed_secrets();
    teardown();
}
END_TEST

START_TEST(unsolicited_reference_is_unknown_ref)
{
    /* A responder sending a reference although the initiator never said it
     * holds the certificate (re-sealed by the test). */
    flights f;
    uint8_t th2[32], pt[HS_PLAIN_MAX], msg[SLINK_HS_MSG_MAX];
    size_t pt_len, n;
    hs_cred c;
    uint8_t sig[64];
    default_pair();
    run_to_msg2(&f);
    pt_len = open_msg2(&f, th2, pt);
    ck_assert_int_eq(hs_plain_decode(pt, pt_len, &c, sig), SLINK_OK);
    memset(&c, 0, sizeof c);
    c.type = SLINK_CRED_REF;
    ck_assert_int_eq(slink_cert_ref(test_pki_default_device()->der,
                                    test_pki_default_device()->der_len, c.ref), SLINK_OK);
    ck_assert_int_eq(hs_plain_encode(&c, sig, pt, sizeof pt, &pt_len), SLINK_OK);
    n = seal_msg2(&f, th2, pt, pt_len, msg);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, msg, n), SLINK_ERR_CERT_UNKNOWN_REF);
    assert_msg2_refused(&I, SLINK_ERR_CERT_UNKNOWN_REF, SLINK_ALERT_BAD_CERTIFICATE);
    teardown();
}
END_TEST

/* ---- tampering in transit ----------------------------------------------- */

#define LAST_BYTE ((size_t)-1)

static void tamper_msg2_then_genuine(size_t byte, uint8_t mask)
{
    flights f;
    uint8_t bad[SLINK_HS_MSG_MAX];
    default_pair();
    run_to_msg2(&f);
    memcpy(bad, f.m[1], f.n[1]);
    if (byte == LAST_BYTE) byte = f.n[1] - 1;
    bad[byte] ^= mask;
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, bad, f.n[1]), SLINK_ERR_HS_DECRYPT);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    ck_assert(all_zero(I.hs.prk, 32));
    ck_assert(!all_zero(I.hs.eph.d, 32));
    ck_assert_uint_eq(I.hs.out_msgno, 1);
    /* the genuine msg2 still completes the handshake */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    copy_out(&I, &f, 2);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[2], f.n[2]), SLINK_OK);
    assert_crossed_secrets();
    teardown();
}

START_TEST(tampered_msg2_flags_is_decrypt_drop)
{
    /* the one defined flag bit, so the clear part still parses */
    tamper_msg2_then_genuine(0, SLINK_HS_F_HAVE_PEER_CERT);
}
END_TEST

START_TEST(tampered_msg2_mtu_is_decrypt_drop)
{
    tamper_msg2_then_genuine(1, 0x01);
}
END_TEST

START_TEST(tampered_msg2_ciphertext_is_decrypt_drop)
{
    tamper_msg2_then_genuine(SLINK_HS2_CLEAR_LEN + 40, 0x80);
}
END_TEST

START_TEST(tampered_msg2_tag_is_decrypt_drop)
{
    tamper_msg2_then_genuine(LAST_BYTE, 0x01);
}
END_TEST

START_TEST(tampered_msg2_x_is_decrypt_drop)
{
    /* Another valid curve point in place of x_r: the ECDH and TH2 change,
     * so the AEAD fails (a bit flip could leave the curve: BAD_KEY). */
    flights f;
    uint8_t bad[SLINK_HS_MSG_MAX];
    slink_ecdh_key other;
    default_pair();
    run_to_msg2(&f);
    ck_assert_int_eq(slink_ecdh_keygen(&other, &R.rng), SLINK_OK);
    memcpy(bad, f.m[1], f.n[1]);
    memcpy(bad + MSG2_X, other.x, 32);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, bad, f.n[1]), SLINK_ERR_HS_DECRYPT);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    slink_ecdh_wipe(&other);
    teardown();
}
END_TEST

START_TEST(msg2_x_off_curve_is_dropped)
{
    /* Finding 7 (issue 12): nothing in msg2 is authenticated before the
     * AEAD, so a key off the curve (a forger, or a bit flip) is a drop like
     * a bad tag: the attempt waits on and the genuine msg2 completes it. */
    flights f;
    uint8_t bad[SLINK_HS_MSG_MAX];
    default_pair();
    run_to_msg2(&f);
    memcpy(bad, f.m[1], f.n[1]);
    memset(bad + MSG2_X, 0xFF, 32);   /* x >= p */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, bad, f.n[1]), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    ck_assert_uint_eq(I.hs.alert, 0);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    ck_assert_int_eq(I.hs.state, SLINK_HS_DONE);
    teardown();
}
END_TEST

START_TEST(tampered_msg3_is_decrypt_drop_then_genuine_completes)
{
    flights f;
    uint8_t bad[SLINK_HS_MSG_MAX];
    default_pair();
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    copy_out(&I, &f, 2);
    memcpy(bad, f.m[2], f.n[2]);
    bad[7] ^= 0x04;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, bad, f.n[2]), SLINK_ERR_HS_DECRYPT);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    memcpy(bad, f.m[2], f.n[2]);
    bad[f.n[2] - 1] ^= 0x01;    /* tag */
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, bad, f.n[2]), SLINK_ERR_HS_DECRYPT);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[2], f.n[2]), SLINK_OK);
    assert_crossed_secrets();
    teardown();
}
END_TEST

START_TEST(truncated_messages_are_malformed_drops)
{
    flights f;
    uint8_t m1[SLINK_HS1_LEN];
    default_pair();
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], 122), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], 0), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[1], 88), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    /* msg1 with a too small MTU or unknown flags: dropped, responder idle */
    side_reinit(&R);
    memcpy(m1, f.m[0], sizeof m1);
    m1[2] = 3;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, sizeof m1), SLINK_ERR_HS_MALFORMED);
    m1[2] = f.m[0][2];
    m1[1] = 0x40;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, sizeof m1), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, 34), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(R.hs.state, SLINK_HS_IDLE);
    ck_assert_uint_eq(R.hs.out_len, 0);
    teardown();
}
END_TEST

/* ---- signatures and authenticated contents ------------------------------ */

static void resealed_sig(void (*edit)(uint8_t *sig), slink_err want)
{
    flights f;
    uint8_t th2[32], pt[HS_PLAIN_MAX], msg[SLINK_HS_MSG_MAX];
    size_t pt_len, n;
    default_pair();
    run_to_msg2(&f);
    pt_len = open_msg2(&f, th2, pt);
    edit(pt + pt_len - SLINK_SIG_LEN);
    n = seal_msg2(&f, th2, pt, pt_len, msg);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, msg, n), want);
    assert_msg2_refused(&I, want, SLINK_ALERT_HANDSHAKE_FAILURE);
    ck_assert_ptr_nonnull(strstr(I.pctx.last_log, "signature"));
    teardown();
}

/* P-256 group order n */
static const uint8_t P256_N[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51
};

static void sig_r0_sn(uint8_t *sig) { memset(sig, 0, 32); memcpy(sig + 32, P256_N, 32); }
static void sig_s_eq_n(uint8_t *sig) { memcpy(sig + 32, P256_N, 32); }
static void sig_flip(uint8_t *sig) { sig[40] ^= 0x01; }

START_TEST(noncanonical_signature_r0_sn_is_bad_sig)
{
    resealed_sig(sig_r0_sn, SLINK_ERR_HS_BAD_SIG);
}
END_TEST

START_TEST(signature_s_equal_n_is_bad_sig)
{
    resealed_sig(sig_s_eq_n, SLINK_ERR_HS_BAD_SIG);
}
END_TEST

START_TEST(wrong_signature_is_bad_sig)
{
    resealed_sig(sig_flip, SLINK_ERR_HS_BAD_SIG);
}
END_TEST

START_TEST(trailing_byte_in_plaintext_is_fatal_decode_error)
{
    flights f;
    uint8_t th2[32], pt[HS_PLAIN_MAX + 1], msg[SLINK_HS_MSG_MAX + 1];
    size_t pt_len, n;
    default_pair();
    run_to_msg2(&f);
    pt_len = open_msg2(&f, th2, pt);
    pt[pt_len++] = 0x00;
    n = seal_msg2(&f, th2, pt, pt_len, msg);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, msg, n), SLINK_ERR_HS_PLAINTEXT);
    assert_msg2_refused(&I, SLINK_ERR_HS_PLAINTEXT, SLINK_ALERT_DECODE_ERROR);
    teardown();
}
END_TEST

START_TEST(cred_length_beyond_plaintext_is_fatal_decode_error)
{
    flights f;
    uint8_t th2[32], pt[HS_PLAIN_MAX], msg[SLINK_HS_MSG_MAX];
    size_t pt_len, n;
    default_pair();
    run_to_msg2(&f);
    pt_len = open_msg2(&f, th2, pt);
    ck_assert_uint_eq(pt[0], SLINK_CRED_FULL);
    slink_put_u16(pt + 1, (uint16_t)(slink_get_u16(pt + 1) + 1u));
    n = seal_msg2(&f, th2, pt, pt_len, msg);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, msg, n), SLINK_ERR_HS_PLAINTEXT);
    assert_msg2_refused(&I, SLINK_ERR_HS_PLAINTEXT, SLINK_ALERT_DECODE_ERROR);
    teardown();
}
END_TEST

/* ---- reflection, wrong state, duplicates, replays ----------------------- */

START_TEST(initiator_own_msg1_reflected_is_unexpected)
{
    flights f;
    default_pair();
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    copy_out(&I, &f, 0);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 1, f.m[0], f.n[0]), SLINK_ERR_HS_UNEXPECTED);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    ck_assert_mem_eq(I.hs.out, f.m[0], f.n[0]);
    teardown();
}
END_TEST

START_TEST(responder_own_msg2_reflected_is_unexpected)
{
    flights f;
    default_pair();
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 2, f.m[1], f.n[1]), SLINK_ERR_HS_UNEXPECTED);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    teardown();
}
END_TEST

START_TEST(msg2_echoing_initiator_key_is_dropped)
{
    /* The initiator's own key sent back in the msg2 clear part. */
    flights f;
    uint8_t bad[SLINK_HS_MSG_MAX];
    default_pair();
    run_to_msg2(&f);
    memcpy(bad, f.m[1], f.n[1]);
    memcpy(bad + MSG2_X, f.m[0] + MSG1_X, 32);
    /* refused before any key is derived, and only dropped (as finding 7) */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, bad, f.n[1]), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    teardown();
}
END_TEST

START_TEST(msg1_with_responder_key_is_bad_key)
{
    flights f;
    uint8_t m1[SLINK_HS1_LEN];
    default_pair();
    run_to_msg2(&f);
    memcpy(m1, f.m[0], sizeof m1);
    memcpy(m1 + MSG1_X, f.m[1] + MSG2_X, 32);   /* x_i := x_r */
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, sizeof m1), SLINK_ERR_HS_BAD_KEY);
    assert_failed(&R, SLINK_ERR_HS_BAD_KEY, SLINK_ALERT_HANDSHAKE_FAILURE);
    teardown();
}
END_TEST

START_TEST(msg1_off_curve_is_bad_key)
{
    flights f;
    uint8_t m1[SLINK_HS1_LEN];
    default_pair();
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    copy_out(&I, &f, 0);
    memcpy(m1, f.m[0], sizeof m1);
    memset(m1 + MSG1_X, 0xFF, 32);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, sizeof m1), SLINK_ERR_HS_BAD_KEY);
    assert_failed(&R, SLINK_ERR_HS_BAD_KEY, SLINK_ALERT_HANDSHAKE_FAILURE);
    ck_assert_uint_eq(R.hs.out_len, 0);
    teardown();
}
END_TEST

START_TEST(messages_in_wrong_state_are_unexpected)
{
    flights f;
    default_pair();
    run_to_msg2(&f);
    /* msg3 to an initiator, msg2/msg3 to an idle node, unknown numbers */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 3, f.m[1], 89), SLINK_ERR_HS_UNEXPECTED);
    slink_hs idle;
    slink_hs_init(&idle, &R.cfg);
    ck_assert_int_eq(slink_hs_consume(&idle, 2, f.m[1], f.n[1]), SLINK_ERR_HS_UNEXPECTED);
    ck_assert_int_eq(slink_hs_consume(&idle, 3, f.m[1], 89), SLINK_ERR_HS_UNEXPECTED);
    ck_assert_int_eq(slink_hs_consume(&idle, 0, f.m[0], f.n[0]), SLINK_ERR_HS_UNEXPECTED);
    ck_assert_int_eq(slink_hs_consume(&idle, 4, f.m[0], f.n[0]), SLINK_ERR_HS_UNEXPECTED);
    ck_assert_int_eq(idle.state, SLINK_HS_IDLE);
    ck_assert_int_eq(slink_hs_consume(NULL, 1, f.m[0], f.n[0]), SLINK_ERR_ARG);
    ck_assert_int_eq(slink_hs_consume(&idle, 1, NULL, 0), SLINK_ERR_ARG);
    teardown();
}
END_TEST

START_TEST(duplicate_msg1_answered_without_new_work)
{
    flights f;
    uint8_t v[sizeof R.rng.V];
    int ctr;
    default_pair();
    run_to_msg2(&f);
    memcpy(v, R.rng.V, sizeof v);
    ctr = R.rng.reseed_counter;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_ERR_HS_DUPLICATE);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    ck_assert_uint_eq(R.hs.out_len, f.n[1]);
    ck_assert_mem_eq(R.hs.out, f.m[1], f.n[1]);
    /* no DRBG output drawn: no new ephemeral, ECDH blinding or signature */
    ck_assert_mem_eq(R.rng.V, v, sizeof v);
    ck_assert_int_eq(R.rng.reseed_counter, ctr);
    /* and the handshake still completes */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, R.hs.out, R.hs.out_len), SLINK_OK);
    copy_out(&I, &f, 2);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[2], f.n[2]), SLINK_OK);
    assert_crossed_secrets();
    teardown();
}
END_TEST

/* The connection's driver answers a msg1 it has decoded and gated through
 * hs_answer_msg1 and reads msg3 through hs_read_msg3 (hs_driver.h): the
 * same msg2, state and secrets as slink_hs_consume for the same messages,
 * with a responder drawing the same DRBG output. */
static side R2;

START_TEST(driver_entry_points_answer_as_consume_does)
{
    flights f;
    hs_msg1 m;
    default_pair();
    side_setup(&R2, 77, test_pki_default_device(), TEST_PKI_HOST_NAME, ADDR_DEV, ADDR_HOST);
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    copy_out(&I, &f, 0);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_OK);
    ck_assert_int_eq(hs_msg1_decode(f.m[0], f.n[0], &m), SLINK_OK);
    ck_assert_int_eq(hs_answer_msg1(&R2.hs, &m), SLINK_OK);
    ck_assert_int_eq(R2.hs.state, SLINK_HS_WAIT_MSG3);
    ck_assert_int_eq(R2.hs.role, SLINK_ROLE_RESPONDER);
    ck_assert_uint_eq(R2.hs.out_msgno, 2);
    ck_assert_uint_eq(R2.hs.out_len, R.hs.out_len);
    ck_assert_mem_eq(R2.hs.out, R.hs.out, R.hs.out_len);
    ck_assert_mem_eq(R2.hs.msg1, f.m[0], SLINK_HS1_LEN);
    copy_out(&R, &f, 1);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_OK);
    copy_out(&I, &f, 2);
    /* a message other than msg3 is not msg3: the same drop either way */
    ck_assert_int_eq(hs_read_msg3(&R2.hs, f.m[2], HS_MSG3_MIN - 1u), SLINK_ERR_HS_MALFORMED);
    ck_assert_int_eq(hs_read_msg3(&R2.hs, f.m[2], f.n[2]), SLINK_OK);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[2], f.n[2]), SLINK_OK);
    ck_assert_int_eq(R2.hs.state, SLINK_HS_DONE);
    ck_assert_mem_eq(R2.hs.tx_secret, R.hs.tx_secret, sizeof R.hs.tx_secret);
    ck_assert_mem_eq(R2.hs.rx_secret, R.hs.rx_secret, sizeof R.hs.rx_secret);
    ck_assert_mem_eq(R2.hs.tx_secret, I.hs.rx_secret, sizeof R.hs.tx_secret);
    ck_assert_str_eq(R2.hs.peer_cn, R.hs.peer_cn);
    /* The configuration is checked by slink_hs_consume, first, for every
     * message (the driver's was checked by slink_conn_init): the session's
     * own msg3 or msg1 again, otherwise stale, is refused for it. */
    R2.hs.cfg.rng = NULL;
    ck_assert_int_eq(slink_hs_consume(&R2.hs, 3, f.m[2], f.n[2]), SLINK_ERR_CONFIG);
    ck_assert_int_eq(slink_hs_consume(&R2.hs, 1, f.m[0], f.n[0]), SLINK_ERR_CONFIG);
    R2.hs.cfg.rng = &R2.rng;
    ck_assert_int_eq(slink_hs_consume(&R2.hs, 3, f.m[2], f.n[2]), SLINK_ERR_HS_STALE);
    slink_creds_free(&R2.creds);
    slink_rng_free(&R2.rng);
    teardown();
}
END_TEST

START_TEST(different_msg1_while_waiting_restarts)
{
    /* The initiator rebooted: its new msg1 replaces the pending handshake. */
    flights f;
    uint8_t old_out[SLINK_HS_MSG_MAX];
    default_pair();
    run_to_msg2(&f);
    memcpy(old_out, R.hs.out, f.n[1]);
    slink_hs_wipe(&I.hs);
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, I.hs.out, I.hs.out_len), SLINK_OK);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    ck_assert_mem_ne(R.hs.out + MSG2_X, old_out + MSG2_X, 32);
    /* the old msg2 means nothing to the new initiator */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_HS_DECRYPT);
    finish_from_msg2(&f);
    teardown();
}
END_TEST

START_TEST(repeated_messages_after_done)
{
    flights f;
    uint8_t msg3[SLINK_HS_MSG_MAX], bad[SLINK_HS_MSG_MAX];
    size_t n3;
    default_pair();
    run_ok(&f);
    memcpy(msg3, I.hs.out, I.hs.out_len);
    n3 = I.hs.out_len;
    /* the same msg2 again: our msg3 was lost, resend it unchanged */
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_HS_DUPLICATE);
    ck_assert_int_eq(I.hs.state, SLINK_HS_DONE);
    ck_assert_uint_eq(I.hs.out_len, n3);
    ck_assert_mem_eq(I.hs.out, msg3, n3);
    /* a different msg2 after completion belongs to no live handshake */
    memcpy(bad, f.m[1], f.n[1]);
    bad[10] ^= 1;
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, bad, f.n[1]), SLINK_ERR_HS_STALE);
    /* responder: msg3 again or its session's msg1 again change nothing */
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, f.m[2], f.n[2]), SLINK_ERR_HS_STALE);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_ERR_HS_STALE);
    ck_assert_int_eq(R.hs.state, SLINK_HS_DONE);
    ck_assert_int_eq(I.hs.state, SLINK_HS_DONE);
    assert_crossed_secrets();
    teardown();
}
END_TEST

START_TEST(replayed_session_leads_nowhere)
{
    /* Record a whole session, then replay its messages into new ones. */
    flights old, f;
    default_pair();
    run_ok(&old);
    /* a new initiator gets the old msg2 */
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, old.m[1], old.n[1]), SLINK_ERR_HS_DECRYPT);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    /* a new responder answers the old msg1 (it cannot tell), but the old
     * msg3 does not complete it */
    slink_hs_init(&R.hs, &R.cfg);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, old.m[0], old.n[0]), SLINK_OK);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    ck_assert_mem_ne(R.hs.out + MSG2_X, old.m[1] + MSG2_X, 32);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, old.m[2], old.n[2]), SLINK_ERR_HS_DECRYPT);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    /* nor does it complete a responder serving a genuine new msg1 */
    slink_hs_init(&R.hs, &R.cfg);
    copy_out(&I, &f, 0);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_OK);
    ck_assert_int_eq(slink_hs_consume(&R.hs, 3, old.m[2], old.n[2]), SLINK_ERR_HS_DECRYPT);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    teardown();
}
END_TEST

START_TEST(version_byte_changed_is_hs_version)
{
    flights f;
    uint8_t m1[SLINK_HS1_LEN];
    default_pair();
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    copy_out(&I, &f, 0);
    memcpy(m1, f.m[0], sizeof m1);
    m1[0] = 0x12;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, sizeof m1), SLINK_ERR_HS_VERSION);
    assert_failed(&R, SLINK_ERR_HS_VERSION, SLINK_ALERT_PROTOCOL_VERSION);
    /* a genuine msg1 afterwards starts a new handshake */
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, f.m[0], f.n[0]), SLINK_OK);
    ck_assert_int_eq(R.hs.state, SLINK_HS_WAIT_MSG3);
    teardown();
}
END_TEST

START_TEST(version1_msg1_is_hs_version)
{
    /* A version 1 peer's msg1: vs 0x11 and 51 bytes (its nonce_i before
     * x_i).  The answer is the version alert, not a parse of its bytes. */
    uint8_t m1[51];
    default_pair();
    for (size_t i = 0; i < sizeof m1; i++) m1[i] = (uint8_t)(0x40 + i);
    m1[0] = 0x11; m1[1] = 0; m1[2] = 16;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, sizeof m1), SLINK_ERR_HS_VERSION);
    assert_failed(&R, SLINK_ERR_HS_VERSION, SLINK_ALERT_PROTOCOL_VERSION);
    ck_assert_uint_eq(R.hs.out_len, 0);
    teardown();
}
END_TEST

START_TEST(downgrade_of_reference_flag_fails)
{
    /* The initiator announces it holds the responder's certificate; an
     * attacker clears the flag in transit.  The responder answers with its
     * full certificate, but TH2 no longer matches: the initiator drops it. */
    flights f;
    uint8_t m1[SLINK_HS1_LEN];
    default_pair();
    I.cfg.peer_cert = test_pki_default_device()->der;
    I.cfg.peer_cert_len = test_pki_default_device()->der_len;
    side_reinit(&I);
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    copy_out(&I, &f, 0);
    memcpy(m1, f.m[0], sizeof m1);
    m1[1] = 0;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, sizeof m1), SLINK_OK);
    copy_out(&R, &f, 1);
    ck_assert_uint_gt(f.n[1], 123);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_HS_DECRYPT);
    ck_assert_int_eq(I.hs.state, SLINK_HS_WAIT_MSG2);
    teardown();
}
END_TEST

START_TEST(flag_set_in_transit_fails)
{
    flights f;
    uint8_t m1[SLINK_HS1_LEN];
    default_pair();
    ck_assert_int_eq(slink_hs_start(&I.hs), SLINK_OK);
    copy_out(&I, &f, 0);
    memcpy(m1, f.m[0], sizeof m1);
    m1[1] = SLINK_HS_F_HAVE_PEER_CERT;
    ck_assert_int_eq(slink_hs_consume(&R.hs, 1, m1, sizeof m1), SLINK_OK);
    copy_out(&R, &f, 1);
    ck_assert_uint_eq(f.n[1], 123);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_HS_DECRYPT);
    teardown();
}
END_TEST

START_TEST(wrong_bus_addresses_do_not_agree)
{
    /* The responder believes it talks to address 2: the transcripts differ. */
    flights f;
    default_pair();
    R.cfg.peer_addr = 2;
    side_reinit(&R);
    run_to_msg2(&f);
    ck_assert_int_eq(slink_hs_consume(&I.hs, 2, f.m[1], f.n[1]), SLINK_ERR_HS_DECRYPT);
    teardown();
}
END_TEST

/* ---- configuration and randomness --------------------------------------- */

START_TEST(constant_rng_refused_no_handshake)
{
    slink_platform p;
    fake_plat_ctx c;
    slink_rng r;
    slink_hs hs;
    slink_hs_cfg cfg;
    fake_platform_init(&p, &c, 5);
    c.quiet = 1;
    c.constant = 1;
    ck_assert_int_eq(slink_rng_init(&r, &p, NULL, 0), SLINK_ERR_RNG);
    /* a handshake given that (unseeded) DRBG cannot produce a first message */
    default_pair();
    cfg = I.cfg;
    cfg.rng = &r;
    slink_hs_init(&hs, &cfg);
    ck_assert_int_eq(slink_hs_start(&hs), SLINK_ERR_RNG);
    ck_assert_int_eq(hs.state, SLINK_HS_FAILED);
    ck_assert_uint_eq(hs.out_len, 0);
    teardown();
}
END_TEST

START_TEST(missing_configuration_is_config_error)
{
    slink_hs hs;
    slink_hs_cfg cfg;
    uint8_t m1[SLINK_HS1_LEN] = { SLINK_VERSION_SUITE, 0, 8 };
    default_pair();
    cfg = I.cfg;
    cfg.creds = NULL;
    slink_hs_init(&hs, &cfg);
    ck_assert_int_eq(slink_hs_start(&hs), SLINK_ERR_CONFIG);
    ck_assert_int_eq(slink_hs_consume(&hs, 1, m1, sizeof m1), SLINK_ERR_CONFIG);
    cfg = I.cfg;
    cfg.policy = NULL;
    slink_hs_init(&hs, &cfg);
    ck_assert_int_eq(slink_hs_start(&hs), SLINK_ERR_CONFIG);
    ck_assert_int_eq(slink_hs_start(NULL), SLINK_ERR_ARG);
    teardown();
}
END_TEST

/* docs/PROTOCOL.md §4.10: the alert code of every error a handshake can
 * fail with, exactly as the table there lists them.  Codes that cannot end
 * a handshake (session-level ones) are listed too, at internal_error, so
 * a new fatal code must be added here and to the table. */
START_TEST(alert_code_for_every_handshake_error)
{
    static const struct { slink_err e; uint8_t alert; } table[] = {
        { SLINK_ERR_HS_BAD_KEY, 40 },        { SLINK_ERR_HS_BAD_SIG, 40 },
        { SLINK_ERR_HS_VERSION, 70 },        { SLINK_ERR_CERT_PARSE, 42 },
        { SLINK_ERR_CERT_CA_LEAF, 42 },      { SLINK_ERR_CERT_KEY_USAGE, 42 },
        { SLINK_ERR_CERT_KEY_TYPE, 42 },     { SLINK_ERR_CERT_UNKNOWN_REF, 42 },
        { SLINK_ERR_CERT_ENCODING, 42 },     { SLINK_ERR_CERT_CHAIN, 48 },
        { SLINK_ERR_CERT_EXPIRED, 45 },      { SLINK_ERR_CERT_NOT_YET_VALID, 45 },
        { SLINK_ERR_CERT_NAME, 49 },         { SLINK_ERR_CERT_TIME_POLICY, 80 },
        { SLINK_ERR_CERT_REVOKED, 44 },      { SLINK_ERR_CERT_PIN, 49 },
        { SLINK_ERR_RNG, 80 },               { SLINK_ERR_CRYPTO, 80 },
        { SLINK_ERR_CONFIG, 80 },            { SLINK_ERR_BUFFER, 80 },
        { SLINK_ERR_HS_TIMEOUT, 80 },        { SLINK_ERR_ALERT_RECEIVED, 80 },
        { SLINK_ERR_CLOSED, 80 },            { SLINK_ERR_TRUNCATED, 80 },
        { SLINK_ERR_PEER_RESET, 80 },        { SLINK_ERR_INTEGRITY_LIMIT, 80 },
        { SLINK_ERR_EPOCH_EXHAUSTED, 80 },   { SLINK_ERR_RETRANSMIT_LIMIT, 80 },
        { SLINK_ERR_IDLE_TIMEOUT, 80 },
    };
    int v;
    size_t i;
    ck_assert_uint_eq(SLINK_ALERT_HANDSHAKE_FAILURE, 40);
    ck_assert_uint_eq(SLINK_ALERT_BAD_CERTIFICATE, 42);
    ck_assert_uint_eq(SLINK_ALERT_CERTIFICATE_REVOKED, 44);
    ck_assert_uint_eq(SLINK_ALERT_CERTIFICATE_EXPIRED, 45);
    ck_assert_uint_eq(SLINK_ALERT_UNKNOWN_CA, 48);
    ck_assert_uint_eq(SLINK_ALERT_ACCESS_DENIED, 49);
    ck_assert_uint_eq(SLINK_ALERT_DECODE_ERROR, 50);
    ck_assert_uint_eq(SLINK_ALERT_PROTOCOL_VERSION, 70);
    ck_assert_uint_eq(SLINK_ALERT_INTERNAL_ERROR, 80);
    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        ck_assert_msg(slink_hs_alert_for(table[i].e) == table[i].alert, "%s: alert %u, table says %u",
                      slink_err_str(table[i].e), slink_hs_alert_for(table[i].e), table[i].alert);
    /* every fatal code is in the table, except HS_PLAINTEXT (decode_error,
     * set where it is detected: *_is_fatal_decode_error tests) */
    for (v = 60; v < 120; v++) {
        int found = v == SLINK_ERR_HS_PLAINTEXT;
        if (strcmp(slink_err_str((slink_err)v), "UNKNOWN") == 0) continue;
        for (i = 0; i < sizeof table / sizeof table[0]; i++)
            if ((int)table[i].e == v) found = 1;
        ck_assert_msg(found, "fatal code %s missing from the alert table", slink_err_str((slink_err)v));
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("handshake");
    TCase *tc = tcase_create("complete");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, full_certificates_complete_with_crossed_secrets);
    tcase_add_test(tc, by_reference_both_ways_is_123_and_89_bytes);
    tcase_add_test(tc, reference_one_way_only);
    tcase_add_test(tc, sessions_use_distinct_ephemerals_and_secrets);
    tcase_add_test(tc, every_attempt_draws_a_new_ephemeral);
    tcase_add_test(tc, handshake_cpu_time_per_side);
    tcase_add_test(tc, wipe_keeps_cfg_and_clears_results);
    suite_add_tcase(s, tc);

    tc = tcase_create("policy");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, wrong_peer_name_is_cert_name_access_denied);
    tcase_add_test(tc, responder_rejects_initiator_name_at_msg3);
    tcase_add_test(tc, certificate_from_other_ca_is_cert_chain);
    tcase_add_test(tc, same_ca_other_device_is_cert_name);
    tcase_add_test(tc, expired_certificate_is_cert_expired);
    tcase_add_test(tc, cached_certificate_is_checked_again);
    tcase_add_test(tc, reference_to_other_certificate_is_unknown_ref);
    tcase_add_test(tc, unsolicited_reference_is_unknown_ref);
    tcase_add_test(tc, alert_code_for_every_handshake_error);
    tcase_add_test(tc, revoked_full_certificate_is_cert_revoked);
    tcase_add_test(tc, revoked_certificate_by_reference_is_cert_revoked);
    tcase_add_test(tc, responder_refuses_revoked_initiator_at_msg3);
    tcase_add_test(tc, deny_list_without_the_peer_completes);
    tcase_add_test(tc, pin_mismatch_is_cert_pin);
    tcase_add_test(tc, pin_match_completes_full_and_by_reference);
    suite_add_tcase(s, tc);

    tc = tcase_create("tamper");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, tampered_msg2_flags_is_decrypt_drop);
    tcase_add_test(tc, tampered_msg2_mtu_is_decrypt_drop);
    tcase_add_test(tc, tampered_msg2_ciphertext_is_decrypt_drop);
    tcase_add_test(tc, tampered_msg2_tag_is_decrypt_drop);
    tcase_add_test(tc, tampered_msg2_x_is_decrypt_drop);
    tcase_add_test(tc, msg2_x_off_curve_is_dropped);
    tcase_add_test(tc, forged_msg2_that_opens_does_not_end_the_attempt);
    tcase_add_test(tc, tampered_msg3_is_decrypt_drop_then_genuine_completes);
    tcase_add_test(tc, truncated_messages_are_malformed_drops);
    tcase_add_test(tc, noncanonical_signature_r0_sn_is_bad_sig);
    tcase_add_test(tc, signature_s_equal_n_is_bad_sig);
    tcase_add_test(tc, wrong_signature_is_bad_sig);
    tcase_add_test(tc, trailing_byte_in_plaintext_is_fatal_decode_error);
    tcase_add_test(tc, cred_length_beyond_plaintext_is_fatal_decode_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("replay");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, initiator_own_msg1_reflected_is_unexpected);
    tcase_add_test(tc, responder_own_msg2_reflected_is_unexpected);
    tcase_add_test(tc, msg2_echoing_initiator_key_is_dropped);
    tcase_add_test(tc, msg1_with_responder_key_is_bad_key);
    tcase_add_test(tc, msg1_off_curve_is_bad_key);
    tcase_add_test(tc, messages_in_wrong_state_are_unexpected);
    tcase_add_test(tc, duplicate_msg1_answered_without_new_work);
    tcase_add_test(tc, driver_entry_points_answer_as_consume_does);
    tcase_add_test(tc, different_msg1_while_waiting_restarts);
    tcase_add_test(tc, repeated_messages_after_done);
    tcase_add_test(tc, replayed_session_leads_nowhere);
    tcase_add_test(tc, version_byte_changed_is_hs_version);
    tcase_add_test(tc, version1_msg1_is_hs_version);
    tcase_add_test(tc, downgrade_of_reference_flag_fails);
    tcase_add_test(tc, flag_set_in_transit_fails);
    tcase_add_test(tc, wrong_bus_addresses_do_not_agree);
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, constant_rng_refused_no_handshake);
    tcase_add_test(tc, missing_configuration_is_config_error);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* The core built with SLINK_CFG_CERT_FP_RULES 0 (as the firmware is,
 * mk/firmware.mk): the deny-list and the pin are not linked, so a policy
 * that sets either must be refused with SLINK_ERR_CONFIG, by
 * slink_conn_init and by slink_cert_verify_peer, never silently ignored.
 * A policy that sets neither verifies exactly as in the full build.
 * Built and run by `make unit-fp-rules-off` (mk/unit_fp_rules.mk). */
#include "testutil.h"
#include "test_pki.h"
#include "slink/conn.h"

#include <string.h>

#if SLINK_CFG_CERT_FP_RULES
#error "this test is built with -DSLINK_CFG_CERT_FP_RULES=0 (mk/unit_fp_rules.mk)"
#endif

static slink_creds creds;
static slink_platform plat;
static fake_plat_ctx pctx;
static slink_conn conn;

static void setup(void)
{
    fake_platform_init(&plat, &pctx, 7);
    pctx.quiet = 1;
    ck_assert_int_eq(test_pki_load_creds(&creds, test_pki_default_ca(), test_pki_default_host()), SLINK_OK);
}

static void teardown(void)
{
    slink_conn_wipe(&conn);
    slink_creds_free(&creds);
}

static slink_err verify(const slink_peer_policy *p)
{
    const test_cred *d = test_pki_default_device();
    slink_crt out;
    return slink_cert_verify_peer(&creds, p, &plat, d->der, d->der_len, &out);
}

START_TEST(verify_refuses_deny_list_and_pin)
{
    static uint8_t fp[1][SLINK_CERT_FP_LEN];
    const test_cred *d = test_pki_default_device();
    slink_peer_policy p = test_pki_policy(TEST_PKI_DEVICE_NAME);

    /* neither rule set: the certificate verifies as in the full build */
    ck_assert_int_eq(verify(&p), SLINK_OK);
    /* a deny-list that does not name it, and a pin that does: in the
     * full build both pass; here both are refused as configuration */
    memset(fp, 0x11, sizeof fp);
    p.deny = (const uint8_t (*)[SLINK_CERT_FP_LEN])fp;
    p.deny_count = 1;
    ck_assert_int_eq(verify(&p), SLINK_ERR_CONFIG);
    p.deny = NULL;
    p.deny_count = 0;
    ck_assert_int_eq(slink_cert_fingerprint(d->der, d->der_len, fp[0]), SLINK_OK);
    p.pin = fp[0];
    ck_assert_int_eq(verify(&p), SLINK_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(pctx.last_log, "deny-list or pin"));
    /* and a refused policy leaves the next one unaffected */
    p.pin = NULL;
    ck_assert_int_eq(verify(&p), SLINK_OK);
}
END_TEST

START_TEST(conn_init_refuses_deny_list_and_pin)
{
    static const uint8_t fp[1][SLINK_CERT_FP_LEN] = { { 0x22 } };
    slink_conn_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.local_addr = 1;
    cfg.peer_addr = 7;
    cfg.role = SLINK_START_RESPONDER;
    cfg.creds = &creds;
    cfg.policy = test_pki_policy(TEST_PKI_DEVICE_NAME);
    ck_assert_int_eq(slink_conn_init(&conn, &cfg, &plat, 0), SLINK_OK);
    cfg.policy.deny = fp;
    cfg.policy.deny_count = 1;
    ck_assert_int_eq(slink_conn_init(&conn, &cfg, &plat, 0), SLINK_ERR_CONFIG);
    cfg.policy.deny = NULL;
    cfg.policy.deny_count = 0;
    cfg.policy.pin = fp[0];
    ck_assert_int_eq(slink_conn_init(&conn, &cfg, &plat, 0), SLINK_ERR_CONFIG);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cert_fp_rules_off");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, verify_refuses_deny_list_and_pin);
    tcase_add_test(tc, conn_init_refuses_deny_list_and_pin);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

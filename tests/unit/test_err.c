#include "testutil.h"
#include <string.h>

START_TEST(classes_follow_ranges)
{
    ck_assert_int_eq(slink_err_classify(SLINK_OK), SLINK_CLASS_OK);
    ck_assert_int_eq(slink_err_classify(SLINK_ERR_NEED_MORE), SLINK_CLASS_AGAIN);
    ck_assert_int_eq(slink_err_classify(SLINK_ERR_FRAME_CRC), SLINK_CLASS_DROP);
    ck_assert_int_eq(slink_err_classify(SLINK_ERR_REC_AUTH), SLINK_CLASS_DROP);
    ck_assert_int_eq(slink_err_classify(SLINK_ERR_HS_DECRYPT), SLINK_CLASS_DROP);
    ck_assert_int_eq(slink_err_classify(SLINK_ERR_CERT_NAME), SLINK_CLASS_FATAL);
    ck_assert_int_eq(slink_err_classify(SLINK_ERR_TRUNCATED), SLINK_CLASS_FATAL);
    ck_assert_int_eq(slink_err_classify(SLINK_ERR_ARG), SLINK_CLASS_USAGE);
}
END_TEST

START_TEST(every_code_has_a_name)
{
    for (int v = 0; v < 130; v++) {
        const char *n = slink_err_str((slink_err)v);
        const char *d = slink_err_desc((slink_err)v);
        if (strcmp(n, "UNKNOWN") == 0) {
            ck_assert_str_eq(d, "unknown error");
            continue;
        }
        ck_assert_ptr_nonnull(d);
        ck_assert_int_gt((int)strlen(d), 5);
    }
    ck_assert_str_eq(slink_err_str(SLINK_ERR_CERT_NAME), "ERR_CERT_NAME");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("err");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, classes_follow_ranges);
    tcase_add_test(tc, every_code_has_a_name);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

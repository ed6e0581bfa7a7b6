/* The PSA firmware variant's internal trusted storage (firmware/psa/
 * fw_its.c), built for the host against the fetched mbedTLS 3.6 headers:
 * the PSA ITS contract (sizes, offsets, write-once, remove, unknown
 * flags, a full page, damaged records), flash semantics (no operation
 * ever turns a 0 bit back into 1: nothing is erased in place), and the
 * page the provisioning tool writes (firmware/tools/gen_its.py), read back
 * as the identity key in PSA's persistent-key format.
 * Usage: fw_its_test [ITS_BIN]  (the provisioned page, optional) */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fw_its.h"
#include "psa_crypto_its.h"

static const char *its_bin;
static uint8_t before[FW_ITS_SIZE];

static void erase(void)
{
    memset(fw_its_region, 0xFF, FW_ITS_SIZE);
}

static void snap(void)
{
    memcpy(before, fw_its_region, FW_ITS_SIZE);
}

/* 1 if every bit that is 1 now was 1 before the operation. */
static int only_cleared(void)
{
    for (size_t i = 0; i < FW_ITS_SIZE; i++)
        if ((fw_its_region[i] & ~before[i]) != 0)
            return 0;
    return 1;
}

START_TEST(erased_page_is_empty)
{
    struct psa_storage_info_t info;
    uint8_t b[4];
    size_t n = 99;
    erase();
    ck_assert_int_eq(psa_its_get_info(1, &info), PSA_ERROR_DOES_NOT_EXIST);
    ck_assert_int_eq(psa_its_get(1, 0, 0, b, &n), PSA_ERROR_DOES_NOT_EXIST);
    ck_assert_int_eq(psa_its_remove(1), PSA_ERROR_DOES_NOT_EXIST);
}
END_TEST

START_TEST(set_get_replace_remove)
{
    struct psa_storage_info_t info;
    uint8_t out[16];
    size_t n = 0;
    erase();
    snap();
    ck_assert_int_eq(psa_its_set(0x100000005ull, 5, "hello", 0), PSA_SUCCESS);
    ck_assert(only_cleared());
    ck_assert_int_eq(psa_its_get_info(0x100000005ull, &info), PSA_SUCCESS);
    ck_assert_uint_eq(info.size, 5);
    ck_assert_uint_eq(info.flags, 0);
    /* the uid's high half counts: uid 5 is another object */
    ck_assert_int_eq(psa_its_get_info(5, &info), PSA_ERROR_DOES_NOT_EXIST);
    ck_assert_int_eq(psa_its_get(0x100000005ull, 1, 3, out, &n), PSA_SUCCESS);
    ck_assert_uint_eq(n, 3);
    ck_assert_mem_eq(out, "ell", 3);
    ck_assert_int_eq(psa_its_get(0x100000005ull, 3, 3, out, &n), PSA_ERROR_INVALID_ARGUMENT);
    ck_assert_int_eq(psa_its_get(0x100000005ull, 6, 0, out, &n), PSA_ERROR_INVALID_ARGUMENT);
    ck_assert_int_eq(psa_its_get(0x100000005ull, 5, 0, out, &n), PSA_SUCCESS);
    ck_assert_uint_eq(n, 0);
    snap();
    ck_assert_int_eq(psa_its_set(0x100000005ull, 7, "goodbye", 0), PSA_SUCCESS);
    ck_assert(only_cleared());
    ck_assert_int_eq(psa_its_get_info(0x100000005ull, &info), PSA_SUCCESS);
    ck_assert_uint_eq(info.size, 7);
    ck_assert_int_eq(psa_its_get(0x100000005ull, 0, 7, out, &n), PSA_SUCCESS);
    ck_assert_mem_eq(out, "goodbye", 7);
    snap();
    ck_assert_int_eq(psa_its_remove(0x100000005ull), PSA_SUCCESS);
    ck_assert(only_cleared());
    ck_assert_int_eq(psa_its_get_info(0x100000005ull, &info), PSA_ERROR_DOES_NOT_EXIST);
    ck_assert_int_eq(psa_its_remove(0x100000005ull), PSA_ERROR_DOES_NOT_EXIST);
    /* a removed uid may be created again */
    ck_assert_int_eq(psa_its_set(0x100000005ull, 1, "x", 0), PSA_SUCCESS);
    ck_assert_int_eq(psa_its_get(0x100000005ull, 0, 1, out, &n), PSA_SUCCESS);
    ck_assert_mem_eq(out, "x", 1);
}
END_TEST

START_TEST(write_once_and_flags)
{
    uint8_t out[4];
    size_t n = 0;
    erase();
    ck_assert_int_eq(psa_its_set(9, 4, "once", PSA_STORAGE_FLAG_WRITE_ONCE), PSA_SUCCESS);
    ck_assert_int_eq(psa_its_set(9, 4, "twice", 0), PSA_ERROR_NOT_PERMITTED);
    ck_assert_int_eq(psa_its_remove(9), PSA_ERROR_NOT_PERMITTED);
    ck_assert_int_eq(psa_its_get(9, 0, 4, out, &n), PSA_SUCCESS);
    ck_assert_mem_eq(out, "once", 4);
    ck_assert_int_eq(psa_its_set(10, 1, "a", 0x80), PSA_ERROR_NOT_SUPPORTED);
    ck_assert_int_eq(psa_its_set(10, 1, NULL, 0), PSA_ERROR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(full_page_refused_intact)
{
    static uint8_t big[400];
    struct psa_storage_info_t info;
    uint8_t out[400];
    size_t n = 0;
    erase();
    memset(big, 0x5A, sizeof big);
    ck_assert_int_eq(psa_its_set(1, sizeof big, big, 0), PSA_SUCCESS);
    ck_assert_int_eq(psa_its_set(2, sizeof big, big, 0), PSA_SUCCESS);
    snap();
    /* 2 x (24 + 400) used of 1024: a third does not fit, nor a rewrite */
    ck_assert_int_eq(psa_its_set(3, sizeof big, big, 0), PSA_ERROR_INSUFFICIENT_STORAGE);
    ck_assert_int_eq(psa_its_set(1, sizeof big, big, 0), PSA_ERROR_INSUFFICIENT_STORAGE);
    ck_assert_mem_eq(before, fw_its_region, FW_ITS_SIZE);
    ck_assert_int_eq(psa_its_get_info(3, &info), PSA_ERROR_DOES_NOT_EXIST);
    ck_assert_int_eq(psa_its_get(1, 0, sizeof out, out, &n), PSA_SUCCESS);
    ck_assert_mem_eq(out, big, sizeof big);
    ck_assert_int_eq(psa_its_set(4, FW_ITS_SIZE + 1u, big, 0), PSA_ERROR_INSUFFICIENT_STORAGE);
}
END_TEST

START_TEST(damaged_records)
{
    struct psa_storage_info_t info;
    erase();
    ck_assert_int_eq(psa_its_set(1, 3, "abc", 0), PSA_SUCCESS);
    /* a size that runs past the page */
    fw_its_region[16] = 0xF0;
    fw_its_region[17] = 0xFF;
    ck_assert_int_eq(psa_its_get_info(1, &info), PSA_ERROR_DATA_CORRUPT);
    ck_assert_int_eq(psa_its_set(2, 1, "z", 0), PSA_ERROR_DATA_CORRUPT);
    /* something that is neither a record nor erased after the last one */
    erase();
    ck_assert_int_eq(psa_its_set(1, 3, "abc", 0), PSA_SUCCESS);
    fw_its_region[FW_ITS_HDR_LEN + 4] = 0x00;
    ck_assert_int_eq(psa_its_get_info(1, &info), PSA_ERROR_DATA_CORRUPT);
}
END_TEST

/* A write cut short before its magic leaves no record: the data and
 * header words are there, the magic still erased.  Nothing is programmed
 * over those remains (flash cannot set bits without an erase). */
START_TEST(torn_write_is_no_record)
{
    struct psa_storage_info_t info;
    erase();
    ck_assert_int_eq(psa_its_set(1, 3, "abc", 0), PSA_SUCCESS);
    memset(fw_its_region, 0xFF, 4);
    ck_assert_int_eq(psa_its_get_info(1, &info), PSA_ERROR_DOES_NOT_EXIST);
    snap();
    ck_assert_int_eq(psa_its_set(2, 3, "def", 0), PSA_ERROR_STORAGE_FAILURE);
    ck_assert_mem_eq(before, fw_its_region, FW_ITS_SIZE);
}
END_TEST

START_TEST(provisioned_page)
{
    static const uint8_t magic[8] = { 'P', 'S', 'A', 0, 'K', 'E', 'Y', 0 };
    struct psa_storage_info_t info;
    uint8_t blob[68];
    size_t n = 0;
    FILE *f;
    if (its_bin == NULL)
        return;
    f = fopen(its_bin, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(fw_its_region, 1, FW_ITS_SIZE, f), FW_ITS_SIZE);
    ck_assert_int_eq(fgetc(f), EOF);
    fclose(f);
    ck_assert_int_eq(psa_its_get_info(FW_PSA_IDENTITY_KEY_ID, &info), PSA_SUCCESS);
    ck_assert_uint_eq(info.size, sizeof blob);
    ck_assert_int_eq(psa_its_get(FW_PSA_IDENTITY_KEY_ID, 0, sizeof blob, blob, &n), PSA_SUCCESS);
    ck_assert_mem_eq(blob, magic, 8);
    /* version 0, persistent, ECC key pair SECP_R1, 256 bits, SIGN_HASH,
     * ECDSA(SHA-256), no alg2, 32 bytes of key */
    static const uint8_t attrs[28] = { 0, 0, 0, 0, 1, 0, 0, 0, 0x12, 0x71, 0x00, 0x01,
                                       0x00, 0x10, 0, 0, 0x09, 0x06, 0x00, 0x06, 0, 0, 0, 0,
                                       32, 0, 0, 0 };
    ck_assert_mem_eq(blob + 8, attrs, sizeof attrs);
    /* the rest of the page is erased */
    for (size_t i = FW_ITS_HDR_LEN + sizeof blob; i < FW_ITS_SIZE; i++)
        ck_assert_uint_eq(fw_its_region[i], 0xFF);
}
END_TEST

int main(int argc, char **argv)
{
    Suite *s = suite_create("fw_its");
    TCase *tc = tcase_create("its");
    SRunner *sr;
    int failed;

    its_bin = argc > 1 ? argv[1] : NULL;
    tcase_add_test(tc, erased_page_is_empty);
    tcase_add_test(tc, set_get_replace_remove);
    tcase_add_test(tc, write_once_and_flags);
    tcase_add_test(tc, full_page_refused_intact);
    tcase_add_test(tc, damaged_records);
    tcase_add_test(tc, torn_write_is_no_record);
    tcase_add_test(tc, provisioned_page);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

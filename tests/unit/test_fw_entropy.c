/* The firmware's NV seed record (firmware/port/fw_entropy.c), built for the
 * host against a stub board (tests/common/fw_stub/board.h): an erased or
 * damaged record is refused (fail closed, never a silent first boot), a
 * provisioned one starts the device and is replaced before any output. */
#include "testutil.h"
#include "board.h"
#include "fw_port.h"

#include <string.h>
#include <mbedtls/sha256.h>

static uint8_t nv[FW_NV_SIZE];
static uint32_t tick;
static int drop_writes;

uint64_t board_millis(void) { return 1000u + tick; }
uint32_t board_systick_now(void) { return tick++; }
uint32_t board_take_jitter(uint32_t *samples) { *samples = 1; return tick * 7u; }
void board_nv_read(uint8_t *p, size_t n) { memcpy(p, nv, n); }
void board_nv_write(const uint8_t *p, size_t n) { if (!drop_writes) memcpy(nv, p, n); }

static const uint8_t device_seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

/* What provisioning writes (firmware/tools/gen_nv_seed.py). */
static void provision(uint32_t boot_count, uint8_t fill)
{
    uint8_t rec[FW_NV_REC_LEN], check[32];
    memset(nv, 0xFF, sizeof nv);
    memcpy(rec, "SLNV\x01\x00\x00\x00", 8);
    rec[8] = (uint8_t)(boot_count >> 24);
    rec[9] = (uint8_t)(boot_count >> 16);
    rec[10] = (uint8_t)(boot_count >> 8);
    rec[11] = (uint8_t)boot_count;
    memset(rec + 12, fill, 32);
    ck_assert_int_eq(mbedtls_sha256_ret(rec, 44, check, 0), 0);
    memcpy(rec + 44, check, 16);
    memcpy(nv, rec, sizeof rec);
    drop_writes = 0;
}

static void expect_refused(int want)
{
    fw_entropy_state st;
    uint8_t before[FW_NV_REC_LEN], out[16];
    memcpy(before, nv, sizeof before);
    ck_assert_int_eq(fw_entropy_boot(&st, device_seed), want);
    ck_assert_int_eq(st.ready, 0);
    ck_assert_int_eq(fw_entropy(&st, out, sizeof out), -1);
    /* the sector is left as found */
    ck_assert_mem_eq(nv, before, sizeof before);
    ck_assert_int_eq(fw_entropy_nv_check(nv), want);
}

START_TEST(erased_sector_is_refused)
{
    memset(nv, 0xFF, sizeof nv);          /* erased flash */
    expect_refused(FW_ENTROPY_NV_ERASED);
    memset(nv, 0x00, sizeof nv);          /* RAM-backed NV / zero-erasing parts */
    expect_refused(FW_ENTROPY_NV_ERASED);
    ck_assert_str_eq(fw_entropy_strerror(FW_ENTROPY_NV_ERASED),
                     "NV seed record erased: device not provisioned, refusing to start");
}
END_TEST

START_TEST(corrupt_record_is_refused)
{
    /* one bit of the seed, of the check, of the counter */
    static const size_t at[] = { 12, 43, 44, 59, 11 };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        provision(5, 0x5A);
        nv[at[i]] ^= 0x01;
        expect_refused(FW_ENTROPY_NV_CORRUPT);
    }
    provision(5, 0x5A);
    nv[0] = 'X';                          /* magic */
    expect_refused(FW_ENTROPY_NV_CORRUPT);
    provision(5, 0x5A);
    nv[4] = 2;                            /* version */
    expect_refused(FW_ENTROPY_NV_CORRUPT);
    /* a half-written record: the tail still erased */
    provision(5, 0x5A);
    memset(nv + 30, 0xFF, FW_NV_REC_LEN - 30);
    expect_refused(FW_ENTROPY_NV_CORRUPT);
    ck_assert_str_eq(fw_entropy_strerror(FW_ENTROPY_NV_CORRUPT),
                     "NV seed record corrupt: refusing to start (re-provision the device)");
}
END_TEST

START_TEST(provisioned_record_boots_and_is_replaced)
{
    fw_entropy_state st;
    uint8_t first[FW_NV_REC_LEN], out1[48], out2[48];
    provision(0, 0x33);
    memcpy(first, nv, sizeof first);
    ck_assert_int_eq(fw_entropy_boot(&st, device_seed), 0);
    ck_assert_int_eq(st.ready, 1);
    ck_assert_uint_eq(st.boot_count, 1);
    ck_assert_int_eq(fw_entropy(&st, out1, sizeof out1), 0);
    /* the record was replaced (new seed, counter 1) and is valid */
    ck_assert_int_eq(fw_entropy_nv_check(nv), 0);
    ck_assert_uint_eq(nv[11], 1);
    ck_assert_mem_ne(nv + 12, first + 12, 32);
    /* the next boot continues from it: another counter, other output */
    tick = 0;   /* even with the same timing */
    ck_assert_int_eq(fw_entropy_boot(&st, device_seed), 0);
    ck_assert_uint_eq(st.boot_count, 2);
    ck_assert_int_eq(fw_entropy(&st, out2, sizeof out2), 0);
    ck_assert_mem_ne(out1, out2, sizeof out1);
}
END_TEST

START_TEST(failed_write_is_refused)
{
    fw_entropy_state st;
    uint8_t out[8];
    provision(0, 0x44);
    drop_writes = 1;
    ck_assert_int_eq(fw_entropy_boot(&st, device_seed), FW_ENTROPY_NV_WRITE);
    ck_assert_int_eq(st.ready, 0);
    ck_assert_int_eq(fw_entropy(&st, out, sizeof out), -1);
    drop_writes = 0;
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fw_entropy");
    TCase *tc = tcase_create("nv_seed");
    tcase_add_test(tc, erased_sector_is_refused);
    tcase_add_test(tc, corrupt_record_is_refused);
    tcase_add_test(tc, provisioned_record_boots_and_is_replaced);
    tcase_add_test(tc, failed_write_is_refused);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

#include "testutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t test_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

static int fake_entropy(void *vctx, uint8_t *out, size_t len)
{
    fake_plat_ctx *c = vctx;
    if (c->fail) return -1;
    for (size_t i = 0; i < len; i++) {
        if (c->constant) { out[i] = 0xA5; continue; }
        out[i] = (uint8_t)(test_rand(&c->state) >> 56);
    }
    return 0;
}

static int fake_wall(void *vctx, int64_t *t)
{
    fake_plat_ctx *c = vctx;
    if (!c->has_wall) return -1;
    *t = c->wall;
    return 0;
}

static void fake_log(void *vctx, int level, const char *msg)
{
    fake_plat_ctx *c = vctx;
    c->log_count++;
    snprintf(c->last_log, sizeof c->last_log, "%s", msg);
    if (!c->quiet && getenv("SLINK_TEST_LOG"))
        fprintf(stderr, "[log %d] %s\n", level, msg);
}

void fake_platform_init(slink_platform *p, fake_plat_ctx *ctx, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    memset(ctx, 0, sizeof *ctx);
    ctx->state = seed ? seed : 1;
    ctx->has_wall = 1;
    ctx->wall = 1800000000; /* 2027-01-15: inside the test PKI's validity */
    p->entropy = fake_entropy;
    p->entropy_ctx = ctx;
    p->wall_time = fake_wall;
    p->wall_time_ctx = ctx;
    p->log = fake_log;
    p->log_ctx = ctx;
}

int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void test_write_file(const char *dir, const char *name, const uint8_t *b, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

size_t test_read_file(const char *dir, const char *name, uint8_t *b, size_t cap)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "missing %s (did the openssl command before it fail? see %s)", path, dir);
    size_t n = fread(b, 1, cap - 1, f);
    fclose(f);
    b[n] = 0;
    return strstr((char *)b, "-----BEGIN") ? n + 1 : n;
}

void test_rm_dir(const char *dir)
{
    char cmd[300];
    if (dir == NULL || dir[0] == '\0') return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)system(cmd);
}

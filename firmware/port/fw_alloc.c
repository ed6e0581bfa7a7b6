/* mbedTLS's heap: the buffer allocator over one static pool (no system
 * heap on the device).  Bignums and parsed certificates live here. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <mbedtls/memory_buffer_alloc.h>
#include "board.h"
#include "fw_port.h"

#ifndef FW_HEAP_SIZE
#define FW_HEAP_SIZE 8192
#endif
#define FW_HEAP_PAINT 0x5Au

static uint8_t heap[FW_HEAP_SIZE] __attribute__((aligned(8)));

/* The allocator zeroes the pool and writes its first block header at the
 * start; everything past that header is untouched until handed out, so it
 * is painted after init. */
#define FW_HEAP_HDR_RESERVE 64u

void fw_alloc_init(void)
{
    mbedtls_memory_buffer_alloc_init(heap, sizeof heap);
    memset(heap + FW_HEAP_HDR_RESERVE, FW_HEAP_PAINT, sizeof heap - FW_HEAP_HDR_RESERVE);
}

size_t fw_alloc_pool_size(void)
{
    return sizeof heap;
}

void fw_alloc_peak(size_t *bytes, size_t *blocks)
{
    mbedtls_memory_buffer_alloc_max_get(bytes, blocks);
}

size_t fw_alloc_high_water(void)
{
    size_t n = sizeof heap;
    while (n > 0 && heap[n - 1] == FW_HEAP_PAINT)
        n--;
    return n;
}

/* mbedTLS's calloc/free until fw_alloc_init() installs the pool
 * (MBEDTLS_PLATFORM_STD_CALLOC/FREE in mbedtls_config.h): there is no
 * system heap to fall back to. */
void *fw_no_heap_calloc(size_t n, size_t size)
{
    (void)n;
    (void)size;
    return NULL;
}

void fw_no_heap_free(void *p)
{
    (void)p;
}

/* mbedTLS prints only on heap corruption (MBEDTLS_MEMORY_DEBUG); the
 * format string alone is enough to say what went wrong. */
int fw_mbedtls_fprintf(FILE *f, const char *fmt, ...)
{
    (void)f;
    console_puts("mbedtls: ");
    console_puts(fmt);
    return 0;
}

int fw_mbedtls_printf(const char *fmt, ...)
{
    console_puts("mbedtls: ");
    console_puts(fmt);
    return 0;
}

/* mbedTLS's heap: a first-fit allocator over one static pool (no system
 * heap on the device).  Bignums and parsed certificates live here.
 *
 * Not mbedTLS's buffer allocator: its 32-byte block header costs more than
 * most of what mbedTLS allocates (P-256 bignums are 32 bytes), and the
 * handshake's peak holds about 45 blocks.  Here a block is an 8-byte
 * header (size with an in-use bit, and a check word) and an 8-aligned
 * payload; blocks tile the pool, free neighbours are merged while
 * searching.  Allocations are few and short-lived enough that the linear
 * search costs nothing next to the ECC that makes them. */
#include <string.h>
#include "board.h"
#include "fw_port.h"

#ifndef FW_HEAP_SIZE
#define FW_HEAP_SIZE 8192
#endif
#if FW_HEAP_SIZE % 8 != 0
#error "FW_HEAP_SIZE must be a multiple of 8"
#endif
#define FW_HEAP_PAINT 0x5Au
#define HDR           8u
#define USED          1u
#define CHECK_KEY     0xA110C8EDu

typedef struct {
    uint32_t size;    /* whole block, header included; bit 0: in use */
    uint32_t check;   /* size ^ CHECK_KEY: catches writes over a header */
} blk;

static uint8_t heap[FW_HEAP_SIZE] __attribute__((aligned(8)));
static int     ready;
static size_t  cur_bytes, cur_blocks, max_bytes, max_blocks;

static blk *at(size_t off)
{
    return (blk *)(void *)(heap + off);
}

static void set(size_t off, uint32_t size)
{
    at(off)->size = size;
    at(off)->check = size ^ CHECK_KEY;
}

static void heap_fatal(const char *why)
{
    console_puts("fw: FATAL heap ");
    console_puts(why);
    console_puts("\r\n");
    for (;;)
        board_wait_for_interrupt();
}

/* Header at off, verified. */
static uint32_t size_at(size_t off)
{
    uint32_t s = at(off)->size;
    if ((s ^ CHECK_KEY) != at(off)->check || (s & ~USED) < HDR || off + (s & ~USED) > sizeof heap)
        heap_fatal("header corrupted");
    return s;
}

/* The pool is painted so that the high-water mark shows what was ever
 * touched; the first header is the only write until blocks are handed
 * out, and each split writes one header at the end of its block. */
void fw_alloc_init(void)
{
    memset(heap, FW_HEAP_PAINT, sizeof heap);
    set(0, (uint32_t)sizeof heap);
    cur_bytes = cur_blocks = max_bytes = max_blocks = 0;
    ready = 1;
}

void *fw_calloc(size_t n, size_t size)
{
    size_t want, off = 0;

    if (!ready || n == 0 || size == 0 || n > (sizeof heap) / size)
        return NULL;
    want = (n * size + HDR + 7u) & ~(size_t)7u;
    while (off < sizeof heap) {
        uint32_t s = size_at(off);
        if ((s & USED) == 0) {
            /* Merge the free blocks that follow into this one. */
            while (off + s < sizeof heap && (size_at(off + s) & USED) == 0)
                s += size_at(off + s);
            set(off, s);
            if (s >= want) {
                if (s - want >= HDR + 8u) {
                    set(off + want, (uint32_t)(s - want));
                    s = (uint32_t)want;
                }
                set(off, s | USED);
                memset(heap + off + HDR, 0, s - HDR);
                cur_bytes += s - HDR;
                cur_blocks++;
                if (cur_bytes > max_bytes) max_bytes = cur_bytes;
                if (cur_blocks > max_blocks) max_blocks = cur_blocks;
                return heap + off + HDR;
            }
        }
        off += s & ~USED;
    }
    return NULL;
}

/* The requested size is not kept, so the byte count is of block payloads
 * (requests rounded up to 8), the same measure when allocating. */
void fw_free(void *p)
{
    size_t off;
    uint32_t s;

    if (p == NULL)
        return;
    if ((uint8_t *)p < heap + HDR || (uint8_t *)p >= heap + sizeof heap ||
        (((uintptr_t)p) & 7u) != 0)
        heap_fatal("free of a pointer outside the pool");
    off = (size_t)((uint8_t *)p - heap) - HDR;
    s = size_at(off);
    if ((s & USED) == 0)
        heap_fatal("double free");
    set(off, s & ~USED);
    cur_blocks--;
    cur_bytes -= (s & ~USED) - HDR;
}

size_t fw_alloc_pool_size(void)
{
    return sizeof heap;
}

void fw_alloc_peak(size_t *bytes, size_t *blocks)
{
    *bytes = max_bytes;
    *blocks = max_blocks;
}

size_t fw_alloc_high_water(void)
{
    size_t n = sizeof heap;
    while (n > 0 && heap[n - 1] == FW_HEAP_PAINT)
        n--;
    return n;
}

/* mbedTLS's heap: a first-fit allocator over one static pool (no system
 * heap on the device).  Bignums and parsed certificates live here.
 *
 * Not mbedTLS's buffer allocator: its 32-byte block header costs more than
 * most of what mbedTLS allocates (P-256 bignums are 32 bytes), and the
 * handshake's peak holds about 45 blocks.  Here a block is a 4-byte header
 * (16-bit size with an in-use bit, and its complement under a key as a
 * check) and an 8-aligned payload; blocks tile the pool, free neighbours
 * are merged while searching.  Allocations are few and short-lived enough
 * that the linear search costs nothing next to the ECC that makes them. */
#include <string.h>
#include "board.h"
#include "fw_port.h"

/* The slink device's pool: the measured high-water (about 2.8 KB, see
 * docs/PORTING.md) with a third on top.  The DTLS reference, which is
 * built for its size and never run, keeps the 8 KB its record buffers and
 * handshake would want. */
#ifndef FW_HEAP_SIZE
#if defined(SLINK_FW_DTLS_REFERENCE)
#define FW_HEAP_SIZE 8192
#else
#define FW_HEAP_SIZE 4096
#endif
#endif
#if FW_HEAP_SIZE % 8 != 0 || FW_HEAP_SIZE > 65536
#error "FW_HEAP_SIZE must be a multiple of 8, at most 64 KiB"
#endif
#define FW_HEAP_PAINT 0x5Au
#define HDR           4u
#define USED          1u
#define CHECK_KEY     0xC8EDu
/* Blocks start 4 bytes into the 8-aligned pool, so that payloads are
 * 8-aligned, and end 4 bytes before its end. */
#define FIRST         4u
#define END           (sizeof heap - 4u)

static uint8_t heap[FW_HEAP_SIZE] __attribute__((aligned(8)));
static int     ready;
static size_t  cur_bytes, cur_blocks, max_bytes, max_blocks;

/* Header word: low half the block size (header included, a multiple of 8)
 * with bit 0 = in use, high half the low half ^ CHECK_KEY, which catches
 * writes over a header. */
static uint32_t *at(size_t off)
{
    return (uint32_t *)(void *)(heap + off);
}

static void set(size_t off, uint32_t size)
{
    *at(off) = size | ((size ^ CHECK_KEY) << 16);
}

static void heap_fatal(const char *why)
{
    console_puts("fw: FATAL heap ");
    console_puts(why);
    console_puts("\r\n");
    for (;;)
        board_wait_for_interrupt();
}

/* Size and in-use bit of the header at off, verified. */
static uint32_t size_at(size_t off)
{
    uint32_t h = *at(off), s = h & 0xFFFFu;
    if ((h >> 16) != (s ^ CHECK_KEY) || (s & ~USED) < 8u || off + (s & ~USED) > END)
        heap_fatal("header corrupted");
    return s;
}

/* The pool is painted so that the high-water mark shows what was ever
 * touched; the first header is the only write until blocks are handed
 * out, and each split writes one header at the end of its block. */
void fw_alloc_init(void)
{
    memset(heap, FW_HEAP_PAINT, sizeof heap);
    set(FIRST, (uint32_t)(END - FIRST));
    cur_bytes = cur_blocks = max_bytes = max_blocks = 0;
    ready = 1;
}

void *fw_calloc(size_t n, size_t size)
{
    size_t want, off = FIRST;

    if (!ready || n == 0 || size == 0 || n > (sizeof heap) / size)
        return NULL;
    want = (n * size + HDR + 7u) & ~(size_t)7u;
    while (off < END) {
        uint32_t s = size_at(off);
        if ((s & USED) == 0) {
            /* Merge the free blocks that follow into this one. */
            while (off + s < END && (size_at(off + s) & USED) == 0)
                s += size_at(off + s);
            set(off, s);
            if (s >= want) {
                if (s - want >= 8u) {
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
 * (the request plus what alignment adds), the same measure as in
 * fw_calloc. */
void fw_free(void *p)
{
    size_t off;
    uint32_t s;

    if (p == NULL)
        return;
    if ((uint8_t *)p < heap + FIRST + HDR || (uint8_t *)p >= heap + END ||
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

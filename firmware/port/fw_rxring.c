/* The receive side common to the boards' UART drivers: the ring the
 * receive interrupt fills (fw_rx_push) and the main loop drains
 * (uart_read), and the jitter pool fed by each byte's arrival time
 * (board_take_jitter, for the entropy code). */
#include "board.h"
#include "fw_cortexm.h"

/* Power of two so the indices wrap with a mask.  512 bytes hold the two
 * frames of a stream window (192-byte frames) while the loop is busy with
 * a record; the bytes of a handshake flight that arrive during an ECC
 * operation overflow it and come again by retransmission, which the
 * handshake needs on a lossy line anyway.  256 was the slowest measured; 1 KiB
 * holds a whole flight (docs/PORTING.md, memory budget; the microbit has
 * 16 KiB of RAM in all). */
#ifndef FW_RX_RING
#define FW_RX_RING 512u
#endif
#define RX_RING FW_RX_RING

static volatile uint8_t  rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;   /* head: ISR writes, tail: main reads */
static volatile uint32_t rx_overruns;
static volatile uint32_t jitter_acc, jitter_n;

void fw_rx_push(uint8_t b)
{
    uint32_t h = rx_head;
    if (h - rx_tail < RX_RING) {
        rx_ring[h & (RX_RING - 1u)] = b;
        rx_head = h + 1u;
    } else {
        rx_overruns++;
    }
    /* When each byte arrives, measured in SysTick cycles, depends on the
     * sender and the line: fold it into the jitter pool. */
    jitter_acc = (jitter_acc << 5 | jitter_acc >> 27) ^ SYST_CVR ^ b;
    jitter_n++;
}

size_t uart_read(uint8_t *p, size_t cap)
{
    size_t n = 0;
    uint32_t t = rx_tail;
    while (n < cap && t != rx_head) {
        p[n++] = rx_ring[t & (RX_RING - 1u)];
        t++;
    }
    rx_tail = t;
    return n;
}

uint32_t uart_rx_overruns(void)
{
    return rx_overruns;
}

void uart_puts(const char *s)
{
    while (*s) {
        uart_write((const uint8_t *)s, 1);
        s++;
    }
}

uint32_t board_take_jitter(uint32_t *samples)
{
    __asm volatile ("cpsid i" ::: "memory");
    uint32_t v = jitter_acc, n = jitter_n;
    jitter_acc = 0;
    jitter_n = 0;
    __asm volatile ("cpsie i" ::: "memory");
    if (samples)
        *samples = n;
    return v;
}

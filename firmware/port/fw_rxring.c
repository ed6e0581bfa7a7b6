/* The receive side common to the boards' UART drivers: the ring the
 * receive interrupt fills (fw_rx_push) and the main loop drains
 * (uart_read), and the jitter pool fed by each byte's arrival time
 * (board_take_jitter, for the entropy code). */
#include "board.h"
#include "fw_cortexm.h"

/* Power of two so the indices wrap with a mask.  Sized from the line rate
 * and the main loop's longest pass between two drains of the ring
 * (firmware/apps/device/main.c: each pass empties the ring, then hands at
 * most one frame to the polled UART).  At 115200 baud, 10 bits a byte,
 * 11.52 bytes arrive per ms.  A pass after the drain seals at most one
 * record and writes its frame: SLINK_WIRE_FRAME_MAX = 199 bytes take
 * 199 / 11.52 = 17.3 ms on the line, during which 199 bytes can arrive
 * (full duplex, same rate); sealing a 170-byte record (AES-GCM key
 * set-up and 13 blocks) is at most about 50 000 instructions (the
 * handshake bench's symmetric share, fw_hs_insns_symmetric = 446 120, is
 * about 100 such blocks with its hashing; an estimate, not a measurement
 * of one record), 2.5 ms at the AN385's 25 MHz and 3.9 ms at the
 * microbit's 16 MHz with 1.25 cycles an instruction: 29 or 45 bytes more.
 * So at most 199 + 45 = 244 bytes wait when the next drain starts: 256
 * holds them.  The drain itself keeps up: parsing 64 bytes and opening the
 * record they complete costs well under the 5.6 ms they take to arrive.
 * Public-key work (a handshake's ECDH, signature, verification: hundreds
 * of ms) overflows any ring of a few hundred bytes; those bytes come again
 * by retransmission, which the handshake needs on a lossy line anyway, and
 * the flood test (tests/integration/fw_flood.sh) shows a session surviving
 * it.  Was 512 while the loop wrote every pending frame in one pass (up to
 * a stream window, an ACK and a datagram: about 630 bytes, 55 ms). */
#ifndef FW_RX_RING
#define FW_RX_RING 256u
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

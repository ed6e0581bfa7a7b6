/* Board support for QEMU mps2-an385 (ARM AN385, Cortex-M3 at 25 MHz):
 * CMSDK APB UART0, SysTick millisecond clock, reset, stack measurement. */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stddef.h>
#include <stdint.h>

#define FW_SYSCLK_HZ 25000000u

/* Inter-byte gap after which the deframer abandons a partial frame.  A
 * real UART at 115200 baud delivers a frame's bytes back to back, and the
 * core's default (4 character times) is right there.  QEMU does not pace
 * bytes: it moves them one by one between its I/O thread and the guest,
 * and host scheduling leaves gaps of several milliseconds inside a frame,
 * so the emulated board tolerates 50 ms. */
#define FW_LINK_GAP_MS 50u

void     board_init(void);

/* UART0: received bytes are queued by the RX interrupt into a ring buffer. */
void     uart_init(uint32_t baud);
size_t   uart_read(uint8_t *p, size_t cap);      /* non-blocking */
void     uart_write(const uint8_t *p, size_t n); /* blocks while TX is full */
void     uart_puts(const char *s);
uint32_t uart_rx_overruns(void);      /* ring buffer full: bytes lost */
uint32_t uart_hw_overruns(void);      /* UART overrun flag: bytes lost */

/* Milliseconds since boot (SysTick at 1 ms), and the current SysTick
 * down-counter value: its low bits differ with every event timing. */
uint64_t board_millis(void);
uint32_t board_systick_now(void);
/* Timing samples taken at each RX interrupt, folded together; read and
 * cleared by the entropy code. */
uint32_t board_take_jitter(uint32_t *samples);

/* Sleep until the next interrupt (SysTick or UART). */
void     board_wait_for_interrupt(void);
/* Milliseconds spent asleep in board_wait_for_interrupt since boot: with
 * board_millis, the share of time the processor was busy. */
uint32_t board_idle_ms(void);
void     board_reset(void) __attribute__((noreturn));

/* Stack measurement: the stack was painted at reset; returns the deepest
 * use seen so far in bytes, and the stack size. */
size_t   board_stack_used(void);
size_t   board_stack_size(void);

/* UART1: diagnostic console, transmit only (QEMU's second -serial).  The
 * link UART carries only slink frames, so status and measurements go
 * here.  Printing without stdio keeps printf out of the image. */
void     console_puts(const char *s);
void     console_put_u32(uint32_t v);
void     console_put_kv(const char *key, uint32_t v);   /* " key=v" */

/* The NV sector (flash on a real board): read and program the seed record. */
#define FW_NV_SIZE 4096u
void     board_nv_read(uint8_t *p, size_t n);
void     board_nv_write(const uint8_t *p, size_t n);

#endif

/* The board interface the device application and the port layer use,
 * the same on every board (firmware/board/<board>/board.h includes it
 * after defining FW_SYSCLK_HZ and FW_LINK_GAP_MS).  The board implements
 * its UART, console and NV sector; the clock, sleep, reset, stack
 * measurement and receive ring are the port layer's on any Cortex-M
 * (fw_clock.c, fw_startup.c, fw_rxring.c, fw_console.c; fw_cortexm.h). */
#ifndef FW_BOARD_COMMON_H
#define FW_BOARD_COMMON_H

#include <stddef.h>
#include <stdint.h>

void     board_init(void);

/* UART0: received bytes are queued by the RX interrupt into a ring buffer. */
void     uart_init(uint32_t baud);
size_t   uart_read(uint8_t *p, size_t cap);      /* non-blocking */
void     uart_write(const uint8_t *p, size_t n); /* blocks until the UART takes each byte */
void     uart_puts(const char *s);
uint32_t uart_rx_overruns(void);      /* ring buffer full: bytes lost */
uint32_t uart_hw_overruns(void);      /* the UART's overrun flag: bytes lost */

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

/* Diagnostic console, transmit only: the link UART carries only slink
 * frames, so status and measurements go here.  Printing without stdio
 * keeps printf out of the image. */
void     console_puts(const char *s);
void     console_put_u32(uint32_t v);
void     console_put_kv(const char *key, uint32_t v);   /* " key=v" */

#endif

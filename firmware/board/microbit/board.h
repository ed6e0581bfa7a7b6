/* Board support for QEMU's microbit (BBC micro:bit, nRF51822: Cortex-M0 at
 * 16 MHz, 256 KiB flash, 16 KiB RAM): the same interface as the AN385
 * board (firmware/board/an385/board.h), so the device application and the
 * port layer build unchanged.  Link on UART0, millisecond clock from
 * SysTick, entropy from the RNG peripheral (rng_entropy.c), diagnostic
 * console over semihosting (the part has one UART, which carries slink). */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stddef.h>
#include <stdint.h>

#define FW_SYSCLK_HZ 16000000u

/* As on the AN385: QEMU moves bytes between its I/O thread and the guest
 * one by one, with host-scheduling gaps of milliseconds inside a frame. */
#define FW_LINK_GAP_MS 50u

void     board_init(void);

/* UART0: received bytes are queued by the RXDRDY interrupt into a ring. */
void     uart_init(uint32_t baud);
size_t   uart_read(uint8_t *p, size_t cap);      /* non-blocking */
void     uart_write(const uint8_t *p, size_t n); /* blocks until each byte is out */
void     uart_puts(const char *s);
uint32_t uart_rx_overruns(void);      /* ring buffer full: bytes lost */
uint32_t uart_hw_overruns(void);      /* ERRORSRC overrun: bytes lost */

uint64_t board_millis(void);
uint32_t board_systick_now(void);
uint32_t board_take_jitter(uint32_t *samples);

void     board_wait_for_interrupt(void);
uint32_t board_idle_ms(void);
void     board_reset(void) __attribute__((noreturn));

size_t   board_stack_used(void);
size_t   board_stack_size(void);

/* Diagnostic console: ARM semihosting SYS_WRITE0 (QEMU -semihosting-config
 * enable=on,chardev=...).  On a part without a debugger attached the BKPT
 * faults: a production image routes the console elsewhere or leaves it
 * out. */
void     console_puts(const char *s);
void     console_put_u32(uint32_t v);
void     console_put_kv(const char *key, uint32_t v);   /* " key=v" */

/* Hardware RNG (nRF51 RNG at 0x4000D000, bias correction on): one byte,
 * or -1 if no value came within the time a working RNG needs. */
int      board_rng_byte(void);

/* Why fw_entropy_boot refused on this board (beside fw_port.h's codes). */
#define FW_ENTROPY_RNG_FAIL (-4)   /* RNG gave no value, or a stuck one */

#endif

/* Board support for QEMU's microbit (BBC micro:bit, nRF51822: Cortex-M0 at
 * 16 MHz, 256 KiB flash, 16 KiB RAM): the interface common to the boards
 * (firmware/port/fw_board.h), so the device application and the port
 * layer build unchanged.  Link on UART0, millisecond clock from
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

/* Busy runs of 20 ms or more are reported on the console, for the
 * handshake's instruction counts (firmware/port/fw_clock.c). */
#ifndef FW_BUSY_REPORT_MS
#define FW_BUSY_REPORT_MS 20u
#endif

#include "fw_board.h"

/* Diagnostic console: ARM semihosting SYS_WRITE0 (QEMU -semihosting-config
 * enable=on,chardev=...).  On a part without a debugger attached the BKPT
 * faults: a production image routes the console elsewhere or leaves it
 * out. */

/* Hardware RNG (nRF51 RNG at 0x4000D000, bias correction on): one byte,
 * or -1 if no value came within the time a working RNG needs. */
int      board_rng_byte(void);

/* Why fw_entropy_boot refused on this board (beside fw_port.h's codes). */
#define FW_ENTROPY_RNG_FAIL (-4)   /* RNG gave no value, or a stuck one */

#endif

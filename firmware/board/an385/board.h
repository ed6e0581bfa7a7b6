/* Board support for QEMU mps2-an385 (ARM AN385, Cortex-M3 at 25 MHz):
 * CMSDK APB UART0 for the link, UART1 for the console, the NV sector;
 * the interface common to the boards is firmware/port/fw_board.h. */
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

#include "fw_board.h"

/* The console is UART1 (QEMU's second -serial). */

/* The NV sector (flash on a real board): read and program the seed record. */
#define FW_NV_SIZE 4096u
void     board_nv_read(uint8_t *p, size_t n);
void     board_nv_write(const uint8_t *p, size_t n);

#endif

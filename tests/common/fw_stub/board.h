/* Host stand-in for firmware/board/an385/board.h, for unit tests of the
 * firmware port layer (tests/unit/test_fw_entropy.c): the NV sector is a
 * test-owned array and the clocks are counters the test controls. */
#ifndef FW_STUB_BOARD_H
#define FW_STUB_BOARD_H
#include <stddef.h>
#include <stdint.h>

#define FW_NV_SIZE 4096u

uint64_t board_millis(void);
uint32_t board_systick_now(void);
uint32_t board_take_jitter(uint32_t *samples);
void     board_nv_read(uint8_t *p, size_t n);
void     board_nv_write(const uint8_t *p, size_t n);

#endif

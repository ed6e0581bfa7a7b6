/* What the boards share on any ARMv6-M/ARMv7-M core (firmware/board/<board>/):
 * the system registers they program, the exception handlers and the
 * SysTick clock of fw_clock.c, the start-up of fw_startup.c, and the
 * receive ring of fw_rxring.c that a board's UART interrupt fills.  Each
 * board keeps its peripherals (UART, console, NV, RNG) and its vector
 * table. */
#ifndef FW_CORTEXM_H
#define FW_CORTEXM_H

#include <stdint.h>

#define FW_REG(a) (*(volatile uint32_t *)(a))

/* System control space (ARMv6-M and ARMv7-M alike) */
#define SYST_CSR   FW_REG(0xE000E010u)
#define SYST_RVR   FW_REG(0xE000E014u)
#define SYST_CVR   FW_REG(0xE000E018u)
#define NVIC_ISER0 FW_REG(0xE000E100u)
#define SCB_AIRCR  FW_REG(0xE000ED0Cu)

/* Exception entries for the boards' vector tables (fw_startup.c,
 * fw_clock.c). */
void fw_reset_handler(void) __attribute__((noreturn));
void fw_default_handler(void);
void fw_hardfault_handler(void);
void SysTick_Handler(void);

/* SysTick from the processor clock (FW_SYSCLK_HZ of board.h): a 1 ms
 * tick for board_millis; called from board_init. */
void fw_systick_start(void);

/* One byte from the board's UART receive interrupt into the ring that
 * uart_read drains (counted in uart_rx_overruns when the ring is full);
 * its arrival time goes into the jitter pool (board_take_jitter). */
void fw_rx_push(uint8_t b);

#endif

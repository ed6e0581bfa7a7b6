/* The nRF51822's vector table (Cortex-M0, ARMv6-M), at 0x0, the start of
 * flash; the handlers are the port layer's (firmware/port/fw_startup.c,
 * fw_clock.c) and board.c's UART0_IRQHandler. */
#include <stdint.h>
#include "fw_cortexm.h"

extern uint32_t _estack;

void UART0_IRQHandler(void);

/* 16 system exceptions + the nRF51's 32 peripheral interrupts; IRQ 2 is
 * UART0.  ARMv6-M has no MemManage, BusFault, UsageFault or DebugMon. */
__attribute__((section(".isr_vector"), used))
static void (*const fw_vectors[16 + 32])(void) = {
    (void (*)(void))(uintptr_t)&_estack,
    fw_reset_handler,
    fw_default_handler,     /* NMI */
    fw_hardfault_handler,   /* HardFault */
    0, 0, 0, 0, 0, 0, 0,
    fw_default_handler,     /* SVCall */
    0, 0,
    fw_default_handler,     /* PendSV */
    SysTick_Handler,
    [16 + 0] = fw_default_handler, [16 + 1] = fw_default_handler,
    [16 + 2] = UART0_IRQHandler,
    [16 + 3] = fw_default_handler, [16 + 4] = fw_default_handler,
    [16 + 5] = fw_default_handler, [16 + 6] = fw_default_handler,
    [16 + 7] = fw_default_handler, [16 + 8] = fw_default_handler,
    [16 + 9] = fw_default_handler, [16 + 10] = fw_default_handler,
    [16 + 11] = fw_default_handler, [16 + 12] = fw_default_handler,
    [16 + 13] = fw_default_handler, [16 + 14] = fw_default_handler,
    [16 + 15] = fw_default_handler, [16 + 16] = fw_default_handler,
    [16 + 17] = fw_default_handler, [16 + 18] = fw_default_handler,
    [16 + 19] = fw_default_handler, [16 + 20] = fw_default_handler,
    [16 + 21] = fw_default_handler, [16 + 22] = fw_default_handler,
    [16 + 23] = fw_default_handler, [16 + 24] = fw_default_handler,
    [16 + 25] = fw_default_handler, [16 + 26] = fw_default_handler,
    [16 + 27] = fw_default_handler, [16 + 28] = fw_default_handler,
    [16 + 29] = fw_default_handler, [16 + 30] = fw_default_handler,
    [16 + 31] = fw_default_handler,
};

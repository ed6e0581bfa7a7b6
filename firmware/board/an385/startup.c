/* The AN385's vector table (Cortex-M3; the same code runs on any
 * ARMv6-M/v7-M core).  It lives at 0x0, where the core reads the initial
 * stack pointer and reset vector; the handlers are the port layer's
 * (firmware/port/fw_startup.c, fw_clock.c) and board.c's UART0RX_Handler. */
#include <stdint.h>
#include "fw_cortexm.h"

extern uint32_t _estack;

void UART0RX_Handler(void);

/* 16 system exceptions + the AN385's 32 external interrupts.  IRQ 0 is
 * UART0 RX. */
__attribute__((section(".isr_vector"), used))
static void (*const fw_vectors[16 + 32])(void) = {
    (void (*)(void))(uintptr_t)&_estack,
    fw_reset_handler,
    fw_default_handler,     /* NMI */
    fw_hardfault_handler,   /* HardFault */
    fw_hardfault_handler,   /* MemManage */
    fw_hardfault_handler,   /* BusFault */
    fw_hardfault_handler,   /* UsageFault */
    0, 0, 0, 0,
    fw_default_handler,     /* SVCall */
    fw_default_handler,     /* DebugMon */
    0,
    fw_default_handler,     /* PendSV */
    SysTick_Handler,
    [16 + 0] = UART0RX_Handler,
    [16 + 1] = fw_default_handler, [16 + 2] = fw_default_handler,
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

/* Reset and exception entry for the nRF51822 (Cortex-M0, ARMv6-M).  The
 * vector table sits at 0x0, the start of flash. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "board.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;

int main(void);
void fw_reset_handler(void);
void fw_default_handler(void);
void fw_hardfault_handler(void);
void SysTick_Handler(void);
void UART0_IRQHandler(void);

#define FW_STACK_PAINT 0xA5A5A5A5u

__attribute__((noreturn)) void fw_reset_handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata)
        *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss; )
        *dst++ = 0;
    /* paint the stack below our own frame (board_stack_used) */
    uint32_t *sp;
    __asm volatile ("mov %0, sp" : "=r"(sp));
    for (dst = &_sstack; dst < sp - 16; )
        *dst++ = FW_STACK_PAINT;
    (void)main();
    board_reset();
}

size_t board_stack_used(void)
{
    const uint32_t *p = &_sstack;
    while (p < &_estack && *p == FW_STACK_PAINT)
        p++;
    return (size_t)((const uint8_t *)&_estack - (const uint8_t *)p);
}

size_t board_stack_size(void)
{
    return (size_t)((const uint8_t *)&_estack - (const uint8_t *)&_sstack);
}

void fw_default_handler(void)
{
    console_puts("\r\nfw: unexpected exception\r\n");
    for (;;)
        ;
}

/* A stack overflow on this part lands in .bss below the stack (no MPU on
 * the M0), so the painted depth is the check that matters. */
void fw_hardfault_handler(void)
{
    console_puts("\r\nfw: HARD FAULT\r\n");
    for (;;)
        ;
}

/* No system heap (see firmware/board/an385/startup.c). */
void *_sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr)
{
    (void)incr;
    errno = ENOMEM;
    return (void *)-1;
}

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

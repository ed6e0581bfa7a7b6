/* Reset and fault entry common to the boards (any ARMv6-M/ARMv7-M core;
 * each board's startup.c holds only its vector table): data and .bss set
 * up, the stack painted for board_stack_used, main, and no system heap. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include "board.h"
#include "fw_cortexm.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;

int main(void);

#define FW_STACK_PAINT 0xA5A5A5A5u

void fw_reset_handler(void)
{
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata)
        *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss; )
        *dst++ = 0;
    /* Paint the stack below our own frame so the deepest use can be read
     * back later (board_stack_used). */
    uint32_t *sp;
    __asm volatile ("mov %0, sp" : "=r"(sp));
    for (dst = &_sstack; dst < sp - 16; )
        *dst++ = FW_STACK_PAINT;
#if defined(__ARM_FP)
    /* Cortex-M4F: grant full access to CP10/CP11 before any FP code. */
    *(volatile uint32_t *)0xE000ED88u |= (0xFu << 20);
    __asm volatile ("dsb\n\tisb");
#endif
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

/* A stack overflow on a part without an MPU (the microbit's M0) lands in
 * .bss below the stack, so the painted depth is the check that matters. */
void fw_hardfault_handler(void)
{
    console_puts("\r\nfw: HARD FAULT\r\n");
    for (;;)
        ;
}

/* No system heap.  newlib-nano's malloc is still linked where printf-family
 * code refers to it (the core's vsnprintf logging), and libnosys's sbrk
 * would hand it memory above .bss, which is the stack.  Refusing here
 * makes any such allocation fail with ENOMEM instead. */
void *_sbrk(ptrdiff_t incr);
void *_sbrk(ptrdiff_t incr)
{
    (void)incr;
    errno = ENOMEM;
    return (void *)-1;
}

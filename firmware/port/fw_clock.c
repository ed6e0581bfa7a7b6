/* The boards' time on any Cortex-M: the SysTick millisecond clock, sleep
 * with the time asleep counted (board_idle_ms), the optional report of
 * long busy runs, and reset.  FW_SYSCLK_HZ comes from the board's
 * board.h. */
#include "board.h"
#include "fw_cortexm.h"

/* A busy run (waking to the next sleep) at least this long is reported
 * on the console as "fw: busy run cycles=N": under QEMU -icount these are
 * the handshake's compute steps (msg1: key generation, ECDH, signature;
 * msg3: verifications), counted in instructions by
 * tests/integration/fw_microbit.sh.  Off (0) unless the board's board.h
 * turns it on (the microbit) or the build does (mk/microbit.mk's
 * measurement image of the AN385). */
#ifndef FW_BUSY_REPORT_MS
#define FW_BUSY_REPORT_MS 0u
#endif

static volatile uint32_t ms_ticks_lo, ms_ticks_hi;
/* Time spent asleep in board_wait_for_interrupt (main only), as whole
 * milliseconds and the cycles short of the next one: 32-bit arithmetic
 * only, so the image links no 64-bit division helper (__udivmoddi4 and
 * __aeabi_uldivmod, about 750 bytes of flash, for this counter alone). */
#define FW_CYCLES_PER_MS (FW_SYSCLK_HZ / 1000u)
static uint32_t idle_ms, idle_rem_cycles;
#if FW_BUSY_REPORT_MS
/* Processor cycles at the end of the last sleep: the start of a busy run. */
static uint64_t run_start;
#endif

void SysTick_Handler(void)
{
    if (++ms_ticks_lo == 0)
        ms_ticks_hi++;
}

void fw_systick_start(void)
{
    SYST_RVR = FW_SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 0x7u;   /* CLKSOURCE = core, TICKINT, ENABLE */
}

uint64_t board_millis(void)
{
    uint32_t hi, lo;
    do {
        hi = ms_ticks_hi;
        lo = ms_ticks_lo;
    } while (hi != ms_ticks_hi);
    return ((uint64_t)hi << 32) | lo;
}

uint32_t board_systick_now(void)
{
    return SYST_CVR;
}

#if FW_BUSY_REPORT_MS
/* Processor cycles since boot: SysTick periods plus the current count.
 * Read twice around the tick count so a wrap in between is seen. */
static uint64_t board_cycles(void)
{
    uint64_t ms;
    uint32_t cv;
    do {
        ms = board_millis();
        cv = SYST_CVR;
    } while (ms != board_millis());
    return ms * (FW_SYSCLK_HZ / 1000u) + (SYST_RVR - cv);
}
#endif

/* Sleep with interrupts masked so that the time up to the wake-up is
 * measured before the handler that woke us runs (a pending interrupt
 * wakes WFI even under PRIMASK).  SysTick wakes us every millisecond, so
 * the down-counter wraps at most once while asleep. */
void board_wait_for_interrupt(void)
{
#if FW_BUSY_REPORT_MS
    uint64_t run = board_cycles() - run_start;
    if (run >= (uint64_t)FW_BUSY_REPORT_MS * (FW_SYSCLK_HZ / 1000u)) {
        console_puts("fw: busy run cycles=");
        console_put_u32(run > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)run);
        console_puts("\r\n");
    }
#endif
    __asm volatile ("cpsid i" ::: "memory");
    uint32_t t0 = SYST_CVR;
    __asm volatile ("dsb\n\twfi" ::: "memory");
    uint32_t t1 = SYST_CVR;
    __asm volatile ("cpsie i" ::: "memory");
    /* at most one SysTick period (1 ms) asleep: the sum cannot overflow */
    idle_rem_cycles += t0 >= t1 ? t0 - t1 : t0 + (SYST_RVR + 1u) - t1;
    idle_ms += idle_rem_cycles / FW_CYCLES_PER_MS;
    idle_rem_cycles %= FW_CYCLES_PER_MS;
#if FW_BUSY_REPORT_MS
    run_start = board_cycles();
#endif
}

uint32_t board_idle_ms(void)
{
    return idle_ms;
}

void board_reset(void)
{
    __asm volatile ("dsb" ::: "memory");
    SCB_AIRCR = (0x5FAu << 16) | (1u << 2);   /* VECTKEY | SYSRESETREQ */
    __asm volatile ("dsb" ::: "memory");
    for (;;)
        ;
}

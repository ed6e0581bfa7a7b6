/* AN385 peripherals: CMSDK APB UART0 at 0x40004000 (RX interrupt into a
 * ring buffer, polled TX) and the SysTick millisecond clock. */
#include "board.h"

#define REG(a) (*(volatile uint32_t *)(a))

/* CMSDK APB UART (ARM DDI 0479): DATA, STATE, CTRL, INTSTATUS/INTCLEAR, BAUDDIV */
#define UART0_BASE      0x40004000u
#define UART1_BASE      0x40005000u
#define UART_DATA       REG(UART0_BASE + 0x00u)
#define UART_STATE      REG(UART0_BASE + 0x04u)
#define UART_CTRL       REG(UART0_BASE + 0x08u)
#define UART_INTCLR     REG(UART0_BASE + 0x0Cu)
#define UART_BAUDDIV    REG(UART0_BASE + 0x10u)
#define CON_DATA        REG(UART1_BASE + 0x00u)
#define CON_STATE       REG(UART1_BASE + 0x04u)
#define CON_CTRL        REG(UART1_BASE + 0x08u)
#define CON_BAUDDIV     REG(UART1_BASE + 0x10u)
#define STATE_TX_FULL   (1u << 0)
#define STATE_RX_FULL   (1u << 1)
#define STATE_RX_OVR    (1u << 3)
#define CTRL_TX_EN      (1u << 0)
#define CTRL_RX_EN      (1u << 1)
#define CTRL_RX_INT_EN  (1u << 3)
#define INT_RX          (1u << 1)
#define UART0_RX_IRQ    0u

/* ARMv7-M system control space */
#define SYST_CSR        REG(0xE000E010u)
#define SYST_RVR        REG(0xE000E014u)
#define SYST_CVR        REG(0xE000E018u)
#define NVIC_ISER0      REG(0xE000E100u)
#define SCB_AIRCR       REG(0xE000ED0Cu)

/* Power of two so the indices wrap with a mask.  512 bytes hold the two
 * frames of a stream window (192-byte frames) while the loop is busy with
 * a record; the bytes of a handshake flight that arrive during an ECC
 * operation overflow it and come again by retransmission, which the
 * handshake needs on a lossy line anyway.  256 was the slowest measured; 1 KiB
 * holds a whole flight (docs/PORTING.md, memory budget). */
#ifndef FW_RX_RING
#define FW_RX_RING 512u
#endif
#define RX_RING FW_RX_RING

static volatile uint8_t  rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;   /* head: ISR writes, tail: main reads */
static volatile uint32_t rx_overruns, hw_overruns;
static volatile uint32_t ms_ticks_lo, ms_ticks_hi;
static volatile uint32_t jitter_acc, jitter_n;
/* Time spent asleep in board_wait_for_interrupt (main only), as whole
 * milliseconds and the cycles short of the next one: 32-bit arithmetic
 * only, so the image links no 64-bit division helper (__udivmoddi4 and
 * __aeabi_uldivmod, about 750 bytes of flash, for this counter alone). */
#define FW_CYCLES_PER_MS (FW_SYSCLK_HZ / 1000u)
static uint32_t idle_ms, idle_rem_cycles;

/* A busy run (waking to the next sleep) at least this long is reported
 * on the console as "fw: busy run cycles=N".  Off (0) in the example
 * images; mk/microbit.mk builds a measurement image with 20 so the
 * handshake's compute per message can be counted under QEMU -icount
 * beside the microbit's (tests/integration/fw_microbit.sh). */
#ifndef FW_BUSY_REPORT_MS
#define FW_BUSY_REPORT_MS 0u
#endif
#if FW_BUSY_REPORT_MS
static uint64_t run_start;
#endif

void SysTick_Handler(void);
void UART0RX_Handler(void);

void SysTick_Handler(void)
{
    if (++ms_ticks_lo == 0)
        ms_ticks_hi++;
}

void UART0RX_Handler(void)
{
    UART_INTCLR = INT_RX;
    while (UART_STATE & STATE_RX_FULL) {
        uint8_t b = (uint8_t)UART_DATA;
        uint32_t h = rx_head;
        if (h - rx_tail < RX_RING) {
            rx_ring[h & (RX_RING - 1u)] = b;
            rx_head = h + 1u;
        } else {
            rx_overruns++;
        }
        /* When each byte arrives, measured in SysTick cycles, depends on
         * the sender and the line: fold it into the jitter pool. */
        jitter_acc = (jitter_acc << 5 | jitter_acc >> 27) ^ SYST_CVR ^ b;
        jitter_n++;
    }
    if (UART_STATE & STATE_RX_OVR) {
        UART_STATE = STATE_RX_OVR;   /* write-one-to-clear */
        hw_overruns++;
    }
}

void uart_init(uint32_t baud)
{
    UART_CTRL = 0;
    UART_BAUDDIV = FW_SYSCLK_HZ / baud;
    UART_CTRL = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN;
    NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

size_t uart_read(uint8_t *p, size_t cap)
{
    size_t n = 0;
    uint32_t t = rx_tail;
    while (n < cap && t != rx_head) {
        p[n++] = rx_ring[t & (RX_RING - 1u)];
        t++;
    }
    rx_tail = t;
    return n;
}

void uart_write(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (UART_STATE & STATE_TX_FULL)
            ;
        UART_DATA = p[i];
    }
}

void uart_puts(const char *s)
{
    while (*s) {
        uart_write((const uint8_t *)s, 1);
        s++;
    }
}

static void console_putc(char ch)
{
    while (CON_STATE & STATE_TX_FULL)
        ;
    CON_DATA = (uint8_t)ch;
}

void console_puts(const char *s)
{
    while (*s)
        console_putc(*s++);
}

void console_put_u32(uint32_t v)
{
    char buf[11];
    size_t i = sizeof buf;
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (i < sizeof buf)
        console_putc(buf[i++]);
}

void console_put_kv(const char *key, uint32_t v)
{
    console_putc(' ');
    console_puts(key);
    console_putc('=');
    console_put_u32(v);
}

/* The NV sector is the last 4 KiB of SSRAM1 (an385.ld: _snv).  On a real
 * part this is a flash page: erase, then program; here it is memory. */
extern uint8_t _snv[];
#define nv_sector ((volatile uint8_t *)_snv)

void board_nv_read(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && i < FW_NV_SIZE; i++)
        p[i] = nv_sector[i];
}

void board_nv_write(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && i < FW_NV_SIZE; i++)
        nv_sector[i] = p[i];
}

uint32_t uart_rx_overruns(void)
{
    return rx_overruns;
}

uint32_t uart_hw_overruns(void)
{
    return hw_overruns;
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

uint32_t board_take_jitter(uint32_t *samples)
{
    __asm volatile ("cpsid i" ::: "memory");
    uint32_t v = jitter_acc, n = jitter_n;
    jitter_acc = 0;
    jitter_n = 0;
    __asm volatile ("cpsie i" ::: "memory");
    if (samples)
        *samples = n;
    return v;
}

void board_init(void)
{
    /* SysTick from the processor clock (25 MHz on the AN385): 1 ms period. */
    SYST_RVR = FW_SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 0x7u;   /* CLKSOURCE = core, TICKINT, ENABLE */
    uart_init(115200);
    CON_BAUDDIV = FW_SYSCLK_HZ / 115200u;
    CON_CTRL = CTRL_TX_EN;
}

#if FW_BUSY_REPORT_MS
/* Processor cycles since boot (a SysTick wrap between the reads is seen). */
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

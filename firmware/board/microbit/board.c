/* nRF51822 peripherals as QEMU 7.2's microbit models them (nRF51 Series
 * Reference Manual v3.0): UART0 at 0x40002000 (RXDRDY interrupt into a
 * ring buffer, TX polled on TXDRDY), the RNG at 0x4000D000 and the
 * Cortex-M0's SysTick on the 16 MHz processor clock. */
#include "board.h"

#define REG(a) (*(volatile uint32_t *)(a))

/* UART0 (RM §29): tasks, events, interrupt enable, configuration */
#define UART0_BASE        0x40002000u
#define UART_STARTRX      REG(UART0_BASE + 0x000u)
#define UART_STARTTX      REG(UART0_BASE + 0x008u)
#define UART_EV_RXDRDY    REG(UART0_BASE + 0x108u)
#define UART_EV_TXDRDY    REG(UART0_BASE + 0x11Cu)
#define UART_EV_ERROR     REG(UART0_BASE + 0x124u)
#define UART_INTENSET     REG(UART0_BASE + 0x304u)
#define UART_ERRORSRC     REG(UART0_BASE + 0x480u)
#define UART_ENABLE       REG(UART0_BASE + 0x500u)
#define UART_PSELTXD      REG(UART0_BASE + 0x50Cu)
#define UART_PSELRXD      REG(UART0_BASE + 0x514u)
#define UART_RXD          REG(UART0_BASE + 0x518u)
#define UART_TXD          REG(UART0_BASE + 0x51Cu)
#define UART_BAUDRATE     REG(UART0_BASE + 0x524u)
#define UART_INT_RXDRDY   (1u << 2)
#define UART_INT_ERROR    (1u << 9)
#define UART_ENABLE_ON    4u
#define UART_ERR_OVERRUN  (1u << 0)
#define UART0_IRQ         2u
/* micro:bit edge connector pins of the USB interface chip's UART */
#define MICROBIT_PIN_TX   24u
#define MICROBIT_PIN_RX   25u

/* RNG (RM §21) */
#define RNG_BASE          0x4000D000u
#define RNG_START         REG(RNG_BASE + 0x000u)
#define RNG_EV_VALRDY     REG(RNG_BASE + 0x100u)
#define RNG_CONFIG        REG(RNG_BASE + 0x504u)
#define RNG_VALUE         REG(RNG_BASE + 0x508u)
#define RNG_CONFIG_DERCEN 1u

/* ARMv6-M system control space */
#define SYST_CSR          REG(0xE000E010u)
#define SYST_RVR          REG(0xE000E014u)
#define SYST_CVR          REG(0xE000E018u)
#define NVIC_ISER0        REG(0xE000E100u)
#define SCB_AIRCR         REG(0xE000ED0Cu)

/* 512 bytes as on the AN385 (its board.c says why); RAM is 16 KiB here,
 * and docs/PORTING.md has what each buffer costs. */
#ifndef FW_RX_RING
#define FW_RX_RING 512u
#endif
#define RX_RING FW_RX_RING

static volatile uint8_t  rx_ring[RX_RING];
static volatile uint32_t rx_head, rx_tail;
static volatile uint32_t rx_overruns, hw_overruns;
static volatile uint32_t ms_ticks_lo, ms_ticks_hi;
static volatile uint32_t jitter_acc, jitter_n;
static uint64_t idle_cycles;
/* Processor cycles at the end of the last sleep: the start of a busy run. */
static uint64_t run_start;

/* A busy run (from waking to the next sleep) at least this long is
 * reported on the console as "fw: busy run cycles=N": under QEMU -icount
 * these are the handshake's compute steps (msg1: key generation, ECDH,
 * signature; msg3: verifications), counted in instructions by
 * tests/integration/fw_microbit.sh.  0 turns the report off. */
#ifndef FW_BUSY_REPORT_MS
#define FW_BUSY_REPORT_MS 20u
#endif

void SysTick_Handler(void);
void UART0_IRQHandler(void);

void SysTick_Handler(void)
{
    if (++ms_ticks_lo == 0)
        ms_ticks_hi++;
}

/* The UART holds up to 6 received bytes; each read of RXD takes one and
 * raises RXDRDY again while more wait, so the loop drains them all. */
void UART0_IRQHandler(void)
{
    if (UART_EV_ERROR) {
        UART_EV_ERROR = 0;
        if (UART_ERRORSRC & UART_ERR_OVERRUN)
            hw_overruns++;
        UART_ERRORSRC = UART_ERRORSRC;   /* write-one-to-clear */
    }
    while (UART_EV_RXDRDY) {
        UART_EV_RXDRDY = 0;
        uint8_t b = (uint8_t)UART_RXD;
        uint32_t h = rx_head;
        if (h - rx_tail < RX_RING) {
            rx_ring[h & (RX_RING - 1u)] = b;
            rx_head = h + 1u;
        } else {
            rx_overruns++;
        }
        jitter_acc = (jitter_acc << 5 | jitter_acc >> 27) ^ SYST_CVR ^ b;
        jitter_n++;
    }
}

/* BAUDRATE register values of the RM (§29.9.12) */
static uint32_t baud_reg(uint32_t baud)
{
    switch (baud) {
    case 9600: return 0x00275000u;
    case 38400: return 0x009D5000u;
    case 57600: return 0x00EBF000u;
    case 230400: return 0x03AFB000u;
    case 460800: return 0x075F7000u;
    case 921600: return 0x0EBEDFA4u;
    default: return 0x01D7E000u;   /* 115200 */
    }
}

void uart_init(uint32_t baud)
{
    UART_ENABLE = 0;
    UART_PSELTXD = MICROBIT_PIN_TX;
    UART_PSELRXD = MICROBIT_PIN_RX;
    UART_BAUDRATE = baud_reg(baud);
    UART_ENABLE = UART_ENABLE_ON;
    UART_EV_RXDRDY = 0;
    UART_EV_TXDRDY = 0;
    UART_EV_ERROR = 0;
    UART_INTENSET = UART_INT_RXDRDY | UART_INT_ERROR;
    UART_STARTTX = 1;
    UART_STARTRX = 1;
    NVIC_ISER0 = 1u << UART0_IRQ;
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
        UART_TXD = p[i];
        while (!UART_EV_TXDRDY)
            ;
        UART_EV_TXDRDY = 0;
    }
}

void uart_puts(const char *s)
{
    while (*s) {
        uart_write((const uint8_t *)s, 1);
        s++;
    }
}

uint32_t uart_rx_overruns(void)
{
    return rx_overruns;
}

uint32_t uart_hw_overruns(void)
{
    return hw_overruns;
}

/* ---- console: semihosting ---- */

/* SYS_WRITE0 (0x04): r1 points at a NUL-terminated string. */
static void semihost_write0(const char *s)
{
    register uint32_t r0 __asm__("r0") = 0x04u;
    register const char *r1 __asm__("r1") = s;
    __asm volatile ("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

void console_puts(const char *s)
{
    semihost_write0(s);
}

void console_put_u32(uint32_t v)
{
    char buf[11];
    size_t i = sizeof buf - 1;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    semihost_write0(buf + i);
}

void console_put_kv(const char *key, uint32_t v)
{
    semihost_write0(" ");
    semihost_write0(key);
    semihost_write0("=");
    console_put_u32(v);
}

/* ---- RNG ---- */

int board_rng_byte(void)
{
    /* QEMU raises VALRDY about every 660 us of virtual time with bias
     * correction on (the RM gives 120 us typical per byte on silicon);
     * 2^20 polls are far more than either. */
    for (uint32_t i = 0; i < (1u << 20); i++) {
        if (RNG_EV_VALRDY) {
            int v = (int)(RNG_VALUE & 0xFFu);
            RNG_EV_VALRDY = 0;
            return v;
        }
    }
    return -1;
}

static void rng_init(void)
{
    RNG_CONFIG = RNG_CONFIG_DERCEN;
    RNG_EV_VALRDY = 0;
    RNG_START = 1;
}

/* ---- time ---- */

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
    /* SysTick from the processor clock (16 MHz): 1 ms period. */
    SYST_RVR = FW_SYSCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 0x7u;   /* CLKSOURCE = core, TICKINT, ENABLE */
    rng_init();
    uart_init(115200);
}

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

/* As on the AN385: masked sleep so the idle time is measured before the
 * waking handler runs; SysTick wakes us every millisecond. */
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
    idle_cycles += t0 >= t1 ? t0 - t1 : t0 + (SYST_RVR + 1u) - t1;
#if FW_BUSY_REPORT_MS
    run_start = board_cycles();
#endif
}

uint32_t board_idle_ms(void)
{
    return (uint32_t)(idle_cycles / (FW_SYSCLK_HZ / 1000u));
}

void board_reset(void)
{
    __asm volatile ("dsb" ::: "memory");
    SCB_AIRCR = (0x5FAu << 16) | (1u << 2);   /* VECTKEY | SYSRESETREQ */
    __asm volatile ("dsb" ::: "memory");
    for (;;)
        ;
}

/* nRF51822 peripherals as QEMU 7.2's microbit models them (nRF51 Series
 * Reference Manual v3.0): UART0 at 0x40002000 (RXDRDY interrupt into the
 * receive ring of firmware/port/fw_rxring.c, TX polled on TXDRDY), the
 * RNG at 0x4000D000, the console over semihosting.  The Cortex-M0's
 * SysTick clock (16 MHz processor clock), sleep, reset and start-up are
 * the port layer's (fw_clock.c, fw_startup.c). */
#include "board.h"
#include "fw_cortexm.h"

#define REG(a) FW_REG(a)

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

static volatile uint32_t hw_overruns;

void UART0_IRQHandler(void);

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
        fw_rx_push((uint8_t)UART_RXD);
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

void uart_write(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        UART_TXD = p[i];
        while (!UART_EV_TXDRDY)
            ;
        UART_EV_TXDRDY = 0;
    }
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

void board_init(void)
{
    fw_systick_start();   /* 16 MHz processor clock: 1 ms ticks */
    rng_init();
    uart_init(115200);
}

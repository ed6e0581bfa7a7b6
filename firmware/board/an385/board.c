/* AN385 peripherals: CMSDK APB UART0 at 0x40004000 (RX interrupt into
 * the receive ring of firmware/port/fw_rxring.c, polled TX), UART1 as the
 * console, the NV sector in SSRAM1.  The SysTick clock, sleep, reset and
 * start-up are the port layer's (fw_clock.c, fw_startup.c). */
#include "board.h"
#include "fw_cortexm.h"

#define REG(a) FW_REG(a)

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

static volatile uint32_t hw_overruns;

void UART0RX_Handler(void);

void UART0RX_Handler(void)
{
    UART_INTCLR = INT_RX;
    while (UART_STATE & STATE_RX_FULL)
        fw_rx_push((uint8_t)UART_DATA);
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

void uart_write(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        while (UART_STATE & STATE_TX_FULL)
            ;
        UART_DATA = p[i];
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

uint32_t uart_hw_overruns(void)
{
    return hw_overruns;
}

void board_init(void)
{
    fw_systick_start();   /* 25 MHz processor clock: 1 ms ticks */
    uart_init(115200);
    CON_BAUDDIV = FW_SYSCLK_HZ / 115200u;
    CON_CTRL = CTRL_TX_EN;
}

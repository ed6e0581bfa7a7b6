/* Bring-up program: proves the board support under QEMU before any crypto
 * runs.  Prints a banner, then echoes every received byte on UART0; "\x04"
 * (EOT) makes it report its uptime and stack use on the console (UART1),
 * so the host check can also see that SysTick advances. */
#include "board.h"

int main(void)
{
    board_init();
    uart_puts("slink fw up\r\n");
    console_puts("echo: slink fw up\r\n");
    for (;;) {
        uint8_t buf[64];
        size_t n = uart_read(buf, sizeof buf);
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == 0x04) {
                console_puts("echo:");
                console_put_kv("uptime_ms", (uint32_t)board_millis());
                console_put_kv("stack_used", (uint32_t)board_stack_used());
                console_puts("\r\n");
            } else {
                uart_write(&buf[i], 1);
            }
        }
        if (n == 0)
            board_wait_for_interrupt();
    }
}

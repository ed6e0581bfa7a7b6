/* Bring-up program: proves the board support under QEMU before any crypto
 * runs.  Prints a banner, then echoes every received byte; "\x04" (EOT)
 * makes it report its uptime and stack use, so the host check can also see
 * that SysTick advances. */
#include "board.h"

int main(void)
{
    board_init();
    uart_puts("slink fw up\r\n");
    for (;;) {
        uint8_t buf[64];
        size_t n = uart_read(buf, sizeof buf);
        for (size_t i = 0; i < n; i++) {
            if (buf[i] == 0x04) {
                uart_puts("\r\nuptime_ms=");
                uart_put_u32((uint32_t)board_millis());
                uart_puts(" stack_used=");
                uart_put_u32((uint32_t)board_stack_used());
                uart_puts("\r\n");
            } else {
                uart_write(&buf[i], 1);
            }
        }
        if (n == 0)
            board_wait_for_interrupt();
    }
}

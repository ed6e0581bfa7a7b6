/* Numbers on the boards' diagnostic console, on top of the board's
 * console_puts (UART1 on the AN385, semihosting on the microbit), without
 * stdio so printf stays out of the images. */
#include "board.h"

void console_put_u32(uint32_t v)
{
    char buf[11];
    size_t i = sizeof buf - 1;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    console_puts(buf + i);
}

void console_put_kv(const char *key, uint32_t v)
{
    console_puts(" ");
    console_puts(key);
    console_puts("=");
    console_put_u32(v);
}

/* The slink_platform of the firmware: entropy from fw_entropy, no wall
 * clock, log lines to the console UART. */
#include "board.h"
#include "fw_port.h"

static void fw_log(void *ctx, int level, const char *msg)
{
    static const char *const names[] = { "error", "warn", "info", "debug" };
    (void)ctx;
    console_puts("slink ");
    console_puts(level >= 0 && level <= 3 ? names[level] : "?");
    console_puts(": ");
    console_puts(msg);
    console_puts("\r\n");
}

void fw_platform_init(slink_platform *p, fw_entropy_state *es)
{
    p->entropy = fw_entropy;
    p->entropy_ctx = es;
    /* No RTC on this board: certificate dates are checked against the
     * build-time floor (SLINK_TIME_CLOCK_OR_FLOOR in the peer policy). */
    p->wall_time = NULL;
    p->wall_time_ctx = NULL;
    p->log = fw_log;
    p->log_ctx = NULL;
}

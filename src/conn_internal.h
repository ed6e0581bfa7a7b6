/* Shared between the connection's files (conn.c: lifecycle, input dispatch,
 * application API; conn_hs.c: driving the handshake; conn_out.c: choosing
 * and sealing what goes out).  Not part of the public API. */
#ifndef SLINK_CONN_INTERNAL_H
#define SLINK_CONN_INTERNAL_H

#include "slink/conn.h"

#define CONN_NEVER UINT64_MAX
/* no_session hints answered by resending msg3 before a new handshake. */
#define CONN_MSG3_RESENDS_ON_HINT 2u

/* Time to send n bytes at the configured baud, 10 bits per byte (8N1). */
uint32_t conn_airtime_ms(const slink_conn *c, size_t n);

#if SLINK_CFG_LOG_TEXT
void conn_log(const slink_conn *c, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
#else
/* No text: the arguments (formats, descriptions) are not even evaluated. */
#define conn_log(...) ((void)0)
#endif
void conn_event(slink_conn *c, slink_event_type t, slink_err e);

/* Ends the current session (if any) for `reason`.  When alert_code is not
 * zero and the session still has keys, a sealed fatal alert is queued first. */
void conn_end_session(slink_conn *c, slink_err reason, uint8_t alert_code);

/* Handshake driving (conn_hs.c) */
slink_err conn_hs_frame(slink_conn *c, const slink_frame *f, uint64_t now_ms);
slink_err conn_hs_start(slink_conn *c, uint64_t now_ms);
void      conn_hs_timers(slink_conn *c, uint64_t now_ms);
/* Next handshake fragment to send, if one is due. */
int       conn_hs_next_frame(slink_conn *c, uint8_t *type, uint8_t *body, size_t cap, size_t *len);
uint64_t  conn_hs_next_timeout(const slink_conn *c, int can_send);
uint16_t  conn_effective_mtu(const slink_conn *c);

/* Output (conn_out.c) */
void      conn_queue_plain_alert(slink_conn *c, uint8_t code);

#endif

/* The serial port as slinkd sees it: a non-blocking fd to poll, read and
 * write.  Two back-ends sit under the same interface: libserialport for
 * real ports (port_sp.c) and plain termios for pseudo-terminals and other
 * virtual lines that Debian's libserialport 0.1.1 cannot open
 * (port_termios.c).  Above this header nobody knows which one is in use. */
#ifndef SLINKD_PORT_H
#define SLINKD_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct {
    const char *path;
    uint32_t baud;
    int data_bits;      /* 5..8 */
    char parity;        /* 'n' 'e' 'o' */
    int stop_bits;      /* 1, 2 */
    int flow;           /* 0 none, 1 rtscts, 2 xonxoff */
    int rs485;          /* enable kernel RS485 direction control */
    int rts_on_send;    /* RTS level while sending */
    uint32_t rts_delay_before_ms; /* RTS asserted this long before the first bit */
    uint32_t rts_delay_after_ms;  /* ... and held this long after the last one */
} port_params;

typedef struct port port;

typedef struct {
    const char *name;
    ssize_t (*read)(port *p, void *buf, size_t n);
    ssize_t (*write)(port *p, const void *buf, size_t n);
    void (*close)(port *p);
} port_ops;

struct port {
    const port_ops *ops;   /* NULL when closed */
    int fd;                /* what poll() watches */
    void *sp;              /* struct sp_port * for the libserialport back-end */
    char path[256];
    int rs485_active;      /* TIOCSRS485 accepted by the driver */
};

/* Opens the port with the best back-end for it.  0 on success; -1 with a
 * one-line reason in err.  The fd is non-blocking. */
int  port_open(port *p, const port_params *pp, char *err, size_t cap);
/* read/write: bytes moved (> 0), 0 when the call would block, -1 when the
 * port is gone (unplugged, hung up) and must be closed. */
ssize_t port_read(port *p, void *buf, size_t n);
ssize_t port_write(port *p, const void *buf, size_t n);
void port_close(port *p);
int  port_is_open(const port *p);
const char *port_backend(const port *p);

/* Back-ends. */
int  port_sp_open(port *p, const port_params *pp, char *err, size_t cap);
int  port_termios_open(port *p, const port_params *pp, char *err, size_t cap);
/* 1 if the path is a pseudo-terminal or has no sysfs device behind it. */
int  port_is_virtual(const char *path);
/* RS485 direction control on an open fd (both back-ends): RTS level and
 * the delays of pp; 0 or -1 + err. */
int  port_set_rs485(int fd, const port_params *pp, char *err, size_t cap);

/* Lists serial ports (libserialport enumeration) to out; returns the count
 * or -1. */
int  port_list(FILE *out);

#endif

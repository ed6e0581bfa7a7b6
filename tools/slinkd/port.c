/* Chooses the back-end for a port and forwards the calls. */
#include "port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int port_open(port *p, const port_params *pp, char *err, size_t cap)
{
    char sp_err[160];
    memset(p, 0, sizeof *p);
    p->fd = -1;
    snprintf(p->path, sizeof p->path, "%s", pp->path);
    if (access(pp->path, R_OK | W_OK) != 0) {
        snprintf(err, cap, "cannot open %s: %s", pp->path, strerror(errno));
        return -1;
    }
    /* libserialport 0.1.1 rejects pseudo-terminals, so skip straight to
     * termios for them rather than reporting a misleading error. */
    if (port_is_virtual(pp->path))
        return port_termios_open(p, pp, err, cap);
    if (port_sp_open(p, pp, sp_err, sizeof sp_err) == 0)
        return 0;
    /* A device libserialport cannot enumerate (some USB gadgets, custom
     * drivers) may still be a tty: try termios, but report the first error
     * if that fails too. */
    if (port_termios_open(p, pp, err, cap) == 0)
        return 0;
    snprintf(err, cap, "%s", sp_err);
    return -1;
}

ssize_t port_read(port *p, void *buf, size_t n)
{
    return p->ops ? p->ops->read(p, buf, n) : -1;
}

ssize_t port_write(port *p, const void *buf, size_t n)
{
    return p->ops ? p->ops->write(p, buf, n) : -1;
}

void port_close(port *p)
{
    if (p->ops)
        p->ops->close(p);
    p->ops = NULL;
    p->fd = -1;
    p->sp = NULL;
}

int port_is_open(const port *p)
{
    return p->ops != NULL;
}

const char *port_backend(const port *p)
{
    return p->ops ? p->ops->name : "closed";
}

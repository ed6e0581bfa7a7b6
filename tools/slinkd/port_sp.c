/* libserialport back-end for real serial ports, and the port listing. */
#include "port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libserialport.h>

static void sp_reason(char *err, size_t cap, const char *what, const char *path, enum sp_return r)
{
    if (r == SP_ERR_FAIL) {
        char *m = sp_last_error_message();
        snprintf(err, cap, "%s %s: %s", what, path, m ? m : "failed");
        if (m)
            sp_free_error_message(m);
    } else {
        snprintf(err, cap, "%s %s: libserialport error %d", what, path, (int)r);
    }
}

static ssize_t s_read(port *p, void *buf, size_t n)
{
    enum sp_return r = sp_nonblocking_read((struct sp_port *)p->sp, buf, n);
    if (r > 0)
        return (ssize_t)r;
    if (r == 0)
        return 0;
    return -1;
}

static ssize_t s_write(port *p, const void *buf, size_t n)
{
    enum sp_return r = sp_nonblocking_write((struct sp_port *)p->sp, buf, n);
    if (r >= 0)
        return (ssize_t)r;
    return -1;
}

static void s_close(port *p)
{
    struct sp_port *sp = (struct sp_port *)p->sp;
    if (sp) {
        sp_close(sp);
        sp_free_port(sp);
    }
    p->sp = NULL;
    p->fd = -1;
}

static const port_ops sp_ops = { "libserialport", s_read, s_write, s_close };

int port_sp_open(port *p, const port_params *pp, char *err, size_t cap)
{
    struct sp_port *sp = NULL;
    enum sp_return r;
    int fd;

    r = sp_get_port_by_name(pp->path, &sp);
    if (r != SP_OK) {
        sp_reason(err, cap, "cannot find port", pp->path, r);
        return -1;
    }
    r = sp_open(sp, SP_MODE_READ_WRITE);
    if (r != SP_OK) {
        sp_reason(err, cap, "cannot open", pp->path, r);
        sp_free_port(sp);
        return -1;
    }
    if ((r = sp_set_baudrate(sp, (int)pp->baud)) != SP_OK ||
        (r = sp_set_bits(sp, pp->data_bits)) != SP_OK ||
        (r = sp_set_parity(sp, pp->parity == 'e' ? SP_PARITY_EVEN :
                               pp->parity == 'o' ? SP_PARITY_ODD : SP_PARITY_NONE)) != SP_OK ||
        (r = sp_set_stopbits(sp, pp->stop_bits)) != SP_OK ||
        (r = sp_set_flowcontrol(sp, pp->flow == 1 ? SP_FLOWCONTROL_RTSCTS :
                                    pp->flow == 2 ? SP_FLOWCONTROL_XONXOFF : SP_FLOWCONTROL_NONE)) != SP_OK) {
        sp_reason(err, cap, "cannot configure", pp->path, r);
        sp_close(sp);
        sp_free_port(sp);
        return -1;
    }
    if (sp_get_port_handle(sp, &fd) != SP_OK || fd < 0) {
        snprintf(err, cap, "%s: no file descriptor from libserialport", pp->path);
        sp_close(sp);
        sp_free_port(sp);
        return -1;
    }
    sp_flush(sp, SP_BUF_BOTH);
    if (pp->rs485) {
        if (port_set_rs485(fd, pp, err, cap) != 0) {
            sp_close(sp);
            sp_free_port(sp);
            return -1;
        }
        p->rs485_active = 1;
    }
    p->sp = sp;
    p->fd = fd;
    p->ops = &sp_ops;
    return 0;
}

int port_list(FILE *out)
{
    struct sp_port **ports = NULL;
    int n = 0;
    if (sp_list_ports(&ports) != SP_OK)
        return -1;
    for (; ports[n]; n++) {
        const char *desc = sp_get_port_description(ports[n]);
        enum sp_transport t = sp_get_port_transport(ports[n]);
        fprintf(out, "%-20s %-8s %s\n", sp_get_port_name(ports[n]),
                t == SP_TRANSPORT_USB ? "usb" : t == SP_TRANSPORT_BLUETOOTH ? "bt" : "native",
                desc ? desc : "");
    }
    sp_free_port_list(ports);
    return n;
}

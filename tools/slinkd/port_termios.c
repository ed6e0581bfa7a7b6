/* termios back-end: pseudo-terminals (socat pairs, QEMU -serial pty) and any
 * tty libserialport cannot open.  Also home of the RS485 ioctl, which both
 * back-ends use on their fd. */
#include "port.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <linux/serial.h>

int port_is_virtual(const char *path)
{
    char real[PATH_MAX], sys[PATH_MAX + 32], tmp[PATH_MAX];
    struct stat st;
    if (!realpath(path, real))
        return 0;
    if (!strncmp(real, "/dev/pts/", 9) || !strcmp(real, "/dev/ptmx"))
        return 1;
    if (stat(real, &st) != 0 || !S_ISCHR(st.st_mode))
        return 1;
    snprintf(tmp, sizeof tmp, "%s", real);
    snprintf(sys, sizeof sys, "/sys/class/tty/%s/device", basename(tmp));
    /* Real UARTs and USB adapters have a device link in sysfs; virtual
     * ttys (pty, vt, tty0tty-style) do not. */
    return access(sys, F_OK) != 0;
}

static speed_t speed_for(uint32_t baud)
{
    switch (baud) {
    case 50: return B50; case 75: return B75; case 110: return B110; case 134: return B134;
    case 150: return B150; case 200: return B200; case 300: return B300; case 600: return B600;
    case 1200: return B1200; case 1800: return B1800; case 2400: return B2400;
    case 4800: return B4800; case 9600: return B9600; case 19200: return B19200;
    case 38400: return B38400; case 57600: return B57600; case 115200: return B115200;
    case 230400: return B230400; case 460800: return B460800; case 500000: return B500000;
    case 576000: return B576000; case 921600: return B921600; case 1000000: return B1000000;
    case 1152000: return B1152000; case 1500000: return B1500000; case 2000000: return B2000000;
    case 2500000: return B2500000; case 3000000: return B3000000; case 3500000: return B3500000;
    case 4000000: return B4000000;
    default: return 0;
    }
}

int port_set_rs485(int fd, const port_params *pp, char *err, size_t cap)
{
    struct serial_rs485 rs;
    memset(&rs, 0, sizeof rs);
    rs.flags = SER_RS485_ENABLED |
               (pp->rts_on_send ? SER_RS485_RTS_ON_SEND : SER_RS485_RTS_AFTER_SEND);
    /* a transceiver that needs time to turn around (ms; the kernel caps
     * them at 100) */
    rs.delay_rts_before_send = pp->rts_delay_before_ms;
    rs.delay_rts_after_send = pp->rts_delay_after_ms;
    if (ioctl(fd, TIOCSRS485, &rs) != 0) {
        snprintf(err, cap, "RS485 direction control (TIOCSRS485) not offered by this driver: %s",
                 strerror(errno));
        return -1;
    }
    return 0;
}

static ssize_t t_read(port *p, void *buf, size_t n)
{
    ssize_t r = read(p->fd, buf, n);
    if (r > 0)
        return r;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    /* 0 (hang-up on a pty whose master went away) or EIO: the line is gone. */
    return -1;
}

static ssize_t t_write(port *p, const void *buf, size_t n)
{
    ssize_t r = write(p->fd, buf, n);
    if (r >= 0)
        return r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return -1;
}

static void t_close(port *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

static const port_ops termios_ops = { "termios", t_read, t_write, t_close };

int port_termios_open(port *p, const port_params *pp, char *err, size_t cap)
{
    struct termios tio;
    speed_t sp = speed_for(pp->baud);
    int fd = open(pp->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    int virt = port_is_virtual(pp->path);
    if (fd < 0) {
        snprintf(err, cap, "cannot open %s: %s", pp->path, strerror(errno));
        return -1;
    }
    if (tcgetattr(fd, &tio) != 0) {
        snprintf(err, cap, "%s is not a terminal: %s", pp->path, strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= (tcflag_t)~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    switch (pp->data_bits) {
    case 5: tio.c_cflag |= CS5; break;
    case 6: tio.c_cflag |= CS6; break;
    case 7: tio.c_cflag |= CS7; break;
    default: tio.c_cflag |= CS8; break;
    }
    if (pp->parity == 'e') tio.c_cflag |= PARENB;
    if (pp->parity == 'o') tio.c_cflag |= PARENB | PARODD;
    if (pp->stop_bits == 2) tio.c_cflag |= CSTOPB;
    if (pp->flow == 1) tio.c_cflag |= CRTSCTS;
    if (pp->flow == 2) tio.c_iflag |= IXON | IXOFF;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (sp) {
        cfsetispeed(&tio, sp);
        cfsetospeed(&tio, sp);
    } else if (!virt) {
        /* A pty has no line rate; a real UART must get the one asked for. */
        snprintf(err, cap, "%s: baud %u is not a standard rate (the termios path needs one)",
                 pp->path, (unsigned)pp->baud);
        close(fd);
        return -1;
    }
    if (tcsetattr(fd, TCSANOW, &tio) != 0) {
        snprintf(err, cap, "%s: cannot set line parameters: %s", pp->path, strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    if (pp->rs485) {
        if (port_set_rs485(fd, pp, err, cap) != 0) {
            close(fd);
            return -1;
        }
        p->rs485_active = 1;
    }
    p->fd = fd;
    p->ops = &termios_ops;
    return 0;
}

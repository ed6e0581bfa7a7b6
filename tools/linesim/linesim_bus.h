/* slink-linesim --bus: N pseudo-terminals on one shared half-duplex medium
 * (bus_model.h).  linesim.c hands over when it sees --bus. */
#ifndef SLINK_LINESIM_BUS_H
#define SLINK_LINESIM_BUS_H

#include <stddef.h>

int linesim_bus_main(int argc, char **argv);

/* Shared with the two-endpoint mode (linesim.c). */
int linesim_set_raw(int fd);
int linesim_set_nonblock(int fd);
int linesim_make_pty(int *master, int *hold, char *path, size_t cap);

#endif

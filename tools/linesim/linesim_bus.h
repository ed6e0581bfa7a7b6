/* slink-linesim --bus: N pseudo-terminals on one shared half-duplex medium
 * (bus_model.h).  linesim.c hands over when it sees --bus. */
#ifndef SLINK_LINESIM_BUS_H
#define SLINK_LINESIM_BUS_H

#include <stddef.h>
#include <stdint.h>

int linesim_bus_main(int argc, char **argv);

/* Shared with the two-endpoint mode (linesim.c). */
int linesim_set_raw(int fd);
int linesim_set_nonblock(int fd);
int linesim_make_pty(int *master, int *hold, char *path, size_t cap);
/* Whole-string numbers for the command line: 0, or -1 if s is not one. */
int linesim_parse_double(const char *s, double *out);
int linesim_parse_u64(const char *s, uint64_t *out);

#endif

#include "keylog.h"

#include <fcntl.h>
#include <unistd.h>

FILE *keylog_open(const char *path)
{
    /* 0600 and append: secrets must not become readable by others. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    FILE *f;
    if (fd < 0)
        return NULL;
    f = fdopen(fd, "a");
    if (!f)
        close(fd);
    return f;
}

void keylog_write(FILE *f, unsigned sender, unsigned receiver, unsigned epoch,
                  const uint8_t secret[32])
{
    int i;
    if (!f)
        return;
    fprintf(f, "SLINK_TRAFFIC %u %u %u ", sender, receiver, epoch);
    for (i = 0; i < 32; i++)
        fprintf(f, "%02x", secret[i]);
    fputc('\n', f);
    fflush(f);
}

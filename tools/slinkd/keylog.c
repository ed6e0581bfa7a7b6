#include "keylog.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *keylog_open(const char *path)
{
    /* A new file only, mode 0600: O_EXCL refuses an existing file (whose
     * mode, owner or readers we do not control) and, with O_NOFOLLOW, a
     * symlink planted at the path (even a dangling one).  Secrets never go
     * into a file someone else prepared. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    struct stat st;
    FILE *f;
    if (fd < 0)
        return NULL;
    /* the umask can only narrow 0600; check what we got anyway */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        int e = errno ? errno : EPERM;
        close(fd);
        unlink(path);
        errno = e;
        return NULL;
    }
    f = fdopen(fd, "w");
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

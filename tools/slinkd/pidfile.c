/* --pidfile (pidfile.h). */
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int pidfile_open(const char *path, char *err, size_t cap)
{
    struct stat st;
    /* O_NOFOLLOW: a symlink planted at PATH must not make root write
     * elsewhere; no O_TRUNC before the lock: a running daemon's id stays */
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, cap, "pidfile %s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, cap, "pidfile %s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, cap, "pidfile %s: %s", path,
                 errno == EWOULDBLOCK ? "locked: another slinkd is running with this pidfile" : strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int pidfile_write(int fd)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (n <= 0 || ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != (ssize_t)n)
        return -1;
    return 0;
}

void pidfile_remove(int fd, const char *path)
{
    if (fd < 0)
        return;
    if (unlink(path) != 0 && ftruncate(fd, 0) != 0) {
        /* neither: nothing more to do at exit */
    }
    close(fd);   /* releases the lock */
}

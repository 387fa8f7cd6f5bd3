#include "xpcs/core/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpcs/core/status.h"

static const char *kind(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a plain file";
}

/* An open descriptor of the regular file path, or -1 with why. */
static int open_regular(const char *path, char *why, size_t n)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "%s", strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fstat(fd, &sb) != 0)
            snprintf(why, n, "%s", strerror(errno));
        else
            snprintf(why, n, "%s, not a regular file", kind(sb.st_mode));
        close(fd);
        return -1;
    }
    return fd;
}

int xpcs_input_open(const char *path, char *why, size_t n)
{
    int fd = open_regular(path, why, n);
    if (fd >= 0) /* a regular file: blocking reads from here on */
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

int xpcs_input_regular(const char *path, char *why, size_t n)
{
    int fd = open_regular(path, why, n);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int xpcs_input_slurp(const char *path, size_t max, char **text, size_t *len, char *why, size_t n)
{
    *text = NULL;
    *len = 0;
    int fd = xpcs_input_open(path, why, n);
    if (fd < 0)
        return -1;
    size_t cap = max < 65536 ? max + 1 : 65536, got = 0;
    char *buf = xpcs_malloc(cap + 1);
    for (;;) {
        if (got == cap) {
            if (cap > max) {
                snprintf(why, n, "larger than %zu bytes", max);
                break;
            }
            cap = cap * 2 < max + 1 ? cap * 2 : max + 1;
            char *b = realloc(buf, cap + 1);
            if (!b) {
                snprintf(why, n, "larger than the memory at hand");
                break;
            }
            buf = b;
        }
        ssize_t r = read(fd, buf + got, cap - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(why, n, "%s", strerror(errno));
            break;
        }
        if (r == 0) {
            close(fd);
            buf[got] = '\0';
            *text = buf;
            *len = got;
            return 0;
        }
        got += (size_t)r;
    }
    close(fd);
    free(buf);
    return -1;
}

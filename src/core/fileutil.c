#include "xpcs/core/fileutil.h"

#include "xpcs/core/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *xpcs_errno_name(int e)
{
    switch (e) {
    case ENOSPC:
        return "ENOSPC";
    case EDQUOT:
        return "EDQUOT";
    case EROFS:
        return "EROFS";
    case EIO:
        return "EIO";
    case EFBIG:
        return "EFBIG";
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case EEXIST:
        return "EEXIST";
    case ENOENT:
        return "ENOENT";
    case ELOOP:
        return "ELOOP";
    case EISDIR:
        return "EISDIR";
    case ENOTDIR:
        return "ENOTDIR";
    case EXDEV:
        return "EXDEV";
    case ENAMETOOLONG:
        return "ENAMETOOLONG";
    case EINTR:
        return "EINTR";
    default:
        return "errno";
    }
}

xpcs_status xpcs_fail_errno(xpcs_err *err, xpcs_status code, const char *file, const char *what,
                            int e)
{
    const char *name = xpcs_errno_name(e);
    if (strcmp(name, "errno") == 0)
        return xpcs_fail(err, code, "%s: cannot %s: %s (errno %d)", file, what, strerror(e), e);
    return xpcs_fail(err, code, "%s: cannot %s: %s (%s)", file, what, strerror(e), name);
}

int xpcs_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        if (k == 0)
            return EIO;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

xpcs_status xpcs_copy_to_fd(const char *src, const char *role, int fd, const char *dst,
                            xpcs_err *err)
{
    char why[256];
    int in = xpcs_input_open(src, why, sizeof why); /* a FIFO in its place never blocks */
    if (in < 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read the %s: %s", src, role, why);
    const size_t block = (size_t)1 << 20;
    char *buf = xpcs_malloc(block);
    xpcs_status st = XPCS_OK;
    for (;;) {
        ssize_t n = read(in, buf, block);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read the %s: %s", src, role,
                           strerror(errno));
            break;
        }
        if (n == 0)
            break;
        int e = xpcs_write_all(fd, buf, (size_t)n);
        if (e) {
            st = xpcs_fail_errno(err, XPCS_ERR_OUTPUT, dst, "write", e);
            break;
        }
    }
    free(buf);
    close(in);
    return st;
}

int xpcs_mkdir_p(const char *dir, unsigned mode)
{
    char buf[4096];
    const size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return ENAMETOOLONG;
    memcpy(buf, dir, n + 1);
    for (char *c = buf + 1;; c++) {
        const int end = *c == '\0';
        if (!end && *c != '/')
            continue;
        *c = '\0';
        if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
            return errno;
        struct stat sb;
        if (stat(buf, &sb) != 0)
            return errno;
        if (!S_ISDIR(sb.st_mode))
            return ENOTDIR;
        if (end)
            return 0;
        *c = '/';
    }
}

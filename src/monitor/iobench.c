#include "xpcs/monitor/iobench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IOBENCH_BLOCK ((size_t)4 << 20) /* larger blocks fall out of the cache on tmpfs */

xpcs_status xpcs_iobench_read(const xpcs_comm *c, const char *path, double bytes, double *gbps,
                              double *read_bytes, xpcs_err *err)
{
    *gbps = 0.0;
    *read_bytes = 0.0;
    xpcs_status st = XPCS_OK;
    int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open for the bandwidth measurement: %s",
                       path, strerror(errno));
    st = xpcs_comm_agree(c, st, err);
    if (st) {
        if (fd >= 0)
            close(fd);
        return st;
    }
    double total = (double)sb.st_size;
    if (bytes > 0 && bytes < total)
        total = bytes;
    const int n = xpcs_comm_size(c), r = xpcs_comm_rank(c);
    const off_t lo = (off_t)(total * r / n), hi = (off_t)(total * (r + 1) / n);
    posix_fadvise(fd, lo, hi - lo, POSIX_FADV_DONTNEED);
    char *buf = xpcs_malloc(IOBENCH_BLOCK);
    xpcs_comm_barrier(c);
    double t[2] = {xpcs_comm_wtime(), 0.0};
    for (off_t at = lo; at < hi && !st;) {
        size_t want = (size_t)(hi - at) < IOBENCH_BLOCK ? (size_t)(hi - at) : IOBENCH_BLOCK;
        ssize_t got = pread(fd, buf, want, at);
        if (got <= 0)
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: read failed at byte %lld: %s", path,
                           (long long)at, got < 0 ? strerror(errno) : "unexpected end of file");
        else
            at += got;
    }
    t[1] = xpcs_comm_wtime();
    posix_fadvise(fd, lo, hi - lo, POSIX_FADV_DONTNEED);
    free(buf);
    close(fd);
    st = xpcs_comm_agree(c, st, err);
    if (st)
        return st;
    double start = t[0], end = t[1];
    xpcs_comm_allreduce_min_double(c, &start, 1);
    xpcs_comm_allreduce_max_double(c, &end, 1);
    *read_bytes = total;
    *gbps = end > start ? total / (end - start) / 1e9 : 0.0;
    return XPCS_OK;
}

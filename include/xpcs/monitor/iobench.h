/* iobench: what the storage delivers to a bare read, for the I/O health
 * indicator (read bandwidth of the run / bandwidth of a bare read).
 *
 * Collective: the ranks read disjoint, contiguous shares of the first
 * `bytes` bytes of a file (the whole file when bytes <= 0 or larger) with
 * plain pread() calls of 4 MiB, after a barrier.  Bandwidth = bytes / (last
 * rank's end - first rank's start).  Before and after, each rank asks the
 * kernel to drop its share from the page cache (posix_fadvise DONTNEED), so
 * neither this read nor the run that follows is served by a cache the other
 * one filled (no effect on tmpfs, where both read memory).
 */
#ifndef XPCS_IOBENCH_H
#define XPCS_IOBENCH_H

#include "xpcs/parallel/comm.h"
#include "xpcs/core/status.h"

/* Same *gbps (1e9 bytes/s) and *read_bytes on every rank; errors agreed. */
xpcs_status xpcs_iobench_read(const xpcs_comm *c, const char *path, double bytes, double *gbps,
                              double *read_bytes, xpcs_err *err);

#endif

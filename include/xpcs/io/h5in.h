/* h5in: every HDF5 read of the engine.
 *
 *  - the q-map file (/qmap), read by one rank with the serial driver; its
 *    labels must be whole bin numbers 0..pixels (NaN, infinite, negative and
 *    larger labels are named), mask values NaN or infinite are not valid;
 *  - the raw frame stack [frames, rows, cols]: rank 0 first checks its
 *    storage with the serial driver (h5check.h: extents inside the file,
 *    every chunk in the index, VDS sources present), then every rank opens
 *    it with the MPI-IO driver (collective metadata; a virtual dataset with
 *    the serial driver) and reads its own frames with independent transfers
 *    (H5FD_MPIO_INDEPENDENT): a read that fails, fails on its rank alone,
 *    and the ranks agree after the step (issue 17: inside a collective read
 *    the others waited forever).  A file that shrinks while it is read is an
 *    error, not frames of zeros.
 * Input files must be regular files (core/infile.h): a FIFO is refused at
 * once.
 */
#ifndef XPCS_H5IN_H
#define XPCS_H5IN_H

#include <stdint.h>

#include "xpcs/parallel/comm.h"
#include "xpcs/plan/qmap.h"
#include "xpcs/core/status.h"

/* Silences HDF5's own error printing (call once per process). */
void xpcs_h5_quiet(void);
/* The innermost message on the current HDF5 error stack, or "". */
void xpcs_h5_last_error(char *buf, size_t n);

/* Reads /qmap of path into q (mask, dynamic and static maps, blemish folded
 * into the mask, the hash attribute) and builds it.  Serial. */
xpcs_status xpcs_h5in_read_qmap(const char *path, xpcs_qmap *q, xpcs_err *err);

typedef struct xpcs_raw xpcs_raw;

/* Collective over c: opens path and dataset (3-D unsigned 8/16/32-bit). */
xpcs_status xpcs_raw_open(const xpcs_comm *c, const char *path, const char *dataset, xpcs_raw **out,
                          xpcs_err *err);
void xpcs_raw_close(xpcs_raw **r);
void xpcs_raw_dims(const xpcs_raw *r, int64_t *frames, int64_t *rows, int64_t *cols);
xpcs_dtype xpcs_raw_type(const xpcs_raw *r);
/* The dataset's filters and who decodes them (h5filters.h), "" if none. */
const char *xpcs_raw_filters(const xpcs_raw *r);
/* Frames per chunk of the dataset (its chunk's first dimension), 0 if it is
 * not chunked.  A read decodes every chunk it touches, so reads that split
 * a chunk decode it more than once. */
int64_t xpcs_raw_chunk_frames(const xpcs_raw *r);

/* This rank's read (independent: the caller agrees afterwards): `count`
 * raw frames first, first+stride, ... into buf ([count][rows][cols] of the
 * raw type).  count may be 0. */
xpcs_status xpcs_raw_read(xpcs_raw *r, int64_t first, int64_t stride, int64_t count, void *buf,
                          xpcs_err *err);

#endif

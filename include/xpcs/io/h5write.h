/* h5write: serial HDF5 files whose bytes depend only on what is written
 * (xpcs-synth's data sets): groups and datasets carry no time stamps, the
 * file types are little-endian, and every failure names the file and the
 * object.  HDF5's own error printing is off while a file is open (the
 * previous setting comes back when it is closed).  One process, the default
 * file driver.
 *
 * Datasets: rank 0 = scalar, else dims[0..rank-1] (at most 8); groups on the
 * way must exist (xpcs_h5w_group).  A frame stack is a chunked
 * [frames, rows, cols] dataset written a block of frames at a time.
 */
#ifndef XPCS_H5WRITE_H
#define XPCS_H5WRITE_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/publish.h"
#include "xpcs/core/status.h"

typedef struct xpcs_h5w xpcs_h5w;

/* Creates the file in the temporary of p (core/publish.h; the caller
 * publishes or abandons it after xpcs_h5w_close).  Messages name p's final
 * name; a write that fails names its cause (ENOSPC, ...). */
xpcs_status xpcs_h5w_create(xpcs_publish *p, xpcs_h5w **out, xpcs_err *err);
/* Closes the file (flushed; after a failure discarded, h5pub.h) and frees
 * *w (NULL afterwards): returns st, or the close failure when st is
 * XPCS_OK. */
xpcs_status xpcs_h5w_close(xpcs_h5w **w, xpcs_status st, xpcs_err *err);

xpcs_status xpcs_h5w_group(xpcs_h5w *w, const char *path, xpcs_err *err);
xpcs_status xpcs_h5w_f64(xpcs_h5w *w, const char *path, int rank, const int64_t *dims,
                         const double *v, xpcs_err *err);
xpcs_status xpcs_h5w_i32(xpcs_h5w *w, const char *path, int rank, const int64_t *dims,
                         const int32_t *v, xpcs_err *err);
xpcs_status xpcs_h5w_i64(xpcs_h5w *w, const char *path, int rank, const int64_t *dims,
                         const int64_t *v, xpcs_err *err);
/* One scalar fixed-length, NUL-terminated string. */
xpcs_status xpcs_h5w_str(xpcs_h5w *w, const char *path, const char *s, xpcs_err *err);
/* n strings as a 1-D fixed-length string array (the longest sets the width). */
xpcs_status xpcs_h5w_strs(xpcs_h5w *w, const char *path, const char *const *s, int n,
                          xpcs_err *err);
/* String attribute `name` on the object at path obj. */
xpcs_status xpcs_h5w_attr_str(xpcs_h5w *w, const char *obj, const char *name, const char *s,
                              xpcs_err *err);

typedef struct xpcs_h5w_stack xpcs_h5w_stack;

/* Creates the [frames, rows, cols] dataset path of type (XPCS_DT_U8, U16,
 * U32 or F64) in chunks of [chunk_frames, rows, cols], deflated at level
 * gzip (0 = none). */
xpcs_status xpcs_h5w_stack_create(xpcs_h5w *w, const char *path, xpcs_dtype type, int64_t frames,
                                  int64_t rows, int64_t cols, int64_t chunk_frames, int gzip,
                                  xpcs_h5w_stack **out, xpcs_err *err);
/* Frames first .. first + n - 1 from buf ([n][rows][cols] of the type). */
xpcs_status xpcs_h5w_stack_write(xpcs_h5w_stack *s, int64_t first, int64_t n, const void *buf,
                                 xpcs_err *err);
/* Closes the dataset and frees *s (NULL afterwards; NULL is fine): returns
 * st, or the close failure when st is XPCS_OK. */
xpcs_status xpcs_h5w_stack_close(xpcs_h5w_stack **s, xpcs_status st, xpcs_err *err);

/* out: a copy of the q-map file qmap with /qmap/mask replaced by mask
 * [n_pixels] (the data-quality auto mask) and "-automask" added to its hash
 * (the viewer keys q-maps by it); published whole (core/publish.h). */
xpcs_status xpcs_h5w_qmap_masked(const char *qmap, const char *out, const int32_t *mask,
                                 int64_t n_pixels, xpcs_err *err);

#endif

/* h5read: read-only access to an HDF5 file (results, raw stacks' shapes),
 * serial, one process -- the readers xpcs-report, xpcs-average, xpcs-fit
 * and the batch scheduler share.
 *
 * Paths are absolute ("/xpcs/multitau/delay_list"); a path exists when every
 * component of it exists.  A failure returns XPCS_ERR_INPUT with one line
 * that names the file, the dataset and `expect`, the caller's words for what
 * it needs (NULL: the function's own, e.g. "a numeric dataset"):
 *   FILE: cannot open: expected EXPECT (HDF5: reason)
 *   FILE: dataset PATH is missing: expected EXPECT
 *   FILE: PATH is not a dataset: expected EXPECT
 *   FILE: dataset PATH is not numeric: expected EXPECT
 *   FILE: dataset PATH has N elements: expected EXPECT   (scalars)
 *   FILE: cannot read dataset PATH (HDF5: reason)
 * Strings are read in the file's own character set (ASCII or UTF-8), fixed
 * or variable length; a fixed-length string keeps all its stored
 * characters (no terminating NUL needed in the file).
 */
#ifndef XPCS_H5READ_H
#define XPCS_H5READ_H

#include <stddef.h>
#include <stdint.h>

#include "xpcs/core/status.h"

/* HDF5's own limit on dataset rank (H5S_MAX_RANK). */
#define XPCS_H5R_MAX_RANK 32

typedef enum {
    XPCS_H5R_OTHER = 0, /* compound, enum, opaque, reference, ... */
    XPCS_H5R_INTEGER,
    XPCS_H5R_FLOAT,
    XPCS_H5R_STRING
} xpcs_h5r_class;

/* Shape and type of one dataset. */
typedef struct {
    xpcs_h5r_class cls;
    int rank;                        /* 0: scalar */
    int64_t dims[XPCS_H5R_MAX_RANK]; /* dims[0 .. rank) */
    int64_t count;                   /* elements: the product of dims, 1 for a scalar */
    size_t elem_size;                /* bytes per stored element */
    int vlen;                        /* 1: variable-length strings */
    int64_t chunk_rows;              /* chunked: rows of a chunk (read whole strips of them); 0 */
} xpcs_h5r_info;

typedef struct xpcs_h5r xpcs_h5r; /* an open file, read-only */

xpcs_status xpcs_h5r_open(const char *path, const char *expect, xpcs_h5r **out, xpcs_err *err);
void xpcs_h5r_close(xpcs_h5r **f);
/* The name the file was opened with (for messages). */
const char *xpcs_h5r_name(const xpcs_h5r *f);

/* 1 when every component of path exists (a dataset, group or link). */
int xpcs_h5r_exists(const xpcs_h5r *f, const char *path);
/* 1 when path exists and is a group. */
int xpcs_h5r_is_group(const xpcs_h5r *f, const char *path);
/* The link names in group path, in increasing name order (*names: malloc'd,
 * free with xpcs_h5r_free_strings; *n may be 0). */
xpcs_status xpcs_h5r_list(const xpcs_h5r *f, const char *path, const char *expect, char ***names,
                          int *n, xpcs_err *err);

xpcs_status xpcs_h5r_stat(const xpcs_h5r *f, const char *path, const char *expect,
                          xpcs_h5r_info *info, xpcs_err *err);

/* The whole numeric dataset (integer or float) converted to double / int64
 * in C order, *out malloc'd (at least one element); info (may be NULL)
 * receives its shape. */
xpcs_status xpcs_h5r_f64(const xpcs_h5r *f, const char *path, const char *expect, double **out,
                         xpcs_h5r_info *info, xpcs_err *err);
xpcs_status xpcs_h5r_i64(const xpcs_h5r *f, const char *path, const char *expect, int64_t **out,
                         xpcs_h5r_info *info, xpcs_err *err);
/* A numeric dataset of exactly one element (any rank). */
xpcs_status xpcs_h5r_f64_scalar(const xpcs_h5r *f, const char *path, const char *expect, double *v,
                                xpcs_err *err);
xpcs_status xpcs_h5r_i64_scalar(const xpcs_h5r *f, const char *path, const char *expect, int64_t *v,
                                xpcs_err *err);
/* Rows first .. first + count - 1 of a 2-D numeric dataset [rows, cols] as
 * double into buf ([count][cols]). */
xpcs_status xpcs_h5r_rows_f64(const xpcs_h5r *f, const char *path, const char *expect,
                              int64_t first, int64_t count, double *buf, xpcs_err *err);

/* Every string of a string dataset (scalar or any rank, C order): *out
 * malloc'd strings (NULL when *n is 0), free with xpcs_h5r_free_strings. */
xpcs_status xpcs_h5r_strings(const xpcs_h5r *f, const char *path, const char *expect, char ***out,
                             int *n, xpcs_err *err);
/* The (first) string of attribute `name` of the object at obj, malloc'd. */
xpcs_status xpcs_h5r_attr_string(const xpcs_h5r *f, const char *obj, const char *name,
                                 const char *expect, char **out, xpcs_err *err);
void xpcs_h5r_free_strings(char **s, int n);

#endif

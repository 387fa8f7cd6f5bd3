/* h5extra: datasets of the /xpcs/linear and /xpcs/twotime groups (and any
 * other), written into the result file that h5out has open (serial HDF5,
 * one rank) by the stages that computed them.  Every function names the file
 * and the dataset in its error message. */
#ifndef XPCS_H5EXTRA_H
#define XPCS_H5EXTRA_H

#include <stdint.h>

#include "xpcs/io/h5out.h"
#include "xpcs/io/mapz.h"
#include "xpcs/core/status.h"

/* dims has `rank` entries; rank 0 = scalar.  Intermediate groups are created. */
xpcs_status xpcs_h5x_f64(xpcs_resfile *w, const char *path, int rank, const int64_t *dims,
                         const double *data, xpcs_err *err);
xpcs_status xpcs_h5x_i64(xpcs_resfile *w, const char *path, int rank, const int64_t *dims,
                         const int64_t *data, xpcs_err *err);
xpcs_status xpcs_h5x_str(xpcs_resfile *w, const char *path, const char *text, xpcs_err *err);
/* An external link at path to object in file (a name relative to the
 * result's folder, as boost_corr links its _G2.hdf). */
xpcs_status xpcs_h5x_extlink(xpcs_resfile *w, const char *path, const char *file,
                             const char *object, xpcs_err *err);

/* The options and provenance every config group holds: avg_frame,
 * stride_frame, begin_frame, end_frame (resolved raw range),
 * normalize_frame, type, analysis_type, dq_selection, raw, qmap, output,
 * dataset, n_ranks, n_threads_per_rank, plan, version, and the provenance
 * group build/ (h5util: xpcs_h5_put_build), under group/. */
xpcs_status xpcs_h5x_config(xpcs_resfile *w, const char *group, const xpcs_result *r,
                            const char *type_name, xpcs_err *err);

/* The two-time maps (io/mapz.h): an (n, n) float32 (IEEE little-endian)
 * dataset at path, chunked and compressed as s says, no chunk written yet. */
xpcs_status xpcs_h5x_map_create(xpcs_resfile *w, const char *path, int64_t n,
                                const xpcs_mapz_spec *s, xpcs_err *err);
/* Chunk (ci, cj) of that map as compressed by xpcs_mapz_pack (n bytes, the
 * filter mask), written as it is. */
xpcs_status xpcs_h5x_map_chunk(xpcs_resfile *w, const char *path, int64_t ci, int64_t cj,
                               int64_t chunk, const void *bytes, size_t n, uint32_t mask,
                               xpcs_err *err);
/* Chunk (ci, cj) of that map reserved, not written: n bytes of file space
 * (the disk space too) and the chunk's index entry with its filter mask;
 * *addr = the chunk's byte offset in the result's temporary file, where
 * the rank that compressed it writes its bytes (xpcs_resfile_tmp).  The
 * file must have been created with others_write_maps. */
xpcs_status xpcs_h5x_map_reserve(xpcs_resfile *w, const char *path, int64_t ci, int64_t cj,
                                 int64_t chunk, size_t n, uint32_t mask, int64_t *addr,
                                 xpcs_err *err);
/* Rows [r0, r0 + nr) at columns col0..n-1 (nr x (n - col0) floats), through
 * HDF5's filter (for chunk rows shared by two ranks' tiles). */
xpcs_status xpcs_h5x_map_rows(xpcs_resfile *w, const char *path, int64_t n, int64_t r0, int64_t nr,
                              int64_t col0, const void *rows, xpcs_err *err);

#endif

/* h5extra: datasets of the /xpcs/linear and /xpcs/twotime groups (and any
 * other), written into the result file that h5out has open (serial HDF5,
 * one rank) by the stages that computed them.  Every function names the file
 * and the dataset in its error message. */
#ifndef XPCS_H5EXTRA_H
#define XPCS_H5EXTRA_H

#include <stdint.h>

#include "xpcs/io/h5out.h"
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

/* Rows [r0, r1) of the (n, n) float32 dataset at path (created by the
 * first call): row i holds the packed upper-triangle row i of tri (n - i
 * values, rows r0.. one after the other) at columns i..n-1 and zeros
 * before. */
xpcs_status xpcs_h5x_upper_rows(xpcs_resfile *w, const char *path, int64_t n, int64_t r0,
                                int64_t r1, const float *tri, xpcs_err *err);
/* An (n, n) float32 (IEEE little-endian) map at path, contiguous, its
 * storage allocated now and not filled; *offset: its first byte in the
 * file, where the ranks that own its rows write them (row i at offset +
 * 4 n i) between xpcs_resfile_pause and xpcs_resfile_resume. */
xpcs_status xpcs_h5x_map_alloc(xpcs_resfile *w, const char *path, int64_t n, int64_t *offset,
                               xpcs_err *err);
/* The whole map (rows 0..n-1, xpcs_twotime_pack_upper). */
xpcs_status xpcs_h5x_upper_map(xpcs_resfile *w, const char *path, int64_t n, const float *tri,
                               xpcs_err *err);

#endif

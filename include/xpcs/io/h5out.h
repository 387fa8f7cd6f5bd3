/* h5out: the result file, in the APS nexus layout that pyXpcsViewer reads.
 *
 * Written by one rank with the serial driver into a temporary of its own
 * (core/publish.h), published under the final name only when complete
 * (xpcs_resfile_commit); on any error the temporary file is removed.
 * Layout (see README "Result file"):
 *   /entry/...                       copied byte for byte from the
 *                                    <raw stem>_metadata.hdf beside the raw file,
 *                                    or a minimal /entry from the options
 *   /xpcs/qmap                       copied from the q-map file's /qmap (+hash)
 *   /xpcs/rawdata_path
 *   /xpcs/multitau/delay_list        (n_tau,) int64, frames after stride/avg
 *                                    (the multitau group only when n_delays > 0)
 *   /xpcs/multitau/normalized_g2     (n_tau, n_dq) float64
 *   /xpcs/multitau/normalized_g2_err (n_tau, n_dq) float64
 *   /xpcs/multitau/config/...        options, resolved frame range, plan,
 *                                    effective_config (JSON text)
 *   /xpcs/temporal_mean/scattering_2d          (1, rows, cols)
 *   /xpcs/temporal_mean/scattering_1d          (1, n_static_nonempty)
 *   /xpcs/temporal_mean/scattering_1d_segments (n_seg, n_static_nonempty)
 *   /xpcs/spatial_mean/intensity_vs_time       (2, N) [frame index; mean]
 */
#ifndef XPCS_H5OUT_H
#define XPCS_H5OUT_H

#include <stdint.h>

#include "xpcs/config/config.h"
#include "xpcs/core/status.h"

typedef struct xpcs_result_ {
    const char *raw_path, *qmap_path;
    const char *meta_path; /* NULL: no metadata file, write a minimal /entry */
    const char *out_path;  /* final name */
    double frame_time, count_time;
    /* multitau */
    int n_delays;
    const int64_t *delays;
    int n_dq;
    const double *g2, *g2_err; /* [n_delays][n_dq] */
    /* SAXS and intensity */
    int64_t rows, cols;
    const double *scattering_2d; /* [rows*cols] */
    int n_sq_out;
    const double *scattering_1d; /* [n_sq_out] */
    int n_seg;
    const double *segments; /* [n_seg][n_sq_out] */
    int64_t n_frames;
    const double *int_t; /* [n_frames] */
    /* provenance */
    const xpcs_config *cfg;
    int64_t begin_raw, end_raw;
    const char *plan_json;
    const char *qmap_hash; /* written only if the q-map file had none */
    int n_ranks, n_threads;
    const char *effective_config; /* JSON text (settings.h); NULL: not written */
    const char *kernel;           /* "dense" / "sparse" (NULL: not written) */
    double occupancy;             /* non-zero fraction of pixel-frames, < 0: not measured */
    int others_write_maps;        /* other ranks write two-time map chunks into the file */
} xpcs_result;

/* A result file being written (one rank): the writer is a sink, the
 * pipeline's stages hand it their datasets (h5extra.h) and never get called
 * back. */
typedef struct xpcs_resfile xpcs_resfile;

/* Creates the result's temporary (core/publish.h: a byte copy of the
 * metadata file, or a minimal /entry) and writes the datasets of r listed
 * above; the space they need is reserved first (a full disk is one line,
 * io/h5pub.h). */
xpcs_status xpcs_resfile_create(const xpcs_result *r, xpcs_resfile **out, xpcs_err *err);
/* The result's final name (for messages). */
const char *xpcs_resfile_name(const xpcs_resfile *f);
/* The temporary file's path: other ranks write the chunks reserved with
 * xpcs_h5x_map_reserve there. */
const char *xpcs_resfile_tmp(const xpcs_resfile *f);
/* Closes the file and publishes it under the final name: without -w never
 * over a file that appeared meanwhile (another run's); on failure the
 * temporary file is removed.  *f is NULL afterwards either way. */
xpcs_status xpcs_resfile_commit(xpcs_resfile **f, xpcs_err *err);
/* Closes and removes the temporary file (after an error elsewhere). */
void xpcs_resfile_abandon(xpcs_resfile **f);

#endif

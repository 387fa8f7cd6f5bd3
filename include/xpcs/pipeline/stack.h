/* stack: an in-memory frame stack [frames, rows, cols] correlated in this
 * process -- no MPI, no HDF5, no files (the Python package's correlate(),
 * or any C program).  It is the frame pipeline of xpcs-corr on one rank:
 * the frame selection and the sums of -a frames (plan, pack), the SAXS
 * frame sums and --normalize-frame's scales (saxs), the dense multitau
 * kernel on the q-map's correlated pixels, step by step as the plan cuts
 * the run, and the bin normalization (g2norm).  So g2, its error, the SAXS
 * image and the intensity are bit-identical to xpcs-corr's result for the
 * same frames and q-map (whatever its rank count and kernel).
 *
 * It lives in the pipeline layer because it is a run: it drives the plan
 * and the kernels the way corr.c does, and reuses the pipeline's own frame
 * sums and packing (pack.h); it only leaves out what needs MPI or files.
 */
#ifndef XPCS_STACK_H
#define XPCS_STACK_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"

typedef struct {
    int64_t begin_frame;  /* -b: first frame, negative from the end (0) */
    int64_t end_frame;    /* -e: end, exclusive; -1 = all (-1) */
    int64_t stride_frame; /* -f (1) */
    int64_t avg_frame;    /* -a (1) */
    int normalize_frame;  /* --normalize-frame (0) */
    int threads;          /* OpenMP threads for this call; 0: OpenMP's default */
} xpcs_stack_opts;

typedef struct xpcs_stack_result xpcs_stack_result;

void xpcs_stack_opts_default(xpcs_stack_opts *o);

/* frames: [n_frames][rows][cols] counts of type (uint8, uint16, uint32),
 * C order; mask, dmap, smap: [rows][cols] as a q-map file's /qmap/mask,
 * dynamic_roi_map, static_roi_map (blemish folded into mask).  Errors
 * (XPCS_ERR_USAGE, XPCS_ERR_INPUT) name the argument and what was
 * expected. */
xpcs_status xpcs_stack_correlate(const void *frames, xpcs_dtype type, int64_t n_frames,
                                 int64_t rows, int64_t cols, const int32_t *mask,
                                 const int32_t *dmap, const int32_t *smap, const xpcs_stack_opts *o,
                                 xpcs_stack_result **out, xpcs_err *err);
void xpcs_stack_result_destroy(xpcs_stack_result **r);

/* The result, laid out as in the result file (README "Result file"). */
int xpcs_stack_n_delays(const xpcs_stack_result *r);
int xpcs_stack_n_dq(const xpcs_stack_result *r);
int64_t xpcs_stack_n_frames(const xpcs_stack_result *r); /* output frames */
int xpcs_stack_n_sq(const xpcs_stack_result *r);         /* non-empty static bins */
/* begin_frame, end_frame: the raw range [begin, end) after trimming */
void xpcs_stack_frames(const xpcs_stack_result *r, int64_t *begin, int64_t *end);
const int64_t *xpcs_stack_delay_list(const xpcs_stack_result *r);   /* [n_delays] frames */
const double *xpcs_stack_g2(const xpcs_stack_result *r);            /* [n_delays][n_dq] */
const double *xpcs_stack_g2_err(const xpcs_stack_result *r);        /* [n_delays][n_dq] */
const double *xpcs_stack_scattering_2d(const xpcs_stack_result *r); /* [rows][cols] */
const double *xpcs_stack_scattering_1d(const xpcs_stack_result *r); /* [n_sq] */
const double *xpcs_stack_intensity(const xpcs_stack_result *r);     /* [n_frames] */

#endif

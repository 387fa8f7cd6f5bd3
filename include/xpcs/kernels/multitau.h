/* multitau: the dense multi-tau correlator kernel (no MPI, no HDF5).
 *
 * APS / boost_corr convention, 4 delays per level ("dpl 4"):
 *   level 0 delays 1..8 frames; level L >= 1 delays m * 2^L, m = 5..8.
 *   The list stops at the first delay d = m*2^L with m >= N_L, N_L = N >> L.
 *   Level L frame k = sum of raw frames [k 2^L, (k+1) 2^L) (pairs are summed,
 *   an odd leftover frame never moves up).
 * Per pixel, at level L and local lag m, with n = N_L - m pairs:
 *   G2 = sum_{k=m}^{N_L-1} x(k-m) x(k) / (n 4^L)        [counts^2 / frame^2]
 *   IP = sum of the n LATER level frames   / (n 2^L)     [counts / frame]
 *   IF = sum of the n EARLIER level frames / (n 2^L)
 * (boost_corr names the later window IP; only the product IP*IF is used.)
 *
 * Frames are pushed in time order as frame-major rows [t][pixel].  Pixels are
 * split into fixed tiles owned by one OpenMP thread each, and every pixel's
 * sums are accumulated in double in strict time order, so the result does not
 * depend on the thread count, the number of ranks or how frames are split
 * into pushes.  Integer data below 2^53 is accumulated exactly.
 */
#ifndef XPCS_MULTITAU_H
#define XPCS_MULTITAU_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"

typedef struct xpcs_multitau xpcs_multitau;

/* The delay list for n_frames frames (APS dpl 4).  Returns the number of
 * delays; fills delays[] (in frames), levels[] and lags[] (level-local lag m)
 * when non-NULL; arrays need at most XPCS_MT_MAX_DELAYS entries. */
#define XPCS_MT_MAX_DELAYS 256
int xpcs_multitau_delays(int64_t n_frames, int64_t *delays, int *levels, int *lags);

/* State for n_pixels pixel series of n_frames frames.  Free with _destroy. */
xpcs_status xpcs_multitau_create(int64_t n_frames, int64_t n_pixels, xpcs_multitau **out,
                                 xpcs_err *err);
void xpcs_multitau_destroy(xpcs_multitau **mt);

/* Bytes of state per pixel for n_frames (for memory estimates). */
double xpcs_multitau_bytes_per_pixel(int64_t n_frames);

/* Pushes of fewer frames than this are gathered (a copy) until this many
 * are there: the kernel's cost per push and tile does not depend on the
 * push's size, so small pushes (1M-pixel detectors: steps of a few frames)
 * would cost several times a large one. */
#define XPCS_MT_STAGE_FRAMES 256
/* Bytes per pixel of that gathering for pushes of push_frames frames of
 * elem_size bytes (0 where pushes are large enough to go straight in). */
double xpcs_multitau_stage_bytes_per_pixel(int64_t n_frames, int64_t push_frames, size_t elem_size);

/* Push n_rows frames: rows is [n_rows][ld] elements of type t, columns
 * 0..n_pixels-1 used.  row_scale (NULL = none) multiplies row r.  OpenMP
 * parallel over pixel tiles.  Fewer than XPCS_MT_STAGE_FRAMES frames may be
 * gathered and correlated later (at the latest when all n_frames are in, or
 * at xpcs_multitau_settle). */
void xpcs_multitau_push(xpcs_multitau *mt, const void *rows, xpcs_dtype t, int64_t n_rows,
                        int64_t ld, const double *row_scale);
/* Correlate the frames gathered so far (before xpcs_multitau_result_so_far). */
void xpcs_multitau_settle(xpcs_multitau *mt);

int64_t xpcs_multitau_frames_pushed(const xpcs_multitau *mt);
int xpcs_multitau_n_delays(const xpcs_multitau *mt);
const int64_t *xpcs_multitau_delay_list(const xpcs_multitau *mt);

/* After all n_frames frames: per-pixel G2, IP, IF of delay j ([n_pixels]
 * each).  Returns XPCS_ERR_INTERNAL if frames are missing. */
xpcs_status xpcs_multitau_result(const xpcs_multitau *mt, int j, double *G2, double *IP, double *IF,
                                 xpcs_err *err);
/* Before the end: the same sums for the F frames pushed so far, as a run of
 * F frames gives them (bit for bit); j < xpcs_multitau_delays(F, ...).
 * Returns XPCS_ERR_INTERNAL while frames wait unsettled. */
/* The same for pixels [p0, p1) only, to G2[0 .. p1 - p0) etc., on the
 * calling thread (xpcs_g2norm_fill_pass); p0 == p1 only checks j. */
xpcs_status xpcs_multitau_result_block(const xpcs_multitau *mt, int j, int64_t p0, int64_t p1,
                                       double *G2, double *IP, double *IF, xpcs_err *err);
xpcs_status xpcs_multitau_result_so_far(const xpcs_multitau *mt, int j, double *G2, double *IP,
                                        double *IF, xpcs_err *err);

#endif

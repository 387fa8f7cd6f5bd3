/* twotime: the two-time correlation map of one dynamic bin (no MPI, no HDF5).
 *
 * boost_corr's convention (conventions-verified.md "Two-time"):
 *  1. Smoothing, per frame t: every pixel value is divided by the mean, at
 *     that frame, over its group of pixels (sqmap: the bin's pixels with the
 *     same static label; dqmap: all the bin's pixels; none: no division).
 *     A mean <= 0 is replaced by 1.  Y_p(t) = I_p(t) / mean_group(t).
 *  2. S(t) = sum_p Y_p(t) over the n pixels of the bin (S <= 0 -> 1), and
 *        C(t1, t2) = n * sum_p Y_p(t1) Y_p(t2) / (S(t1) S(t2)).
 *     The sum is one symmetric rank-n update, C = X X^T with X = [N frames x
 *     n pixels] (cblas_dsyrk, upper triangle, double precision), scaled
 *     afterwards.  C is 1 for uncorrelated frames with a constant speckle
 *     pattern and 1 + beta at t1 = t2 for speckle of contrast beta.
 *  3. normalized_g2(k) = mean of the diagonal t2 - t1 = k, k = 0..N-1 (row 0
 *     is lag 0); segments: the same for the 5 diagonal blocks of N/5 frames
 *     (frames [s N/5, (s+1) N/5), s = 0..4).  Sums in double, each diagonal
 *     summed in row order (independent of the thread count).
 * Frame normalization (--normalize-frame) does not change C: a per-frame
 * factor cancels between the numerator and S(t1) S(t2).
 */
#ifndef XPCS_TWOTIME_H
#define XPCS_TWOTIME_H

#include <stdint.h>

#include "xpcs/comm.h"

typedef enum { XPCS_SMOOTH_SQMAP = 0, XPCS_SMOOTH_DQMAP, XPCS_SMOOTH_NONE } xpcs_smooth;

/* "sqmap" / "dqmap" / "none"; returns -1 for anything else. */
int xpcs_smooth_from_name(const char *name);

/* X[t][k] = store[t * ld + col0 + k] as double, t < n_frames, k < n_pix. */
void xpcs_twotime_load(const void *store, xpcs_dtype type, int64_t ld, int64_t col0,
                       int64_t n_frames, int64_t n_pix, double *X);

/* Step 1: columns [group_start[g], group_start[g+1]) form group g. */
void xpcs_twotime_smooth(double *X, int64_t n_frames, int64_t n_pix, const int64_t *group_start,
                         int n_groups);

/* Step 2: C [n_frames][n_frames] row-major, upper triangle (j >= i)
 * written, the rest untouched.  S receives the guarded frame sums.
 * *syrk_seconds (may be NULL) receives the time spent in cblas_dsyrk. */
void xpcs_twotime_correlate(const double *X, int64_t n_frames, int64_t n_pix, double *C, double *S,
                            double *syrk_seconds);

/* Step 3: out[k] = mean of C[i][i+k] over i < n-k, for the n x n block of C
 * at C with row stride ldc (upper triangle read). */
void xpcs_twotime_diag_means(const double *C, int64_t ldc, int64_t n, double *out);
/* seg[k * 5 + s], k < N/5: diagonal means of the 5 diagonal blocks. */
void xpcs_twotime_segments(const double *C, int64_t n, double *seg);

/* Upper triangle rows i = 0..n-1, C[i][i..n-1], as float32 (n(n+1)/2). */
void xpcs_twotime_pack_upper(const double *C, int64_t n, float *tri);
int64_t xpcs_twotime_tri_len(int64_t n);

/* Floating-point operations of the rank-k update: n (n + 1) k. */
double xpcs_twotime_flops(int64_t n_frames, int64_t n_pix);

#endif

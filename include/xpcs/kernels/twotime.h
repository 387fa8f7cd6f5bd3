/* twotime: the two-time correlation map of one dynamic bin (no MPI, no HDF5).
 *
 * boost_corr's convention (conventions-verified.md "Two-time"):
 *  1. Smoothing, per frame t: every pixel value is divided by the mean, at
 *     that frame, over its group of pixels (sqmap: the bin's pixels with the
 *     same static label; dqmap: all the bin's pixels; none: no division).
 *     A mean <= 0 is replaced by 1.  Y_p(t) = I_p(t) / m_g(t).
 *  2. S(t) = sum_p Y_p(t) over the n pixels of the bin (S <= 0 -> 1), and
 *        C(t1, t2) = n * sum_p Y_p(t1) Y_p(t2) / (S(t1) S(t2)).
 *     C is 1 for uncorrelated frames with a constant speckle pattern and
 *     1 + beta at t1 = t2 for speckle of contrast beta.
 *  3. normalized_g2(k) = mean of the diagonal t2 - t1 = k, k = 0..N-1 (row 0
 *     is lag 0); segments: the same for the 5 diagonal blocks of N/5 frames
 *     (frames [s N/5, (s+1) N/5), s = 0..4).  Sums in double, each diagonal
 *     summed in row order (independent of the thread count).
 *
 * How it is computed, so that the dense and the event (sparse) kernels give
 * the same bits: the counts are integers, so the smoothing is applied after
 * the products, per group g of pixels:
 *     T_g(t)      = sum_{p in g} I_p(t)                  (exact integer)
 *     m_g(t)      = T_g(t) / n_g  (<= 0 -> 1; none: 1)
 *     S(t)        = sum_g T_g(t) / m_g(t), in group order (<= 0 -> 1)
 *     G_g(t1, t2) = sum_{p in g} I_p(t1) I_p(t2)         (exact integer)
 *     A(t1, t2)   = sum_g G_g(t1, t2) / (m_g(t1) m_g(t2)), in group order
 *     C(t1, t2)   = A(t1, t2) n / (S(t1) S(t2))
 * G_g and T_g are exact in double (integer sums below 2^53), whatever the
 * order of the additions: the dense kernel gets G_g from OpenBLAS dgemm,
 * the sparse kernel from the pairs of events of each pixel.  A and C then
 * see the same operands in the same order; the terms that are zero (no
 * events) are skipped by the sparse kernel, and adding +0 is the identity.
 * Constant frames give C == 1 exactly.  The result does not depend on the
 * thread count either.
 * Frame normalization (--normalize-frame) does not change C: a per-frame
 * factor cancels between the numerator and S(t1) S(t2), so the raw counts
 * are used.
 */
#ifndef XPCS_TWOTIME_H
#define XPCS_TWOTIME_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/exactsum.h"
#include "xpcs/core/status.h"

typedef enum { XPCS_SMOOTH_SQMAP = 0, XPCS_SMOOTH_DQMAP, XPCS_SMOOTH_NONE } xpcs_smooth;

/* "sqmap" / "dqmap" / "none"; returns -1 for anything else. */
int xpcs_smooth_from_name(const char *name);

/* X[t][k] = store[t * ld + col0 + k] as double, t < n_frames, k < n_pix. */
void xpcs_twotime_load(const void *store, xpcs_dtype type, int64_t ld, int64_t col0,
                       int64_t n_frames, int64_t n_pix, double *X);

/* The pixels of a bin are columns 0..n_pix-1; group g is the columns
 * [gstart[g], gstart[g+1]), gstart[0] = 0, gstart[n_groups] = n_pix
 * (smoothing none: one group of all pixels).  C is [n_frames][n_frames]
 * row-major; the upper triangle (j >= i) is written, the rest untouched. */

/* Dense kernel: X [n_frames][n_pix] holds integer counts as double.
 * *blas_seconds (may be NULL): time spent in cblas_dgemm. */
void xpcs_twotime_dense(const double *X, int64_t n_frames, int64_t n_pix, const int64_t *gstart,
                        int n_groups, xpcs_smooth smooth, double *C, double *blas_seconds);

/* Rows [r0, r1) of the map only (a tile): row i is row[i - r0], of which
 * the elements j >= i are written (row[i - r0][j], j in [i, n_frames): the
 * pointers may point into packed storage).  The bits do not depend on the
 * rows asked for.  *cmax (may be NULL): the largest diagonal value C(i, i)
 * of the whole map, which bounds every element (all are >= 0, and C(i, j)
 * <= max(C(i, i), C(j, j)) by Cauchy-Schwarz over the pixels). */
void xpcs_twotime_dense_rows(const double *X, int64_t n_frames, int64_t n_pix,
                             const int64_t *gstart, int n_groups, xpcs_smooth smooth, int64_t r0,
                             int64_t r1, double *const *row, double *blas_seconds, double *cmax);
void xpcs_twotime_sparse_rows(const int64_t *ptr, const uint32_t *fr, const uint32_t *ct,
                              int64_t n_frames, int64_t n_pix, const int64_t *gstart, int n_groups,
                              xpcs_smooth smooth, int64_t r0, int64_t r1, double *const *row,
                              double *cmax);

/* Event (sparse) kernel: column k's events are frames fr[ptr[k] .. ptr[k+1])
 * (strictly increasing) with counts ct (> 0).  Same bits as the dense
 * kernel on the same counts.  Cost: the pairs of events of each pixel plus
 * O(n_frames) per row. */
void xpcs_twotime_sparse(const int64_t *ptr, const uint32_t *fr, const uint32_t *ct,
                         int64_t n_frames, int64_t n_pix, const int64_t *gstart, int n_groups,
                         xpcs_smooth smooth, double *C);

/* Step 3, exactly (any split of the rows gives the same bits): the sums of
 * every diagonal k, acc[k] = sum_i C(i, i + k), and of the 5 diagonal
 * blocks, seg[k * 5 + s] (k < n/5), as exact digits (exactsum.h) of the
 * exponent xpcs_twotime_diag_exponent(cmax) of the map's bound.  Partial
 * sums over rows [r0, r1) (row[i - r0][j], j >= i) add to acc and seg;
 * partial sums of other rows add by adding their digits; finish divides:
 * g2[k] = acc[k] / (n - k), segment means likewise. */
int xpcs_twotime_diag_exponent(double cmax);
void xpcs_twotime_diag_partial(double *const *row, int64_t n, int64_t r0, int64_t r1, int e,
                               xpcs_xsum *acc, xpcs_xsum *seg);
void xpcs_twotime_diag_finish(const xpcs_xsum *acc, const xpcs_xsum *seg, int64_t n, int e,
                              double *g2, double *seg_means);

/* Step 3 in plain double sums (kept for the unit tests' oracle):
 * out[k] = mean of C[i][i+k] over i < n-k, for the n x n block of C
 * at C with row stride ldc (upper triangle read). */
void xpcs_twotime_diag_means(const double *C, int64_t ldc, int64_t n, double *out);
/* seg[k * 5 + s], k < N/5: diagonal means of the 5 diagonal blocks. */
void xpcs_twotime_segments(const double *C, int64_t n, double *seg);

/* Upper triangle rows i = 0..n-1, C[i][i..n-1], as float32 (n(n+1)/2). */
void xpcs_twotime_pack_upper(const double *C, int64_t n, float *tri);
int64_t xpcs_twotime_tri_len(int64_t n);

/* Floating-point operations of the dense products: n (n + 1) k. */
double xpcs_twotime_flops(int64_t n_frames, int64_t n_pix);
/* Bytes of the dense kernel's work space besides X and C. */
double xpcs_twotime_dense_bytes(int64_t n_frames, int n_groups);

#endif

/* g2norm: per-pixel G2/IP/IF -> per-bin g2 and error (APS convention).
 *
 * For each delay:
 *  1. static bin s:  <G2>_s, <IP>_s, <IF>_s = means over the correlated
 *     pixels of s;  g2_s = <G2>_s / (<IP>_s <IF>_s)  (product 0 -> 1e8, so
 *     g2_s ~ 0, as boost_corr does).
 *  2. dynamic bin q: g2(q) = unweighted mean of g2_s over the non-empty
 *     static bins s mapped to q (sq_to_dq).
 *  3. error(q) = unbiased std (ddof 1) of the per-pixel ratios
 *     g2_p = G2_p / (IP_p IF_p) (product 0 -> divide by 1e8) over the pixels
 *     labelled q, divided by sqrt(n_q).  n_q < 2 -> 0.  Empty bins -> 0.
 * The pixel sums are exact-sum accumulators (exactsum.h), so the result is
 * bit-identical for any rank and thread count.  No MPI here: the caller
 * reduces the exposed arrays (max, then int64 sums) between the phases.
 */
#ifndef XPCS_G2NORM_H
#define XPCS_G2NORM_H

#include <stdint.h>

#include "xpcs/core/status.h"

typedef struct xpcs_g2norm xpcs_g2norm;

/* sq_to_dq[0..n_sq] maps static bins to dynamic bins (0 = none); copied. */
xpcs_g2norm *xpcs_g2norm_create(int n_delays, int n_sq, int n_dq, const int32_t *sq_to_dq);
void xpcs_g2norm_destroy(xpcs_g2norm **g);
/* Bytes one xpcs_g2norm of this size holds (for memory estimates). */
double xpcs_g2norm_bytes(int n_delays, int n_sq, int n_dq);

/* Phase 1, per delay j: record the local maxima of |G2|,|IP|,|IF|,g2_p,g2_p^2.
 * sq[p], dq[p] are the labels of the n local pixels. */
void xpcs_g2norm_scan(xpcs_g2norm *g, int j, int64_t n, const double *G2, const double *IP,
                      const double *IF, const int32_t *sq, const int32_t *dq);
/* The maxima (n_delays*5 doubles): allreduce-MAX them before phase 2. */
double *xpcs_g2norm_maxima(xpcs_g2norm *g, int *count);

/* Phase 2, per delay j: add the local pixels to the exact accumulators. */
void xpcs_g2norm_accumulate(xpcs_g2norm *g, int j, int64_t n, const double *G2, const double *IP,
                            const double *IF, const int32_t *sq, const int32_t *dq);
/* Phase 1 (scan) or 2 (accumulate) with the pixels' values made block by
 * block where they are used: fill(arg, p0, p1, G2, IP, IF) writes pixels [p0, p1)'s
 * values to G2[0 .. p1 - p0) etc. (at most 256 pixels; called from the
 * OpenMP threads, so it must be thread-safe).  A block stays in L1: the
 * per-delay arrays are never written to memory and read back (the event
 * kernel's result of a Rigaku 3M's 1.9M pixels: 45 MB a delay). */
typedef void (*xpcs_g2norm_fill)(void *arg, int64_t p0, int64_t p1, double *G2, double *IP,
                                 double *IF);
void xpcs_g2norm_fill_pass(xpcs_g2norm *g, int phase, int j, int64_t n, xpcs_g2norm_fill fill,
                           void *arg, const int32_t *sq, const int32_t *dq);
/* The accumulators (int64) including pixel counts per bin: sum-reduce them
 * onto the root before phase 3. */
int64_t *xpcs_g2norm_sums(xpcs_g2norm *g, int64_t *count);

/* Phase 3 (root): g2 and err, [n_delays][n_dq] each, dynamic bin q at
 * column q-1. */
void xpcs_g2norm_finish(const xpcs_g2norm *g, double *g2, double *err);

#endif

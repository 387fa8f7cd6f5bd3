/* g2lin: linear-lag correlator, per pixel, with batched FFTW real transforms
 * (no MPI, no HDF5).
 *
 * For each pixel series x(0..N-1) and every lag tau = 1..L (L <= N-1):
 *   G2(tau) = sum_{t=0}^{N-1-tau} x(t) x(t+tau) / (N - tau)   [counts^2 / frame^2]
 *   IP(tau) = sum of the N-tau LATER frames   x(tau..N-1)    / (N - tau)
 *   IF(tau) = sum of the N-tau EARLIER frames x(0..N-1-tau)  / (N - tau)
 * i.e. multitau's level-0 definitions (multitau.h) at every lag.  IP and IF
 * are formed as (total - first tau frames) and (total - last tau frames)
 * with the partial sums taken in the same order as the multitau kernel, so
 * they agree with it bit for bit at lags 1..8.
 *
 * Time blocks (bounded memory).  Frames are pushed in time order and kept in
 * the pushed element type.  The run is cut into blocks of T frames; block b
 * = frames [s, s+T) adds, for every lag, the pairs (t - tau, t) with t in the
 * block:
 *   first block (nothing before it):  autocorrelation of the block,
 *     c = c2r(|r2c(x)|^2) / M,  G2sum(tau) += c(tau);
 *   later blocks: y = the L frames before the block followed by the block,
 *     b = the block alone, c = c2r(conj(r2c(b)) r2c(y)) / M,
 *     G2sum(tau) += c(L - tau).
 * Both are linear (not circular) correlations because the transform length M
 * (a 2^a 3^b 5^c 7^d size, a >= 2) is >= T + L.  When T >= N the whole run is
 * one block (one forward and one inverse transform per pixel).  Memory per
 * pixel: L accumulators (double) + at most L + T stored frames (+ the first L
 * frames when there are several blocks), independent of N otherwise.
 *
 * Exactness.  Counts are integers: when no row scale is used and the
 * transform error bound of the block, 16 eps log2(M) (|b|_1 |y|_2 + |y|_1
 * |b|_2), is below 1/4, every block sum is rounded to the nearest integer,
 * which is then the exact integer sum, so G2 equals a direct summation (and
 * multitau level 0) exactly.  Otherwise (frame normalization, very large
 * counts) G2 has the transforms' accuracy (~1e-15 relative to sum x^2) and
 * negative round-off is clamped to 0 (the data are non-negative).
 *
 * Threads.  Plans are made once (the planner is not thread-safe) for a batch
 * of XPCS_G2LIN_BATCH transforms (fftw_plan_many_dft_r2c / _c2r) and executed
 * from OpenMP threads on separate, equally aligned arrays.  A pixel's result
 * does not depend on the thread count.
 */
#ifndef XPCS_G2LIN_H
#define XPCS_G2LIN_H

#include <stdint.h>

#include "xpcs/core/dtype.h"
#include "xpcs/core/status.h"

#define XPCS_G2LIN_BATCH 16

/* Block geometry for N frames and L lags (deterministic). */
typedef struct {
    int64_t n_frames;   /* N */
    int64_t max_lag;    /* L */
    int64_t block;      /* T frames per block */
    int64_t fft_len;    /* M >= T + L */
    int64_t buf_frames; /* frames kept: N (one block) or L + T */
    int single;         /* 1: one block covers the run */
} xpcs_g2lin_geom;

/* Smallest 2^a 3^b 5^c 7^d >= n with a >= 2. */
int64_t xpcs_fft_good_size(int64_t n);
/* Time blocks of T >= max(8 L, 8192) frames (rounded up to a good
 * transform length).  blocks = 0: one block or time blocks, whichever costs
 * fewer transform operations; blocks = 1: time blocks whenever they are
 * shorter than the run (least memory). */
void xpcs_g2lin_geometry(int64_t n_frames, int64_t max_lag, int blocks, xpcs_g2lin_geom *g);
/* Bytes the kernel allocates for n_pixels pixels of elem_size-byte
 * elements with `threads` OpenMP threads. */
double xpcs_g2lin_bytes(const xpcs_g2lin_geom *g, int64_t n_pixels, size_t elem_size, int threads);

typedef struct xpcs_g2lin xpcs_g2lin;

/* FFTW planning: 0 = FFTW_ESTIMATE (the same plan everywhere);
 * 1 = FFTW_MEASURE (uses and extends the process's wisdom);
 * 2 = wisdom only (FFTW_MEASURE | FFTW_WISDOM_ONLY: fails unless the
 *     imported wisdom holds the plan, so every rank gets rank 0's plan). */
xpcs_status xpcs_g2lin_create(const xpcs_g2lin_geom *g, int64_t n_pixels, xpcs_dtype type,
                              int planning, xpcs_g2lin **out, xpcs_err *err);
void xpcs_g2lin_destroy(xpcs_g2lin **g);

/* Push n_rows frames: rows is [n_rows][ld] elements of the create type,
 * columns 0..n_pixels-1 used.  row_scale (NULL = none) multiplies row r. */
void xpcs_g2lin_push(xpcs_g2lin *g, const void *rows, int64_t n_rows, int64_t ld,
                     const double *row_scale);

/* After all N frames: per-pixel G2, IP, IF at lag tau ([n_pixels] each).
 * Lags must be asked in order 1, 2, ..., L (running partial sums).
 * Returns XPCS_ERR_INTERNAL if frames are missing or a lag is skipped. */
xpcs_status xpcs_g2lin_result(xpcs_g2lin *g, int64_t tau, double *G2, double *IP, double *IF,
                              xpcs_err *err);

/* Seconds: wall time in the block computations, and thread-seconds inside
 * FFTW executes (summed over threads); blocks processed; pixels whose block
 * sums were not exact-rounded (see above). */
void xpcs_g2lin_stats(const xpcs_g2lin *g, double *block_wall, double *fft_thread_seconds,
                      int64_t *n_blocks, int64_t *n_unrounded);

/* FFTW wisdom of this process (serial planner state).  import returns 0 on
 * failure; export returns a malloc'd string (free()). */
int xpcs_fftw_wisdom_import_string(const char *text);
char *xpcs_fftw_wisdom_export_string(void);
int xpcs_fftw_wisdom_import_file(const char *path);
int xpcs_fftw_wisdom_export_file(const char *path);

#endif

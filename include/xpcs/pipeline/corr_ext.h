/* corr_ext: the linear-lag and two-time stages of the xpcs-corr pipeline.
 *
 * corr.c streams the frames; these stages hook into it:
 *
 * Linear (-t linear): the multitau pixel ownership is reused.  Each rank
 * pushes its pixels' frames into the g2lin kernel; at the end the per-pixel
 * G2/IP/IF of every lag go through g2norm exactly as multitau's (exact
 * sums, so the result is the same for any rank count).
 *   /xpcs/linear/{delay_list (L,) int64 = 1..L, normalized_g2 (L, n_dq),
 *                 normalized_g2_err (L, n_dq), config/}
 *
 * Two-time (-t twotime, -t both): a second ownership map gives every
 * selected dynamic bin to one rank (largest bins first, each to the least
 * loaded rank).  In every step each reader sends the owners the pixels of
 * their bins (a second all-to-all), so an owner collects its bins' [N x n]
 * series in the transfer type.  With the event pipeline (evstream.h:
 * --kernel sparse, Rigaku .bin input) the readers send the owners their
 * bins' photon events instead (pixel column, frame, count); the owners keep
 * them as CSR per pixel for the event kernel (or, --kernel dense with an
 * event file, add them into the dense store).  At the end the owners compute their maps
 * (twotime.h) in parallel and send them, as float32 upper triangles, to
 * rank 0, which writes them while computing its own; no floating-point sum
 * crosses ranks, so the maps do not depend on the rank count.
 *   /xpcs/twotime/{correlation_map/c2_00001.. (N, N) float32 upper triangle,
 *                  processed_bins (n_bins,) 1-based, normalized_g2 (N, n_bins),
 *                  normalized_g2_segments (N/5, 5, n_bins), config/}
 * Protocol at the end (no rank waits forever when rank 0 cannot write):
 * rank 0 sends every owner GO when the file is open (or STOP when it is not
 * reached); an owner computes its first map, waits for GO/STOP, then sends
 * all its maps; rank 0 receives every map it said GO for, also after an error.
 */
#ifndef XPCS_CORR_EXT_H
#define XPCS_CORR_EXT_H

#include <stdint.h>
#include <stdio.h>

#include "xpcs/parallel/comm.h"
#include "xpcs/config/config.h"
#include "xpcs/kernels/g2lin.h"
#include "xpcs/io/h5extra.h"
#include "xpcs/io/h5out.h"
#include "xpcs/plan/plan.h"
#include "xpcs/plan/qmap.h"
#include "xpcs/core/status.h"
#include "xpcs/monitor/timer.h"

/* ---- linear ------------------------------------------------------------ */

typedef struct xpcs_corr_lin xpcs_corr_lin;

/* Lags, kernel geometry and the stage's bytes per rank (deterministic,
 * every rank): --max-lag (clipped to N-1) when given, else all lags that fit
 * budget - base_bytes; one block when it fits, else time blocks.  Fails
 * (XPCS_ERR_MEMORY) with the need, suggesting --max-lag / --avg-frame, when
 * they do not fit. */
xpcs_status xpcs_corr_lin_plan(const xpcs_config *cfg, const xpcs_plan *p, const xpcs_qmap *q,
                               double base_bytes, double budget, xpcs_g2lin_geom *geo,
                               double *bytes, xpcs_err *err);
/* Collective: the kernel for n_own pixels; FFTW plans (--fftw-wisdom:
 * planned on rank 0, wisdom broadcast, same plan on every rank). */
xpcs_status xpcs_corr_lin_create(const xpcs_comm *c, const xpcs_config *cfg, const xpcs_plan *p,
                                 int64_t n_own, const xpcs_g2lin_geom *geo, xpcs_corr_lin **out,
                                 xpcs_err *err);
void xpcs_corr_lin_destroy(xpcs_corr_lin **l);
void xpcs_corr_lin_push(xpcs_corr_lin *l, const void *rows, int64_t n_rows, int64_t ld,
                        const double *row_scale);
/* Collective: normalization and reduction; g2 and errors end on rank 0. */
xpcs_status xpcs_corr_lin_reduce(xpcs_corr_lin *l, const xpcs_comm *c, const xpcs_qmap *q,
                                 const int32_t *own_sq, const int32_t *own_dq, xpcs_err *err);
/* Rank 0, from h5out's hook. */
xpcs_status xpcs_corr_lin_write(const xpcs_corr_lin *l, const xpcs_h5x *w, const xpcs_result *r,
                                xpcs_err *err);
void xpcs_corr_lin_print_plan(const xpcs_corr_lin *l, FILE *out);
/* Rank 0 after reduce: per-rank FFT and block times. */
void xpcs_corr_lin_print_stats(const xpcs_corr_lin *l, FILE *out);

/* ---- two-time ---------------------------------------------------------- */

typedef struct xpcs_corr_tt xpcs_corr_tt;

/* Bins (-d), their pixels, owners and the bytes per rank (deterministic,
 * every rank).  *max_bytes: the largest rank's need, *max_rank: that rank.
 * events: the run may use the event kernel, so the dense series store is
 * left out of the need (xpcs_corr_tt_store_bytes gives it). */
xpcs_status xpcs_corr_tt_plan(const xpcs_config *cfg, const xpcs_qmap *q, const xpcs_plan *p,
                              int rank, int events, xpcs_corr_tt **out, double *max_bytes,
                              int *max_rank, xpcs_err *err);
/* The dense series store and its send buffer: the largest rank's bytes. */
void xpcs_corr_tt_store_bytes(const xpcs_corr_tt *t, double *max_bytes, int *max_rank);
void xpcs_corr_tt_destroy(xpcs_corr_tt **t);
void xpcs_corr_tt_print_plan(const xpcs_corr_tt *t, FILE *out);
/* Allocates this rank's series store. */
void xpcs_corr_tt_alloc(xpcs_corr_tt *t);
/* Collective, every step: frames = this rank's `count` whole frames
 * [count][rows*cols] of the transfer type, output frames first.. of step. */
void xpcs_corr_tt_exchange(xpcs_corr_tt *t, const xpcs_comm *c, const xpcs_plan *p, int64_t step,
                           const void *frames, int64_t count, xpcs_timers *tm);
/* Event input (evstream.c), before xpcs_corr_tt_alloc: builds the map of
 * detector pixels (npix) to owner and column.  sparse: owners keep their
 * bins' events and compute the maps with the event kernel; else they add
 * the events into the dense series store (uint32) for the dense kernel. */
void xpcs_corr_tt_use_events(xpcs_corr_tt *t, int64_t npix, int sparse);
/* Collective, every step: this rank's events of output frames
 * [fa, fa + n_fr) (frame CSR: fptr [n_fr + 1], detector pixels fpix,
 * counts fcnt) to the owners of their bins.  raw names the input file in
 * messages.  Both exchanges add the bytes moved between ranks to tm's
 * counters. */
xpcs_status xpcs_corr_tt_exchange_events(xpcs_corr_tt *t, const xpcs_comm *c, int64_t fa,
                                         int64_t n_fr, const int64_t *fptr, const uint32_t *fpix,
                                         const uint32_t *fcnt, const char *raw, xpcs_timers *tm,
                                         xpcs_err *err);
/* Collective, after the last step: the owners' events as CSR per pixel. */
xpcs_status xpcs_corr_tt_events_done(xpcs_corr_tt *t, const xpcs_comm *c, const char *raw,
                                     xpcs_err *err);
/* Ranks other than 0, while rank 0 writes: compute and send the maps. */
void xpcs_corr_tt_serve(xpcs_corr_tt *t, const xpcs_comm *c);
/* Rank 0, from h5out's hook: compute own maps, receive the others, write. */
xpcs_status xpcs_corr_tt_write(xpcs_corr_tt *t, const xpcs_comm *c, const xpcs_h5x *w,
                               const xpcs_result *r, xpcs_err *err);
/* Rank 0 after the writer returned: STOP to the owners if GO was not sent. */
void xpcs_corr_tt_release(xpcs_corr_tt *t, const xpcs_comm *c);
/* Rank 0 after the write: who computed what, and the speed. */
void xpcs_corr_tt_print_stats(const xpcs_corr_tt *t, FILE *out);

#endif

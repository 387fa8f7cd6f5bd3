/* ttstage: the two-time stage of the pipeline.
 *
 * The plan gives every selected dynamic bin to one rank, or, when its map
 * does not fit one rank, its map rows in tiles to a group of ranks
 * (ttplan.h).  In
 * every step each reader sends the owners the pixels of their bins: on the
 * frame pipeline a second all-to-all of the bins' pixels (an owner collects
 * its bins' [N x n] series in the transfer type); on the event pipeline the
 * bins' photon events through the event router (evroute.h), which the
 * owners keep as CSR per pixel for the event kernel (or, --kernel dense with
 * an event file, add into the dense store).  At the end the owners compute
 * their maps (twotime.h) in parallel, compress their chunks (io/mapz.h)
 * and send them to rank 0, which writes them into the result file as they
 * come while computing its own (ttmaps.c); no floating-point sum crosses
 * ranks (the diagonal means are exact sums), so the maps and the two-time
 * g2 do not depend on the rank count or the split.
 *   /xpcs/twotime/{correlation_map/c2_00001.. (N, N) float32 upper triangle,
 *                  chunked, LZF (or deflate), chunks below the diagonal absent,
 *                  processed_bins (n_bins,) 1-based, normalized_g2 (N, n_bins),
 *                  normalized_g2_segments (N/5, 5, n_bins), config/}
 * At the end (no rank waits forever when rank 0 cannot write): rank 0
 * creates the file and the maps' datasets, and every rank agrees on that
 * before computing; every rank sends its sums and chunks (also after a
 * failure, so rank 0 is never left waiting); the outcome is agreed before
 * rank 0 publishes the file.
 */
#ifndef XPCS_TTSTAGE_H
#define XPCS_TTSTAGE_H

#include <stdint.h>
#include <stdio.h>

#include "xpcs/core/status.h"
#include "xpcs/io/h5out.h"
#include "xpcs/kernels/events.h"
#include "xpcs/monitor/timer.h"
#include "xpcs/parallel/comm.h"
#include "xpcs/plan/plan.h"

typedef struct xpcs_ttstage xpcs_ttstage;

/* This rank's part of the plan's two-time stage (p->twotime), its store
 * allocated.  events: fed by the event pipeline (p->sparse_twotime: the
 * event kernel keeps the events; else the dense store of uint32 sums).
 * raw names the input in messages; maps_to_root (io.maps_to_root): the
 * other ranks send their map chunks to rank 0 instead of writing them. */
xpcs_ttstage *xpcs_ttstage_create(const xpcs_plan *p, int rank, const char *raw, int maps_to_root);
void xpcs_ttstage_destroy(xpcs_ttstage **t);

/* Frame pipeline, collective, every step: frames = this rank's `count`
 * whole frames [count][rows*cols] of the transfer type, output frames
 * first.. of step. */
void xpcs_ttstage_exchange(xpcs_ttstage *t, const xpcs_comm *c, const xpcs_plan *p, int64_t step,
                           const void *frames, int64_t count, xpcs_timers *tm);
/* Event pipeline, collective, every step: this rank's events of output
 * frames [fa, fa + n_fr) (f) to the owners of their bins. */
xpcs_status xpcs_ttstage_exchange_events(xpcs_ttstage *t, const xpcs_comm *c,
                                         const xpcs_frame_csr *f, int64_t fa, int64_t n_fr,
                                         xpcs_timers *tm, xpcs_err *err);
/* Collective, after the last step: the owners' events as CSR per pixel. */
xpcs_status xpcs_ttstage_events_done(xpcs_ttstage *t, const xpcs_comm *c, xpcs_err *err);

/* Collective, after the last step: the ranks with tiles of a split bin
 * they do not own get a copy of its series (or events) from its owner. */
void xpcs_ttstage_replicate(xpcs_ttstage *t, const xpcs_comm *c);

/* ttmaps.c.  Rank 0, with the result file open: every map's dataset,
 * chunked and compressed (xpcs_h5x_map_create), no chunk written. */
xpcs_status xpcs_ttstage_map_files(xpcs_ttstage *t, xpcs_resfile *w, xpcs_err *err);
/* Collective, the result file open on rank 0 (w; NULL elsewhere; st: rank
 * 0's status so far, agreed first): every rank computes its tiles (phase
 * twotime) and compresses their chunks (phase write); rank 0 writes them
 * and gathers the exact diagonal sums, printing a line per finished bin on
 * progress (rank 0; NULL: none).  The outcome is agreed. */
xpcs_status xpcs_ttstage_maps(xpcs_ttstage *t, const xpcs_comm *c, xpcs_resfile *w, xpcs_status st,
                              FILE *progress, xpcs_timers *tm, xpcs_err *err);
/* Rank 0, after the maps: the two-time group besides the maps (g2,
 * segments, config; r: the config's provenance). */
xpcs_status xpcs_ttstage_write_group(xpcs_ttstage *t, xpcs_resfile *w, const xpcs_result *r,
                                     xpcs_err *err);
/* Rank 0 after the write: who computed what, and the speed. */
void xpcs_ttstage_print_stats(const xpcs_ttstage *t, FILE *out);

#endif

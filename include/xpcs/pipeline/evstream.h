/* evstream: the event pipeline of xpcs-corr (issue 7).
 *
 *   read (HDF5 frames or Rigaku event words) -> non-zero events per frame
 *   -> SAXS / intensity from the events (reader side) -> events sent to the
 *   pixel owners (all-to-all of (pixel, frame, count) triplets) -> owner:
 *   events of an epoch as CSR per pixel -> sparse multitau kernel, or (event
 *   files with --kernel dense) dense frames -> dense multitau kernel.
 *   Two-time (-t twotime/both): a second all-to-all sends the events of the
 *   selected bins to the bins' owners (corr_ext.h), who keep them for the
 *   event two-time kernel (twotime.h).
 *
 * Frames advance in steps: for HDF5 the plan's steps (every rank reads a
 * contiguous slice of the step's frames, collective read); for event files
 * rank 0 cuts the selected words into steps of whole output frames and at
 * most a few million words per rank, and each step into contiguous ranges
 * of output frames with about equal words, one per rank (binary search in
 * every file: one for the 500k, six module files for the 3M); every rank
 * reads its word ranges with MPI-IO and merges the modules per output frame
 * (module pixels placed on the canvas).  Owners receive
 * a step's events in time order (slices in rank order), gather them over
 * steps into an epoch of bounded size and push each epoch to the kernel.
 * Frame sums (intensity vs time, --normalize-frame) are summed over ranks
 * per step.  Every result is bit-identical to the dense pipeline of corr.c
 * on the same data: the SAXS and frame sums are integer sums, and the
 * kernels agree bit for bit (mtsparse.h).
 */
#ifndef XPCS_EVSTREAM_H
#define XPCS_EVSTREAM_H

#include <stdint.h>

#include "xpcs/parallel/comm.h"
#include "xpcs/config/config.h"
#include "xpcs/pipeline/corr_ext.h"
#include "xpcs/io/h5in.h"
#include "xpcs/kernels/mtsparse.h"
#include "xpcs/kernels/multitau.h"
#include "xpcs/plan/plan.h"
#include "xpcs/plan/qmap.h"
#include "xpcs/io/rigaku.h"
#include "xpcs/kernels/saxs.h"
#include "xpcs/monitor/progress.h"
#include "xpcs/monitor/timer.h"

typedef struct {
    /* in */
    const xpcs_config *cfg;
    const xpcs_comm *comm;
    const xpcs_plan *plan;
    const xpcs_qmap *qmap;
    xpcs_raw *raw;    /* HDF5 frames, or NULL */
    xpcs_rigaku *rig; /* event file, or NULL */
    xpcs_saxs *saxs;
    double *frame_sum; /* [n_frames]: masked frame sums, filled on every rank */
    xpcs_mtsparse *ms; /* the kernel: sparse, or */
    xpcs_multitau *mt; /* dense (event files only); both NULL: no multitau */
    xpcs_corr_tt *tt;  /* two-time: the bins' events to their owners, or NULL */
    xpcs_timers *tm;
    xpcs_progress *progress; /* rank 0's progress line, or NULL */
    /* out */
    double bytes_read; /* this rank */
    int64_t nonzero;   /* non-zero pixel-frames (events) read, all ranks */
} xpcs_evstream;

/* Collective: streams the whole run through the chosen kernel. */
xpcs_status xpcs_evstream_run(xpcs_evstream *s, xpcs_err *err);

/* Collective: the fraction of non-zero pixel-frames at the start of the run
 * (HDF5: the first step's frames, read once more; event files: the words
 * of the first up to 4096 output frames over their pixel-frames). */
xpcs_status xpcs_evstream_occupancy(const xpcs_comm *c, const xpcs_plan *p, xpcs_raw *raw,
                                    xpcs_rigaku *rig, double *occupancy, xpcs_err *err);

/* --kernel auto: 1 (sparse) below the occupancy where the dense kernel
 * becomes faster, measured on the 2-core development machine; multitau: the
 * multitau kernels decide (also with -t both), else the two-time kernels. */
int xpcs_evstream_prefer_sparse(double occupancy, int event_file, int multitau);

#endif

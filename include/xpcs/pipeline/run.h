/* run: the state of one xpcs-corr run, shared by the pipeline's stages
 * (corr.c reads as the table of contents):
 *
 *   prolog   setup.c        q-map, source, plan (kernels, memory), output names
 *   loop     framestream.c  dense frames: read, sum, SAXS, pack, all-to-all, kernels
 *            evstream.c     events: read, SAXS, route to the owners, kernels
 *   epilog   reduce.c       g2 normalization and SAXS to rank 0, the result file
 *            linstage.c     the linear-lag stage (reduce, write)
 *            ttmaps.c       two-time maps: computed by their owners, sent to rank 0
 *            finish.c       profile, report, health verdict
 *
 * Decomposition (plan.h): in step k every rank reads a contiguous slice of
 * the step's output frames; rank r owns the correlated pixels
 * [pix_first[r], pix_first[r+1]) for multitau and linear, and whole dynamic
 * bins for two-time (ttplan.h).  Every step that can fail on one rank ends
 * in xpcs_comm_agree(), so all ranks leave together and nobody waits in a
 * collective.
 */
#ifndef XPCS_RUN_H
#define XPCS_RUN_H

#include <stdint.h>

#include "xpcs/config/config.h"
#include "xpcs/core/status.h"
#include "xpcs/kernels/mtkernel.h"
#include "xpcs/kernels/quality.h"
#include "xpcs/kernels/saxs.h"
#include "xpcs/monitor/timer.h"
#include "xpcs/parallel/comm.h"
#include "xpcs/parallel/threads.h"
#include "xpcs/pipeline/linstage.h"
#include "xpcs/pipeline/source.h"
#include "xpcs/pipeline/ttstage.h"
#include "xpcs/plan/plan.h"
#include "xpcs/plan/qmap.h"

typedef struct {
    const xpcs_config *cfg;
    xpcs_comm *comm;
    int rank, n_ranks, root;
    xpcs_threads threads; /* this rank's OpenMP threads and how they were chosen */
    xpcs_timers tm;
    xpcs_qmap qmap;
    xpcs_source *src; /* the raw file: HDF5 frames or Rigaku events */
    xpcs_plan plan;
    /* output (rank 0 decides, every rank knows out_path) */
    char out_path[XPCS_PATH_MAX];
    char meta_path[XPCS_PATH_MAX];
    int have_meta;
    /* this rank's multitau / linear pixels: [own_first, own_first + n_own)
     * of the correlated-pixel list, with their static and dynamic labels */
    int64_t own_first, n_own;
    int32_t *own_sq, *own_dq;
    /* stages; NULL when the analysis does not have them */
    xpcs_mtkernel *mt;
    xpcs_linstage *lin;
    xpcs_ttstage *tt;
    struct xpcs_partial *part; /* -np: partial g2 (partial.h) */
    xpcs_saxs *saxs;
    double *frame_sum; /* [N] masked frame sums (every rank, all frames) */
    /* measurements */
    double storage_gbps; /* bare-read bandwidth for the I/O indicator, 0 = unknown */
    const char *storage_source;
    double bytes_read;
    double occupancy; /* non-zero fraction of pixel-frames (the plan's, or the run's), < 0: none */
    int64_t nonzero;  /* events read by the event pipeline, all ranks */
    xpcs_quality quality; /* rank 0: the data-quality indicators (qstage.h) */
} xpcs_run;

/* setup.c: everything before the first frame is read.  Collective; with
 * --dry-run it stops after printing the plan (*done = 1). */
xpcs_status xpcs_run_setup(xpcs_run *x, int *done, xpcs_err *err);
/* setup.c: the kernels and stages of the plan, allocated. */
xpcs_status xpcs_run_create_stages(xpcs_run *x, xpcs_err *err);

/* framestream.c / evstream.c: the whole run through the kernels. */
xpcs_status xpcs_run_frames(xpcs_run *x, xpcs_err *err);
xpcs_status xpcs_run_events(xpcs_run *x, xpcs_err *err);

/* reduce.c: the g2 of n_delays delays (the kernel's sums at the end, or
 * so_far: of the frames pushed until now) into gn, the exact sums reduced
 * to rank 0 (collective; xpcs_g2norm_finish on rank 0 then gives g2). */
struct xpcs_g2norm;
xpcs_status xpcs_run_reduce_multitau(xpcs_run *x, struct xpcs_g2norm *gn, int n_delays, int so_far,
                                     xpcs_err *err);

/* reduce.c: reductions to rank 0 and the result file (collective). */
xpcs_status xpcs_run_reduce_and_write(xpcs_run *x, xpcs_err *err);

/* finish.c: profile, report and health verdict (collective). */
xpcs_status xpcs_run_finish(xpcs_run *x, xpcs_err *err);

/* Frame normalization (--normalize-frame): scale[f] = n_mask / frame_sum[f0
 * + f], 1 for an all-zero frame (I'(t) = I(t) / <I(t)>, <I(t)> = masked
 * frame sum / n_mask). */
void xpcs_run_frame_scale(const xpcs_run *x, int64_t f0, int64_t n, double *scale);

#endif

/* schedule: how a batch of files is spread over the ranks (no MPI, no I/O).
 *
 * Layout.  With R ranks and groups of G ranks:
 *   - one group: every rank forms group 0 and rank 0, its leader, also
 *     hands out the files (no message traffic);
 *   - n >= 2 groups: rank 0 only schedules; ranks 1..R-1 are cut into
 *     n = (R-1)/G groups of consecutive ranks; the mod G leftover
 *     ranks are spread over the groups (sizes differ by at most one).
 * --ranks-per-file G gives G (one group when (R-1)/G < 2).  Otherwise the
 * layout is chosen by a model of the run:
 *     t_f(G) = overhead + w_f / (rate G e(G)),  e(G) = 1 / (1 + loss (G-1))
 * with w_f the file's pixel-frames, `rate` the one-rank throughput and
 * `loss` the parallel loss per extra rank of one file; the predicted batch
 * time is the longest-processing-time-first list schedule of the t_f over
 * the groups.  Every group size from min_group on is tried, and one group
 * of all R ranks; the shortest prediction wins (ties: fewer groups).
 *
 * Order.  Files are handed out largest first (LPT), ties in list order:
 * with dynamic scheduling (a group that finishes asks for the next file)
 * the makespan is then at most 4/3 of the optimum for equal groups.
 */
#ifndef XPCS_SCHEDULE_H
#define XPCS_SCHEDULE_H

#include "xpcs/core/status.h"

/* Model constants (README "Batch runs"): measured on the development
 * machine (README benchmark: 2.1e8 pixel-frames/s on one rank, 95 %
 * efficiency on 2 ranks). */
#define XPCS_SCHED_RATE 2.0e8
#define XPCS_SCHED_LOSS 0.05
#define XPCS_SCHED_OVERHEAD 0.05

typedef struct {
    int n_ranks;
    int base_size; /* the G that xpcs_layout_make was given */
    int scheduler; /* 1: rank 0 schedules only; 0: one group, rank 0 leads it */
    int n_groups;
    int *group_of_rank; /* [n_ranks]: group of each rank, -1 for the scheduler */
    int *group_size;    /* [n_groups] */
    int *group_first;   /* [n_groups] first rank of each group */
    double predicted_s; /* the model's batch time (0 when unknown) */
} xpcs_layout;

/* Model time of one file of w pixel-frames on g ranks. */
double xpcs_sched_file_time(double w, int g);

/* Predicted makespan: jobs handed out in `order` (n entries, indices into
 * t) to whichever of n_groups equal groups is free first. */
double xpcs_sched_makespan(int n, const double *t, const int *order, int n_groups);

/* order[0..n-1] = indices of w sorted by decreasing w, ties by index. */
void xpcs_sched_order(int n, const double *w, int *order);

/* Fills the layout for n_ranks ranks.  ranks_per_file 0 = model choice
 * over the n_jobs works w (pixel-frames) with groups of at least
 * min_group ranks (memory); n_jobs may be 0.  Free with _free. */
xpcs_status xpcs_layout_choose(int n_ranks, int ranks_per_file, int min_group, int n_jobs,
                               const double *w, xpcs_layout *out, xpcs_err *err);
/* Builds the layout of groups of g ranks (scheduler when (R-1)/g >= 2). */
void xpcs_layout_make(int n_ranks, int g, xpcs_layout *out);
void xpcs_layout_free(xpcs_layout *l);

#endif

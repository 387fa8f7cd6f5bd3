/* plan: who reads which frames and who owns which pixels (rank 0 builds it,
 * every rank holds the same copy).  A plain data structure, printed with -v
 * and stored in the result's config.
 *
 * Frames.  Raw frames [begin, end) are trimmed to a multiple of stride*avg;
 * output frame k is the sum of raw frames begin + (k*avg + a)*stride,
 * a = 0..avg-1 (boost_corr: take every stride-th frame, then average groups
 * of avg; we sum and divide later, which leaves g2 unchanged).
 * The run advances in steps of step_frames output frames; inside a step the
 * frames are split evenly over the ranks in rank order, so after the
 * all-to-all every owner receives the step's frames in time order.
 *
 * Pixels.  Rank r owns correlated pixels [pix_first[r], pix_first[r+1]) of
 * the qmap's ascending correlated-pixel list: balanced by the number of
 * valid pixels, not by rows.
 */
#ifndef XPCS_PLAN_H
#define XPCS_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "xpcs/parallel/comm.h"
#include "xpcs/core/status.h"

typedef struct {
    int n_ranks;
    int threads_per_rank;
    /* frames */
    int64_t n_raw_frames;
    int64_t begin, end; /* raw frames [begin, end) after trimming */
    int64_t stride, avg;
    int64_t n_frames; /* output frames N */
    int64_t step_frames, n_steps;
    /* detector and pixels */
    int64_t rows, cols;
    int64_t n_corr;
    int64_t *pix_first; /* [n_ranks + 1] */
    xpcs_dtype raw_type, xfer_type;
    /* memory, bytes per rank (estimate of the largest rank) */
    double mem_per_rank;
    double mem_budget;
} xpcs_plan;

/* Resolves begin/end/stride/avg against n_raw frames (boost_corr rules:
 * negative begin counts from the end; end -1 = all, end < -1 counts from the
 * end, end past the last frame is clipped). */
xpcs_status xpcs_plan_frames(int64_t n_raw, int64_t begin, int64_t end, int64_t stride, int64_t avg,
                             xpcs_plan *p, const char *what, xpcs_err *err);

/* Fills the rest of the plan.  step_frames 0 = automatic (a power of two
 * that keeps one step's buffers within 256 MiB and every all-to-all count
 * below 2^31; it depends on the data only, not on the rank count). */
void xpcs_plan_decompose(xpcs_plan *p, int n_ranks, int threads, int64_t rows, int64_t cols,
                         int64_t n_corr, xpcs_dtype raw_type, int64_t step_frames);

/* Output frames [*first, *first + *count) that rank reads in step. */
void xpcs_plan_rank_frames(const xpcs_plan *p, int64_t step, int rank, int64_t *first,
                           int64_t *count);

void xpcs_plan_print(const xpcs_plan *p, FILE *out);
/* JSON text of the plan; free() it. */
char *xpcs_plan_json(const xpcs_plan *p);
void xpcs_plan_free(xpcs_plan *p);

#endif

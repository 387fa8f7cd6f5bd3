/* framestream: the frame pipeline (dense frames), one step at a time:
 *   read (parallel HDF5: this rank's slice of the step's output frames)
 *   -> sum avg raw frames -> SAXS sums and frame sums
 *   -> pack each pixel owner's pixels -> all-to-all (owners receive the
 *      step's frames in time order) -> multitau / linear kernels;
 *   two-time: a second all-to-all of the bins' pixels to the bins' owners.
 * The kernels of step k run on the kworker while the main thread reads step
 * k + 1 when the rank has cores that a read alone leaves idle, or when the
 * reads wait on storage (overlap_next); otherwise one after the other.
 * Data structure manifest (per rank): rawbuf [my frames x avg][npix] raw
 * type; sumbuf [my frames][npix] transfer type (-a > 1); send [my frames]
 * [n_corr]; recv [step frames][n_own]; scale [step frames]; fsum_mine [my
 * frames].
 */
#define _DEFAULT_SOURCE /* madvise(MADV_HUGEPAGE), clock_gettime */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "xpcs/monitor/progress.h"
#include "xpcs/pipeline/kworker.h"
#include "xpcs/pipeline/pack.h"
#include "xpcs/pipeline/partial.h"
#include "xpcs/pipeline/run.h"

/* Step buffers are large and walked with big strides (a tile of pixels
 * across many frames): ask for transparent huge pages to save TLB misses.
 * Free with free(). */
static void *alloc_step_buffer(size_t bytes)
{
    void *p = NULL;
    const size_t huge = (size_t)2 << 20;
    size_t len = (bytes + huge - 1) / huge * huge;
    if (posix_memalign(&p, huge, len ? len : huge) != 0)
        return xpcs_malloc(bytes); /* aborts cleanly if memory is exhausted */
#ifdef MADV_HUGEPAGE
    madvise(p, len, MADV_HUGEPAGE);
#endif
    return p;
}

void xpcs_run_frame_scale(const xpcs_run *x, int64_t f0, int64_t n, double *scale)
{
    xpcs_saxs_frame_scale(x->saxs, x->frame_sum + f0, n, scale);
}

typedef struct {
    void *rawbuf, *sumbuf, *send, *recv;
    double *scale, *fsum_mine;
    int *sc, *sd, *rc, *rd, *fc, *fd; /* [n_ranks] each */
    xpcs_pixel_runs runs;
    xpcs_saxs_copy *cp; /* [runs.n_runs] the pack, done in the SAXS pass */
    int64_t n_cp;
} step_buffers;

static void buffers_create(step_buffers *b, const xpcs_run *x)
{
    const xpcs_plan *p = &x->plan;
    const int64_t npix = p->rows * p->cols;
    const size_t rsz = xpcs_dtype_size(p->raw_type), xsz = xpcs_dtype_size(p->xfer_type);
    const int64_t max_mine = (p->step_frames + x->n_ranks - 1) / x->n_ranks;
    b->rawbuf = alloc_step_buffer((size_t)(max_mine * p->avg * npix) * rsz);
    b->sumbuf = p->avg > 1 ? alloc_step_buffer((size_t)(max_mine * npix) * xsz) : NULL;
    b->send = alloc_step_buffer((size_t)(max_mine * p->n_corr) * xsz);
    b->recv = alloc_step_buffer((size_t)(p->step_frames * x->n_own) * xsz);
    b->scale = xpcs_malloc(sizeof(double) * (size_t)p->step_frames);
    b->sc = xpcs_malloc(sizeof(int) * (size_t)x->n_ranks * 6);
    b->sd = b->sc + x->n_ranks;
    b->rc = b->sd + x->n_ranks;
    b->rd = b->rc + x->n_ranks;
    b->fc = b->rd + x->n_ranks;
    b->fd = b->fc + x->n_ranks;
    b->fsum_mine = xpcs_malloc(sizeof(double) * (size_t)max_mine);
    xpcs_pixel_runs_build(&b->runs, x->qmap.corr_pixel, p->pix_first, x->n_ranks);
    b->cp = xpcs_malloc(sizeof(xpcs_saxs_copy) * (size_t)(b->runs.n_runs + 1));
    b->n_cp = 0;
}

static void buffers_free(step_buffers *b)
{
    free(b->rawbuf);
    free(b->sumbuf);
    free(b->send);
    free(b->recv);
    free(b->scale);
    free(b->sc);
    free(b->fsum_mine);
    xpcs_pixel_runs_free(&b->runs);
    free(b->cp);
}

/* SAXS and frame sums of this rank's frames of step k, in the same pass
 * the pack for the pixel owners (multitau, linear): each owner's pixels to
 * the send buffer, this rank's own straight to the receive buffer. */
static void saxs_and_pack(xpcs_run *x, step_buffers *b, int64_t k, const void *frames,
                          int64_t first, int64_t count)
{
    const xpcs_plan *p = &x->plan;
    const size_t xsz = xpcs_dtype_size(p->xfer_type);
    xpcs_timer_start(&x->tm, XPCS_T_REDISTRIBUTE);
    xpcs_timer_start(&x->tm, XPCS_T_PACK);
    b->n_cp = 0;
    if (x->mt || x->lin) {
        char *self = (char *)b->recv + (size_t)((first - k * p->step_frames) * x->n_own) * xsz;
        b->n_cp = xpcs_pack_copies(&b->runs, p->pix_first, x->n_ranks, count, xsz, b->send, x->rank,
                                   self, b->cp);
    }
    xpcs_timer_stop(&x->tm, XPCS_T_PACK);
    xpcs_timer_stop(&x->tm, XPCS_T_REDISTRIBUTE);
    xpcs_timer_start(&x->tm, XPCS_T_SAXS);
    xpcs_saxs_add_frames_copy(x->saxs, frames, p->xfer_type, count, first, b->fsum_mine, b->cp,
                              b->n_cp);
    xpcs_timer_stop(&x->tm, XPCS_T_SAXS);
}

/* The step's frames to their owners: pixels (multitau, linear; packed by
 * saxs_and_pack), the bins' pixels (two-time) and every frame sum (every
 * rank). */
static void redistribute(xpcs_run *x, step_buffers *b, int64_t k, const void *frames, int64_t count)
{
    const xpcs_plan *p = &x->plan;
    const int64_t step_lo = k * p->step_frames;
    const size_t xsz = xpcs_dtype_size(p->xfer_type);
    const int pix_owners = x->mt || x->lin; /* multitau and linear own pixels */
    xpcs_timer_start(&x->tm, XPCS_T_REDISTRIBUTE);

    xpcs_timer_start(&x->tm, XPCS_T_EXCHANGE);
    for (int r = 0; r < x->n_ranks; r++) {
        int64_t f_r, c_r;
        xpcs_plan_rank_frames(p, k, r, &f_r, &c_r);
        int64_t n_r = p->pix_first[r + 1] - p->pix_first[r];
        b->sc[r] = (int)(count * n_r);
        b->sd[r] = (int)(count * p->pix_first[r]);
        b->rc[r] = (int)(c_r * x->n_own);
        b->rd[r] = (int)((f_r - step_lo) * x->n_own);
        b->fc[r] = (int)c_r;
        b->fd[r] = (int)(f_r - step_lo);
    }
    b->sc[x->rank] = b->rc[x->rank] = 0; /* packed straight into recv */
    if (pix_owners)
        xpcs_comm_alltoallv(x->comm, b->send, b->sc, b->sd, b->recv, b->rc, b->rd, p->xfer_type);
    if (x->tt) /* two-time: the bins' pixels to their owners */
        xpcs_ttstage_exchange(x->tt, x->comm, p, k, frames, count, &x->tm);
    /* every rank learns the step's frame sums (Int_t, --normalize-frame) */
    xpcs_comm_allgatherv_double(x->comm, b->fsum_mine, (int)count, x->frame_sum + step_lo, b->fc);
    xpcs_timer_stop(&x->tm, XPCS_T_EXCHANGE);
    xpcs_timer_stop(&x->tm, XPCS_T_REDISTRIBUTE);
    for (int r = 0; r < x->n_ranks; r++)
        if (r != x->rank) {
            xpcs_counter_add(&x->tm, XPCS_C_BYTES_SENT, (double)b->sc[r] * (double)xsz);
            xpcs_counter_add(&x->tm, XPCS_C_BYTES_RECEIVED, (double)b->rc[r] * (double)xsz);
        }
}

/* The step's kernels on the owned pixels' frames (recv): no MPI, no HDF5,
 * so it may run on the kworker while the main thread reads the next step. */
typedef struct {
    xpcs_run *x;
    const void *recv;
    int64_t n_step;
    const double *row_scale;
    int posted; /* on the kworker, not waited for yet */
    xpcs_status st;
    xpcs_err err;
} kernel_job;

static void kernel_run(void *arg)
{
    kernel_job *j = arg;
    xpcs_run *x = j->x;
    if (x->mt)
        j->st = xpcs_run_push_rows(x, j->recv, x->plan.xfer_type, j->n_step, x->n_own, j->row_scale,
                                   &j->err);
    if (x->lin)
        xpcs_linstage_push(x->lin, j->recv, j->n_step, x->n_own, j->row_scale);
}

/* Waits for a kernel job on the kworker: its time to the kernel's phase,
 * its status (and message) to the caller. */
static xpcs_status kernel_wait(xpcs_run *x, xpcs_kworker *w, kernel_job *j, xpcs_err *err)
{
    if (!j->posted)
        return XPCS_OK;
    double wall, cpu;
    xpcs_kworker_wait(w, &wall, &cpu);
    j->posted = 0;
    xpcs_timer_add(&x->tm, x->mt ? XPCS_T_MULTITAU : XPCS_T_LINEAR, wall, cpu);
    if (j->st && err)
        *err = j->err;
    return j->st;
}

/* The owned pixels' frames of step k into the kernels: on the kworker when
 * there is one (the caller waits before the buffers are reused), else here.
 * *n_out: the step's frames.  Collective with -np (partial.h: no kworker). */
static xpcs_status correlate(xpcs_run *x, step_buffers *b, int64_t k, xpcs_kworker *w,
                             kernel_job *j, int64_t *n_out, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    const int64_t step_lo = k * p->step_frames;
    int64_t n_step = 0;
    for (int r = 0; r < x->n_ranks; r++)
        n_step += b->fc[r];
    const double *row_scale = NULL;
    if (x->cfg->normalize_frame) {
        xpcs_run_frame_scale(x, step_lo, n_step, b->scale);
        row_scale = b->scale;
    }
    xpcs_counter_add(&x->tm, XPCS_C_PIXEL_FRAMES, (double)n_step * (double)x->n_own);
    *n_out = n_step;
    *j = (kernel_job){.x = x, .recv = b->recv, .n_step = n_step, .row_scale = row_scale};
    if (w) {
        j->posted = 1;
        xpcs_kworker_post(w, kernel_run, j);
        return XPCS_OK;
    }
    const xpcs_timer_id id = x->mt ? XPCS_T_MULTITAU : XPCS_T_LINEAR;
    xpcs_timer_start(&x->tm, id);
    kernel_run(j);
    xpcs_timer_stop(&x->tm, id);
    if (j->st && err)
        *err = j->err;
    return j->st;
}

/* Step k + 1 can be read while the kworker correlates step k: one thread
 * more, no buffer more (the read fills rawbuf, the kernels read recv; the
 * main thread waits for them before it packs into recv again).  Not with
 * -np, whose partial results are collective, nor with both kernels. */
static xpcs_kworker *overlap_worker(const xpcs_run *x)
{
    if (x->part || (x->mt && x->lin) || (!x->mt && !x->lin) || x->plan.n_steps < 2)
        return NULL;
    return xpcs_kworker_create();
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    return clock_gettime(id, &ts) == 0 ? (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec : 0.0;
}

/* Whether step k's kernels go to the kworker, so that the main thread reads
 * step k + 1 meanwhile (io.overlap auto):
 *   - the rank has more than one thread: a read alone (one thread: HDF5 is
 *     not thread-safe) would leave the others idle;
 *   - one thread: only when the read, not the kernels, holds the run up.
 *     Read beside the kernels (posted): they had finished before the read
 *     (busy 0).  Read alone: it waited on storage longer than it worked
 *     (wall > 2 x the main thread's CPU).  Otherwise the kernels and the
 *     read of a rank would share its core with the other ranks' threads.
 * On 2 cores, page cache, 2 ranks x 1 thread: the kernels took 1.15-1.25 s
 * per rank beside the reads and 0.90 s in turn, the run 2.0-2.2 s and
 * 1.9-2.0 s (256 x 256 x 20000), 11.3 and 9.9 s (1024 x 1024 x 5000);
 * 1 rank x 2 threads on 1024 x 1024 x 5000: 11.5 s overlapped, 12.0 s in
 * turn.  A rank's choice is its own: both ways make the same collective
 * calls.  io.overlap on / off: always / never. */
static int overlap_next(int mode, const xpcs_kworker *w, int threads, int posted, int busy,
                        double read_wall, double read_cpu)
{
    if (!w || mode == XPCS_OVERLAP_OFF)
        return 0;
    if (mode == XPCS_OVERLAP_ON || threads > 1)
        return 1;
    return posted ? !busy : read_wall > 2.0 * read_cpu + 1e-3;
}

xpcs_status xpcs_run_frames(xpcs_run *x, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    const int64_t npix = p->rows * p->cols;
    const size_t rsz = xpcs_dtype_size(p->raw_type);
    step_buffers b;
    buffers_create(&b, x);
    xpcs_status st = XPCS_OK;
    const xpcs_siteopts *so = &x->cfg->site;
    xpcs_progress *prog =
        xpcs_progress_create(x->root && !x->cfg->quiet ? stderr : NULL, so->progress,
                             so->progress_interval_s, p->n_frames, "xpcs-corr");

    xpcs_kworker *w = overlap_worker(x);
    kernel_job job = {0};
    for (int64_t k = 0; k < p->n_steps && !st; k++) {
        int64_t first, count;
        xpcs_plan_rank_frames(p, k, x->rank, &first, &count);
        /* read: raw frames begin + (first*avg + i)*stride, i < count*avg */
        const double others0 = job.posted ? xpcs_kworker_others_cpu() : 0.0;
        const double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
        xpcs_timer_start(&x->tm, XPCS_T_READ);
        st = x->src->ops->read_frames(x->src, p->begin + first * p->avg * p->stride, p->stride,
                                      count * p->avg, b.rawbuf, err);
        xpcs_timer_stop(&x->tm, XPCS_T_READ);
        const int overlap = overlap_next(
            so->overlap, w, omp_get_max_threads(), job.posted, job.posted && xpcs_kworker_busy(w),
            clock_s(CLOCK_MONOTONIC) - t0, clock_s(CLOCK_THREAD_CPUTIME_ID) - c0);
        if (job.posted) /* the kernels' CPU meanwhile is theirs, not the read's */
            xpcs_timer_add(&x->tm, XPCS_T_READ, 0.0, others0 - xpcs_kworker_others_cpu());
        /* the previous step's kernels are done before recv is filled again */
        xpcs_status kst = kernel_wait(x, w, &job, st ? NULL : err);
        st = xpcs_comm_agree(x->comm, st ? st : kst, err);
        if (st)
            break;
        xpcs_counter_add(&x->tm, XPCS_C_BYTES_READ, (double)(count * p->avg * npix) * (double)rsz);
        xpcs_counter_add(&x->tm, XPCS_C_FRAMES_READ, (double)count);
        x->bytes_read += (double)(count * p->avg * npix) * (double)rsz;
        void *frames = b.rawbuf;
        if (p->avg > 1) {
            xpcs_timer_start(&x->tm, XPCS_T_SAXS);
            xpcs_sum_groups(b.rawbuf, p->raw_type, b.sumbuf, p->xfer_type, count, p->avg, npix);
            xpcs_timer_stop(&x->tm, XPCS_T_SAXS);
            frames = b.sumbuf;
        }
        saxs_and_pack(x, &b, k, frames, first, count);
        redistribute(x, &b, k, frames, count);
        int64_t n_step = 0;
        st = correlate(x, &b, k, overlap ? w : NULL, &job, &n_step, err);
        xpcs_counter_add(&x->tm, XPCS_C_STEPS_OVERLAPPED, overlap ? 1.0 : 0.0);
        xpcs_timer_step(&x->tm);
        xpcs_progress_update(prog, k * p->step_frames + n_step);
    }
    xpcs_status kst = kernel_wait(x, w, &job, st ? NULL : err);
    if (!st)
        st = xpcs_comm_agree(x->comm, kst, err);
    xpcs_kworker_destroy(&w);
    if (!st)
        xpcs_progress_finish(prog);
    else
        xpcs_progress_cancel(prog);
    xpcs_progress_destroy(&prog);
    buffers_free(&b);
    return st;
}

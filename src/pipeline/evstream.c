/* evstream: the event pipeline, one step at a time:
 *   source (HDF5 frames scanned for events, or Rigaku event words decoded)
 *   -> this rank's frames as events (frame CSR) -> SAXS and frame sums
 *   -> events routed to the pixel owners (evroute) -> owner: events of an
 *   epoch as CSR per pixel -> event multitau kernel, or (event files with
 *   --kernel dense) dense frames -> dense multitau kernel;
 *   two-time: the events of the selected bins to the bins' owners.
 * Owners receive a step's events in time order (slices in rank order),
 * gather them over steps into an epoch of bounded size and push each epoch
 * to the kernel.  Frame sums (intensity vs time, --normalize-frame) are
 * summed over ranks per step.  Every result is bit-identical to the frame
 * pipeline on the same data: the SAXS and frame sums are integer sums, and
 * the kernels agree bit for bit (mtsparse.h).
 *
 * Data structure manifest (per rank):
 *   corr_bits, valid_bits    [n_pixels / 64] bit maps of the correlated and
 *                            the valid (mask != 0) pixels: 64 KiB for the
 *                            Rigaku detector, so the per-event tests stay in
 *                            cache
 *   flat_lo [n_ranks + 1]    first flat pixel index of each owner's range
 *                            (owners hold contiguous ranges of the ascending
 *                            correlated-pixel list)
 *   loc [own flat range]     owner side: flat pixel -> index among its pixels
 *   fr                       this rank's frames of a step (frame CSR)
 *   epoch                    received (pixel, frame, count) triplets, the pixel
 *                            turned into its owned column on arrival (ptr
 *                            counts the columns' events), then the epoch's
 *                            CSR per owned pixel (ptr, in place)
 */
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "xpcs/monitor/progress.h"
#include "xpcs/pipeline/evroute.h"
#include "xpcs/pipeline/kworker.h"
#include "xpcs/pipeline/run.h"

/* Largest number of output frames in one event-file step (event kernel). */
#define MAX_STEP_FRAMES ((int64_t)1 << 20)

/* A step's SAXS sums (image, segments, largest counts): on the kworker while
 * the main thread routes the same step's events (both only read the frame
 * CSR; the SAXS sums are the job's alone until it is waited for). */
typedef struct {
    xpcs_saxs *saxs;
    const xpcs_frame_csr *fr;
    int64_t fa, mine;
} saxs_job;

static void saxs_run(void *arg)
{
    const saxs_job *j = arg;
    xpcs_saxs_add_events(j->saxs, j->fa, j->mine, j->fr->ptr, j->fr->pix, j->fr->cnt, NULL);
}

typedef struct {
    xpcs_run *x;
    xpcs_kworker *w; /* SAXS beside the routing; NULL: one thread, in turn */
    int64_t npix, n_own, n_mask;
    uint64_t *corr_bits, *valid_bits;
    int64_t *flat_lo;
    uint32_t *loc;
    int64_t loc_lo; /* loc[p - loc_lo] */
    xpcs_frame_csr fr;
    xpcs_evroute route;
    double *fsum;
    int64_t fsum_cap;
    /* owner side */
    uint32_t *epoch; /* triplets, then the CSR */
    int64_t ep_n, ep_cap, ep_f0, ep_max;
    int64_t *ptr;
    uint32_t *part; /* CSR build scratch */
    int64_t part_cap;
    double *scale;
    int64_t scale_cap;
    uint32_t *dense;
    int64_t dense_cap;
} ev_ctx;

static inline int bit_of(const uint64_t *bits, uint32_t p)
{
    return (int)(bits[p >> 6] >> (p & 63)) & 1;
}

/* The epoch's events (frames [ep_f0, f_end)) as CSR per owned pixel,
 * counts of the same frame summed (-a), pushed to the event kernel. */
static xpcs_status flush_epoch(ev_ctx *e, int64_t f_end, xpcs_err *err)
{
    const xpcs_run *x = e->x;
    uint32_t *cfr, *cct, bad = 0;
    /* the keys are columns and e->ptr holds the counts (do_step) */
    xpcs_events_csr_counted(e->epoch, e->ep_n, e->n_own, e->ptr, &cfr, &cct, &e->part,
                            &e->part_cap);
    /* merge repeated frames of a pixel (averaged frames, repeated words) */
    xpcs_status st = XPCS_OK;
    if (xpcs_events_merge(e->ptr, e->n_own, cfr, cct, &bad))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: frame %u: a summed count exceeds 2^32-1: use --kernel dense",
                       x->cfg->raw, bad);
    const int64_t nf = f_end - e->ep_f0;
    if (x->cfg->normalize_frame) {
        e->scale = xpcs_grow(e->scale, &e->scale_cap, nf > 0 ? nf : 1, sizeof(double));
        xpcs_run_frame_scale(x, e->ep_f0, nf, e->scale);
    }
    if (!st)
        xpcs_mtkernel_push_events(x->mt, e->ep_f0, nf, e->ptr, cfr, cct,
                                  x->cfg->normalize_frame ? e->scale : NULL);
    e->ep_f0 = f_end;
    e->ep_n = 0;
    memset(e->ptr, 0, sizeof(int64_t) * (size_t)(e->n_own + 1));
    return st;
}

/* Dense kernel (event files, --kernel dense): the step's frames of the
 * owned pixels from the n_recv triplets just received. */
static xpcs_status push_dense(ev_ctx *e, const xpcs_step *s, int64_t n_recv, xpcs_err *err)
{
    const xpcs_run *x = e->x;
    const int64_t n_own = e->n_own, nf = s->F1 - s->F0;
    xpcs_status st = XPCS_OK;
    e->dense = xpcs_grow(e->dense, &e->dense_cap, nf * n_own + 1, sizeof(uint32_t));
    memset(e->dense, 0, sizeof(uint32_t) * (size_t)(nf * n_own));
    for (int64_t i = 0; i < n_recv && !st; i++) {
        const uint32_t *t = e->epoch + 3 * i;
        uint32_t *v = e->dense + (int64_t)(t[1] - s->F0) * n_own + e->loc[t[0] - e->loc_lo];
        if (*v > UINT32_MAX - t[2])
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: frame %u: a summed count exceeds 2^32-1",
                           x->cfg->raw, t[1]);
        else
            *v += t[2];
    }
    if (!st) {
        if (x->cfg->normalize_frame) {
            e->scale = xpcs_grow(e->scale, &e->scale_cap, nf > 0 ? nf : 1, sizeof(double));
            xpcs_run_frame_scale(x, s->F0, nf, e->scale);
        }
        xpcs_mtkernel_push_rows(x->mt, e->dense, XPCS_DT_U32, nf, n_own,
                                x->cfg->normalize_frame ? e->scale : NULL);
    }
    return st;
}

/* This rank's part of the frame sums (valid pixels: an integer sum, as
 * xpcs_saxs_add_frames forms it) and the multitau owner of every event
 * (-1: not correlated, or no multitau). */
static void sums_and_owners(ev_ctx *e, const xpcs_step *s, int do_mt)
{
    const int64_t nf = s->F1 - s->F0, mine = s->fb - s->fa;
    const int64_t n_ev = mine > 0 ? e->fr.ptr[mine] : 0;
    e->fsum = xpcs_grow(e->fsum, &e->fsum_cap, nf, sizeof(double));
    memset(e->fsum, 0, sizeof(double) * (size_t)nf);
    int32_t *owner = xpcs_evroute_owners(&e->route, n_ev);
    for (int64_t f = 0; f < mine; f++) {
        uint64_t sum = 0;
        int r = 0; /* pixels ascend within a frame (per raw frame with -a) */
        for (int64_t i = e->fr.ptr[f]; i < e->fr.ptr[f + 1]; i++) {
            const uint32_t p = e->fr.pix[i];
            sum += bit_of(e->valid_bits, p) ? e->fr.cnt[i] : 0;
            /* the owner's range also for pixels nobody owns: no branch on
             * the correlated bit, which follows no pattern */
            if (p < e->flat_lo[r])
                r = 0;
            while (p >= e->flat_lo[r + 1])
                r++;
            const int in = do_mt & bit_of(e->corr_bits, p);
            owner[i] = (r + 1) * in - 1;
        }
        e->fsum[s->fa - s->F0 + f] = (double)sum;
    }
}

/* One step: SAXS, frame sums, routing, the owners' kernels. */
static xpcs_status do_step(ev_ctx *e, const xpcs_step *s, int last, xpcs_err *err)
{
    xpcs_run *x = e->x;
    const int64_t nf = s->F1 - s->F0, mine = s->fb - s->fa;
    const int do_mt = x->mt != NULL; /* -t twotime: no multitau kernel */
    x->nonzero += mine > 0 ? e->fr.ptr[mine] : 0;

    /* image and segments (frame sums below): on the kworker when there is
     * one, while this thread routes the events */
    saxs_job sj = {x->saxs, &e->fr, s->fa, mine};
    const int posted = e->w && mine > 0;
    if (posted) /* its CPU is its own: this thread's phases count only this thread's */
        xpcs_kworker_post_alone(e->w, saxs_run, &sj);
    else if (mine > 0) {
        xpcs_timer_start(&x->tm, XPCS_T_SAXS);
        saxs_run(&sj);
        xpcs_timer_stop(&x->tm, XPCS_T_SAXS);
    }

    xpcs_timer_start(&x->tm, XPCS_T_REDISTRIBUTE);
    xpcs_timer_start(&x->tm, XPCS_T_PACK);
    sums_and_owners(e, s, do_mt);
    xpcs_timer_stop(&x->tm, XPCS_T_PACK);
    xpcs_timer_start(&x->tm, XPCS_T_EXCHANGE);
    xpcs_comm_allreduce_sum_double(x->comm, e->fsum, nf);
    memcpy(x->frame_sum + s->F0, e->fsum, sizeof(double) * (size_t)nf);
    xpcs_timer_stop(&x->tm, XPCS_T_EXCHANGE);
    xpcs_status st = XPCS_OK;
    int64_t n_recv = 0;
    if (do_mt) { /* the owned pixels' events to their owners (the epoch grows) */
        const int64_t have = xpcs_mtkernel_is_sparse(x->mt) ? e->ep_n : 0;
        st = xpcs_evroute_exchange(&e->route, x->comm, &e->fr, s->fa, mine, NULL, &e->epoch,
                                   &e->ep_cap, have, &n_recv, x->cfg->raw, &x->tm, err);
    }
    /* two-time: the events of the selected bins to the bins' owners */
    if (!st && x->tt)
        st = xpcs_ttstage_exchange_events(x->tt, x->comm, &e->fr, s->fa, mine, &x->tm, err);
    xpcs_timer_stop(&x->tm, XPCS_T_REDISTRIBUTE);
    if (posted) {
        double wall, cpu;
        xpcs_kworker_wait(e->w, &wall, &cpu);
        xpcs_timer_add(&x->tm, XPCS_T_SAXS, wall, cpu);
    }
    if (st || !do_mt)
        return st;

    /* the kernels use all the rank's threads and no job runs meanwhile:
     * their CPU is the process's */
    if (e->w)
        xpcs_timers_cpu_clock(&x->tm, 0);
    xpcs_timer_start(&x->tm, XPCS_T_MULTITAU);
    if (xpcs_mtkernel_is_sparse(x->mt)) {
        /* keys -> columns and the columns' counts while the step's events
         * are in cache; the CSR of the epoch at its flush */
        xpcs_events_columns(e->epoch + 3 * e->ep_n, n_recv, e->loc, e->loc_lo, e->ptr);
        e->ep_n += n_recv;
        if (last || e->ep_n >= e->ep_max)
            st = flush_epoch(e, s->F1, err);
    }
    else
        st = push_dense(e, s, n_recv, err);
    xpcs_timer_stop(&x->tm, XPCS_T_MULTITAU);
    if (e->w)
        xpcs_timers_cpu_clock(&x->tm, 1);
    return xpcs_comm_agree(x->comm, st, err);
}

/* Bit maps, owner ranges and this rank's pixel index (see the manifest). */
static void ctx_init(ev_ctx *e, xpcs_run *x)
{
    memset(e, 0, sizeof *e);
    e->x = x;
    const xpcs_plan *p = &x->plan;
    const xpcs_qmap *q = &x->qmap;
    e->npix = p->rows * p->cols;
    e->n_own = x->n_own;
    e->n_mask = xpcs_saxs_n_mask(x->saxs);
    const size_t words = (size_t)(e->npix / 64 + 1);
    e->corr_bits = xpcs_calloc(words, sizeof(uint64_t));
    e->valid_bits = xpcs_calloc(words, sizeof(uint64_t));
    for (int64_t i = 0; i < e->npix; i++)
        if (q->mask[i])
            e->valid_bits[i >> 6] |= (uint64_t)1 << (i & 63);
    for (int64_t j = 0; j < q->n_corr; j++)
        e->corr_bits[q->corr_pixel[j] >> 6] |= (uint64_t)1 << (q->corr_pixel[j] & 63);
    /* flat_lo[r]: rank r's first correlated pixel; empty ranks take the
     * next rank's start, so the owner of p is the last r with
     * flat_lo[r] <= p < flat_lo[r + 1] */
    const int R = x->n_ranks;
    e->flat_lo = xpcs_malloc(sizeof(int64_t) * (size_t)(R + 1));
    e->flat_lo[R] = e->npix + 1;
    for (int r = R - 1; r >= 0; r--)
        e->flat_lo[r] = p->pix_first[r] < p->pix_first[r + 1] ? q->corr_pixel[p->pix_first[r]]
                                                              : e->flat_lo[r + 1];
    /* own pixels: flat index -> index among them */
    const int64_t j0 = p->pix_first[x->rank], j1 = p->pix_first[x->rank + 1];
    e->loc_lo = j1 > j0 ? q->corr_pixel[j0] : 0;
    const int64_t span = j1 > j0 ? q->corr_pixel[j1 - 1] - e->loc_lo + 1 : 1;
    e->loc = xpcs_calloc((size_t)span, sizeof(uint32_t));
    for (int64_t j = j0; j < j1; j++)
        e->loc[q->corr_pixel[j] - e->loc_lo] = (uint32_t)(j - j0);
    xpcs_evroute_init(&e->route, R, x->rank, "");
    /* a second thread for the SAXS sums only where the rank has two (one
     * thread per rank: in turn, no oversubscription) */
    e->w = omp_get_max_threads() >= 2 ? xpcs_kworker_create() : NULL;
    e->ptr = xpcs_calloc((size_t)(e->n_own + 1), sizeof(int64_t)); /* counts until a flush */
    /* an epoch holds at most this many events per rank: a share of what
     * the memory budget leaves (about 20 bytes per event in flight) */
    const double spare = p->mem_budget - p->mem_per_rank;
    const int64_t ep = (int64_t)(spare / 64.0);
    e->ep_max = ep < ((int64_t)1 << 20) ? ((int64_t)1 << 20)
                                        : (ep > ((int64_t)1 << 27) ? ((int64_t)1 << 27) : ep);
}

static void ctx_free(ev_ctx *e)
{
    xpcs_kworker_destroy(&e->w);
    free(e->corr_bits);
    free(e->valid_bits);
    free(e->flat_lo);
    free(e->loc);
    xpcs_frame_csr_free(&e->fr);
    xpcs_evroute_free(&e->route);
    free(e->fsum);
    free(e->epoch);
    free(e->ptr);
    free(e->part);
    free(e->scale);
    free(e->dense);
}

xpcs_status xpcs_run_events(xpcs_run *x, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    ev_ctx e;
    ctx_init(&e, x);
    /* the dense kernel needs a dense step buffer: the plan's step size */
    x->src->max_frames = p->sparse_multitau ? MAX_STEP_FRAMES : p->step_frames;
    const xpcs_siteopts *so = &x->cfg->site;
    xpcs_progress *prog =
        xpcs_progress_create(x->root && !x->cfg->quiet ? stderr : NULL, so->progress,
                             so->progress_interval_s, p->n_frames, "xpcs-corr");
    x->bytes_read = 0;
    x->nonzero = 0;
    xpcs_status st = XPCS_OK;
    /* with the SAXS worker, this thread's serial phases count its own CPU
     * and the worker's job its own (kworker_post_alone) */
    if (e.w)
        xpcs_timers_cpu_clock(&x->tm, 1);
    for (int64_t F0 = 0; F0 < p->n_frames && !st;) {
        xpcs_step s;
        double bytes = 0;
        st = x->src->ops->next_step(x->src, p, F0, &s, err);
        if (!st)
            st = x->src->ops->read_events(x->src, p, &s, &e.fr, &bytes, err);
        x->bytes_read += bytes;
        xpcs_counter_add(&x->tm, XPCS_C_BYTES_READ, bytes);
        if (st)
            break;
        xpcs_counter_add(&x->tm, XPCS_C_FRAMES_READ, (double)(s.fb - s.fa));
        st = do_step(&e, &s, s.F1 >= p->n_frames, err);
        xpcs_timer_step(&x->tm);
        xpcs_counter_add(&x->tm, XPCS_C_PIXEL_FRAMES, (double)(s.F1 - s.F0) * (double)e.n_own);
        xpcs_progress_update(prog, s.F1);
        F0 = s.F1;
    }
    xpcs_timers_cpu_clock(&x->tm, 0);
    if (!st && x->tt)
        st = xpcs_ttstage_events_done(x->tt, x->comm, err);
    xpcs_comm_allreduce_sum_int64(x->comm, &x->nonzero, 1);
    if (!st)
        xpcs_progress_finish(prog);
    else
        xpcs_progress_cancel(prog);
    xpcs_progress_destroy(&prog);
    ctx_free(&e);
    return st;
}

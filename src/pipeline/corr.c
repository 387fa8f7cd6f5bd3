/* corr: the pipeline of xpcs-corr.  Decomposition (see plan.h):
 *   - frames: in step k every rank reads a contiguous slice of the step's
 *     output frames (collective HDF5), sums avg raw frames, adds them to its
 *     SAXS sums, and sends each pixel owner its pixels (all-to-all);
 *   - pixels: rank r owns a contiguous slice of the correlated-pixel list and
 *     runs the multitau kernel on it, frames arriving in time order;
 *   - at the end per-bin sums are reduced to rank 0, which writes the file.
 * Every step that can fail on one rank ends in xpcs_comm_agree(), so all
 * ranks leave together and nobody waits in a collective.
 */
#define _DEFAULT_SOURCE /* madvise(MADV_HUGEPAGE) */
#include "xpcs/pipeline/corr.h"

#include <errno.h>
#include <sys/mman.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xpcs/parallel/comm.h"
#include "xpcs/config/config.h"
#include "xpcs/io/fit_io.h"
#include "xpcs/pipeline/corr_ext.h"
#include "xpcs/pipeline/evstream.h"
#include "xpcs/core/fileutil.h"
#include "xpcs/io/names.h"
#include "xpcs/kernels/g2norm.h"
#include "xpcs/io/h5in.h"
#include "xpcs/io/h5out.h"
#include "xpcs/monitor/iobench.h"
#include "xpcs/kernels/mtsparse.h"
#include "xpcs/kernels/multitau.h"
#include "xpcs/plan/plan.h"
#include "xpcs/monitor/profile.h"
#include "xpcs/monitor/progress.h"
#include "xpcs/plan/qmap.h"
#include "xpcs/report/report.h"
#include "xpcs/io/rigaku.h"
#include "xpcs/kernels/saxs.h"
#include "xpcs/config/settings.h"
#include "xpcs/monitor/timer.h"

typedef struct {
    const xpcs_config *cfg;
    xpcs_comm *comm;
    int rank, n_ranks, root;
    xpcs_timers tm;
    xpcs_qmap qmap;
    xpcs_raw *raw;
    xpcs_plan plan;
    char out_path[XPCS_PATH_MAX];
    char meta_path[XPCS_PATH_MAX];
    int have_meta;
    /* this rank's pixels: [own_first, own_first + n_own) of the list */
    int64_t own_first, n_own;
    int32_t *own_sq, *own_dq;
    xpcs_multitau *mt;
    xpcs_saxs *saxs;
    double *frame_sum;   /* [N] masked frame sums (every rank, all frames) */
    double storage_gbps; /* bare-read bandwidth for the I/O indicator, 0 = unknown */
    const char *storage_source;
    double bytes_read;
    /* -t linear / twotime / both (corr_ext.h); mt is NULL without multitau */
    int do_mt, do_lin, do_tt;
    xpcs_g2lin_geom lin_geo;
    xpcs_corr_lin *lin;
    xpcs_corr_tt *tt;
    /* issue 7: event files, the event-based kernel (evstream.h) */
    xpcs_rigaku *rig;   /* the raw file is a Rigaku .bin (then raw is NULL) */
    xpcs_mtsparse *ms;  /* the sparse kernel (then mt is NULL) */
    double occupancy;   /* measured non-zero fraction, -1 if not measured */
    int64_t nonzero;    /* events read by the event pipeline */
    int sparse;         /* the event kernels run (--kernel, auto's choice) */
    int events;         /* the event pipeline reads (sparse, or an event file) */
    int tt_store_later; /* two-time's dense store not yet in the memory plan */
} corr_ctx;

/* The kernel's results, whichever kernel ran. */
static int kernel_n_delays(const corr_ctx *x)
{
    if (x->ms)
        return xpcs_mtsparse_n_delays(x->ms);
    return x->mt ? xpcs_multitau_n_delays(x->mt) : 0;
}
static const int64_t *kernel_delays(const corr_ctx *x)
{
    if (x->ms)
        return xpcs_mtsparse_delay_list(x->ms);
    return x->mt ? xpcs_multitau_delay_list(x->mt) : NULL;
}
static xpcs_status kernel_result(const corr_ctx *x, int j, double *G2, double *IP, double *IF,
                                 xpcs_err *err)
{
    return x->ms ? xpcs_mtsparse_result(x->ms, j, G2, IP, IF, err)
                 : xpcs_multitau_result(x->mt, j, G2, IP, IF, err);
}

/* ---- set-up ------------------------------------------------------------ */

static xpcs_status load_qmap(corr_ctx *x, xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    int64_t dims[2] = {0, 0};
    if (x->root) {
        st = xpcs_h5in_read_qmap(x->cfg->qmap, &x->qmap, err);
        dims[0] = x->qmap.rows;
        dims[1] = x->qmap.cols;
    }
    st = xpcs_comm_agree(x->comm, st, err);
    if (st)
        return st;
    xpcs_comm_bcast(x->comm, dims, sizeof dims, 0);
    if (!x->root) {
        x->qmap.rows = dims[0];
        x->qmap.cols = dims[1];
        size_t n = (size_t)(dims[0] * dims[1]);
        x->qmap.mask = xpcs_malloc(sizeof(int32_t) * n);
        x->qmap.dmap = xpcs_malloc(sizeof(int32_t) * n);
        x->qmap.smap = xpcs_malloc(sizeof(int32_t) * n);
    }
    size_t bytes = sizeof(int32_t) * (size_t)(dims[0] * dims[1]);
    xpcs_comm_bcast(x->comm, x->qmap.mask, bytes, 0);
    xpcs_comm_bcast(x->comm, x->qmap.dmap, bytes, 0);
    xpcs_comm_bcast(x->comm, x->qmap.smap, bytes, 0);
    xpcs_comm_bcast(x->comm, x->qmap.hash, sizeof x->qmap.hash, 0);
    if (!x->root) /* same arrays, same deterministic build as rank 0 */
        st = xpcs_qmap_build(&x->qmap, x->cfg->qmap, err);
    return xpcs_comm_agree(x->comm, st, err);
}

/* Output directory, result name, metadata file: decided on rank 0. */
static xpcs_status prepare_output(corr_ctx *x, xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    if (x->root) {
        const xpcs_config *c = x->cfg;
        xpcs_metadata_name(c->raw, x->meta_path, sizeof x->meta_path);
        x->have_meta = access(x->meta_path, F_OK) == 0;
        struct stat sb;
        if (stat(c->output, &sb) != 0) {
            if (mkdir(c->output, 0775) != 0)
                st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create the output directory: %s",
                               c->output, strerror(errno));
        }
        else if (!S_ISDIR(sb.st_mode))
            st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                           "%s: not a directory: expected the output "
                           "directory",
                           c->output);
        /* root passes access(); a directory with no write bit at all is
         * still meant to be read-only, so refuse it as well */
        if (!st && (access(c->output, W_OK | X_OK) != 0 ||
                    (stat(c->output, &sb) == 0 && (sb.st_mode & 0222) == 0)))
            st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                           "%s: output directory is not writable: expected a directory where "
                           "the result can be created",
                           c->output);
        if (!st && xpcs_result_name(c->output, c->raw, x->out_path, sizeof x->out_path, err))
            st = XPCS_ERR_OUTPUT; /* the name does not fit: an output error here */
        if (!st && !c->overwrite && access(x->out_path, F_OK) == 0)
            st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                           "%s: result file exists: use -w/--overwrite to replace it", x->out_path);
    }
    st = xpcs_comm_agree(x->comm, st, err);
    if (!st) /* every rank knows the result's name (batch groups use it) */
        xpcs_comm_bcast(x->comm, x->out_path, sizeof x->out_path, 0);
    return st;
}

static double default_budget(const xpcs_comm *c)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    double ram = pages > 0 && psz > 0 ? (double)pages * (double)psz : 4.0 * (1 << 30);
    return 0.5 * ram / xpcs_comm_node_size(c);
}

/* Linear and two-time stages: lags, bin owners and their memory, added to
 * the plan's estimate (the multitau state is dropped when not computed). */
static xpcs_status plan_stages(corr_ctx *x, xpcs_err *err)
{
    xpcs_plan *p = &x->plan;
    const xpcs_analysis a = x->cfg->analysis;
    x->do_mt = a == XPCS_ANALYSIS_MULTITAU || a == XPCS_ANALYSIS_BOTH;
    x->do_lin = a == XPCS_ANALYSIS_LINEAR;
    x->do_tt = a == XPCS_ANALYSIS_TWOTIME || a == XPCS_ANALYSIS_BOTH;
    if (!x->do_mt)
        p->mem_per_rank -= (double)((p->n_corr + p->n_ranks - 1) / p->n_ranks) *
                           xpcs_multitau_bytes_per_pixel(p->n_frames);
    xpcs_status st = XPCS_OK;
    if (x->do_tt) {
        double bytes;
        int at;
        /* the event kernel needs no dense series store: counted when the
         * kernels are chosen (run) if it turns out to be needed */
        x->tt_store_later = x->rig || x->cfg->kernel != XPCS_KERNEL_DENSE;
        st = xpcs_corr_tt_plan(x->cfg, &x->qmap, p, x->rank, x->tt_store_later, &x->tt, &bytes, &at,
                               err);
        if (st)
            return st;
        if (p->mem_per_rank + bytes > p->mem_budget)
            return xpcs_fail(err, XPCS_ERR_MEMORY,
                             "%s: two-time needs about %.0f MiB on rank %d (%.0f MiB for %lld x "
                             "%lld maps and the series of its bins), over the budget of %.0f "
                             "MiB: use -a/--avg-frame, fewer bins (-d), more ranks or "
                             "--max-memory",
                             x->cfg->raw, (p->mem_per_rank + bytes) / 1048576.0, at,
                             bytes / 1048576.0, (long long)p->n_frames, (long long)p->n_frames,
                             p->mem_budget / 1048576.0);
        p->mem_per_rank += bytes;
    }
    if (x->do_lin) {
        double bytes;
        st = xpcs_corr_lin_plan(x->cfg, p, &x->qmap, p->mem_per_rank, p->mem_budget, &x->lin_geo,
                                &bytes, err);
        if (st)
            return st;
        p->mem_per_rank += bytes;
    }
    return XPCS_OK;
}

static xpcs_status make_plan(corr_ctx *x, xpcs_err *err)
{
    const xpcs_config *c = x->cfg;
    int64_t frames, rows, cols;
    if (x->rig) {
        frames = xpcs_rigaku_n_frames(x->rig);
        rows = xpcs_rigaku_rows(x->rig);
        cols = xpcs_rigaku_cols(x->rig);
    }
    else
        xpcs_raw_dims(x->raw, &frames, &rows, &cols);
    xpcs_status st = XPCS_OK;
    if (rows != x->qmap.rows || cols != x->qmap.cols)
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: /qmap maps have shape (%lld, %lld): expected the frame shape (%lld, "
                       "%lld) of %s%s%s",
                       c->qmap, (long long)x->qmap.rows, (long long)x->qmap.cols, (long long)rows,
                       (long long)cols, c->raw, x->rig ? "" : ":", x->rig ? "" : c->dataset);
    if (!st)
        st = xpcs_plan_frames(frames, c->begin_frame, c->end_frame, c->stride_frame, c->avg_frame,
                              &x->plan, c->raw, err);
    if (st)
        return st; /* deterministic: every rank fails the same way */
    unsigned char *sel = xpcs_malloc((size_t)x->qmap.n_dq + 1);
    st = xpcs_parse_bin_selection(c->dq_selection, x->qmap.n_dq, sel, err);
    free(sel);
    if (st)
        return st;
    if (c->step_frames > 0 && c->step_frames * x->qmap.n_corr >= INT32_MAX)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "--step-frames %lld: too large for %lld pixels (all-to-all counts "
                         "must stay below 2^31)",
                         (long long)c->step_frames, (long long)x->qmap.n_corr);
    xpcs_plan_decompose(&x->plan, x->n_ranks, omp_get_max_threads(), rows, cols, x->qmap.n_corr,
                        x->rig ? XPCS_DT_U16 : xpcs_raw_type(x->raw), c->step_frames);
    x->plan.mem_budget =
        c->max_memory_mb > 0 ? c->max_memory_mb * 1048576.0 : default_budget(x->comm);
    st = plan_stages(x, err);
    if (st)
        return st;
    if (x->plan.mem_per_rank > x->plan.mem_budget)
        return xpcs_fail(err, XPCS_ERR_MEMORY,
                         "%s: needs about %.0f MiB per rank, over the budget of %.0f MiB: use "
                         "more ranks, -a/--avg-frame, or --max-memory",
                         c->raw, x->plan.mem_per_rank / 1048576.0, x->plan.mem_budget / 1048576.0);
    x->own_first = x->plan.pix_first[x->rank];
    x->n_own = x->plan.pix_first[x->rank + 1] - x->own_first;
    return XPCS_OK;
}

/* ---- the streaming loop ------------------------------------------------ */

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

#define SUM_GROUPS(OUT_T, IN_T)                                                                    \
    do {                                                                                           \
        OUT_T *o = (OUT_T *)out;                                                                   \
        const IN_T *in = (const IN_T *)raw;                                                        \
        _Pragma("omp parallel for schedule(static)") for (int64_t f = 0; f < count; f++)           \
        {                                                                                          \
            OUT_T *dst = o + (size_t)f * (size_t)npix;                                             \
            for (int64_t p = 0; p < npix; p++)                                                     \
                dst[p] = 0;                                                                        \
            for (int64_t a = 0; a < avg; a++) {                                                    \
                const IN_T *src = in + (size_t)(f * avg + a) * (size_t)npix;                       \
                _Pragma("omp simd") for (int64_t p = 0; p < npix; p++) dst[p] += (OUT_T)src[p];    \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Output frame f = sum of avg consecutive raw frames read (boost: average). */
static void sum_groups(const void *raw, xpcs_dtype rt, void *out, xpcs_dtype ot, int64_t count,
                       int64_t avg, int64_t npix)
{
    if (ot == XPCS_DT_U32) {
        if (rt == XPCS_DT_U8)
            SUM_GROUPS(uint32_t, uint8_t);
        else
            SUM_GROUPS(uint32_t, uint16_t);
    }
    else {
        if (rt == XPCS_DT_U8)
            SUM_GROUPS(double, uint8_t);
        else if (rt == XPCS_DT_U16)
            SUM_GROUPS(double, uint16_t);
        else
            SUM_GROUPS(double, uint32_t);
    }
}

/* The correlated pixels of each owner as runs of consecutive flat indices
 * (rings of a q-map are long runs), so packing is a few memcpy per row. */
typedef struct {
    int64_t n_runs;
    int64_t *start;     /* [n_runs] first flat pixel index of the run */
    int64_t *len;       /* [n_runs] */
    int64_t *first_run; /* [n_ranks + 1] runs of owner d: [first_run[d], first_run[d+1]) */
} pixel_runs;

static void pixel_runs_build(pixel_runs *pr, const int64_t *pix, const int64_t *pf, int n_ranks)
{
    int64_t n = pf[n_ranks];
    pr->start = xpcs_malloc(sizeof(int64_t) * (size_t)(n + 1));
    pr->len = xpcs_malloc(sizeof(int64_t) * (size_t)(n + 1));
    pr->first_run = xpcs_malloc(sizeof(int64_t) * (size_t)(n_ranks + 1));
    int64_t k = 0;
    for (int d = 0; d < n_ranks; d++) {
        pr->first_run[d] = k;
        for (int64_t j = pf[d]; j < pf[d + 1]; j++) {
            if (j > pf[d] && pix[j] == pix[j - 1] + 1) {
                pr->len[k - 1]++;
                continue;
            }
            pr->start[k] = pix[j];
            pr->len[k] = 1;
            k++;
        }
    }
    pr->first_run[n_ranks] = k;
    pr->n_runs = k;
}

static void pixel_runs_free(pixel_runs *pr)
{
    free(pr->start);
    free(pr->len);
    free(pr->first_run);
}

/* send = [owner rank][frame][owner's pixels]: each owner's block is the
 * frames of this rank restricted to the owner's pixels. */
static void pack(const void *frames, size_t esz, int64_t count, int64_t npix, const pixel_runs *pr,
                 const int64_t *pf, int n_ranks, void *send)
{
#pragma omp parallel for schedule(static)
    for (int64_t f = 0; f < count; f++) {
        const char *src = (const char *)frames + (size_t)(f * npix) * esz;
        for (int d = 0; d < n_ranks; d++) {
            int64_t n = pf[d + 1] - pf[d];
            char *dst = (char *)send + (size_t)(count * pf[d] + f * n) * esz;
            for (int64_t k = pr->first_run[d]; k < pr->first_run[d + 1]; k++) {
                size_t bytes = (size_t)pr->len[k] * esz;
                memcpy(dst, src + (size_t)pr->start[k] * esz, bytes);
                dst += bytes;
            }
        }
    }
}

static xpcs_status stream_frames(corr_ctx *x, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    const int64_t npix = p->rows * p->cols;
    const size_t rsz = xpcs_dtype_size(p->raw_type), xsz = xpcs_dtype_size(p->xfer_type);
    const int64_t max_mine = (p->step_frames + x->n_ranks - 1) / x->n_ranks;
    void *rawbuf = alloc_step_buffer((size_t)(max_mine * p->avg * npix) * rsz);
    void *sumbuf = p->avg > 1 ? alloc_step_buffer((size_t)(max_mine * npix) * xsz) : NULL;
    void *send = alloc_step_buffer((size_t)(max_mine * p->n_corr) * xsz);
    void *recv = alloc_step_buffer((size_t)(p->step_frames * x->n_own) * xsz);
    double *scale = xpcs_malloc(sizeof(double) * (size_t)p->step_frames);
    int *sc = xpcs_malloc(sizeof(int) * (size_t)x->n_ranks * 6);
    int *sd = sc + x->n_ranks, *rc = sd + x->n_ranks, *rd = rc + x->n_ranks;
    int *fc = rd + x->n_ranks, *fd = fc + x->n_ranks;
    double *fsum_mine = xpcs_malloc(sizeof(double) * (size_t)max_mine);
    const int64_t n_mask = xpcs_saxs_n_mask(x->saxs);
    pixel_runs runs;
    pixel_runs_build(&runs, x->qmap.corr_pixel, p->pix_first, x->n_ranks);
    xpcs_status st = XPCS_OK;
    const xpcs_siteopts *so = &x->cfg->site;
    xpcs_progress *prog =
        xpcs_progress_create(x->root && !x->cfg->quiet ? stderr : NULL, so->progress,
                             so->progress_interval_s, p->n_frames, "xpcs-corr");

    for (int64_t k = 0; k < p->n_steps && !st; k++) {
        int64_t first, count;
        xpcs_plan_rank_frames(p, k, x->rank, &first, &count);
        const int64_t step_lo = k * p->step_frames;
        /* read: raw frames begin + (first*avg + i)*stride, i < count*avg */
        xpcs_timer_start(&x->tm, XPCS_T_READ);
        st = xpcs_raw_read(x->raw, p->begin + first * p->avg * p->stride, p->stride, count * p->avg,
                           rawbuf, err);
        xpcs_timer_stop(&x->tm, XPCS_T_READ);
        st = xpcs_comm_agree(x->comm, st, err);
        if (st)
            break;
        xpcs_counter_add(&x->tm, XPCS_C_BYTES_READ, (double)(count * p->avg * npix) * (double)rsz);
        xpcs_counter_add(&x->tm, XPCS_C_FRAMES_READ, (double)count);
        void *frames = rawbuf;
        xpcs_timer_start(&x->tm, XPCS_T_SAXS);
        if (p->avg > 1) {
            sum_groups(rawbuf, p->raw_type, sumbuf, p->xfer_type, count, p->avg, npix);
            frames = sumbuf;
        }
        xpcs_saxs_add_frames(x->saxs, frames, p->xfer_type, count, first, fsum_mine);
        xpcs_timer_stop(&x->tm, XPCS_T_SAXS);

        const int pix_owners = x->mt || x->lin; /* multitau and linear own pixels */
        xpcs_timer_start(&x->tm, XPCS_T_REDISTRIBUTE);
        xpcs_timer_start(&x->tm, XPCS_T_PACK);
        if (pix_owners)
            pack(frames, xsz, count, npix, &runs, p->pix_first, x->n_ranks, send);
        xpcs_timer_stop(&x->tm, XPCS_T_PACK);

        xpcs_timer_start(&x->tm, XPCS_T_EXCHANGE);
        for (int r = 0; r < x->n_ranks; r++) {
            int64_t f_r, c_r;
            xpcs_plan_rank_frames(p, k, r, &f_r, &c_r);
            int64_t n_r = p->pix_first[r + 1] - p->pix_first[r];
            sc[r] = (int)(count * n_r);
            sd[r] = (int)(count * p->pix_first[r]);
            rc[r] = (int)(c_r * x->n_own);
            rd[r] = (int)((f_r - step_lo) * x->n_own);
            fc[r] = (int)c_r;
            fd[r] = (int)(f_r - step_lo);
        }
        if (pix_owners)
            xpcs_comm_alltoallv(x->comm, send, sc, sd, recv, rc, rd, p->xfer_type);
        if (x->tt) /* two-time: the bins' pixels to their owners */
            xpcs_corr_tt_exchange(x->tt, x->comm, p, k, frames, count, &x->tm);
        /* every rank learns the step's frame sums (Int_t, --normalize-frame) */
        xpcs_comm_allgatherv_double(x->comm, fsum_mine, (int)count, x->frame_sum + step_lo, fc);
        xpcs_timer_stop(&x->tm, XPCS_T_EXCHANGE);
        xpcs_timer_stop(&x->tm, XPCS_T_REDISTRIBUTE);
        for (int r = 0; r < x->n_ranks; r++)
            if (r != x->rank) {
                xpcs_counter_add(&x->tm, XPCS_C_BYTES_SENT, (double)sc[r] * (double)xsz);
                xpcs_counter_add(&x->tm, XPCS_C_BYTES_RECEIVED, (double)rc[r] * (double)xsz);
            }

        int64_t n_step = 0;
        for (int r = 0; r < x->n_ranks; r++)
            n_step += fc[r];
        const double *row_scale = NULL;
        if (x->cfg->normalize_frame) {
            /* I'(t) = I(t) / <I(t)>, <I(t)> = masked frame sum / n_mask;
             * an all-zero frame is left as it is (scale 1). */
            for (int64_t f = 0; f < n_step; f++) {
                double s = x->frame_sum[step_lo + f];
                scale[f] = s > 0 ? (double)n_mask / s : 1.0;
            }
            row_scale = scale;
        }
        xpcs_timer_start(&x->tm, XPCS_T_MULTITAU);
        if (x->mt)
            xpcs_multitau_push(x->mt, recv, p->xfer_type, n_step, x->n_own, row_scale);
        if (x->lin)
            xpcs_corr_lin_push(x->lin, recv, n_step, x->n_own, row_scale);
        xpcs_timer_stop(&x->tm, XPCS_T_MULTITAU);
        xpcs_counter_add(&x->tm, XPCS_C_PIXEL_FRAMES, (double)n_step * (double)x->n_own);
        xpcs_progress_update(prog, step_lo + n_step);
    }
    if (!st)
        xpcs_progress_finish(prog);
    else
        xpcs_progress_cancel(prog);
    xpcs_progress_destroy(&prog);
    free(rawbuf);
    free(sumbuf);
    free(send);
    free(recv);
    free(scale);
    free(sc);
    free(fsum_mine);
    pixel_runs_free(&runs);
    return st;
}

/* ---- reductions and output -------------------------------------------- */

/* h5out's hook on rank 0: the two-time maps (received from their owners
 * while rank 0 computes its own), then the linear group. */
static xpcs_status write_extra(int64_t file, const char *name, const xpcs_result *r, void *ctx,
                               xpcs_err *err)
{
    corr_ctx *x = ctx;
    xpcs_h5x w = {file, name};
    xpcs_status st = XPCS_OK;
    if (x->tt)
        st = xpcs_corr_tt_write(x->tt, x->comm, &w, r, err);
    if (!st && x->lin)
        st = xpcs_corr_lin_write(x->lin, &w, r, err);
    return st;
}

static xpcs_status reduce_and_write(corr_ctx *x, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    const int n_delays = kernel_n_delays(x);
    const int64_t npix = p->rows * p->cols;
    xpcs_status st = XPCS_OK;

    xpcs_timer_start(&x->tm, XPCS_T_REDUCE);
    if (x->lin)
        st = xpcs_corr_lin_reduce(x->lin, x->comm, &x->qmap, x->own_sq, x->own_dq, err);
    /* g2: two passes over the delays (exponents, then exact sums) */
    xpcs_g2norm *gn = xpcs_g2norm_create(n_delays, x->qmap.n_sq, x->qmap.n_dq, x->qmap.sq_to_dq);
    double *G2 = xpcs_malloc(sizeof(double) * (size_t)(x->n_own ? x->n_own : 1) * 3);
    double *IP = G2 + x->n_own, *IF = IP + x->n_own;
    for (int pass = 0; pass < 2 && !st && (x->mt || x->ms); pass++) {
        for (int j = 0; j < n_delays && !st; j++) {
            st = kernel_result(x, j, G2, IP, IF, err);
            if (st)
                break;
            if (pass == 0)
                xpcs_g2norm_scan(gn, j, x->n_own, G2, IP, IF, x->own_sq, x->own_dq);
            else
                xpcs_g2norm_accumulate(gn, j, x->n_own, G2, IP, IF, x->own_sq, x->own_dq);
        }
        if (pass == 0) {
            int nm;
            double *mx = xpcs_g2norm_maxima(gn, &nm);
            xpcs_comm_allreduce_max_double(x->comm, mx, nm);
        }
    }
    free(G2);
    st = xpcs_comm_agree(x->comm, st, err);
    int64_t ns;
    int64_t *sums = xpcs_g2norm_sums(gn, &ns);
    if (!st && (x->mt || x->ms))
        xpcs_comm_reduce_sum_int64(x->comm, sums, ns, 0);

    xpcs_saxs_flush(x->saxs);
    xpcs_comm_reduce_sum_double(x->comm, xpcs_saxs_image_sum(x->saxs), npix, 0);
    int64_t nseg_sum;
    double *seg = xpcs_saxs_segment_sum(x->saxs, &nseg_sum);
    xpcs_comm_reduce_sum_double(x->comm, seg, nseg_sum, 0);
    xpcs_timer_stop(&x->tm, XPCS_T_REDUCE);

    xpcs_timer_start(&x->tm, XPCS_T_WRITE);
    if (x->root && !st) {
        double *g2 = xpcs_malloc(sizeof(double) * (size_t)n_delays * (size_t)x->qmap.n_dq * 2);
        double *g2e = g2 + (size_t)n_delays * (size_t)x->qmap.n_dq;
        if (x->mt || x->ms)
            xpcs_g2norm_finish(gn, g2, g2e);
        const int n_seg = xpcs_saxs_n_segments(x->saxs);
        double *s2 = xpcs_malloc(sizeof(double) * (size_t)npix);
        int *sq_ids = xpcs_malloc(sizeof(int) * (size_t)(x->qmap.n_sq + 1));
        double *s1 = xpcs_malloc(sizeof(double) * (size_t)(x->qmap.n_sq + 1));
        double *segs =
            xpcs_malloc(sizeof(double) * (size_t)(n_seg + 1) * (size_t)(x->qmap.n_sq + 1));
        int n_sq_out = 0;
        xpcs_saxs_finish(x->saxs, p->avg, s2, sq_ids, &n_sq_out, s1, segs);
        double *int_t = xpcs_malloc(sizeof(double) * (size_t)p->n_frames);
        const double n_mask = (double)xpcs_saxs_n_mask(x->saxs);
        for (int64_t k = 0; k < p->n_frames; k++)
            int_t[k] = n_mask > 0 ? x->frame_sum[k] / (n_mask * (double)p->avg) : 0.0;
        char *plan_json = xpcs_plan_json(p);
        const xpcs_config *c = x->cfg;
        xpcs_result r = {0};
        r.raw_path = c->raw;
        r.qmap_path = c->qmap;
        r.meta_path = x->have_meta ? x->meta_path : NULL;
        r.out_path = x->out_path;
        r.frame_time = c->frame_time > 0 ? c->frame_time : 1.0;
        r.count_time = c->count_time > 0 ? c->count_time : r.frame_time;
        r.n_delays = n_delays;
        r.delays = kernel_delays(x);
        r.kernel = x->sparse ? "sparse" : "dense";
        r.occupancy = x->occupancy;
        r.n_dq = x->qmap.n_dq;
        r.g2 = g2;
        r.g2_err = g2e;
        r.rows = p->rows;
        r.cols = p->cols;
        r.scattering_2d = s2;
        r.n_sq_out = n_sq_out;
        r.scattering_1d = s1;
        r.n_seg = n_seg;
        r.segments = segs;
        r.n_frames = p->n_frames;
        r.int_t = int_t;
        r.cfg = c;
        r.begin_raw = p->begin;
        r.end_raw = p->end;
        r.plan_json = plan_json;
        r.qmap_hash = x->qmap.hash[0] ? x->qmap.hash : "unknown";
        r.n_ranks = x->n_ranks;
        r.n_threads = omp_get_max_threads();
        char *eff = xpcs_settings_effective_json(c);
        r.effective_config = eff;
        if (x->lin || x->tt) {
            r.write_extra = write_extra;
            r.extra_ctx = x;
        }
        if (!x->have_meta && c->frame_time <= 0)
            fprintf(stderr,
                    "xpcs-corr: warning: no %s; writing a minimal /entry with frame_time 1 s "
                    "(use --frame-time)\n",
                    x->meta_path);
        st = xpcs_h5out_write(&r, err);
        free(eff);
        if (x->tt)
            xpcs_corr_tt_release(x->tt, x->comm);
        free(plan_json);
        free(int_t);
        free(segs);
        free(s1);
        free(sq_ids);
        free(s2);
        free(g2);
    }
    else if (x->tt && !st) /* while rank 0 writes: compute and send the maps */
        xpcs_corr_tt_serve(x->tt, x->comm);
    xpcs_g2norm_destroy(&gn);
    xpcs_timer_stop(&x->tm, XPCS_T_WRITE);
    return xpcs_comm_agree(x->comm, st, err);
}

static void print_config(const xpcs_config *c, FILE *out)
{
    fprintf(out,
            "config: raw=%s qmap=%s output=%s dataset=%s type=%s begin_frame=%lld "
            "end_frame=%lld stride_frame=%lld avg_frame=%lld normalize_frame=%d "
            "dq_selection=%s overwrite=%d max_memory_mb=%g step_frames=%lld%s%s\n",
            c->raw, c->qmap, c->output, c->dataset, xpcs_analysis_name(c->analysis),
            (long long)c->begin_frame, (long long)c->end_frame, (long long)c->stride_frame,
            (long long)c->avg_frame, c->normalize_frame, c->dq_selection, c->overwrite,
            c->max_memory_mb, (long long)c->step_frames, c->config_file[0] ? " config=" : "",
            c->config_file);
}

/* Collective: the profile to rank 0, the summary lines and table, the
 * profile JSON and the HTML report (rank 0), then the health verdict
 * (XPCS_ERR_HEALTH with --fail-on-critical when an indicator is critical). */
static xpcs_status finish_run(corr_ctx *x, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    const xpcs_siteopts *so = &x->cfg->site;
    xpcs_profile_run run = {0};
    run.program = "xpcs-corr";
    run.raw = x->cfg->raw;
    run.result = x->out_path;
    run.frames = p->n_frames;
    run.raw_frames = p->n_frames * p->avg;
    run.rows = p->rows;
    run.cols = p->cols;
    run.n_corr = p->n_corr;
    run.n_delays = (x->mt || x->ms) ? kernel_n_delays(x) : (int)x->lin_geo.max_lag;
    run.step_frames = p->step_frames;
    run.n_steps = p->n_steps;
    run.n_own = x->n_own;
    run.threads = omp_get_max_threads();
    run.mem_budget = p->mem_budget;
    run.mem_estimate = p->mem_per_rank;
    run.storage_gbps = x->storage_gbps;
    run.storage_source = x->storage_source;
    run.thresholds = so->threshold;
    xpcs_profile *prof = xpcs_profile_gather(&x->tm, x->comm, &run);
    xpcs_status st = XPCS_OK;
    /* a batch prints one line per file itself: files of a batch stay quiet */
    const int talk = !x->cfg->quiet || x->cfg->verbose;
    if (x->root) {
        double wall = xpcs_profile_wall(prof), bytes = xpcs_profile_bytes_read(prof);
        if (talk)
            printf(
                "xpcs-corr: %lld frames of %lld x %lld (%lld correlated pixels, %d delays) on %d "
                "rank(s) x %d thread(s) in %.3f s\n",
                (long long)p->n_frames, (long long)p->rows, (long long)p->cols,
                (long long)p->n_corr, (int)run.n_delays, x->n_ranks, omp_get_max_threads(), wall);
        if (talk)
            printf(
                "xpcs-corr: throughput %.3g pixel-frames/s end to end; read %.3f GB at %.2f GB/s "
                "(slowest rank's read time %.3f s)\n",
                xpcs_profile_throughput(prof), bytes / 1e9, xpcs_profile_read_gbps(prof),
                xpcs_profile_phase_max(prof, XPCS_T_READ));
        const double pf = (double)p->rows * (double)p->cols * (double)p->n_frames * (double)p->avg;
        if (talk && x->events)
            printf("xpcs-corr: %s kernel: %lld photon events (occupancy %.3g) at %.3g events/s "
                   "end to end\n",
                   x->sparse ? "sparse" : "dense", (long long)x->nonzero,
                   pf > 0 ? (double)x->nonzero / pf : 0.0,
                   wall > 0 ? (double)x->nonzero / wall : 0.0);
        if (x->cfg->verbose && x->lin)
            xpcs_corr_lin_print_stats(x->lin, stdout);
        if (x->cfg->verbose && x->tt)
            xpcs_corr_tt_print_stats(x->tt, stdout);
        char path[XPCS_PATH_MAX + 32];
        const char *prof_path = NULL;
        if (so->enable_profiling) {
            if (talk)
                xpcs_profile_print(prof, stdout);
            xpcs_sibling_name(x->out_path, XPCS_PROFILE_SUFFIX, path, sizeof path);
            xpcs_err werr;
            if (xpcs_profile_write(prof, path, &werr) == XPCS_OK) {
                if (talk)
                    printf("xpcs-corr: profile %s\n", path);
                prof_path = path;
            }
            else
                fprintf(stderr, "xpcs-corr: warning: %s\n", werr.msg);
        }
        fflush(stdout);
        if (so->enable_report) {
            char html[XPCS_PATH_MAX + 32];
            xpcs_sibling_name(x->out_path, XPCS_REPORT_SUFFIX, html, sizeof html);
            xpcs_err rerr;
            if (xpcs_report_write(x->out_path, prof_path, html, &rerr) == XPCS_OK) {
                if (talk)
                    printf("xpcs-corr: report %s\n", html);
            }
            else
                fprintf(stderr, "xpcs-corr: warning: no report: %s\n", rerr.msg);
        }
        char why[512];
        if (so->fail_on_critical &&
            xpcs_profile_worst(prof, why, sizeof why) == XPCS_HEALTH_CRITICAL)
            st = xpcs_fail(err, XPCS_ERR_HEALTH,
                           "%s: health indicator(s) critical with --fail-on-critical: %s",
                           x->out_path, why);
        xpcs_profile_destroy(&prof);
    }
    return xpcs_comm_agree(x->comm, st, err);
}

/* io.measure_storage_bandwidth: a bare read of the raw file; otherwise the
 * configured io.storage_bandwidth_gbps (0 = unknown). */
static xpcs_status storage_bandwidth(corr_ctx *x, xpcs_err *err)
{
    const xpcs_siteopts *so = &x->cfg->site;
    x->storage_gbps = so->storage_bandwidth_gbps;
    x->storage_source = x->storage_gbps > 0 ? "config" : "none";
    if (!so->measure_storage_bandwidth)
        return XPCS_OK;
    double gbps = 0.0, bytes = 0.0;
    xpcs_status st = xpcs_iobench_read(x->comm, x->cfg->raw, 0.0, &gbps, &bytes, err);
    if (st)
        return st;
    x->storage_gbps = gbps;
    x->storage_source = "measured";
    if (x->root) {
        printf("xpcs-corr: storage: bare read of %.3f GB of %s on %d rank(s): %.2f GB/s (put "
               "io: {storage_bandwidth_gbps: %.2f} in the site config to skip this read)\n",
               bytes / 1e9, x->cfg->raw, x->n_ranks, gbps, gbps);
        fflush(stdout);
    }
    return XPCS_OK;
}

/* Two-time memory once its kernel is chosen: the dense series store that
 * plan_stages left out (tt_store_later) when the dense kernel runs after all;
 * or the events the event kernel keeps instead, 20 bytes each (12 while
 * streaming, 8 more in CSR), estimated from the measured occupancy against
 * the store's 4-byte counts (not measured: not planned). */
static xpcs_status plan_tt_kernel(corr_ctx *x, int sparse_tt, xpcs_err *err)
{
    if (!x->tt || (sparse_tt ? !(x->occupancy > 0) : !x->tt_store_later))
        return XPCS_OK;
    double bytes;
    int at;
    xpcs_corr_tt_store_bytes(x->tt, &bytes, &at);
    if (sparse_tt)
        bytes *= x->occupancy * 20.0 / 4.0;
    xpcs_plan *p = &x->plan;
    if (p->mem_per_rank + bytes > p->mem_budget)
        return xpcs_fail(err, XPCS_ERR_MEMORY,
                         "%s: the %s two-time kernel needs about %.0f MiB more on rank %d for the "
                         "%s of its bins, over the budget of %.0f MiB: use %s-a/--avg-frame, fewer "
                         "bins (-d), more ranks or --max-memory",
                         x->cfg->raw, sparse_tt ? "event" : "dense", bytes / 1048576.0, at,
                         sparse_tt ? "events" : "series", p->mem_budget / 1048576.0,
                         sparse_tt ? "" : "--kernel sparse, ");
    p->mem_per_rank += bytes;
    return XPCS_OK;
}

static xpcs_status run(corr_ctx *x, xpcs_err *err)
{
    const xpcs_config *c = x->cfg;
    xpcs_status st = storage_bandwidth(x, err);
    if (st)
        return st;
    xpcs_timer_start(&x->tm, XPCS_T_TOTAL);
    xpcs_timer_start(&x->tm, XPCS_T_PLAN);
    st = load_qmap(x, err);
    if (st)
        return st;
    xpcs_timer_stop(&x->tm, XPCS_T_PLAN);
    xpcs_timer_start(&x->tm, XPCS_T_OPEN);
    if (xpcs_rigaku_is_event_file(c->raw))
        st = xpcs_rigaku_open(x->comm, c->raw, &x->rig, err);
    else
        st = xpcs_raw_open(x->comm, c->raw, c->dataset, &x->raw, err);
    st = xpcs_comm_agree(x->comm, st, err);
    xpcs_timer_stop(&x->tm, XPCS_T_OPEN);
    if (st)
        return st;
    xpcs_timer_start(&x->tm, XPCS_T_PLAN);
    st = xpcs_comm_agree(x->comm, make_plan(x, err), err);
    if (!st && !c->dry_run)
        st = prepare_output(x, err);
    xpcs_timer_stop(&x->tm, XPCS_T_PLAN);
    if (st)
        return st;
    if (x->root && (c->verbose || c->dry_run)) {
        print_config(c, stdout);
        xpcs_settings_print(c, stdout);
        xpcs_plan_print(&x->plan, stdout);
        if (x->raw && xpcs_raw_filters(x->raw)[0])
            printf("plan: %s filters: %s\n", c->dataset, xpcs_raw_filters(x->raw));
        printf("plan: q-map %s: %d dynamic, %d static bins, %lld valid pixels%s\n", c->qmap,
               x->qmap.n_dq, x->qmap.n_sq, (long long)x->qmap.n_valid,
               x->qmap.n_nonnested ? " (static bins reassigned to a majority dynamic bin)" : "");
        if (x->tt)
            xpcs_corr_tt_print_plan(x->tt, stdout);
        fflush(stdout);
    }
    if (c->dry_run)
        return XPCS_OK;

    /* --kernel: auto measures the occupancy of the first frames */
    const xpcs_plan *p = &x->plan;
    x->occupancy = -1;
    /* The event path (event kernels, Rigaku .bin input) feeds multitau and
     * two-time; linear needs the dense frames. */
    const int events_ok = !x->do_lin;
    if (!events_ok && x->rig)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "%s: -t linear is not available for Rigaku .bin input (multitau, "
                         "twotime or both)",
                         c->raw);
    /* multitau and two-time kernels: both as --kernel says, or each by the
     * measured occupancy (auto); either event kernel puts the run on the
     * event pipeline, the other kernel is then fed dense frames from it */
    int sparse_mt = events_ok && c->kernel == XPCS_KERNEL_SPARSE;
    int sparse_tt = sparse_mt;
    if (events_ok && c->kernel == XPCS_KERNEL_AUTO) {
        xpcs_timer_start(&x->tm, XPCS_T_PLAN);
        st = xpcs_evstream_occupancy(x->comm, p, x->raw, x->rig, &x->occupancy, err);
        xpcs_timer_stop(&x->tm, XPCS_T_PLAN);
        if (st)
            return st;
        sparse_mt = xpcs_evstream_prefer_sparse(x->occupancy, x->rig != NULL, 1);
        sparse_tt = xpcs_evstream_prefer_sparse(x->occupancy, x->rig != NULL, 0);
    }
    sparse_mt &= x->do_mt;
    sparse_tt &= x->do_tt;
    const int sparse = sparse_mt || sparse_tt;
    char kname[64];
    if (x->do_mt && x->do_tt && sparse_mt != sparse_tt)
        snprintf(kname, sizeof kname, "multitau %s, twotime %s", sparse_mt ? "sparse" : "dense",
                 sparse_tt ? "sparse" : "dense");
    else
        snprintf(kname, sizeof kname, "%s", sparse ? "sparse" : "dense");
    if (x->root && c->verbose && x->occupancy >= 0)
        printf("kernel: %s (--kernel %s, occupancy %.3g in the first frames)\n", kname,
               xpcs_kernel_name(c->kernel), x->occupancy);
    else if (x->root && c->verbose)
        printf("kernel: %s (--kernel %s)\n", kname, xpcs_kernel_name(c->kernel));
    x->own_sq = xpcs_malloc(sizeof(int32_t) * (size_t)(x->n_own ? x->n_own : 1));
    x->own_dq = xpcs_malloc(sizeof(int32_t) * (size_t)(x->n_own ? x->n_own : 1));
    for (int64_t i = 0; i < x->n_own; i++) {
        int64_t px = x->qmap.corr_pixel[x->own_first + i];
        x->own_sq[i] = x->qmap.smap[px];
        x->own_dq[i] = x->qmap.dmap[px];
    }
    st = plan_tt_kernel(x, sparse_tt, err);
    if (st)
        return st;
    x->sparse = x->do_mt ? sparse_mt : sparse_tt;
    x->events = sparse || x->rig;
    if (sparse_mt)
        st = xpcs_mtsparse_create(p->n_frames, x->n_own, &x->ms, err);
    else if (x->do_mt)
        st = xpcs_multitau_create(p->n_frames, x->n_own, &x->mt, err);
    st = xpcs_comm_agree(x->comm, st, err);
    if (!st && x->do_lin)
        st = xpcs_corr_lin_create(x->comm, c, p, x->n_own, &x->lin_geo, &x->lin, err);
    if (st)
        return st;
    if (x->tt && x->events)
        xpcs_corr_tt_use_events(x->tt, p->rows * p->cols, sparse_tt);
    if (x->tt)
        xpcs_corr_tt_alloc(x->tt);
    if (x->root && c->verbose && x->lin) {
        xpcs_corr_lin_print_plan(x->lin, stdout);
        fflush(stdout);
    }
    x->saxs =
        xpcs_saxs_create(p->rows * p->cols, p->n_frames, x->qmap.mask, x->qmap.smap, x->qmap.n_sq);
    x->frame_sum = xpcs_calloc((size_t)p->n_frames, sizeof(double));
    if (x->events) {
        xpcs_evstream ev = {.cfg = c,
                            .comm = x->comm,
                            .plan = p,
                            .qmap = &x->qmap,
                            .raw = x->raw,
                            .rig = x->rig,
                            .saxs = x->saxs,
                            .frame_sum = x->frame_sum,
                            .ms = x->ms,
                            .mt = x->mt,
                            .tt = x->tt,
                            .tm = &x->tm};
        const xpcs_siteopts *so = &c->site;
        ev.progress = xpcs_progress_create(x->root && !c->quiet ? stderr : NULL, so->progress,
                                           so->progress_interval_s, p->n_frames, "xpcs-corr");
        st = xpcs_evstream_run(&ev, err);
        if (!st)
            xpcs_progress_finish(ev.progress);
        else
            xpcs_progress_cancel(ev.progress);
        xpcs_progress_destroy(&ev.progress);
        x->bytes_read = ev.bytes_read;
        x->nonzero = ev.nonzero;
        if (x->occupancy < 0)
            x->occupancy = (double)ev.nonzero / ((double)p->rows * (double)p->cols *
                                                 (double)p->n_frames * (double)p->avg);
    }
    else {
        st = stream_frames(x, err);
    }
    if (!st)
        st = reduce_and_write(x, err);
    xpcs_timer_stop(&x->tm, XPCS_T_TOTAL);
    if (!st && c->fit[0]) { /* rank 0 fits the written result (xpcs-fit); all agree */
        xpcs_status fs = XPCS_OK;
        if (x->root)
            fs = xpcs_fit_result_file_named(x->out_path, c->fit, c->fit_range, stdout, c->verbose,
                                            err);
        st = xpcs_comm_agree(x->comm, fs, err);
    }
    if (!st) /* after the fit, so the report shows it */
        st = finish_run(x, err);
    return st;
}

xpcs_status xpcs_corr_run(const xpcs_config *cfg, const xpcs_comm *comm, char *result_path,
                          size_t result_len, xpcs_err *err)
{
    corr_ctx x;
    memset(&x, 0, sizeof x);
    x.cfg = cfg;
    if (result_path && result_len)
        result_path[0] = '\0';
    xpcs_status st = xpcs_comm_dup(comm, &x.comm, err);
    if (st)
        return st;
    x.rank = xpcs_comm_rank(x.comm);
    x.n_ranks = xpcs_comm_size(x.comm);
    x.root = x.rank == 0;
    if (cfg->site.num_threads > 0)
        omp_set_num_threads(cfg->site.num_threads);
    if (cfg->site.enable_profiling)
        xpcs_profile_reset_peak_rss();
    xpcs_timers_init(&x.tm, x.comm);
    st = run(&x, err);
    if ((!st || st == XPCS_ERR_HEALTH) && result_path && result_len)
        snprintf(result_path, result_len, "%s", x.out_path);
    xpcs_raw_close(&x.raw);
    xpcs_rigaku_close(&x.rig);
    xpcs_mtsparse_destroy(&x.ms);
    xpcs_multitau_destroy(&x.mt);
    xpcs_corr_lin_destroy(&x.lin);
    xpcs_corr_tt_destroy(&x.tt);
    xpcs_saxs_destroy(&x.saxs);
    free(x.frame_sum);
    free(x.own_sq);
    free(x.own_dq);
    xpcs_plan_free(&x.plan);
    xpcs_qmap_free(&x.qmap);
    xpcs_comm_destroy(&x.comm);
    return st;
}

/* reduce: the epilog's reductions and the result file.
 *   phase reduce: linear and multitau g2 normalization (two passes over the
 *     delays: exponents, then exact sums; g2norm.h), SAXS sums to rank 0;
 *   phase write: rank 0 opens the result file (io, a sink) and writes the
 *     multitau, SAXS, intensity and linear datasets and allocates the
 *     two-time maps; every rank then computes its maps (phase twotime) and
 *     writes them into the file itself (ttmaps.c); rank 0 finishes the
 *     two-time group and publishes the file.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/config/settings.h"
#include "xpcs/core/signals.h"
#include "xpcs/io/g2cube.h"
#include "xpcs/io/h5extra.h"
#include "xpcs/io/h5out.h"
#include "xpcs/io/names.h"
#include "xpcs/kernels/g2norm.h"
#include "xpcs/monitor/progress.h"
#include "xpcs/pipeline/partial.h"
#include "xpcs/pipeline/qstage.h"
#include "xpcs/pipeline/run.h"

/* A block of delay j's per-pixel sums, made where g2norm uses it. */
typedef struct {
    const xpcs_mtkernel *mt;
    int j;
} block_src;

static void fill_block(void *arg, int64_t p0, int64_t p1, double *G2, double *IP, double *IF)
{
    const block_src *b = arg;
    /* checked for j before (an empty block): cannot fail here */
    (void)xpcs_mtkernel_result_block(b->mt, b->j, p0, p1, G2, IP, IF, NULL);
}

xpcs_status xpcs_run_reduce_multitau(xpcs_run *x, xpcs_g2norm *gn, int n_delays, int so_far,
                                     xpcs_err *err)
{
    xpcs_status st = XPCS_OK;
    /* the final sums block by block (never a whole delay in memory); the
     * partial ones (-np) through per-delay arrays */
    double *G2 = NULL, *IP = NULL, *IF = NULL;
    if (so_far) {
        G2 = xpcs_malloc(sizeof(double) * (size_t)(x->n_own ? x->n_own : 1) * 3);
        IP = G2 + x->n_own;
        IF = IP + x->n_own;
        xpcs_mtkernel_settle(x->mt);
    }
    for (int pass = 0; pass < 2 && !st; pass++) {
        for (int j = 0; j < n_delays && !st; j++) {
            st = so_far ? xpcs_mtkernel_result_so_far(x->mt, j, G2, IP, IF, err)
                        : xpcs_mtkernel_result_block(x->mt, j, 0, 0, NULL, NULL, NULL, err);
            if (st)
                break;
            block_src b = {x->mt, j};
            if (!so_far)
                xpcs_g2norm_fill_pass(gn, pass + 1, j, x->n_own, fill_block, &b, x->own_sq,
                                      x->own_dq);
            else if (pass == 0)
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
    if (!st)
        xpcs_comm_reduce_sum_int64(x->comm, sums, ns, 0);
    return st;
}

/* Rank 0's arrays of the result (freed by result_free). */
typedef struct {
    double *g2, *g2e, *s2, *s1, *segs, *int_t;
    int *sq_ids;
    char *plan_json, *effective;
} result_data;

static void result_free(result_data *d)
{
    free(d->g2);
    free(d->s2);
    free(d->s1);
    free(d->segs);
    free(d->int_t);
    free(d->sq_ids);
    free(d->plan_json);
    free(d->effective);
}

/* Rank 0: the result's datasets and provenance (h5out.h). */
static void build_result(const xpcs_run *x, const xpcs_g2norm *gn, xpcs_result *r, result_data *d)
{
    const xpcs_plan *p = &x->plan;
    const xpcs_config *c = x->cfg;
    const int64_t npix = p->rows * p->cols;
    const int n_delays = x->mt ? xpcs_mtkernel_n_delays(x->mt) : 0;
    d->g2 = xpcs_malloc(sizeof(double) * (size_t)n_delays * (size_t)x->qmap.n_dq * 2);
    d->g2e = d->g2 + (size_t)n_delays * (size_t)x->qmap.n_dq;
    if (x->mt)
        xpcs_g2norm_finish(gn, d->g2, d->g2e);
    const int n_seg = xpcs_saxs_n_segments(x->saxs);
    d->s2 = xpcs_malloc(sizeof(double) * (size_t)npix);
    d->sq_ids = xpcs_malloc(sizeof(int) * (size_t)(x->qmap.n_sq + 1));
    d->s1 = xpcs_malloc(sizeof(double) * (size_t)(x->qmap.n_sq + 1));
    d->segs = xpcs_malloc(sizeof(double) * (size_t)(n_seg + 1) * (size_t)(x->qmap.n_sq + 1));
    int n_sq_out = 0;
    xpcs_saxs_finish(x->saxs, p->avg, d->s2, d->sq_ids, &n_sq_out, d->s1, d->segs);
    /* intensity vs time: mean count per valid pixel and raw frame */
    d->int_t = xpcs_malloc(sizeof(double) * (size_t)p->n_frames);
    xpcs_saxs_intensity(x->saxs, x->frame_sum, p->n_frames, p->avg, d->int_t);
    d->plan_json = xpcs_plan_json(p);
    d->effective = xpcs_settings_effective_json(c);
    *r = (xpcs_result){0};
    r->raw_path = c->raw;
    r->qmap_path = c->qmap;
    r->meta_path = x->have_meta ? x->meta_path : NULL;
    r->out_path = x->out_path;
    r->frame_time = c->frame_time; /* > 0 without a metadata file (setup.c) */
    r->count_time = c->count_time > 0 ? c->count_time : r->frame_time;
    r->n_delays = n_delays;
    r->delays = x->mt ? xpcs_mtkernel_delays(x->mt) : NULL;
    r->kernel = (p->do_multitau ? p->sparse_multitau : p->sparse_twotime) ? "sparse" : "dense";
    r->occupancy = x->occupancy;
    r->n_dq = x->qmap.n_dq;
    r->g2 = d->g2;
    r->g2_err = d->g2e;
    r->rows = p->rows;
    r->cols = p->cols;
    r->scattering_2d = d->s2;
    r->n_sq_out = n_sq_out;
    r->scattering_1d = d->s1;
    r->n_seg = n_seg;
    r->segments = d->segs;
    r->n_frames = p->n_frames;
    r->int_t = d->int_t;
    r->cfg = c;
    r->begin_raw = p->begin;
    r->end_raw = p->end;
    r->plan_json = d->plan_json;
    r->qmap_hash = x->qmap.hash[0] ? x->qmap.hash : "unknown";
    r->n_ranks = x->n_ranks;
    r->n_threads = omp_get_max_threads();
    r->effective_config = d->effective;
    r->others_write_maps = x->tt && x->n_ranks > 1; /* ttmaps.c: the maps written by their owners */
}

/* Rank 0, first part: the result file with the datasets of multitau,
 * SAXS and linear, and the two-time maps' datasets created. */
static xpcs_status write_first(xpcs_run *x, const xpcs_g2norm *gn, xpcs_result *r, result_data *d,
                               xpcs_resfile **w, xpcs_err *err)
{
    build_result(x, gn, r, d);
    xpcs_status st = xpcs_resfile_create(r, w, err);
    if (!st) /* data quality first: on stderr before anything else of the epilog */
        st = xpcs_run_quality(x, r, d->sq_ids, xpcs_saxs_pixel_max(x->saxs), *w, &x->quality, err);
    if (!st && x->part) /* -np: the partial g2 beside the g2 */
        st = xpcs_partial_write(x->part, *w, err);
    if (!st && x->mt && x->cfg->save_g2) { /* -G: the link to the published cube, relative */
        char g2[XPCS_PATH_MAX + 16];
        xpcs_g2_name(x->out_path, g2, sizeof g2);
        const char *base = strrchr(g2, '/');
        st = xpcs_h5x_extlink(*w, XPCS_G2_DATASET, base ? base + 1 : g2, XPCS_G2_DATASET, err);
    }
    if (!st && x->tt)
        st = xpcs_ttstage_map_files(x->tt, *w, err);
    if (!st && x->lin)
        st = xpcs_linstage_write(x->lin, *w, r, err);
    return st;
}

/* Rank 0, last part: the rest of the two-time group, then the file
 * published (or, after any error, removed). */
static xpcs_status write_last(xpcs_run *x, const xpcs_result *r, xpcs_resfile **w, xpcs_status st,
                              xpcs_err *err)
{
    if (!st && x->tt)
        st = xpcs_ttstage_write_group(x->tt, *w, r, err);
    if (!st && xpcs_signal_pending()) /* the last moment to stop: nothing published yet */
        st = xpcs_signal_fail(err);
    if (*w && st)
        xpcs_resfile_abandon(w);
    else if (*w)
        st = xpcs_resfile_commit(w, err);
    return st;
}

/* Collective: the result file.  Rank 0 writes it; the two-time maps'
 * chunks are compressed and written by the ranks that computed them
 * (ttmaps.c). */
static xpcs_status write_result(xpcs_run *x, const xpcs_g2norm *gn, xpcs_err *err)
{
    xpcs_result r;
    result_data d = {0};
    xpcs_resfile *w = NULL;
    xpcs_status st = XPCS_OK;
    xpcs_timer_start(&x->tm, XPCS_T_WRITE);
    if (x->root)
        st = write_first(x, gn, &r, &d, &w, err);
    xpcs_timer_stop(&x->tm, XPCS_T_WRITE);
    if (x->tt) { /* every rank: its maps to rank 0's file; the outcome agreed */
        const int show = x->root && !x->cfg->quiet && x->cfg->site.progress != XPCS_PROGRESS_OFF;
        st = xpcs_ttstage_maps(x->tt, x->comm, w, st, show ? stderr : NULL, &x->tm, err);
    }
    xpcs_timer_start(&x->tm, XPCS_T_WRITE);
    if (x->root) {
        st = write_last(x, &r, &w, st, err);
        result_free(&d);
    }
    xpcs_timer_stop(&x->tm, XPCS_T_WRITE);
    return xpcs_comm_agree(x->comm, st, err);
}

/* -G: every rank writes its pixels' G2, IP, IF into the cube (g2cube.h),
 * published before the result that links to it. */
static xpcs_status write_g2cube(xpcs_run *x, xpcs_err *err)
{
    char path[XPCS_PATH_MAX + 16];
    xpcs_g2_name(x->out_path, path, sizeof path);
    const int n_delays = xpcs_mtkernel_n_delays(x->mt);
    xpcs_g2cube *g = NULL;
    xpcs_timer_start(&x->tm, XPCS_T_WRITE);
    xpcs_status st = xpcs_g2cube_create(x->comm, path, x->cfg->overwrite, n_delays, x->plan.rows,
                                        x->plan.cols, &g, err);
    double *G2 = xpcs_malloc(sizeof(double) * (size_t)(x->n_own ? x->n_own : 1) * 3);
    double *IP = G2 + x->n_own, *IF = IP + x->n_own;
    for (int j = 0; j < n_delays && !st; j++) {
        st = xpcs_comm_agree(x->comm, xpcs_mtkernel_result(x->mt, j, G2, IP, IF, err), err);
        if (!st)
            st = xpcs_g2cube_write(g, j, x->n_own, x->qmap.corr_pixel + x->own_first, G2, IP, IF,
                                   err);
    }
    free(G2);
    if (g && !st)
        st = xpcs_g2cube_commit(&g, err);
    else if (g)
        xpcs_g2cube_abandon(&g);
    xpcs_timer_stop(&x->tm, XPCS_T_WRITE);
    return st;
}

xpcs_status xpcs_run_reduce_and_write(xpcs_run *x, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    const int64_t npix = p->rows * p->cols;
    xpcs_status st = XPCS_OK;

    xpcs_timer_start(&x->tm, XPCS_T_REDUCE);
    if (x->lin)
        st = xpcs_linstage_reduce(x->lin, x->comm, &x->qmap, x->own_sq, x->own_dq, err);
    const int n_delays = x->mt ? xpcs_mtkernel_n_delays(x->mt) : 0;
    xpcs_g2norm *gn = xpcs_g2norm_create(n_delays, x->qmap.n_sq, x->qmap.n_dq, x->qmap.sq_to_dq);
    if (x->mt && !st)
        st = xpcs_run_reduce_multitau(x, gn, n_delays, 0, err);
    else
        st = xpcs_comm_agree(x->comm, st, err);
    xpcs_saxs_flush(x->saxs);
    xpcs_comm_reduce_sum_double(x->comm, xpcs_saxs_image_sum(x->saxs), npix, 0);
    int64_t nseg_sum;
    double *seg = xpcs_saxs_segment_sum(x->saxs, &nseg_sum);
    xpcs_comm_reduce_sum_double(x->comm, seg, nseg_sum, 0);
    /* each pixel's largest count (data quality: saturation) */
    xpcs_comm_allreduce_max_double(x->comm, xpcs_saxs_pixel_max(x->saxs), (int)npix);
    xpcs_timer_stop(&x->tm, XPCS_T_REDUCE);

    if (x->tt && !st) { /* the split bins' series to the ranks with their tiles */
        xpcs_timer_start(&x->tm, XPCS_T_EXCHANGE);
        xpcs_ttstage_replicate(x->tt, x->comm);
        xpcs_timer_stop(&x->tm, XPCS_T_EXCHANGE);
    }
    if (!st && x->mt && x->cfg->save_g2)
        st = write_g2cube(x, err);
    if (!st) /* agreed: every rank is here or none */
        st = write_result(x, gn, err);
    xpcs_g2norm_destroy(&gn);
    return xpcs_comm_agree(x->comm, st, err);
}

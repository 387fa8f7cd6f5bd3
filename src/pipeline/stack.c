/* stack: an in-memory frame stack correlated in this process (see
 * include/xpcs/pipeline/stack.h).  The steps of framestream.c on one rank:
 * the step's raw frames (every stride-th), their sums of avg frames, SAXS
 * and frame sums with the correlated pixels packed in the same pass, the
 * multitau push with the frame scales; then reduce.c's normalization.  Data structure manifest:
 * rawbuf [step x avg][npix] raw type (only with a stride: the frames are
 * gathered), sumbuf [step][npix] transfer type (-a > 1), send [step][n_corr]
 * transfer type, scale [step], frame_sum [frames].
 */
#include "xpcs/pipeline/stack.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/kernels/g2norm.h"
#include "xpcs/kernels/multitau.h"
#include "xpcs/kernels/saxs.h"
#include "xpcs/pipeline/pack.h"
#include "xpcs/plan/plan.h"
#include "xpcs/plan/qmap.h"

struct xpcs_stack_result {
    int n_delays, n_dq, n_sq;
    int64_t n_frames, begin, end;
    int64_t *delays;
    double *g2, *g2_err, *s2, *s1, *int_t;
};

void xpcs_stack_opts_default(xpcs_stack_opts *o)
{
    memset(o, 0, sizeof *o);
    o->end_frame = -1;
    o->stride_frame = 1;
    o->avg_frame = 1;
}

/* The q-map from the caller's arrays (copied: qmap_build owns its arrays). */
static xpcs_status make_qmap(int64_t rows, int64_t cols, const int32_t *mask, const int32_t *dmap,
                             const int32_t *smap, xpcs_qmap *q, xpcs_err *err)
{
    const size_t bytes = sizeof(int32_t) * (size_t)(rows * cols);
    memset(q, 0, sizeof *q);
    q->rows = rows;
    q->cols = cols;
    q->mask = memcpy(xpcs_malloc(bytes), mask, bytes);
    q->dmap = memcpy(xpcs_malloc(bytes), dmap, bytes);
    q->smap = memcpy(xpcs_malloc(bytes), smap, bytes);
    return xpcs_qmap_build(q, "q-map arrays", err);
}

typedef struct {
    const xpcs_plan *p;
    const xpcs_qmap *q;
    const void *frames;
    xpcs_pixel_runs runs;
    xpcs_saxs_copy *cp; /* [runs.n_runs]: the pack, done in the SAXS pass */
    void *rawbuf, *sumbuf, *send;
    double *scale, *frame_sum;
} stack_run;

/* Step k of the plan: frames -> SAXS, frame sums -> packed pixels -> kernel. */
static void step(stack_run *s, int64_t k, xpcs_saxs *saxs, xpcs_multitau *mt, int normalize)
{
    const xpcs_plan *p = s->p;
    const int64_t npix = p->rows * p->cols;
    const size_t rsz = xpcs_dtype_size(p->raw_type), xsz = xpcs_dtype_size(p->xfer_type);
    int64_t first, count;
    xpcs_plan_rank_frames(p, k, 0, &first, &count);
    /* raw frames begin + (first*avg + i)*stride, i < count*avg */
    const char *raw = (const char *)s->frames +
                      (size_t)(p->begin + first * p->avg * p->stride) * (size_t)npix * rsz;
    if (p->stride > 1) {
        for (int64_t i = 0; i < count * p->avg; i++)
            memcpy((char *)s->rawbuf + (size_t)(i * npix) * rsz,
                   raw + (size_t)(i * p->stride * npix) * rsz, (size_t)npix * rsz);
        raw = s->rawbuf;
    }
    const void *frames = raw;
    if (p->avg > 1) {
        xpcs_sum_groups(raw, p->raw_type, s->sumbuf, p->xfer_type, count, p->avg, npix);
        frames = s->sumbuf;
    }
    /* one pass: SAXS, frame sums and the pack (framestream.c's) */
    const int64_t n_cp =
        xpcs_pack_copies(&s->runs, p->pix_first, 1, count, xsz, s->send, 0, NULL, s->cp);
    xpcs_saxs_add_frames_copy(saxs, frames, p->xfer_type, count, first, s->frame_sum + first, s->cp,
                              n_cp);
    if (normalize)
        xpcs_saxs_frame_scale(saxs, s->frame_sum + first, count, s->scale);
    xpcs_multitau_push(mt, s->send, p->xfer_type, count, p->n_corr, normalize ? s->scale : NULL);
}

/* reduce.c's multitau normalization on one rank: the maxima pass, the exact
 * sums, the bins. */
static xpcs_status normalize_g2(const xpcs_qmap *q, const xpcs_multitau *mt, xpcs_stack_result *r,
                                xpcs_err *err)
{
    const int64_t n = q->n_corr;
    int32_t *sq = xpcs_malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    int32_t *dq = xpcs_malloc(sizeof(int32_t) * (size_t)(n ? n : 1));
    for (int64_t i = 0; i < n; i++) {
        sq[i] = q->smap[q->corr_pixel[i]];
        dq[i] = q->dmap[q->corr_pixel[i]];
    }
    xpcs_g2norm *gn = xpcs_g2norm_create(r->n_delays, q->n_sq, q->n_dq, q->sq_to_dq);
    double *G2 = xpcs_malloc(sizeof(double) * (size_t)(n ? n : 1) * 3);
    double *IP = G2 + n, *IF = IP + n;
    xpcs_status st = XPCS_OK;
    for (int pass = 0; pass < 2 && !st; pass++)
        for (int j = 0; j < r->n_delays && !st; j++) {
            st = xpcs_multitau_result(mt, j, G2, IP, IF, err);
            if (!st && pass == 0)
                xpcs_g2norm_scan(gn, j, n, G2, IP, IF, sq, dq);
            else if (!st)
                xpcs_g2norm_accumulate(gn, j, n, G2, IP, IF, sq, dq);
        }
    if (!st)
        xpcs_g2norm_finish(gn, r->g2, r->g2_err);
    xpcs_g2norm_destroy(&gn);
    free(G2);
    free(sq);
    free(dq);
    return st;
}

static xpcs_status check_args(const void *frames, xpcs_dtype type, int64_t n_frames, int64_t rows,
                              int64_t cols, const int32_t *mask, const int32_t *dmap,
                              const int32_t *smap, xpcs_err *err)
{
    if (type != XPCS_DT_U8 && type != XPCS_DT_U16 && type != XPCS_DT_U32)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "frames: element type %s: expected uint8, uint16 or uint32 counts",
                         xpcs_dtype_name(type));
    if (!frames || n_frames < 1 || rows < 1 || cols < 1)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "frames: shape (%lld, %lld, %lld): expected a non-empty 3-D stack "
                         "[frames, rows, cols]",
                         (long long)n_frames, (long long)rows, (long long)cols);
    if (!mask || !dmap || !smap)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "q-map arrays: expected mask, dynamic and static maps of shape (%lld, "
                         "%lld)",
                         (long long)rows, (long long)cols);
    return XPCS_OK;
}

static xpcs_stack_result *result_create(const xpcs_plan *p, const xpcs_qmap *q)
{
    xpcs_stack_result *r = xpcs_calloc(1, sizeof *r);
    r->n_delays = xpcs_multitau_delays(p->n_frames, NULL, NULL, NULL);
    r->n_dq = q->n_dq;
    r->n_frames = p->n_frames;
    r->begin = p->begin;
    r->end = p->end;
    r->delays = xpcs_malloc(sizeof(int64_t) * XPCS_MT_MAX_DELAYS);
    xpcs_multitau_delays(p->n_frames, r->delays, NULL, NULL);
    const size_t ng = (size_t)r->n_delays * (size_t)q->n_dq;
    r->g2 = xpcs_calloc(ng ? ng : 1, sizeof(double));
    r->g2_err = xpcs_calloc(ng ? ng : 1, sizeof(double));
    r->s2 = xpcs_malloc(sizeof(double) * (size_t)(p->rows * p->cols));
    r->s1 = xpcs_malloc(sizeof(double) * (size_t)(q->n_sq + 1));
    r->int_t = xpcs_malloc(sizeof(double) * (size_t)p->n_frames);
    return r;
}

xpcs_status xpcs_stack_correlate(const void *frames, xpcs_dtype type, int64_t n_frames,
                                 int64_t rows, int64_t cols, const int32_t *mask,
                                 const int32_t *dmap, const int32_t *smap, const xpcs_stack_opts *o,
                                 xpcs_stack_result **out, xpcs_err *err)
{
    *out = NULL;
    xpcs_stack_opts def;
    xpcs_stack_opts_default(&def);
    o = o ? o : &def;
    xpcs_status st = check_args(frames, type, n_frames, rows, cols, mask, dmap, smap, err);
    if (!st && (o->stride_frame < 1 || o->avg_frame < 1))
        st = xpcs_fail(err, XPCS_ERR_USAGE, "%s: expected >= 1, got %lld",
                       o->stride_frame < 1 ? "stride_frame" : "avg_frame",
                       (long long)(o->stride_frame < 1 ? o->stride_frame : o->avg_frame));
    if (st)
        return st;
    xpcs_qmap q;
    xpcs_plan p = {0};
    st = make_qmap(rows, cols, mask, dmap, smap, &q, err);
    if (!st)
        st = xpcs_plan_frames(n_frames, o->begin_frame, o->end_frame, o->stride_frame, o->avg_frame,
                              &p, "frame stack", err);
    const int threads_before = omp_get_max_threads();
    if (o->threads > 0)
        omp_set_num_threads(o->threads);
    xpcs_multitau *mt = NULL;
    if (!st) {
        xpcs_plan_decompose(&p, 1, omp_get_max_threads(), rows, cols, q.n_corr, type, 0, 0);
        st = xpcs_multitau_create(p.n_frames, q.n_corr, &mt, err);
    }
    if (!st) {
        const int64_t npix = rows * cols, sf = p.step_frames;
        const size_t rsz = xpcs_dtype_size(type), xsz = xpcs_dtype_size(p.xfer_type);
        stack_run s = {.p = &p, .q = &q, .frames = frames};
        s.rawbuf = p.stride > 1 ? xpcs_malloc((size_t)(sf * p.avg * npix) * rsz) : NULL;
        s.sumbuf = p.avg > 1 ? xpcs_malloc((size_t)(sf * npix) * xsz) : NULL;
        s.send = xpcs_malloc((size_t)(sf * (q.n_corr ? q.n_corr : 1)) * xsz);
        s.scale = xpcs_malloc(sizeof(double) * (size_t)sf);
        s.frame_sum = xpcs_calloc((size_t)p.n_frames, sizeof(double));
        xpcs_pixel_runs_build(&s.runs, q.corr_pixel, p.pix_first, 1);
        s.cp = xpcs_malloc(sizeof(xpcs_saxs_copy) * (size_t)(s.runs.n_runs + 1));
        xpcs_saxs *saxs = xpcs_saxs_create(npix, p.n_frames, q.mask, q.smap, q.n_sq);
        for (int64_t k = 0; k < p.n_steps; k++)
            step(&s, k, saxs, mt, o->normalize_frame);
        xpcs_saxs_flush(saxs);
        xpcs_stack_result *r = result_create(&p, &q);
        st = normalize_g2(&q, mt, r, err);
        int *sq_ids = xpcs_malloc(sizeof(int) * (size_t)(q.n_sq + 1));
        double *segs = xpcs_malloc(sizeof(double) * (size_t)(xpcs_saxs_n_segments(saxs) + 1) *
                                   (size_t)(q.n_sq + 1));
        xpcs_saxs_finish(saxs, p.avg, r->s2, sq_ids, &r->n_sq, r->s1, segs);
        xpcs_saxs_intensity(saxs, s.frame_sum, p.n_frames, p.avg, r->int_t);
        free(sq_ids);
        free(segs);
        xpcs_saxs_destroy(&saxs);
        xpcs_pixel_runs_free(&s.runs);
        free(s.cp);
        free(s.rawbuf);
        free(s.sumbuf);
        free(s.send);
        free(s.scale);
        free(s.frame_sum);
        if (st)
            xpcs_stack_result_destroy(&r);
        *out = r;
    }
    omp_set_num_threads(threads_before);
    xpcs_multitau_destroy(&mt);
    xpcs_plan_free(&p);
    xpcs_qmap_free(&q);
    return st;
}

void xpcs_stack_result_destroy(xpcs_stack_result **rp)
{
    if (!rp || !*rp)
        return;
    xpcs_stack_result *r = *rp;
    free(r->delays);
    free(r->g2);
    free(r->g2_err);
    free(r->s2);
    free(r->s1);
    free(r->int_t);
    free(r);
    *rp = NULL;
}

int xpcs_stack_n_delays(const xpcs_stack_result *r)
{
    return r->n_delays;
}
int xpcs_stack_n_dq(const xpcs_stack_result *r)
{
    return r->n_dq;
}
int64_t xpcs_stack_n_frames(const xpcs_stack_result *r)
{
    return r->n_frames;
}
int xpcs_stack_n_sq(const xpcs_stack_result *r)
{
    return r->n_sq;
}
void xpcs_stack_frames(const xpcs_stack_result *r, int64_t *begin, int64_t *end)
{
    *begin = r->begin;
    *end = r->end;
}
const int64_t *xpcs_stack_delay_list(const xpcs_stack_result *r)
{
    return r->delays;
}
const double *xpcs_stack_g2(const xpcs_stack_result *r)
{
    return r->g2;
}
const double *xpcs_stack_g2_err(const xpcs_stack_result *r)
{
    return r->g2_err;
}
const double *xpcs_stack_scattering_2d(const xpcs_stack_result *r)
{
    return r->s2;
}
const double *xpcs_stack_scattering_1d(const xpcs_stack_result *r)
{
    return r->s1;
}
const double *xpcs_stack_intensity(const xpcs_stack_result *r)
{
    return r->int_t;
}

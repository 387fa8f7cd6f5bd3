/* partial: see include/xpcs/pipeline/partial.h. */
#include "xpcs/pipeline/partial.h"

#include <math.h>
#include <stdlib.h>

#include "xpcs/io/h5extra.h"
#include "xpcs/kernels/g2norm.h"
#include "xpcs/kernels/multitau.h"

struct xpcs_partial {
    int n_seg, n_tau, n_dq;
    int64_t seg;    /* frames per segment */
    int next;       /* the next segment end: frame next * seg */
    int n_out;      /* partials kept (rank 0) */
    double *g2, *e; /* [n_seg][n_tau][n_dq] */
    int64_t *labels;
};

xpcs_partial *xpcs_partial_create(int64_t n_frames, int n_seg, int n_tau, int n_dq)
{
    xpcs_partial *p = xpcs_calloc(1, sizeof *p);
    p->n_seg = n_seg;
    p->n_tau = n_tau;
    p->n_dq = n_dq;
    p->seg = n_frames / n_seg; /* >= 1: the plan refuses more segments than frames */
    p->next = 1;
    const size_t n = (size_t)n_seg * (size_t)n_tau * (size_t)n_dq;
    p->g2 = xpcs_malloc(sizeof(double) * (n ? 2 * n : 1));
    p->e = p->g2 + n;
    p->labels = xpcs_malloc(sizeof(int64_t) * (size_t)n_seg);
    return p;
}

void xpcs_partial_destroy(xpcs_partial **p)
{
    if (!*p)
        return;
    free((*p)->g2);
    free((*p)->labels);
    free(*p);
    *p = NULL;
}

/* numpy.allclose(a, b) (rtol 1e-5, atol 1e-8), NaN equal to NaN: boost_corr
 * drops a partial that repeats the one before. */
static int all_close(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(a[i]) || isnan(b[i])) {
            if (!(isnan(a[i]) && isnan(b[i])))
                return 0;
        }
        else if (!(fabs(a[i] - b[i]) <= 1e-8 + 1e-5 * fabs(b[i])))
            return 0;
    }
    return 1;
}

/* Collective: the g2 of the frames pushed so far, kept on rank 0. */
static xpcs_status take_partial(xpcs_run *x, xpcs_partial *p, int64_t frames, xpcs_err *err)
{
    const int nd = xpcs_multitau_delays(frames, NULL, NULL, NULL);
    xpcs_g2norm *gn = xpcs_g2norm_create(nd, x->qmap.n_sq, x->qmap.n_dq, x->qmap.sq_to_dq);
    xpcs_status st = xpcs_run_reduce_multitau(x, gn, nd, 1, err);
    if (!st && x->root) {
        const size_t plane = (size_t)p->n_tau * (size_t)p->n_dq, have = (size_t)nd * p->n_dq;
        double *g2 = p->g2 + (size_t)p->n_out * plane, *e = p->e + (size_t)p->n_out * plane;
        xpcs_g2norm_finish(gn, g2, e);
        for (size_t i = 0; i < plane; i++) {
            if (i >= have) /* delays these frames do not reach */
                g2[i] = e[i] = NAN;
            else if (g2[i] == 0)
                g2[i] = NAN; /* boost_corr: g2[g2 == 0] = nan */
        }
        if (p->n_out == 0 || !all_close(g2, g2 - plane, plane))
            p->labels[p->n_out++] = frames;
    }
    xpcs_g2norm_destroy(&gn);
    return st;
}

xpcs_status xpcs_run_push_rows(xpcs_run *x, const void *rows, xpcs_dtype t, int64_t n, int64_t ld,
                               const double *row_scale, xpcs_err *err)
{
    xpcs_partial *p = x->part;
    const size_t row_bytes = xpcs_dtype_size(t) * (size_t)ld;
    int64_t done = 0;
    xpcs_status st = XPCS_OK;
    while (!st && done < n) {
        const int64_t pushed = xpcs_mtkernel_frames_pushed(x->mt);
        int64_t take = n - done;
        const int64_t end = p && p->next <= p->n_seg ? p->next * p->seg : -1;
        if (end > pushed && end < pushed + take)
            take = end - pushed; /* stop at the segment's end */
        xpcs_mtkernel_push_rows(x->mt, (const char *)rows + (size_t)done * row_bytes, t, take, ld,
                                row_scale ? row_scale + done : NULL);
        done += take;
        if (end >= 0 && pushed + take == end) {
            st = take_partial(x, p, end, err);
            p->next++;
        }
    }
    return st;
}

xpcs_status xpcs_partial_write(const xpcs_partial *p, xpcs_resfile *w, xpcs_err *err)
{
    const int64_t dims[3] = {p->n_out, p->n_tau, p->n_dq};
    /* the kept partials are the first n_out planes of g2 and of e */
    xpcs_status st = xpcs_h5x_f64(w, "/xpcs/multitau/normalized_g2_partial", 3, dims, p->g2, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/multitau/normalized_g2_partial_err", 3, dims, p->e, err);
    if (!st)
        st =
            xpcs_h5x_i64(w, "/xpcs/multitau/normalized_g2_partial_labels", 1, dims, p->labels, err);
    return st;
}

/* qstage: data quality of the run (include/xpcs/pipeline/qstage.h). */
#include "xpcs/pipeline/qstage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/io/h5extra.h"
#include "xpcs/io/h5write.h"
#include "xpcs/io/names.h"

static double type_max(xpcs_dtype t)
{
    return t == XPCS_DT_U8    ? 255.0
           : t == XPCS_DT_U16 ? 65535.0
           : t == XPCS_DT_U32 ? 4294967295.0
                              : 0.0;
}

static xpcs_status write_entry(xpcs_resfile *w, const xpcs_quality_entry *e, int64_t cols,
                               xpcs_err *err)
{
    char p[160];
    xpcs_status st = XPCS_OK;
#define PUT_STR(nm, v)                                                                             \
    do {                                                                                           \
        snprintf(p, sizeof p, "/xpcs/quality/%s/%s", e->name, nm);                                 \
        if (!st)                                                                                   \
            st = xpcs_h5x_str(w, p, v, err);                                                       \
    } while (0)
#define PUT_F64(nm, v)                                                                             \
    do {                                                                                           \
        const double val_ = (v);                                                                   \
        snprintf(p, sizeof p, "/xpcs/quality/%s/%s", e->name, nm);                                 \
        if (!st)                                                                                   \
            st = xpcs_h5x_f64(w, p, 0, NULL, &val_, err);                                          \
    } while (0)
    PUT_STR("status", xpcs_quality_status_name(e->status));
    PUT_STR("unit", e->unit);
    PUT_STR("items_are", e->items_are);
    PUT_F64("value", e->value);
    PUT_F64("warning", e->warning);
    PUT_F64("critical", e->critical);
#undef PUT_STR
#undef PUT_F64
    const int64_t n = e->n, d1[1] = {n}, d2[2] = {n, 2};
    int64_t none = 0;
    double dnone = 0;
    snprintf(p, sizeof p, "/xpcs/quality/%s/items", e->name);
    if (!st)
        st = xpcs_h5x_i64(w, p, 1, d1, n ? e->items : &none, err);
    snprintf(p, sizeof p, "/xpcs/quality/%s/item_values", e->name);
    if (!st)
        st = xpcs_h5x_f64(w, p, 1, d1, n ? e->values : &dnone, err);
    if (!st && strcmp(e->items_are, "pixels") == 0) {
        int64_t *rc = xpcs_malloc(sizeof(int64_t) * (size_t)(2 * n + 1));
        for (int64_t i = 0; i < n; i++) {
            rc[2 * i] = e->items[i] / cols;
            rc[2 * i + 1] = e->items[i] % cols;
        }
        snprintf(p, sizeof p, "/xpcs/quality/%s/pixels", e->name);
        st = xpcs_h5x_i64(w, p, 2, d2, rc, err);
        free(rc);
    }
    return st;
}

/* stderr: the verdict, then one line per indicator that is not ok, naming
 * up to 8 of its pixels, frames or bins. */
static void print_quality(const xpcs_quality *q, int64_t cols, FILE *out)
{
    char names[512] = "";
    for (int k = 0; k < XPCS_Q_COUNT; k++)
        if (q->e[k].status == XPCS_QS_WARNING || q->e[k].status == XPCS_QS_CRITICAL)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s %s",
                     names[0] ? ", " : ": ", q->e[k].name,
                     xpcs_quality_status_name(q->e[k].status));
    fprintf(out, "xpcs-corr: data quality: %s%s\n", xpcs_quality_status_name(q->worst), names);
    for (int k = 0; k < XPCS_Q_COUNT; k++) {
        const xpcs_quality_entry *e = &q->e[k];
        if (e->status != XPCS_QS_WARNING && e->status != XPCS_QS_CRITICAL)
            continue;
        fprintf(out, "xpcs-corr: quality: %s %s: %lld %s", e->name,
                xpcs_quality_status_name(e->status), (long long)e->n, e->items_are);
        for (int64_t i = 0; i < e->n && i < 8; i++) {
            if (strcmp(e->items_are, "pixels") == 0)
                fprintf(out, "%s(row %lld, col %lld) %.4g/frame", i ? ", " : ": ",
                        (long long)(e->items[i] / cols), (long long)(e->items[i] % cols),
                        e->values[i]);
            else if (strcmp(e->items_are, "frames") == 0)
                fprintf(out, "%sframe %lld (%.4g)", i ? ", " : ": ", (long long)e->items[i],
                        e->values[i]);
            else
                fprintf(out, "%sbin %lld (%.4g)", i ? ", " : ": ", (long long)e->items[i],
                        e->values[i]);
        }
        fprintf(out, "%s\n", e->n > 8 ? ", ..." : "");
    }
}

xpcs_status xpcs_run_quality(const xpcs_run *x, const xpcs_result *r, const int *sq_ids,
                             const double *pmax, xpcs_resfile *w, xpcs_quality *q, xpcs_err *err)
{
    const xpcs_plan *p = &x->plan;
    xpcs_quality_input in = {0};
    in.rows = p->rows;
    in.cols = p->cols;
    in.mask = x->qmap.mask;
    in.smap = x->qmap.smap;
    in.n_sq = x->qmap.n_sq;
    in.s2 = r->scattering_2d;
    in.pmax = pmax;
    in.count_max = type_max(p->raw_type);
    in.n_frames = p->n_frames;
    in.avg = p->avg;
    in.int_t = r->int_t;
    in.n_seg = r->n_seg;
    in.n_sq_out = r->n_sq_out;
    in.segs = r->segments;
    in.sq_ids = sq_ids;
    in.n_delays = r->n_delays;
    in.n_dq = r->n_dq;
    in.g2 = r->n_delays > 0 ? r->g2 : NULL;
    in.g2_err = r->g2_err;
    const xpcs_quality_opts *o = &x->cfg->site.quality;
    xpcs_quality_compute(&in, o, q);
    print_quality(q, p->cols, stderr);
    xpcs_status st =
        xpcs_h5x_str(w, "/xpcs/quality/status", xpcs_quality_status_name(q->worst), err);
    for (int k = 0; k < XPCS_Q_COUNT && !st; k++)
        st = write_entry(w, &q->e[k], p->cols, err);
    const int64_t dq[1] = {q->n_dq};
    if (!st && q->n_dq > 0)
        st = xpcs_h5x_f64(w, "/xpcs/quality/contrast/beta", 1, dq, q->beta, err);
    if (!st && q->n_dq > 0)
        st = xpcs_h5x_f64(w, "/xpcs/quality/g2_baseline/baseline", 1, dq, q->base, err);
    char mpath[XPCS_PATH_MAX + 32] = "";
    if (!st && o->auto_mask) {
        const int64_t np = p->rows * p->cols;
        int32_t *mask = xpcs_malloc(sizeof(int32_t) * (size_t)(np + 1));
        memcpy(mask, x->qmap.mask, sizeof(int32_t) * (size_t)np);
        const int64_t off = xpcs_quality_apply_mask(q, mask, np);
        xpcs_sibling_name(x->out_path, XPCS_AUTOMASK_SUFFIX, mpath, sizeof mpath);
        st = xpcs_h5w_qmap_masked(x->cfg->qmap, mpath, mask, np, err);
        free(mask);
        if (!st)
            fprintf(stderr,
                    "xpcs-corr: auto mask %s (%lld pixels removed; the result is unchanged)\n",
                    mpath, (long long)off);
    }
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/quality/auto_mask", mpath, err);
    return st;
}

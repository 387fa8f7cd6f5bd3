/* ttplan: bins over ranks for two-time (see include/xpcs/plan/ttplan.h). */
#include "xpcs/plan/ttplan.h"

#include <stdlib.h>
#include <string.h>

#include "xpcs/core/sbuf.h"
#include "xpcs/kernels/twotime.h"

typedef struct {
    int64_t px;
    int32_t sq;
} px_sq;

static int cmp_px(const void *a, const void *b)
{
    const px_sq *x = a, *y = b;
    if (x->sq != y->sq)
        return x->sq < y->sq ? -1 : 1;
    return (x->px > y->px) - (x->px < y->px);
}

double xpcs_ttplan_compute_bytes(int64_t N_frames, int64_t max_k, int max_g)
{
    const double N = (double)N_frames;
    return 8.0 * N * (double)max_k                        /* X */
           + 8.0 * N * N                                  /* C */
           + xpcs_twotime_dense_bytes(N_frames, max_g)    /* sums, factors, a row block */
           + 4.0 * (double)xpcs_twotime_tri_len(N_frames) /* float32 triangle */
           + 8.0 * (N + (double)(N_frames / 5 * 5));      /* diagonal means */
}

/* The selected bins with valid pixels and their pixel counts. */
static xpcs_status select_bins(xpcs_ttplan *t, const xpcs_config *cfg, const xpcs_qmap *q,
                               xpcs_err *err)
{
    unsigned char *sel = xpcs_malloc((size_t)q->n_dq + 1);
    xpcs_status st = xpcs_parse_bin_selection(cfg->dq_selection, q->n_dq, sel, err);
    if (st) {
        free(sel);
        return st;
    }
    /* pixels per selected bin: valid pixels carrying the dynamic label */
    int64_t *count = xpcs_calloc((size_t)q->n_dq + 1, sizeof(int64_t));
    for (int64_t i = 0; i < q->n_pixels; i++)
        if (q->mask[i] && q->dmap[i] > 0 && sel[q->dmap[i]])
            count[q->dmap[i]]++;
    t->bin = xpcs_malloc(sizeof(int32_t) * (size_t)(q->n_dq + 1));
    t->bin_first = xpcs_calloc((size_t)q->n_dq + 2, sizeof(int64_t));
    for (int d = 1; d <= q->n_dq; d++)
        if (count[d] > 0) {
            t->bin[t->n_bins] = d;
            t->bin_first[t->n_bins + 1] = t->bin_first[t->n_bins] + count[d];
            t->n_bins++;
        }
    free(sel);
    free(count);
    if (t->n_bins == 0)
        return xpcs_fail(err, XPCS_ERR_USAGE,
                         "%s: -d/--dq-selection '%s' selects no dynamic bin with valid pixels: "
                         "nothing to correlate for two-time",
                         cfg->qmap, cfg->dq_selection);
    return XPCS_OK;
}

/* Pixels ordered by bin, then static label, then index; groups = runs of
 * one static label (sqmap), the whole bin (dqmap) or none. */
static void order_pixels(xpcs_ttplan *t, const xpcs_qmap *q)
{
    const int64_t n_pix = t->bin_first[t->n_bins];
    int *slot = xpcs_calloc((size_t)q->n_dq + 1, sizeof(int));
    for (int i = 0; i < t->n_bins; i++)
        slot[t->bin[i]] = i + 1;
    px_sq *tmp = xpcs_malloc(sizeof(px_sq) * (size_t)(n_pix ? n_pix : 1));
    int64_t *fill = xpcs_calloc((size_t)t->n_bins, sizeof(int64_t));
    for (int64_t i = 0; i < q->n_pixels; i++)
        if (q->mask[i] && q->dmap[i] > 0 && slot[q->dmap[i]]) {
            int b = slot[q->dmap[i]] - 1;
            px_sq *e = &tmp[t->bin_first[b] + fill[b]++];
            e->px = i;
            e->sq = q->smap[i];
        }
    t->pix = xpcs_malloc(sizeof(int64_t) * (size_t)n_pix);
    t->grp = xpcs_malloc(sizeof(int64_t) * (size_t)(n_pix + 2 * t->n_bins));
    t->grp_first = xpcs_calloc((size_t)t->n_bins + 1, sizeof(int64_t));
    int64_t ng = 0;
    for (int b = 0; b < t->n_bins; b++) {
        px_sq *e = tmp + t->bin_first[b];
        int64_t k = xpcs_ttplan_bin_len(t, b);
        qsort(e, (size_t)k, sizeof *e, cmp_px);
        for (int64_t j = 0; j < k; j++) {
            t->pix[t->bin_first[b] + j] = e[j].px;
            /* sqmap: a group per static label; dqmap, none: one group */
            if (j == 0 || (t->smooth == XPCS_SMOOTH_SQMAP && e[j].sq != e[j - 1].sq))
                t->grp[ng++] = j;
        }
        t->grp[ng++] = k;
        t->grp_first[b + 1] = ng;
    }
    free(tmp);
    free(fill);
    free(slot);
}

/* Owners: largest bins first, each to the least loaded rank (ties: the
 * lower rank); a bin's work is about N^2 (n + 32). */
static void assign_owners(xpcs_ttplan *t)
{
    int *order = xpcs_malloc(sizeof(int) * (size_t)t->n_bins);
    for (int i = 0; i < t->n_bins; i++)
        order[i] = i;
    for (int i = 1; i < t->n_bins; i++) /* insertion sort: by size desc, bin asc */
        for (int j = i;
             j > 0 && xpcs_ttplan_bin_len(t, order[j]) > xpcs_ttplan_bin_len(t, order[j - 1]);
             j--) {
            int s = order[j];
            order[j] = order[j - 1];
            order[j - 1] = s;
        }
    double *load = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    t->owner = xpcs_malloc(sizeof(int) * (size_t)t->n_bins);
    for (int i = 0; i < t->n_bins; i++) {
        int best = 0;
        for (int r = 1; r < t->n_ranks; r++)
            if (load[r] < load[best])
                best = r;
        t->owner[order[i]] = best;
        load[best] += (double)xpcs_ttplan_bin_len(t, order[i]) + 32.0;
    }
    free(order);
    free(load);
}

/* Exchange lists (rank by rank, its bins in processing order) and each
 * rank's memory: the series store (uint32 when filled from events) and its
 * send buffer, one map's computation, rank 0's results. */
static void lay_out_columns(xpcs_ttplan *t, int events, double *max_bytes, int *max_rank)
{
    const int64_t n_pix = t->bin_first[t->n_bins];
    const size_t xsz = xpcs_dtype_size(t->xt);
    t->xpix = xpcs_malloc(sizeof(int64_t) * (size_t)(n_pix ? n_pix : 1));
    t->xpf = xpcs_calloc((size_t)t->n_ranks + 1, sizeof(int64_t));
    t->col0 = xpcs_malloc(sizeof(int64_t) * (size_t)t->n_bins);
    t->rank_bytes = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    t->store_bytes = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    int64_t off = 0;
    *max_bytes = 0;
    *max_rank = 0;
    for (int r = 0; r < t->n_ranks; r++) {
        int64_t max_k = 0;
        int max_g = 1;
        t->xpf[r] = off;
        for (int b = 0; b < t->n_bins; b++) {
            if (t->owner[b] != r)
                continue;
            const int64_t k = xpcs_ttplan_bin_len(t, b);
            const int g = (int)(t->grp_first[b + 1] - t->grp_first[b] - 1);
            t->col0[b] = off - t->xpf[r];
            memcpy(t->xpix + off, t->pix + t->bin_first[b], sizeof(int64_t) * (size_t)k);
            off += k;
            max_k = k > max_k ? k : max_k;
            max_g = g > max_g ? g : max_g;
        }
        const int64_t cols = off - t->xpf[r];
        double sb = (double)t->N * (double)cols * (double)(events && xsz < 4 ? 4 : xsz);
        sb += (double)t->max_mine * (double)n_pix * (double)xsz; /* send buffer */
        t->store_bytes[r] = sb;
        double m = events ? 0.0 : sb;
        m += max_k > 0 || r == 0 ? xpcs_ttplan_compute_bytes(t->N, max_k, max_g) : 0.0;
        if (r == 0)
            m += 8.0 * (double)t->N * 2.0 * (double)t->n_bins + (8 << 20); /* results, rows */
        t->rank_bytes[r] = m;
        if (m > *max_bytes) {
            *max_bytes = m;
            *max_rank = r;
        }
    }
    t->xpf[t->n_ranks] = off;
    t->n_cols = t->xpf[t->rank + 1] - t->xpf[t->rank];
}

xpcs_status xpcs_ttplan_create(const xpcs_config *cfg, const xpcs_qmap *q, int64_t n_frames,
                               int n_ranks, int rank, int64_t step_frames, xpcs_dtype xfer_type,
                               int events, xpcs_ttplan **out, double *max_bytes, int *max_rank,
                               xpcs_err *err)
{
    xpcs_ttplan *t = xpcs_calloc(1, sizeof *t);
    t->n_ranks = n_ranks;
    t->rank = rank;
    t->N = n_frames;
    t->xt = xfer_type;
    t->smooth = xpcs_smooth_from_name(cfg->smooth);
    snprintf(t->smooth_name, sizeof t->smooth_name, "%s", cfg->smooth);
    t->step_frames = step_frames;
    t->max_mine = (step_frames + n_ranks - 1) / n_ranks;
    xpcs_status st = select_bins(t, cfg, q, err);
    if (st) {
        xpcs_ttplan_destroy(&t);
        return st;
    }
    order_pixels(t, q);
    assign_owners(t);
    lay_out_columns(t, events, max_bytes, max_rank);
    *out = t;
    return XPCS_OK;
}

void xpcs_ttplan_store_bytes(const xpcs_ttplan *t, double *max_bytes, int *max_rank)
{
    *max_bytes = 0;
    *max_rank = 0;
    for (int r = 0; r < t->n_ranks; r++)
        if (t->store_bytes[r] > *max_bytes) {
            *max_bytes = t->store_bytes[r];
            *max_rank = r;
        }
}

void xpcs_ttplan_destroy(xpcs_ttplan **tp)
{
    if (!tp || !*tp)
        return;
    xpcs_ttplan *t = *tp;
    free(t->bin);
    free(t->bin_first);
    free(t->pix);
    free(t->grp);
    free(t->grp_first);
    free(t->owner);
    free(t->xpix);
    free(t->xpf);
    free(t->col0);
    free(t->rank_bytes);
    free(t->store_bytes);
    free(t);
    *tp = NULL;
}

void xpcs_ttplan_print(const xpcs_ttplan *t, FILE *out)
{
    fprintf(out, "plan: twotime: %d bin(s), %lld x %lld maps, smoothing %s; bins over ranks:\n",
            t->n_bins, (long long)t->N, (long long)t->N, t->smooth_name);
    for (int r = 0; r < t->n_ranks; r++) {
        fprintf(out, "plan:   rank %d computes", r);
        int any = 0;
        for (int b = 0; b < t->n_bins; b++)
            if (t->owner[b] == r) {
                fprintf(out, " %d (%lld px)", t->bin[b], (long long)xpcs_ttplan_bin_len(t, b));
                any = 1;
            }
        fprintf(out, "%s; memory %.1f MiB\n", any ? "" : " nothing", t->rank_bytes[r] / 1048576.0);
    }
}

char *xpcs_ttplan_json(const xpcs_ttplan *t)
{
    xpcs_sbuf *b = xpcs_sbuf_create();
    xpcs_sbuf_printf(b, "{\"n_bins\": %d, \"smooth\": \"%s\", \"bins\": [", t->n_bins,
                     t->smooth_name);
    for (int i = 0; i < t->n_bins; i++)
        xpcs_sbuf_printf(b, "%s%d", i ? ", " : "", t->bin[i]);
    xpcs_sbuf_add(b, "], \"bin_pixels\": [");
    for (int i = 0; i < t->n_bins; i++)
        xpcs_sbuf_printf(b, "%s%lld", i ? ", " : "", (long long)xpcs_ttplan_bin_len(t, i));
    xpcs_sbuf_add(b, "], \"bin_rank\": [");
    for (int i = 0; i < t->n_bins; i++)
        xpcs_sbuf_printf(b, "%s%d", i ? ", " : "", t->owner[i]);
    xpcs_sbuf_add(b, "], \"rank_bytes\": [");
    for (int r = 0; r < t->n_ranks; r++)
        xpcs_sbuf_printf(b, "%s%.0f", r ? ", " : "", t->rank_bytes[r]);
    xpcs_sbuf_add(b, "]}");
    return xpcs_sbuf_take(&b);
}

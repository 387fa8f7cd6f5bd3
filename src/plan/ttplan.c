/* ttplan: bins over ranks for two-time (see include/xpcs/plan/ttplan.h). */
#include "xpcs/plan/ttplan.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/exactsum.h"
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

double xpcs_ttplan_compute_bytes(int64_t N_frames, int64_t max_k, int max_g, double area)
{
    const double N = (double)N_frames, nd = (double)(N_frames + N_frames / 5 * 5);
    return 8.0 * N * (double)max_k                     /* X */
           + 8.0 * area                                /* the tile's rows of C */
           + xpcs_twotime_dense_bytes(N_frames, max_g) /* sums, factors, a row block */
           + 4.0 * area                                /* float32 triangle */
           + 8.0 * nd                                  /* diagonal means */
           + (double)sizeof(xpcs_xsum) * nd;           /* their exact sums */
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

static int n_groups_of(const xpcs_ttplan *t, int b)
{
    return (int)(t->grp_first[b + 1] - t->grp_first[b] - 1);
}

/* Bytes of bin b's series for one rank (uint32 when filled from events). */
static double series_bytes(const xpcs_ttplan *t, int b, int events)
{
    const size_t xsz = xpcs_dtype_size(t->xt);
    return (double)t->N * (double)xpcs_ttplan_bin_len(t, b) * (double)(events && xsz < 4 ? 4 : xsz);
}

/* Tiles bin b needs so that one tile, its copy of the series and the rest
 * fit in room (1 when room < 0 or the whole map fits; -1 when not even one
 * map row does). */
static int tiles_needed(const xpcs_ttplan *t, int b, int events, double room)
{
    const double full = xpcs_ttplan_area(t->N, 0, t->N);
    const int64_t k = xpcs_ttplan_bin_len(t, b);
    const double fixed =
        xpcs_ttplan_compute_bytes(t->N, k, n_groups_of(t, b), 0.0) + series_bytes(t, b, events);
    if (room < 0 || fixed + 12.0 * full <= room)
        return 1;
    if (fixed >= room) /* not even one row fits */
        return -1;
    const double g = ceil(12.0 * full / (room - fixed));
    return g < (double)t->N ? (int)g : (int)t->N;
}

static void free_tiles(xpcs_ttplan *t)
{
    free(t->bin_tile);
    free(t->tile_rank);
    free(t->tile_row0);
    free(t->tile_row1);
    free(t->owner);
    t->bin_tile = t->tile_rank = t->owner = NULL;
    t->tile_row0 = t->tile_row1 = NULL;
}

/* Owners and tiles: largest bins first, each to the least loaded rank (ties:
 * the lower rank), or, for a bin that needs g tiles, to the g least loaded
 * ranks in rank order, rows split so that every tile has about the same area
 * of the upper triangle; a bin's work is about N^2 (n + 32). */
static void assign_tiles(xpcs_ttplan *t, const int *ntile)
{
    const int B = t->n_bins, R = t->n_ranks;
    int *order = xpcs_malloc(sizeof(int) * (size_t)B);
    for (int i = 0; i < B; i++)
        order[i] = i;
    for (int i = 1; i < B; i++) /* insertion sort: by size desc, bin asc */
        for (int j = i;
             j > 0 && xpcs_ttplan_bin_len(t, order[j]) > xpcs_ttplan_bin_len(t, order[j - 1]);
             j--) {
            int s = order[j];
            order[j] = order[j - 1];
            order[j - 1] = s;
        }
    free_tiles(t);
    t->bin_tile = xpcs_calloc((size_t)B + 1, sizeof(int));
    for (int b = 0; b < B; b++)
        t->bin_tile[b + 1] = t->bin_tile[b] + ntile[b];
    t->n_tiles = t->bin_tile[B];
    t->tile_rank = xpcs_malloc(sizeof(int) * (size_t)t->n_tiles);
    t->tile_row0 = xpcs_malloc(sizeof(int64_t) * (size_t)t->n_tiles);
    t->tile_row1 = xpcs_malloc(sizeof(int64_t) * (size_t)t->n_tiles);
    t->owner = xpcs_malloc(sizeof(int) * (size_t)B);
    double *load = xpcs_calloc((size_t)R, sizeof(double));
    int *pick = xpcs_malloc(sizeof(int) * (size_t)R);
    for (int i = 0; i < B; i++) {
        const int b = order[i], g = ntile[b];
        const double work = (double)xpcs_ttplan_bin_len(t, b) + 32.0;
        for (int j = 0; j < g; j++) { /* the g least loaded ranks, ties: lower */
            int best = -1;
            for (int r = 0; r < R; r++) {
                int taken = 0;
                for (int q = 0; q < j; q++)
                    taken |= pick[q] == r;
                if (!taken && (best < 0 || load[r] < load[best]))
                    best = r;
            }
            pick[j] = best;
        }
        for (int j = 1; j < g; j++) /* rows in rank order */
            for (int q = j; q > 0 && pick[q] < pick[q - 1]; q--) {
                int s = pick[q];
                pick[q] = pick[q - 1];
                pick[q - 1] = s;
            }
        const double full = xpcs_ttplan_area(t->N, 0, t->N);
        int64_t row = 0;
        for (int j = 0; j < g; j++) {
            const int tile = t->bin_tile[b] + j;
            int64_t end = t->N;
            if (j + 1 < g) /* the first row past (j + 1) / g of the area */
                for (end = row; end < t->N &&
                                xpcs_ttplan_area(t->N, 0, end) < full * (double)(j + 1) / (double)g;
                     end++)
                    ;
            t->tile_rank[tile] = pick[j];
            t->tile_row0[tile] = row;
            t->tile_row1[tile] = end;
            load[pick[j]] += work * (g > 1 ? xpcs_ttplan_area(t->N, row, end) / full : 1.0);
            row = end;
        }
        t->owner[b] = pick[0];
    }
    free(pick);
    free(order);
    free(load);
}

/* Exchange lists (rank by rank, the bins it owns in processing order) and
 * each rank's memory: the series store (uint32 when filled from events) with
 * the copies of the split bins it has tiles of and its send buffer, its
 * largest tile's computation, rank 0's results. */
static void lay_out_columns(xpcs_ttplan *t, int events, double *max_bytes, int *max_rank)
{
    const int64_t n_pix = t->bin_first[t->n_bins];
    const size_t xsz = xpcs_dtype_size(t->xt);
    free(t->xpix);
    free(t->xpf);
    free(t->col0);
    free(t->rank_bytes);
    free(t->store_bytes);
    t->xpix = xpcs_malloc(sizeof(int64_t) * (size_t)(n_pix ? n_pix : 1));
    t->xpf = xpcs_calloc((size_t)t->n_ranks + 1, sizeof(int64_t));
    t->col0 = xpcs_malloc(sizeof(int64_t) * (size_t)t->n_bins);
    t->rank_bytes = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    t->store_bytes = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    int64_t off = 0;
    *max_bytes = 0;
    *max_rank = 0;
    double n_split = 0;
    for (int b = 0; b < t->n_bins; b++)
        n_split += t->bin_tile[b + 1] - t->bin_tile[b] > 1;
    for (int r = 0; r < t->n_ranks; r++) {
        double compute = 0, sb = 0;
        t->xpf[r] = off;
        for (int b = 0; b < t->n_bins; b++) {
            const int64_t k = xpcs_ttplan_bin_len(t, b);
            if (t->owner[b] == r) {
                t->col0[b] = off - t->xpf[r];
                memcpy(t->xpix + off, t->pix + t->bin_first[b], sizeof(int64_t) * (size_t)k);
                off += k;
                sb += series_bytes(t, b, events);
            }
            for (int i = t->bin_tile[b]; i < t->bin_tile[b + 1]; i++) {
                if (t->tile_rank[i] != r)
                    continue;
                const double area = xpcs_ttplan_area(t->N, t->tile_row0[i], t->tile_row1[i]);
                const double c = xpcs_ttplan_compute_bytes(t->N, k, n_groups_of(t, b), area);
                compute = c > compute ? c : compute;
                if (t->owner[b] != r) /* a copy of a split bin's series */
                    sb += series_bytes(t, b, events);
            }
        }
        sb += (double)t->max_mine * (double)n_pix * (double)xsz; /* send buffer */
        t->store_bytes[r] = sb;
        double m = events ? 0.0 : sb;
        if (compute > 0 || r == 0)
            m += compute > 0 ? compute : xpcs_ttplan_compute_bytes(t->N, 0, 1, 0.0);
        if (r == 0) /* results, rows; the exact sums of the bins whose tiles are arriving */
            m += 8.0 * (double)t->N * 2.0 * (double)t->n_bins + (8 << 20) +
                 (double)sizeof(xpcs_xsum) * (double)(t->N + t->N / 5 * 5) * (n_split + 1);
        t->rank_bytes[r] = m;
        if (m > *max_bytes) {
            *max_bytes = m;
            *max_rank = r;
        }
    }
    t->xpf[t->n_ranks] = off;
    t->n_cols = t->xpf[t->rank + 1] - t->xpf[t->rank];
}

/* What the plan's ledger will count: the largest rank's maps and results,
 * plus (the kernel is chosen later: plan for the dense kernel) the largest
 * rank's series store. */
static double ledger_need(const xpcs_ttplan *t, int events, int fit_store, int *worst)
{
    double maps = 0, store = 0;
    *worst = 0;
    for (int r = 0; r < t->n_ranks; r++) {
        if (t->rank_bytes[r] > maps) {
            maps = t->rank_bytes[r];
            *worst = r;
        }
        store = t->store_bytes[r] > store ? t->store_bytes[r] : store;
    }
    return maps + (events && fit_store ? store : 0.0);
}

/* Tiles per bin: the first guess from each bin alone, then, while the
 * ledger's need does not fit room, one more tile for the bin of the
 * neediest rank's largest tile (at most one tile per rank and per row). */
static void fit_tiles(xpcs_ttplan *t, int events, int fit_store, double room, double *max_bytes,
                      int *max_rank)
{
    const int B = t->n_bins, R = t->n_ranks;
    int *ntile = xpcs_malloc(sizeof(int) * (size_t)B);
    t->min_ranks = 1;
    for (int b = 0; b < B; b++) {
        ntile[b] = tiles_needed(t, b, events, room);
        if (ntile[b] < 0) { /* not even one map row fits: tiles do not help */
            t->min_ranks = 0;
            ntile[b] = 1;
        }
        if (t->min_ranks > 0)
            t->min_ranks = ntile[b] > t->min_ranks ? ntile[b] : t->min_ranks;
        ntile[b] = ntile[b] < R ? ntile[b] : R;
    }
    for (int round = 0; round < B * R + 1; round++) {
        assign_tiles(t, ntile);
        lay_out_columns(t, events, max_bytes, max_rank);
        int worst;
        t->need = ledger_need(t, events, fit_store, &worst);
        if (room < 0 || t->need <= room || t->min_ranks == 0)
            break;
        int grow = -1; /* the bin of the worst rank's largest tile that can split more */
        double big = 0;
        for (int b = 0; b < B; b++)
            for (int i = t->bin_tile[b]; i < t->bin_tile[b + 1]; i++) {
                const double a = xpcs_ttplan_area(t->N, t->tile_row0[i], t->tile_row1[i]);
                if (t->tile_rank[i] == worst && ntile[b] < R && ntile[b] < t->N && a > big) {
                    big = a;
                    grow = b;
                }
            }
        if (grow < 0) { /* no more ranks to split over */
            t->min_ranks = t->min_ranks > R ? t->min_ranks : R + 1;
            break;
        }
        ntile[grow]++;
    }
    free(ntile);
}

xpcs_status xpcs_ttplan_create(const xpcs_config *cfg, const xpcs_qmap *q, int64_t n_frames,
                               int n_ranks, int rank, int64_t step_frames, xpcs_dtype xfer_type,
                               int events, int fit_store, double room, xpcs_ttplan **out,
                               double *max_bytes, int *max_rank, xpcs_err *err)
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
    fit_tiles(t, events, fit_store, room, max_bytes, max_rank);
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
    free_tiles(t);
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
            for (int i = t->bin_tile[b]; i < t->bin_tile[b + 1]; i++) {
                if (t->tile_rank[i] != r)
                    continue;
                fprintf(out, " %d (%lld px)", t->bin[b], (long long)xpcs_ttplan_bin_len(t, b));
                if (t->bin_tile[b + 1] - t->bin_tile[b] > 1)
                    fprintf(out, " rows [%lld, %lld)", (long long)t->tile_row0[i],
                            (long long)t->tile_row1[i]);
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
    xpcs_sbuf_add(b, "], \"tiles\": [");
    for (int i = 0; i < t->n_tiles; i++)
        xpcs_sbuf_printf(b, "%s[%d, %lld, %lld]", i ? ", " : "", t->tile_rank[i],
                         (long long)t->tile_row0[i], (long long)t->tile_row1[i]);
    xpcs_sbuf_add(b, "], \"rank_bytes\": [");
    for (int r = 0; r < t->n_ranks; r++)
        xpcs_sbuf_printf(b, "%s%.0f", r ? ", " : "", t->rank_bytes[r]);
    xpcs_sbuf_add(b, "]}");
    return xpcs_sbuf_take(&b);
}

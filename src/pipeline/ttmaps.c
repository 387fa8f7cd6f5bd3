/* ttmaps: the two-time maps at the end of the run.  Rank 0 allocates every
 * map's dataset in the result file and pauses it; then every tile (a bin's
 * map rows on one rank: the whole map unless the plan split it) is
 * computed by its rank (phase twotime) with the exact diagonal sums of its
 * rows, and written by that rank into the file with MPI-IO at the offsets
 * HDF5 allocated (phase write); the sums go to rank 0, which adds a bin's
 * tiles (exact) and divides once all have come, then reopens the file for
 * the rest of the two-time group.  No map travels to rank 0.  The file is a
 * sink: this stage hands it datasets and is never called back. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/signals.h"
#include "xpcs/config/config.h"
#include "xpcs/io/h5extra.h"
#include "xpcs/kernels/twotime.h"
#include "ttstage_impl.h"

enum { TAG_SUMS = 3102 };

/* A tile's message head: tile, seconds, BLAS seconds, events, exponent. */
#define HEAD 5

static int64_t n_sums(const xpcs_ttstage *t)
{
    return t->N + t->N / 5 * 5; /* diagonals, then segment diagonals */
}

static int64_t tile_rows(const xpcs_ttstage *t, int i)
{
    return t->tp->tile_row1[i] - t->tp->tile_row0[i];
}

static int64_t tile_area(const xpcs_ttstage *t, int i)
{
    return (int64_t)xpcs_ttplan_area(t->N, t->tp->tile_row0[i], t->tp->tile_row1[i]);
}

/* Buffers for this rank's largest tile (and, on rank 0, any tile). */
static void tile_buffers(xpcs_ttstage *t)
{
    if (t->acc)
        return;
    const xpcs_ttplan *tp = t->tp;
    int64_t max_k = 0, max_rows = 0, max_area = 0;
    for (int b = 0; b < tp->n_bins; b++)
        for (int i = tp->bin_tile[b]; i < tp->bin_tile[b + 1]; i++) {
            if (tp->tile_rank[i] != t->rank && t->rank != 0)
                continue;
            const int64_t k = xpcs_ttplan_bin_len(tp, b);
            max_k = k > max_k ? k : max_k;
            max_rows = tile_rows(t, i) > max_rows ? tile_rows(t, i) : max_rows;
            max_area = tile_area(t, i) > max_area ? tile_area(t, i) : max_area;
        }
    if (t->ev_mode != TT_EV_SPARSE)
        t->X = xpcs_malloc(sizeof(double) * (size_t)(t->N * max_k) + 1);
    t->Cp = xpcs_malloc(sizeof(double) * (size_t)max_area + 1);
    t->row = xpcs_malloc(sizeof(double *) * (size_t)(max_rows + 1));
    t->tri = xpcs_malloc(sizeof(float) * (size_t)max_area + 1);
    t->acc = xpcs_malloc(sizeof(xpcs_xsum) * (size_t)(n_sums(t) + 1));
    t->sacc = t->acc + t->N;
}

/* The series of bin b as double [N][k] in X (owner: from its store; else
 * from the copy). */
static void load_series(xpcs_ttstage *t, int b, int64_t k)
{
    if (t->tp->owner[b] == t->rank)
        xpcs_twotime_load(t->store, t->xt, t->tp->n_cols, t->tp->col0[b], t->N, k, t->X);
    else
        xpcs_twotime_load(t->rep_store[b], t->xt, k, 0, t->N, k, t->X);
}

/* Tile i (bin b): its rows of the map (packed: row r holds j >= r), the
 * float32 copy, the exact partial diagonal sums; *events: the bin's photon
 * events (its first tile, event kernel), *e: the sums' exponent. */
static void compute_tile(xpcs_ttstage *t, int i, double *sec, double *blas_sec, double *events,
                         int *e)
{
    const xpcs_ttplan *tp = t->tp;
    int b = 0;
    while (i >= tp->bin_tile[b + 1])
        b++;
    const int64_t N = t->N, k = xpcs_ttplan_bin_len(tp, b);
    const int64_t r0 = tp->tile_row0[i], r1 = tp->tile_row1[i];
    const int sparse = t->ev_mode == TT_EV_SPARSE;
    tile_buffers(t);
    for (int64_t r = r0, off = 0; r < r1; off += N - r, r++)
        t->row[r - r0] = t->Cp + off - r; /* row[r - r0][j], j >= r */
    if (!sparse)
        load_series(t, b, k);
    double t0 = omp_get_wtime(), cmax = 0;
    const int64_t *g = tp->grp + tp->grp_first[b];
    const int ng = (int)(tp->grp_first[b + 1] - tp->grp_first[b]) - 1;
    const xpcs_smooth sm = (xpcs_smooth)tp->smooth;
    *events = 0;
    *blas_sec = 0;
    if (sparse) {
        const int own = tp->owner[b] == t->rank;
        const int64_t *ptr = own ? t->cptr + tp->col0[b] : t->rep_ptr[b];
        const uint32_t *fr = own ? t->cfr : t->rep_fr[b], *ct = own ? t->cct : t->rep_ct[b];
        *events = i == tp->bin_tile[b] ? (double)(ptr[k] - ptr[0]) : 0.0;
        xpcs_twotime_sparse_rows(ptr, fr, ct, N, k, g, ng, sm, r0, r1, t->row, &cmax);
    }
    else {
        xpcs_twotime_dense_rows(t->X, N, k, g, ng, sm, r0, r1, t->row, blas_sec, &cmax);
    }
    *e = xpcs_twotime_diag_exponent(cmax);
    memset(t->acc, 0, sizeof(xpcs_xsum) * (size_t)n_sums(t));
    xpcs_twotime_diag_partial(t->row, N, r0, r1, *e, t->acc, t->sacc);
    *sec = omp_get_wtime() - t0;
    const int64_t area = tile_area(t, i);
#pragma omp parallel for schedule(static)
    for (int64_t q = 0; q < area; q++)
        t->tri[q] = (float)t->Cp[q];
}

/* compute_tile as phase twotime.  After a stop signal the maps are not
 * computed any more (zeros, which nobody publishes), so every rank
 * reaches the end quickly. */
static void compute_timed(xpcs_ttstage *t, int i, double *head, xpcs_timers *tm)
{
    head[0] = i;
    if (xpcs_signal_pending()) {
        tile_buffers(t);
        memset(t->acc, 0, sizeof(xpcs_xsum) * (size_t)n_sums(t));
        memset(t->tri, 0, sizeof(float) * (size_t)tile_area(t, i));
        head[1] = head[2] = head[3] = head[4] = 0;
        return;
    }
    xpcs_timer_start(tm, XPCS_T_TWOTIME);
    int e = 0;
    compute_tile(t, i, &head[1], &head[2], &head[3], &e);
    head[4] = e;
    xpcs_timer_stop(tm, XPCS_T_TWOTIME);
}

/* Rank 0: tile i's sums into its bin's (exact); the bin's means once its
 * last tile is in. */
static xpcs_status take_tile(xpcs_ttstage *t, const double *head, const xpcs_xsum *sums,
                             xpcs_status st, xpcs_err *err)
{
    const xpcs_ttplan *tp = t->tp;
    const int i = (int)head[0];
    int b = 0;
    while (i >= tp->bin_tile[b + 1])
        b++;
    const int64_t N = t->N, nb = tp->n_bins, len = N / 5, ns = n_sums(t);
    if (!t->bin_acc[b]) {
        t->bin_acc[b] = xpcs_calloc((size_t)ns + 1, sizeof(xpcs_xsum));
        t->bin_left[b] = tp->bin_tile[b + 1] - tp->bin_tile[b];
        t->bin_e[b] = (int)head[4];
    }
    xpcs_xsum *a = t->bin_acc[b];
    for (int64_t q = 0; q < ns; q++) /* exact: the order of the tiles does not matter */
        for (int d = 0; d < XPCS_XSUM_DIGITS; d++)
            a[q].d[d] += sums[q].d[d];
    t->bin_sec[b] += head[1];
    t->bin_blas[b] += head[2];
    t->bin_events[b] += head[3];
    t->rank_sec[tp->tile_rank[i]] += head[1];
    if (!st && xpcs_signal_pending())
        st = xpcs_signal_fail(err);
    if ((int)head[4] != t->bin_e[b] && !st) /* every tile derives it from the same data */
        st = xpcs_fail(err, XPCS_ERR_INTERNAL, "two-time bin %d: tiles disagree on the bound",
                       tp->bin[b]);
    if (--t->bin_left[b] == 0) {
        double *g2 = xpcs_malloc(sizeof(double) * (size_t)(N + len * 5 + 1));
        xpcs_twotime_diag_finish(a, a + N, N, t->bin_e[b], g2, g2 + N);
        for (int64_t k = 0; k < N; k++)
            t->all_g2[k * nb + b] = g2[k];
        for (int64_t k = 0; k < len; k++)
            for (int s = 0; s < 5; s++)
                t->all_seg[(k * 5 + s) * nb + b] = g2[N + k * 5 + s];
        free(g2);
        free(t->bin_acc[b]);
        t->bin_acc[b] = NULL;
    }
    return st;
}

/* Tile i's rows into its map in the file (row r at offset + 4 N r, zeros
 * left of the diagonal), in blocks of about 8 MiB; phase write. */
static xpcs_status write_rows(xpcs_ttstage *t, xpcs_file *f, int i, xpcs_timers *tm, xpcs_err *err)
{
    const xpcs_ttplan *tp = t->tp;
    int b = 0;
    while (i >= tp->bin_tile[b + 1])
        b++;
    const int64_t N = t->N, r0 = tp->tile_row0[i], r1 = tp->tile_row1[i];
    xpcs_timer_start(tm, XPCS_T_WRITE);
    int64_t rows = N > 0 ? (8 << 20) / (4 * N) : 1;
    rows = rows < 1 ? 1 : rows;
    float *blk = xpcs_malloc(sizeof(float) * (size_t)(rows * N));
    const float *src = t->tri;
    xpcs_status st = XPCS_OK;
    for (int64_t a = r0; a < r1 && !st; a += rows) {
        const int64_t nr = a + rows <= r1 ? rows : r1 - a;
        for (int64_t r = a; r < a + nr; r++) {
            float *dst = blk + (size_t)((r - a) * N);
            memset(dst, 0, sizeof(float) * (size_t)r);
            memcpy(dst + r, src, sizeof(float) * (size_t)(N - r));
            src += N - r;
        }
        /* the dataset is IEEE little-endian float32: so are the host's */
        st = xpcs_comm_file_write_at(f, t->map_off[b] + 4 * a * N, blk,
                                     sizeof(float) * (size_t)(nr * N), err);
    }
    free(blk);
    xpcs_timer_stop(tm, XPCS_T_WRITE);
    return st;
}

xpcs_status xpcs_ttstage_map_files(xpcs_ttstage *t, xpcs_resfile *w, xpcs_err *err)
{
    const int nb = t->tp->n_bins;
    xpcs_status st = XPCS_OK;
    for (int b = 0; b < nb && !st; b++) {
        char path[128];
        snprintf(path, sizeof path, "/xpcs/twotime/correlation_map/c2_%05d", b + 1);
        st = xpcs_h5x_map_alloc(w, path, t->N, &t->map_off[b], err);
    }
    return st;
}

/* Rank 0: the results' arrays. */
static void results_alloc(xpcs_ttstage *t)
{
    const int64_t N = t->N, nb = t->tp->n_bins;
    t->all_g2 = xpcs_calloc((size_t)(N * nb), sizeof(double));
    t->all_seg = xpcs_calloc((size_t)(N / 5 * 5 * nb) + 1, sizeof(double));
    t->bin_sec = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_blas = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_events = xpcs_calloc((size_t)nb, sizeof(double));
    t->rank_sec = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    t->bin_acc = xpcs_calloc((size_t)nb, sizeof(xpcs_xsum *));
    t->bin_left = xpcs_calloc((size_t)nb, sizeof(int));
    t->bin_e = xpcs_calloc((size_t)nb, sizeof(int));
}

/* Every rank: its tiles computed (phase twotime) and written (phase write);
 * their exact sums to rank 0, which takes them as they come (a rank waiting
 * to send is served between rank 0's own tiles). */
static xpcs_status tiles(xpcs_ttstage *t, const xpcs_comm *c, xpcs_file *f, xpcs_timers *tm,
                         xpcs_err *err)
{
    const int root = t->rank == 0;
    const size_t sums = sizeof(xpcs_xsum) * (size_t)n_sums(t);
    const size_t hl = sizeof(double) * HEAD + sums;
    unsigned char *msg = xpcs_malloc(hl);
    int remote = 0;
    for (int i = 0; i < t->tp->n_tiles && root; i++)
        remote += t->tp->tile_rank[i] != 0;
    xpcs_status st = XPCS_OK, rs = XPCS_OK;
    xpcs_err later;
    for (int i = 0; i < t->tp->n_tiles; i++) {
        if (t->tp->tile_rank[i] != t->rank)
            continue;
        double head[HEAD];
        compute_timed(t, i, head, tm);
        if (!st) /* after a failed write only the sums go on (rank 0 waits for them) */
            st = write_rows(t, f, i, tm, err);
        if (root) {
            rs = take_tile(t, head, t->acc, rs, st ? &later : err);
            for (int src; remote > 0 && (src = xpcs_comm_probe(c, TAG_SUMS, 0)) >= 0; remote--) {
                xpcs_comm_recv_bytes(c, msg, hl, src, TAG_SUMS);
                rs = take_tile(t, (const double *)msg, (const xpcs_xsum *)(msg + sizeof head), rs,
                               st ? &later : err);
            }
        }
        else {
            memcpy(msg, head, sizeof head);
            memcpy(msg + sizeof head, t->acc, sums);
            xpcs_comm_send_bytes(c, msg, hl, 0, TAG_SUMS);
        }
    }
    for (; remote > 0; remote--) {
        const int src = xpcs_comm_probe(c, TAG_SUMS, 1);
        xpcs_comm_recv_bytes(c, msg, hl, src, TAG_SUMS);
        rs = take_tile(t, (const double *)msg, (const xpcs_xsum *)(msg + sizeof(double) * HEAD), rs,
                       st ? &later : err);
    }
    free(msg);
    return st ? st : rs;
}

xpcs_status xpcs_ttstage_maps(xpcs_ttstage *t, const xpcs_comm *c, const char *tmp, xpcs_status st,
                              xpcs_timers *tm, xpcs_err *err)
{
    st = xpcs_comm_agree(c, st, err); /* rank 0's file, up to here */
    if (st)
        return st;
    char path[XPCS_PATH_MAX + 256] = "";
    if (t->rank == 0) {
        snprintf(path, sizeof path, "%s", tmp);
        results_alloc(t);
    }
    xpcs_comm_bcast(c, path, sizeof path, 0);
    xpcs_comm_bcast(c, t->map_off, sizeof(int64_t) * (size_t)t->tp->n_bins, 0);
    xpcs_file *f = NULL;
    xpcs_timer_start(tm, XPCS_T_WRITE);
    st = xpcs_comm_agree(c, xpcs_comm_file_open_write(c, path, &f, err), err);
    xpcs_timer_stop(tm, XPCS_T_WRITE);
    if (st)
        return st;
    tile_buffers(t);
    st = tiles(t, c, f, tm, err);
    xpcs_timer_start(tm, XPCS_T_WRITE);
    xpcs_err cerr;
    const xpcs_status cs = xpcs_comm_file_close_sync(&f, st ? &cerr : err);
    xpcs_timer_stop(tm, XPCS_T_WRITE);
    return xpcs_comm_agree(c, st ? st : cs, err);
}

xpcs_status xpcs_ttstage_write_group(xpcs_ttstage *t, xpcs_resfile *w, const xpcs_result *r,
                                     xpcs_err *err)
{
    const xpcs_ttplan *tp = t->tp;
    const int64_t N = t->N, nb = tp->n_bins;
    int64_t *ids = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    int64_t *own = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    int64_t *npx = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    double *gf = xpcs_malloc(sizeof(double) * (size_t)nb);
    for (int b = 0; b < nb; b++) {
        ids[b] = tp->bin[b];
        own[b] = tp->owner[b];
        npx[b] = xpcs_ttplan_bin_len(tp, b);
        gf[b] = t->bin_sec[b] > 0 ? xpcs_twotime_flops(N, npx[b]) / t->bin_sec[b] / 1e9 : 0.0;
    }
    int64_t d1[1] = {nb}, d2[2] = {N, nb}, d3[3] = {N / 5, 5, nb};
    xpcs_status st = xpcs_h5x_i64(w, "/xpcs/twotime/processed_bins", 1, d1, ids, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/normalized_g2", 2, d2, t->all_g2, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/normalized_g2_segments", 3, d3, t->all_seg, err);
    if (!st)
        st = xpcs_h5x_config(w, "/xpcs/twotime/config", r, "Twotime", err);
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/twotime/config/smooth", tp->smooth_name, err);
    if (!st)
        st = xpcs_h5x_i64(w, "/xpcs/twotime/config/bin_rank", 1, d1, own, err);
    if (!st)
        st = xpcs_h5x_i64(w, "/xpcs/twotime/config/bin_pixels", 1, d1, npx, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/bin_seconds", 1, d1, t->bin_sec, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/bin_blas_seconds", 1, d1, t->bin_blas, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/bin_events", 1, d1, t->bin_events, err);
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/twotime/config/kernel",
                          t->ev_mode == TT_EV_SPARSE ? "sparse" : "dense", err);
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/twotime/config/kernel_option", xpcs_kernel_name(r->cfg->kernel),
                          err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/occupancy", 0, NULL, &r->occupancy, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/config/bin_gflops", 1, d1, gf, err);
    free(ids);
    free(own);
    free(npx);
    free(gf);
    return st;
}

void xpcs_ttstage_print_stats(const xpcs_ttstage *t, FILE *out)
{
    if (!t->bin_sec)
        return;
    const xpcs_ttplan *tp = t->tp;
    const int sparse = t->ev_mode == TT_EV_SPARSE;
    double fl = 0, sec = 0, bl = 0, ev = 0;
    for (int b = 0; b < tp->n_bins; b++) {
        /* dense: the products' flops; events: photon events */
        const double f =
            sparse ? t->bin_events[b] : xpcs_twotime_flops(t->N, xpcs_ttplan_bin_len(tp, b));
        const double rate = t->bin_sec[b] > 0 ? f / t->bin_sec[b] : 0.0;
        char where[64];
        const int nt = tp->bin_tile[b + 1] - tp->bin_tile[b];
        if (nt > 1)
            snprintf(where, sizeof where, "in %d tiles from rank %d", nt, tp->owner[b]);
        else
            snprintf(where, sizeof where, "on rank %d", tp->owner[b]);
        if (sparse)
            fprintf(
                out,
                "twotime: bin %d (%lld px) %s: event kernel %.3f s, %.0f events (%.3g events/s)\n",
                tp->bin[b], (long long)xpcs_ttplan_bin_len(tp, b), where, t->bin_sec[b], f, rate);
        else
            fprintf(
                out,
                "twotime: bin %d (%lld px) %s: correlation %.3f s (dgemm %.3f s), %.1f GFLOP/s\n",
                tp->bin[b], (long long)xpcs_ttplan_bin_len(tp, b), where, t->bin_sec[b],
                t->bin_blas[b], rate / 1e9);
        fl += f;
        sec += t->bin_sec[b];
        bl += t->bin_blas[b];
        ev += t->bin_events[b];
    }
    for (int r = 0; r < t->n_ranks; r++)
        if (t->rank_sec[r] > 0)
            fprintf(out, "twotime: rank %d: %.3f s of maps\n", r, t->rank_sec[r]);
    if (sparse)
        fprintf(out, "twotime: all bins: event kernel, %.0f events in %.3f s\n", ev, sec);
    else
        fprintf(out,
                "twotime: all bins: %.3g GFLOP in %.3f s of correlation (%.3f s dgemm): %.1f "
                "GFLOP/s per rank\n",
                fl / 1e9, sec, bl, sec > 0 ? fl / sec / 1e9 : 0.0);
}

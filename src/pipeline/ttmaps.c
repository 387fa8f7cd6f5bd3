/* ttmaps: the two-time maps at the end of the run -- computed by their
 * owners (phase twotime), sent to rank 0 as float32 upper triangles and
 * written there into the open result file (phase write); see
 * include/xpcs/pipeline/ttstage.h for the GO/STOP protocol.  The file is a
 * sink: this stage hands it datasets and is never called back. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "xpcs/core/signals.h"
#include "xpcs/io/h5extra.h"
#include "xpcs/kernels/twotime.h"
#include "ttstage_impl.h"

enum { TAG_CMD = 3101, TAG_HDR = 3102, TAG_MAP = 3103 };
enum { CMD_STOP = 0, CMD_GO = 1 };

/* Bin b's map (twotime.h: the dense or the event kernel), diagonal means
 * and segments; the float32 triangle in t->tri.  *events: the bin's photon
 * events (event kernel; 0 for the dense kernel). */
static void compute_bin(xpcs_ttstage *t, int b, double *sec, double *blas_sec, double *events)
{
    const int64_t N = t->N, k = xpcs_ttplan_bin_len(t->tp, b);
    const int sparse = t->ev_mode == TT_EV_SPARSE;
    if (!t->C) {
        int64_t max_k = 0;
        for (int i = 0; i < t->tp->n_bins; i++)
            if (t->tp->owner[i] == t->rank && xpcs_ttplan_bin_len(t->tp, i) > max_k)
                max_k = xpcs_ttplan_bin_len(t->tp, i);
        if (!sparse)
            t->X = xpcs_malloc(sizeof(double) * (size_t)(N * max_k) + 1);
        t->C = xpcs_malloc(sizeof(double) * (size_t)(N * N));
        t->g2 = xpcs_malloc(sizeof(double) * (size_t)N);
        t->seg = xpcs_calloc((size_t)(N / 5 * 5) + 1, sizeof(double));
    }
    if (!t->tri)
        t->tri = xpcs_malloc(sizeof(float) * (size_t)xpcs_twotime_tri_len(N));
    if (!sparse)
        xpcs_twotime_load(t->store, t->xt, t->tp->n_cols, t->tp->col0[b], N, k, t->X);
    double t0 = omp_get_wtime();
    const int64_t *g = t->tp->grp + t->tp->grp_first[b];
    const int ng = (int)(t->tp->grp_first[b + 1] - t->tp->grp_first[b]) - 1;
    const xpcs_smooth sm = (xpcs_smooth)t->tp->smooth;
    *events = 0;
    *blas_sec = 0;
    if (sparse) {
        const int64_t *ptr = t->cptr + t->tp->col0[b];
        *events = (double)(ptr[k] - ptr[0]);
        xpcs_twotime_sparse(ptr, t->cfr, t->cct, N, k, g, ng, sm, t->C);
    }
    else {
        xpcs_twotime_dense(t->X, N, k, g, ng, sm, t->C, blas_sec);
    }
    xpcs_twotime_diag_means(t->C, N, N, t->g2);
    xpcs_twotime_segments(t->C, N, t->seg);
    *sec = omp_get_wtime() - t0;
    xpcs_twotime_pack_upper(t->C, N, t->tri);
}

/* compute_bin as phase twotime, inside the caller's phase write.  After a
 * stop signal the maps are not computed any more (zeros go to rank 0,
 * which writes nothing then), so every rank reaches the end quickly. */
static void compute_timed(xpcs_ttstage *t, int b, double *sec, double *blas, double *events,
                          xpcs_timers *tm)
{
    if (xpcs_signal_pending()) {
        const int64_t N = t->N;
        if (!t->tri)
            t->tri = xpcs_calloc((size_t)xpcs_twotime_tri_len(N), sizeof(float));
        if (!t->g2)
            t->g2 = xpcs_calloc((size_t)N + 1, sizeof(double));
        if (!t->seg)
            t->seg = xpcs_calloc((size_t)(N / 5 * 5) + 1, sizeof(double));
        *sec = *blas = *events = 0;
        return;
    }
    xpcs_timer_stop(tm, XPCS_T_WRITE);
    xpcs_timer_start(tm, XPCS_T_TWOTIME);
    compute_bin(t, b, sec, blas, events);
    xpcs_timer_stop(tm, XPCS_T_TWOTIME);
    xpcs_timer_start(tm, XPCS_T_WRITE);
}

static int64_t hdr_len(const xpcs_ttstage *t)
{
    return 4 + t->N + t->N / 5 * 5; /* bin, seconds, BLAS seconds, events, g2, segments */
}

void xpcs_ttstage_serve(xpcs_ttstage *t, const xpcs_comm *c, xpcs_timers *tm)
{
    const int64_t hl = hdr_len(t);
    double *hdr = xpcs_malloc(sizeof(double) * (size_t)hl);
    int first = 1;
    for (int b = 0; b < t->tp->n_bins; b++) {
        if (t->tp->owner[b] != t->rank)
            continue;
        double sec = 0, blas = 0, events = 0;
        compute_timed(t, b, &sec, &blas, &events, tm);
        if (first) {
            int cmd = CMD_STOP;
            xpcs_comm_recv_bytes(c, &cmd, sizeof cmd, 0, TAG_CMD);
            first = 0;
            if (cmd != CMD_GO)
                break;
        }
        hdr[0] = b;
        hdr[1] = sec;
        hdr[2] = blas;
        hdr[3] = events;
        memcpy(hdr + 4, t->g2, sizeof(double) * (size_t)t->N);
        memcpy(hdr + 4 + t->N, t->seg, sizeof(double) * (size_t)(t->N / 5 * 5));
        xpcs_comm_send_bytes(c, hdr, sizeof(double) * (size_t)hl, 0, TAG_HDR);
        xpcs_comm_send_bytes(c, t->tri, sizeof(float) * (size_t)xpcs_twotime_tri_len(t->N), 0,
                             TAG_MAP);
    }
    free(hdr);
}

/* rank 0: keep bin b's diagonal means and timing; write its map */
static xpcs_status take_bin(xpcs_ttstage *t, int b, const double *g2, const double *seg, double sec,
                            double blas, double events, xpcs_resfile *w, xpcs_status st,
                            xpcs_err *err)
{
    const int64_t N = t->N, nb = t->tp->n_bins, len = N / 5;
    for (int64_t k = 0; k < N; k++)
        t->all_g2[k * nb + b] = g2[k];
    for (int64_t k = 0; k < len; k++)
        for (int s = 0; s < 5; s++)
            t->all_seg[(k * 5 + s) * nb + b] = seg[k * 5 + s];
    t->bin_sec[b] = sec;
    t->bin_blas[b] = blas;
    t->bin_events[b] = events;
    if (!st && xpcs_signal_pending())
        st = xpcs_signal_fail(err);
    if (st)
        return st; /* after an error or a stop signal: only drain */
    char path[128];
    snprintf(path, sizeof path, "/xpcs/twotime/correlation_map/c2_%05d", b + 1);
    return xpcs_h5x_upper_map(w, path, N, t->tri, err);
}

static void send_cmd(xpcs_ttstage *t, const xpcs_comm *c, int cmd)
{
    for (int r = 1; r < t->n_ranks; r++) {
        int owns = 0;
        for (int b = 0; b < t->tp->n_bins; b++)
            owns |= t->tp->owner[b] == r;
        if (owns)
            xpcs_comm_send_bytes(c, &cmd, sizeof cmd, r, TAG_CMD);
    }
}

xpcs_status xpcs_ttstage_write(xpcs_ttstage *t, const xpcs_comm *c, xpcs_resfile *w,
                               const xpcs_result *r, xpcs_timers *tm, xpcs_err *err)
{
    const int64_t N = t->N, nb = t->tp->n_bins, hl = hdr_len(t);
    t->all_g2 = xpcs_calloc((size_t)(N * nb), sizeof(double));
    t->all_seg = xpcs_calloc((size_t)(N / 5 * 5 * nb) + 1, sizeof(double));
    t->bin_sec = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_blas = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_events = xpcs_calloc((size_t)nb, sizeof(double));
    t->bin_xfer_wait = xpcs_calloc((size_t)nb, sizeof(double));
    double *hdr = xpcs_malloc(sizeof(double) * (size_t)hl);
    if (!t->tri)
        t->tri = xpcs_malloc(sizeof(float) * (size_t)xpcs_twotime_tri_len(N));
    t->go_sent = 1;
    send_cmd(t, c, CMD_GO);
    int remote = 0;
    for (int b = 0; b < nb; b++)
        remote += t->tp->owner[b] != 0;
    xpcs_status st = XPCS_OK;
    const size_t tri_bytes = sizeof(float) * (size_t)xpcs_twotime_tri_len(N);
#define RECEIVE(SRC)                                                                               \
    do {                                                                                           \
        double w0_ = xpcs_comm_wtime();                                                            \
        xpcs_comm_recv_bytes(c, hdr, sizeof(double) * (size_t)hl, (SRC), TAG_HDR);                 \
        xpcs_comm_recv_bytes(c, t->tri, tri_bytes, (SRC), TAG_MAP);                                \
        int b_ = (int)hdr[0];                                                                      \
        t->bin_xfer_wait[b_] = xpcs_comm_wtime() - w0_;                                            \
        st = take_bin(t, b_, hdr + 4, hdr + 4 + N, hdr[1], hdr[2], hdr[3], w, st, err);            \
        remote--;                                                                                  \
    } while (0)
    for (int b = 0; b < nb; b++) {
        if (t->tp->owner[b] != 0)
            continue;
        double sec = 0, blas = 0, events = 0;
        compute_timed(t, b, &sec, &blas, &events, tm);
        st = take_bin(t, b, t->g2, t->seg, sec, blas, events, w, st, err);
        int src;
        while (remote > 0 && (src = xpcs_comm_probe(c, TAG_HDR, 0)) >= 0)
            RECEIVE(src);
    }
    while (remote > 0) {
        int src = xpcs_comm_probe(c, TAG_HDR, 1);
        RECEIVE(src);
    }
#undef RECEIVE
    free(hdr);
    if (st)
        return st;
    int64_t *ids = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    int64_t *own = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    int64_t *npx = xpcs_malloc(sizeof(int64_t) * (size_t)nb);
    double *gf = xpcs_malloc(sizeof(double) * (size_t)nb);
    for (int b = 0; b < nb; b++) {
        ids[b] = t->tp->bin[b];
        own[b] = t->tp->owner[b];
        npx[b] = xpcs_ttplan_bin_len(t->tp, b);
        gf[b] = t->bin_sec[b] > 0 ? xpcs_twotime_flops(N, npx[b]) / t->bin_sec[b] / 1e9 : 0.0;
    }
    int64_t d1[1] = {nb}, d2[2] = {N, nb}, d3[3] = {N / 5, 5, nb};
    st = xpcs_h5x_i64(w, "/xpcs/twotime/processed_bins", 1, d1, ids, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/normalized_g2", 2, d2, t->all_g2, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/twotime/normalized_g2_segments", 3, d3, t->all_seg, err);
    if (!st)
        st = xpcs_h5x_config(w, "/xpcs/twotime/config", r, "Twotime", err);
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/twotime/config/smooth", t->tp->smooth_name, err);
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

void xpcs_ttstage_release(xpcs_ttstage *t, const xpcs_comm *c)
{
    if (!t->go_sent)
        send_cmd(t, c, CMD_STOP);
    t->go_sent = 1;
}

void xpcs_ttstage_print_stats(const xpcs_ttstage *t, FILE *out)
{
    if (!t->bin_sec)
        return;
    const int sparse = t->ev_mode == TT_EV_SPARSE;
    double fl = 0, sec = 0, bl = 0, ev = 0;
    double *fl_rank = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    double *sec_rank = xpcs_calloc((size_t)t->n_ranks, sizeof(double));
    for (int b = 0; b < t->tp->n_bins; b++) {
        /* dense: the products' flops; events: photon events */
        const double f =
            sparse ? t->bin_events[b] : xpcs_twotime_flops(t->N, xpcs_ttplan_bin_len(t->tp, b));
        const double rate = t->bin_sec[b] > 0 ? f / t->bin_sec[b] : 0.0;
        if (sparse)
            fprintf(out,
                    "twotime: bin %d (%lld px) on rank %d: event kernel %.3f s, %.0f events "
                    "(%.3g events/s)\n",
                    t->tp->bin[b], (long long)xpcs_ttplan_bin_len(t->tp, b), t->tp->owner[b],
                    t->bin_sec[b], f, rate);
        else
            fprintf(out,
                    "twotime: bin %d (%lld px) on rank %d: correlation %.3f s (dgemm %.3f s), "
                    "%.1f GFLOP/s\n",
                    t->tp->bin[b], (long long)xpcs_ttplan_bin_len(t->tp, b), t->tp->owner[b],
                    t->bin_sec[b], t->bin_blas[b], rate / 1e9);
        fl += f;
        sec += t->bin_sec[b];
        bl += t->bin_blas[b];
        ev += t->bin_events[b];
        fl_rank[t->tp->owner[b]] += f;
        sec_rank[t->tp->owner[b]] += t->bin_sec[b];
    }
    if (sparse)
        fprintf(out, "twotime: all bins: event kernel, %.0f events in %.3f s\n", ev, sec);
    else
        fprintf(out,
                "twotime: all bins: %.3g GFLOP in %.3f s of correlation (%.3f s dgemm): %.1f "
                "GFLOP/s per rank\n",
                fl / 1e9, sec, bl, sec > 0 ? fl / sec / 1e9 : 0.0);
    for (int r = 0; r < t->n_ranks; r++)
        if (sec_rank[r] > 0)
            fprintf(out, "twotime: rank %d: %.3g %s in %.3f s\n", r,
                    sparse ? fl_rank[r] : fl_rank[r] / 1e9, sparse ? "events" : "GFLOP",
                    sec_rank[r]);
    free(fl_rank);
    free(sec_rank);
}

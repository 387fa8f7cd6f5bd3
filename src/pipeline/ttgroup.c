/* ttgroup: the two-time group's datasets besides the maps (the two-time
 * g2 and its segments, the per-bin configuration and timings) and the
 * per-bin lines of -v; rank 0, after ttmaps.c. */
#include <stdlib.h>

#include "xpcs/config/config.h"
#include "xpcs/io/h5extra.h"
#include "xpcs/kernels/twotime.h"
#include "ttstage_impl.h"

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

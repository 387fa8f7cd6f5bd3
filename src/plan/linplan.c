/* linplan: lags and FFT blocks of the linear stage (see
 * include/xpcs/plan/linplan.h). */
#include "xpcs/plan/linplan.h"

#include "xpcs/kernels/g2norm.h"

static double lin_bytes(const xpcs_g2lin_geom *g, int64_t own, size_t xsz, int threads,
                        const xpcs_qmap *q)
{
    double b = xpcs_g2lin_bytes(g, own, xsz, threads);
    b += xpcs_g2norm_bytes((int)g->max_lag, q->n_sq, q->n_dq);
    b += 3.0 * sizeof(double) * (double)own;                          /* G2, IP, IF of a lag */
    b += 2.0 * sizeof(double) * (double)g->max_lag * (double)q->n_dq; /* g2, err (rank 0) */
    return b;
}

/* The cheaper geometry when it fits `room`, else the leaner (time blocks). */
static double need(int64_t N, int64_t L, int64_t own, size_t xsz, int th, const xpcs_qmap *q,
                   double room, xpcs_g2lin_geom *g)
{
    xpcs_g2lin_geometry(N, L, 0, g);
    double b = lin_bytes(g, own, xsz, th, q);
    if (b <= room || !g->single)
        return b;
    xpcs_g2lin_geom g1;
    xpcs_g2lin_geometry(N, L, 1, &g1);
    double b1 = lin_bytes(&g1, own, xsz, th, q);
    if (b1 < b) {
        *g = g1;
        return b1;
    }
    return b;
}

/* The largest lag in [lo, hi) that fits `room` (lo must fit, or be 0). */
static int64_t largest_fitting_lag(int64_t lo, int64_t hi, int64_t N, int64_t own, size_t xsz,
                                   int th, const xpcs_qmap *q, double room)
{
    xpcs_g2lin_geom g;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (need(N, mid, own, xsz, th, q, room, &g) <= room)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

xpcs_status xpcs_linplan_make(const xpcs_config *cfg, int64_t N, int64_t own, xpcs_dtype xfer_type,
                              int threads, const xpcs_qmap *q, double base_bytes, double budget,
                              xpcs_g2lin_geom *geo, double *bytes, xpcs_err *err)
{
    const size_t xsz = xpcs_dtype_size(xfer_type);
    const int th = threads;
    const double room = budget - base_bytes;
    xpcs_g2lin_geom g;
#define NEED(L) need(N, (L), own, xsz, th, q, room, &g)
    if (cfg->max_lag > INT32_MAX)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--max-lag %lld: too large", (long long)cfg->max_lag);
    int64_t L = cfg->max_lag > 0 ? (cfg->max_lag < N - 1 ? cfg->max_lag : N - 1) : 0;
    if (L > 0) {
        double need_l = NEED(L);
        if (need_l > room) {
            /* the largest lag that fits, for the message */
            int64_t lo = largest_fitting_lag(0, L, N, own, xsz, th, q, room);
            char fits[64] = "";
            if (lo > 0)
                snprintf(fits, sizeof fits, "a smaller --max-lag (%lld fits), ", (long long)lo);
            return xpcs_fail(err, XPCS_ERR_MEMORY,
                             "%s: linear g2 up to lag %lld needs about %.0f MiB per rank "
                             "(%.0f MiB for the lags), over the budget of %.0f MiB: use %s"
                             "-a/--avg-frame, more ranks or --max-memory (--max-lag sets the "
                             "lags)",
                             cfg->raw, (long long)L, (base_bytes + need_l) / 1048576.0,
                             need_l / 1048576.0, budget / 1048576.0, fits);
        }
    }
    else {
        double need_1 = NEED(1);
        if (need_1 > room)
            return xpcs_fail(err, XPCS_ERR_MEMORY,
                             "%s: linear g2 needs about %.0f MiB per rank even for --max-lag 1, "
                             "over the budget of %.0f MiB: use -a/--avg-frame, more ranks or "
                             "--max-memory",
                             cfg->raw, (base_bytes + need_1) / 1048576.0, budget / 1048576.0);
        L = largest_fitting_lag(1, N, N, own, xsz, th, q, room); /* lag 1 fits */
    }
    *bytes = NEED(L);
    *geo = g;
#undef NEED
    return XPCS_OK;
}

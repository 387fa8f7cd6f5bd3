/* linstage: the linear-lag stage of the pipeline (see
 * include/xpcs/pipeline/linstage.h).  MPI through comm only; the kernel is
 * g2lin, the normalization g2norm, the lags the plan's (linplan.h). */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xpcs/core/infile.h"
#include "xpcs/io/h5extra.h"
#include "xpcs/kernels/g2norm.h"
#include "xpcs/pipeline/linstage.h"

struct xpcs_linstage {
    xpcs_g2lin_geom geo;
    xpcs_g2lin *k;
    int64_t n_own;
    int n_ranks, root, threads, n_dq;
    const char *planner; /* "estimate" or "wisdom" */
    char wisdom_file[XPCS_PATH_MAX];
    double bytes;
    /* rank 0 after reduce */
    int64_t *delays;                             /* [L] */
    double *g2, *g2_err;                         /* [L][n_dq] */
    double *rank_fft, *rank_block, *rank_reduce; /* [n_ranks] seconds */
    double rank_unrounded;
};

xpcs_status xpcs_linstage_create(const xpcs_comm *c, const xpcs_config *cfg, const xpcs_plan *p,
                                 int64_t n_own, xpcs_linstage **out, xpcs_err *err)
{
    xpcs_linstage *l = xpcs_calloc(1, sizeof *l);
    l->n_own = n_own;
    l->n_ranks = xpcs_comm_size(c);
    l->root = xpcs_comm_is_root(c);
    l->threads = omp_get_max_threads();
    l->geo = p->linear;
    snprintf(l->wisdom_file, sizeof l->wisdom_file, "%s", cfg->fftw_wisdom);
    xpcs_status st = XPCS_OK;
    if (!cfg->fftw_wisdom[0]) {
        /* FFTW_ESTIMATE: a deterministic choice, the same plan on every rank */
        l->planner = "estimate";
        st = xpcs_g2lin_create(&l->geo, n_own, p->xfer_type, 0, &l->k, err);
        st = xpcs_comm_agree(c, st, err);
    }
    else {
        /* rank 0 plans with FFTW_MEASURE on top of the file's wisdom (if the
         * file exists), the others take rank 0's plan from its wisdom */
        l->planner = "wisdom";
        char why[256];
        if (l->root && access(cfg->fftw_wisdom, F_OK) == 0 &&
            xpcs_input_regular(cfg->fftw_wisdom, why, sizeof why) != 0) /* a FIFO would block */
            st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read the FFTW wisdom file: %s",
                           cfg->fftw_wisdom, why);
        else if (l->root) {
            xpcs_fftw_wisdom_import_file(cfg->fftw_wisdom); /* a missing file is fine */
            st = xpcs_g2lin_create(&l->geo, n_own, p->xfer_type, 1, &l->k, err);
        }
        st = xpcs_comm_agree(c, st, err);
        if (!st) {
            char *w = l->root ? xpcs_fftw_wisdom_export_string() : NULL;
            int64_t len = w ? (int64_t)strlen(w) + 1 : 0;
            xpcs_comm_bcast(c, &len, sizeof len, 0);
            if (!l->root)
                w = xpcs_calloc((size_t)len + 1, 1);
            if (len > 0)
                xpcs_comm_bcast(c, w, (size_t)len, 0);
            if (!l->root) {
                if (len <= 0 || !xpcs_fftw_wisdom_import_string(w))
                    st = xpcs_fail(err, XPCS_ERR_INTERNAL,
                                   "FFTW: cannot import the wisdom broadcast by rank 0");
                if (!st)
                    st = xpcs_g2lin_create(&l->geo, n_own, p->xfer_type, 2, &l->k, err);
            }
            else if (!xpcs_fftw_wisdom_export_file(cfg->fftw_wisdom))
                st = xpcs_fail(err, XPCS_ERR_OUTPUT,
                               "%s: cannot write the FFTW wisdom file (--fftw-wisdom)",
                               cfg->fftw_wisdom);
            free(w);
            st = xpcs_comm_agree(c, st, err);
        }
    }
    if (st) {
        xpcs_linstage_destroy(&l);
        return st;
    }
    *out = l;
    return XPCS_OK;
}

void xpcs_linstage_destroy(xpcs_linstage **lp)
{
    if (!lp || !*lp)
        return;
    xpcs_linstage *l = *lp;
    xpcs_g2lin_destroy(&l->k);
    free(l->delays);
    free(l->g2);
    free(l->g2_err);
    free(l->rank_fft);
    free(l->rank_block);
    free(l->rank_reduce);
    free(l);
    *lp = NULL;
}

void xpcs_linstage_push(xpcs_linstage *l, const void *rows, int64_t n_rows, int64_t ld,
                        const double *row_scale)
{
    xpcs_g2lin_push(l->k, rows, n_rows, ld, row_scale);
}

xpcs_status xpcs_linstage_reduce(xpcs_linstage *l, const xpcs_comm *c, const xpcs_qmap *q,
                                 const int32_t *own_sq, const int32_t *own_dq, xpcs_err *err)
{
    const int64_t L = l->geo.max_lag, n = l->n_own;
    const double t0 = xpcs_comm_wtime();
    xpcs_status st = XPCS_OK;
    /* the multitau normalization (g2norm.h), one "delay" per lag: pass 0
     * records the maxima (allreduced), pass 1 adds the exact sums */
    xpcs_g2norm *gn = xpcs_g2norm_create((int)L, q->n_sq, q->n_dq, q->sq_to_dq);
    double *G2 = xpcs_malloc(sizeof(double) * (size_t)(n ? n : 1) * 3);
    double *IP = G2 + n, *IF = IP + n;
    for (int pass = 0; pass < 2 && !st; pass++) {
        for (int64_t tau = 1; tau <= L && !st; tau++) {
            st = xpcs_g2lin_result(l->k, tau, G2, IP, IF, err);
            if (st)
                break;
            if (pass == 0)
                xpcs_g2norm_scan(gn, (int)(tau - 1), n, G2, IP, IF, own_sq, own_dq);
            else
                xpcs_g2norm_accumulate(gn, (int)(tau - 1), n, G2, IP, IF, own_sq, own_dq);
        }
        st = xpcs_comm_agree(c, st, err);
        if (pass == 0 && !st) {
            int nm;
            double *mx = xpcs_g2norm_maxima(gn, &nm);
            xpcs_comm_allreduce_max_double(c, mx, nm);
        }
    }
    free(G2);
    if (!st) {
        int64_t ns;
        int64_t *sums = xpcs_g2norm_sums(gn, &ns);
        xpcs_comm_reduce_sum_int64(c, sums, ns, 0);
    }
    /* who did what: kernel and FFT seconds of every rank */
    double wall, fft;
    int64_t nb, nu;
    xpcs_g2lin_stats(l->k, &wall, &fft, &nb, &nu);
    double unr = (double)nu;
    xpcs_comm_reduce_sum_double(c, &unr, 1, 0);
    l->rank_unrounded = unr;
    if (l->root) {
        l->rank_fft = xpcs_malloc(sizeof(double) * (size_t)l->n_ranks);
        l->rank_block = xpcs_malloc(sizeof(double) * (size_t)l->n_ranks);
        l->rank_reduce = xpcs_malloc(sizeof(double) * (size_t)l->n_ranks);
    }
    xpcs_comm_gather_double(c, fft, l->rank_fft, 0);
    xpcs_comm_gather_double(c, wall, l->rank_block, 0);
    xpcs_comm_gather_double(c, xpcs_comm_wtime() - t0, l->rank_reduce, 0);
    if (l->root && !st) {
        l->n_dq = q->n_dq;
        l->delays = xpcs_malloc(sizeof(int64_t) * (size_t)L);
        for (int64_t t = 0; t < L; t++)
            l->delays[t] = t + 1;
        l->g2 = xpcs_malloc(sizeof(double) * (size_t)(L * q->n_dq) + 1);
        l->g2_err = xpcs_malloc(sizeof(double) * (size_t)(L * q->n_dq) + 1);
        xpcs_g2norm_finish(gn, l->g2, l->g2_err);
    }
    xpcs_g2norm_destroy(&gn);
    return st;
}

xpcs_status xpcs_linstage_write(const xpcs_linstage *l, xpcs_resfile *w, const xpcs_result *r,
                                xpcs_err *err)
{
    const int64_t L = l->geo.max_lag;
    int64_t d1[1] = {L}, d2[2] = {L, l->n_dq}, dr[1] = {l->n_ranks};
    xpcs_status st = xpcs_h5x_i64(w, "/xpcs/linear/delay_list", 1, d1, l->delays, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/linear/normalized_g2", 2, d2, l->g2, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/linear/normalized_g2_err", 2, d2, l->g2_err, err);
    if (!st)
        st = xpcs_h5x_config(w, "/xpcs/linear/config", r, "Linear", err);
    const struct {
        const char *name;
        int64_t v;
    } iv[] = {{"max_lag", L},
              {"block_frames", l->geo.block},
              {"fft_length", l->geo.fft_len},
              {"fft_batch", XPCS_G2LIN_BATCH},
              {"one_block", l->geo.single}};
    char p[256];
    for (size_t i = 0; i < sizeof iv / sizeof iv[0] && !st; i++) {
        snprintf(p, sizeof p, "/xpcs/linear/config/%s", iv[i].name);
        st = xpcs_h5x_i64(w, p, 0, NULL, &iv[i].v, err);
    }
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/linear/config/fftw_planner", l->planner, err);
    if (!st)
        st = xpcs_h5x_str(w, "/xpcs/linear/config/fftw_wisdom", l->wisdom_file, err);
    if (!st)
        st =
            xpcs_h5x_f64(w, "/xpcs/linear/config/rank_fft_thread_seconds", 1, dr, l->rank_fft, err);
    if (!st)
        st = xpcs_h5x_f64(w, "/xpcs/linear/config/rank_block_seconds", 1, dr, l->rank_block, err);
    return st;
}

void xpcs_linstage_print_stats(const xpcs_linstage *l, FILE *out)
{
    if (!l->rank_fft)
        return;
    for (int r = 0; r < l->n_ranks; r++)
        fprintf(out,
                "linear: rank %d: FFT blocks %.3f s wall, inside FFTW %.3f thread-s; "
                "normalization and reduction %.3f s\n",
                r, l->rank_block[r], l->rank_fft[r], l->rank_reduce[r]);
    if (l->rank_unrounded > 0)
        fprintf(out,
                "linear: %.0f pixel-blocks kept at transform precision (scaled frames or "
                "very large counts)\n",
                l->rank_unrounded);
}

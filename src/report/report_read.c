/* report_read: the result file's datasets the report shows, through the
 * shared readers (xpcs/io/h5read.h).  Every read is optional: what is
 * missing, empty or of another type leaves its part of the page out. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report_page.h"

double *xpcs_rpt_doubles(const xpcs_rpt_page *pg, const char *path, int *ndim, int64_t dims[4])
{
    *ndim = 0;
    xpcs_h5r_info in;
    xpcs_err ignored;
    double *v = NULL;
    if (xpcs_h5r_stat(pg->f, path, NULL, &in, &ignored) != XPCS_OK ||
        (in.cls != XPCS_H5R_INTEGER && in.cls != XPCS_H5R_FLOAT) || in.rank > 4 || in.count <= 0 ||
        in.count > ((int64_t)1 << 27) ||
        xpcs_h5r_f64(pg->f, path, NULL, &v, NULL, &ignored) != XPCS_OK)
        return NULL;
    *ndim = in.rank;
    for (int i = 0; i < 4; i++)
        dims[i] = i < in.rank ? in.dims[i] : 1;
    return v;
}

int xpcs_rpt_scalar(const xpcs_rpt_page *pg, const char *path, double *out)
{
    int nd;
    int64_t dims[4];
    double *v = xpcs_rpt_doubles(pg, path, &nd, dims);
    if (!v)
        return 0;
    *out = v[0];
    free(v);
    return 1;
}

int xpcs_rpt_strings(const xpcs_rpt_page *pg, const char *path, char ***out)
{
    *out = NULL;
    xpcs_h5r_info in;
    xpcs_err ignored;
    int n = 0;
    if (xpcs_h5r_stat(pg->f, path, NULL, &in, &ignored) != XPCS_OK || in.cls != XPCS_H5R_STRING ||
        in.count <= 0 || in.count >= 100000 ||
        xpcs_h5r_strings(pg->f, path, NULL, out, &n, &ignored) != XPCS_OK)
        return 0;
    return n;
}

static void load_q(xpcs_rpt_page *pg);

/* The dynamic bins without multitau: the mapping's (or q list's) length. */
static void count_bins(xpcs_rpt_page *pg)
{
    int nd;
    int64_t dims[4];
    double *v = xpcs_rpt_doubles(pg, "/xpcs/qmap/dynamic_index_mapping", &nd, dims);
    if (!v)
        v = xpcs_rpt_doubles(pg, "/xpcs/qmap/dynamic_v_list_dim0", &nd, dims);
    pg->n_dq = v && nd == 1 ? (int)dims[0] : 0;
    free(v);
}

void xpcs_rpt_load_multitau(xpcs_rpt_page *pg)
{
    int nd;
    int64_t dims[4];
    pg->delay = xpcs_rpt_doubles(pg, "/xpcs/multitau/delay_list", &nd, dims);
    if (pg->delay) {
        pg->n_tau = (int)dims[0];
        pg->g2 = xpcs_rpt_doubles(pg, "/xpcs/multitau/normalized_g2", &nd, dims);
    }
    if (!pg->delay || !pg->g2 || nd != 2 || dims[0] != (int64_t)pg->n_tau) {
        free(pg->g2);
        pg->g2 = NULL;
        count_bins(pg); /* q of the bins for the linear and two-time g2 */
        if (pg->n_dq > 0)
            load_q(pg);
        return;
    }
    pg->n_dq = (int)dims[1];
    int64_t ed[4];
    pg->g2e = xpcs_rpt_doubles(pg, "/xpcs/multitau/normalized_g2_err", &nd, ed);
    if (pg->g2e && (ed[0] != dims[0] || ed[1] != dims[1])) {
        free(pg->g2e);
        pg->g2e = NULL;
    }
    double ft = 0, stride = 1, avg = 1;
    xpcs_rpt_scalar(pg, "/entry/instrument/detector_1/frame_time", &ft);
    xpcs_rpt_scalar(pg, "/xpcs/multitau/config/stride_frame", &stride);
    xpcs_rpt_scalar(pg, "/xpcs/multitau/config/avg_frame", &avg);
    pg->t_scale = ft > 0 ? ft * stride * avg : 0.0;
    load_q(pg);
}

static void load_q(xpcs_rpt_page *pg)
{
    /* q (and phi) of column k: natural index i = dynamic_index_mapping[k]
     * (k without it), q = dim0[i / n1], phi = dim1[i % n1], n1 = len(dim1) */
    int64_t d0[4], d1[4], dm[4];
    int nd0, nd1, ndm;
    double *v0 = xpcs_rpt_doubles(pg, "/xpcs/qmap/dynamic_v_list_dim0", &nd0, d0);
    double *v1 = xpcs_rpt_doubles(pg, "/xpcs/qmap/dynamic_v_list_dim1", &nd1, d1);
    double *map = xpcs_rpt_doubles(pg, "/xpcs/qmap/dynamic_index_mapping", &ndm, dm);
    const long n1 = v1 && nd1 == 1 ? (long)d1[0] : 1;
    if (map && (ndm != 1 || dm[0] != (int64_t)pg->n_dq)) {
        free(map);
        map = NULL;
    }
    int ok = v0 && nd0 == 1;
    double *q = xpcs_malloc(sizeof(double) * (size_t)(pg->n_dq + 1) * 2), *phi = q + pg->n_dq + 1;
    for (int k = 0; k < pg->n_dq && ok; k++) {
        long i = map ? lround(map[k]) : k;
        ok = i >= 0 && i / n1 < (long)d0[0];
        if (ok) {
            q[k] = v0[i / n1];
            phi[k] = n1 > 1 ? v1[i % n1] : NAN;
        }
    }
    if (ok)
        pg->q = q;
    else
        free(q);
    free(v0);
    free(v1);
    free(map);
    char **units = NULL;
    int nu = xpcs_rpt_strings(pg, "/xpcs/qmap/map_units", &units);
    snprintf(pg->q_unit, sizeof pg->q_unit, "%s", nu > 0 ? units[0] : "");
    xpcs_h5r_free_strings(units, nu);
}

/* ---- fits (/xpcs/fit/<model>/...) ---------------------------------------- */

static int find_name(char **names, int n, const char *const *cands)
{
    for (int c = 0; cands[c]; c++)
        for (int i = 0; i < n; i++)
            if (strcasecmp(names[i], cands[c]) == 0)
                return i;
    return -1;
}

/* /xpcs/fit/<model>/<name> as doubles when it has exactly n values. */
static double *fit_vector(xpcs_rpt_page *pg, const char *model, const char *name, int64_t n)
{
    char path[256];
    snprintf(path, sizeof path, "/xpcs/fit/%s/%s", model, name);
    int nd;
    int64_t dims[4];
    double *v = xpcs_rpt_doubles(pg, path, &nd, dims);
    if (v && dims[0] * dims[1] * dims[2] * dims[3] != n) {
        free(v);
        v = NULL;
    }
    return v;
}

static void load_fit(xpcs_rpt_page *pg, const char *model)
{
    if (pg->n_fits >= 4)
        return;
    xpcs_rpt_fit *fs = &pg->fits[pg->n_fits];
    memset(fs, 0, sizeof *fs);
    snprintf(fs->model, sizeof fs->model, "%s", model);
    char path[256];
    snprintf(path, sizeof path, "/xpcs/fit/%s/param_names", model);
    fs->n_p = xpcs_rpt_strings(pg, path, &fs->names);
    snprintf(path, sizeof path, "/xpcs/fit/%s/params", model);
    int nd;
    int64_t dims[4];
    fs->p = xpcs_rpt_doubles(pg, path, &nd, dims);
    if (!fs->p || fs->n_p <= 0 || nd != 2 || dims[1] != (int64_t)fs->n_p) {
        free(fs->p);
        xpcs_h5r_free_strings(fs->names, fs->n_p);
        return;
    }
    fs->n_bins = (int)dims[0];
    const int64_t nb = (int64_t)fs->n_bins;
    fs->err = fit_vector(pg, model, "params_err", nb * (int64_t)fs->n_p);
    fs->status = fit_vector(pg, model, "status", nb);
    fs->chi2 = fit_vector(pg, model, "chi2_red", nb);
    fs->q = fit_vector(pg, model, "q", nb);
    snprintf(path, sizeof path, "/xpcs/fit/%s/status_names", model);
    fs->n_status_names = xpcs_rpt_strings(pg, path, &fs->status_names);
    snprintf(path, sizeof path, "/xpcs/fit/%s/t", model);
    fs->t = xpcs_rpt_doubles(pg, path, &nd, dims);
    if (fs->t && nd == 1) {
        fs->n_t = (int)dims[0];
        fs->g2_fit = fit_vector(pg, model, "g2_fit", (int64_t)fs->n_t * nb);
    }
    static const char *const base[] = {"baseline", NULL};
    static const char *const beta[] = {"beta", NULL};
    static const char *const tau[] = {"tau", "tau1", NULL};
    static const char *const gam[] = {"gamma", NULL};
    static const char *const tau2[] = {"tau2", NULL};
    static const char *const frac[] = {"fraction", NULL};
    fs->i_base = find_name(fs->names, fs->n_p, base);
    fs->i_beta = find_name(fs->names, fs->n_p, beta);
    fs->i_tau = find_name(fs->names, fs->n_p, tau);
    fs->i_gamma = find_name(fs->names, fs->n_p, gam);
    fs->i_tau2 = find_name(fs->names, fs->n_p, tau2);
    fs->i_frac = find_name(fs->names, fs->n_p, frac);
    static const char *const g1[] = {"gamma1", NULL};
    static const char *const g2[] = {"gamma2", NULL};
    fs->i_g1 = find_name(fs->names, fs->n_p, g1);
    fs->i_g2 = find_name(fs->names, fs->n_p, g2);
    snprintf(path, sizeof path, "/xpcs/fit/%s/tau_q/exponent", model);
    fs->have_tq = xpcs_rpt_scalar(pg, path, &fs->tq_exp);
    fs->tq_exp_err = fs->tq_pre = fs->tq_d = fs->tq_d_err = NAN;
    static const char *const tq_names[4] = {"exponent_err", "prefactor", "diffusion_um2_per_s",
                                            "diffusion_um2_per_s_err"};
    double *tq_dst[4] = {&fs->tq_exp_err, &fs->tq_pre, &fs->tq_d, &fs->tq_d_err};
    for (int k = 0; k < 4 && fs->have_tq; k++) {
        snprintf(path, sizeof path, "/xpcs/fit/%s/tau_q/%s", model, tq_names[k]);
        xpcs_rpt_scalar(pg, path, tq_dst[k]);
    }
    pg->n_fits++;
}

void xpcs_rpt_free_fit(xpcs_rpt_fit *fs)
{
    xpcs_h5r_free_strings(fs->names, fs->n_p);
    xpcs_h5r_free_strings(fs->status_names, fs->n_status_names);
    free(fs->p);
    free(fs->err);
    free(fs->status);
    free(fs->chi2);
    free(fs->q);
    free(fs->t);
    free(fs->g2_fit);
}

void xpcs_rpt_load_fits(xpcs_rpt_page *pg)
{
    char **names = NULL;
    int n = 0;
    xpcs_err ignored;
    if (xpcs_h5r_list(pg->f, "/xpcs/fit", NULL, &names, &n, &ignored) != XPCS_OK)
        return;
    for (int i = 0; i < n && pg->n_fits < 4; i++) {
        char name[64], path[128]; /* model names: at most 63 characters */
        snprintf(name, sizeof name, "%s", names[i]);
        snprintf(path, sizeof path, "/xpcs/fit/%s", name);
        if (xpcs_h5r_is_group(pg->f, path))
            load_fit(pg, name);
    }
    xpcs_h5r_free_strings(names, n);
}

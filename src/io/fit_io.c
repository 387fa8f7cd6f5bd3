/* fit_io: read a result's g2, fit it (fit.c), write /xpcs/fit/<model> through
 * a temporary copy.  Layout and inputs: include/xpcs/fit_io.h. */
#include "xpcs/io/fit_io.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xpcs/core/publish.h"
#include "h5pub.h"
#include "h5util.h"
#include "xpcs/io/h5in.h"
#include "xpcs/io/h5read.h"

#define N_STATUS XPCS_FIT_N_STATUS

typedef struct {
    int n_t, n_bins;
    double *t;           /* [n_t] s */
    double *g2, *g2_err; /* [n_t][n_bins] */
    double *q;           /* [n_bins] 1/Angstrom */
} fit_input;

static void input_free(fit_input *in)
{
    free(in->t);
    free(in->g2);
    free(in->g2_err);
    free(in->q);
    memset(in, 0, sizeof *in);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- reading (shared readers: h5read.h) --------------------------------- */

/* A numeric dataset of rank 0..2 as double.  want_rank < 0: any rank
 * with the element count returned in *count.  dims receives the shape. */
static xpcs_status read_f64(const xpcs_h5r *f, const char *name, int want_rank, hsize_t dims[2],
                            double **out, size_t *count, const char *expect, xpcs_err *err)
{
    *out = NULL;
    xpcs_h5r_info in;
    xpcs_status st = xpcs_h5r_stat(f, name, expect, &in, err);
    if (!st && ((in.cls != XPCS_H5R_INTEGER && in.cls != XPCS_H5R_FLOAT) || in.rank > 2 ||
                (want_rank >= 0 && in.rank != want_rank)))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: dataset %s has rank %d or a non-numeric type: "
                       "expected %s",
                       xpcs_h5r_name(f), name, in.rank, expect);
    if (!st)
        st = xpcs_h5r_f64(f, name, expect, out, &in, err);
    if (!st) {
        if (count)
            *count = (size_t)in.count;
        if (dims) {
            dims[0] = in.rank >= 1 ? (hsize_t)in.dims[0] : 1;
            dims[1] = in.rank >= 2 ? (hsize_t)in.dims[1] : 1;
        }
    }
    return st;
}

/* A scalar (or one-element) number. */
static xpcs_status read_scalar(const xpcs_h5r *f, const char *name, double *v, xpcs_err *err)
{
    double *buf;
    size_t n = 0;
    xpcs_status st = read_f64(f, name, -1, NULL, &buf, &n, "a scalar number", err);
    if (!st && n != 1)
        st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: dataset %s has %zu elements: expected a scalar",
                       xpcs_h5r_name(f), name, n);
    if (!st)
        *v = buf[0];
    free(buf);
    return st;
}

static xpcs_status read_input(const xpcs_h5r *f, fit_input *in, xpcs_err *err)
{
    const char *file = xpcs_h5r_name(f);
    memset(in, 0, sizeof *in);
    hsize_t dl[2] = {0, 0}, dg[2] = {0, 0}, de[2] = {0, 0};
    double *delay = NULL, ft = 0, stride = 0, avg = 0;
    size_t n_delay = 0;
    xpcs_status st = read_f64(f, "/xpcs/multitau/delay_list", -1, dl, &delay, &n_delay,
                              "the multitau delay list (n_delays,) in frames", err);
    if (!st)
        st = read_f64(f, "/xpcs/multitau/normalized_g2", 2, dg, &in->g2, NULL,
                      "a multitau result (n_delays, n_bins)", err);
    if (!st)
        st = read_f64(f, "/xpcs/multitau/normalized_g2_err", 2, de, &in->g2_err, NULL,
                      "the g2 errors (n_delays, n_bins)", err);
    if (!st && (dg[0] != n_delay || de[0] != dg[0] || de[1] != dg[1] || dg[0] < 1 || dg[1] < 1))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: /xpcs/multitau/normalized_g2 (%llu, %llu) and _err (%llu, %llu): "
                       "expected both (n_delays = %zu, n_bins >= 1)",
                       file, (unsigned long long)dg[0], (unsigned long long)dg[1],
                       (unsigned long long)de[0], (unsigned long long)de[1], n_delay);
    if (!st)
        st = read_scalar(f, "/entry/instrument/detector_1/frame_time", &ft, err);
    if (!st)
        st = read_scalar(f, "/xpcs/multitau/config/stride_frame", &stride, err);
    if (!st)
        st = read_scalar(f, "/xpcs/multitau/config/avg_frame", &avg, err);
    if (!st && !(ft > 0 && isfinite(ft) && stride >= 1 && avg >= 1))
        st = xpcs_fail(err, XPCS_ERR_INPUT,
                       "%s: frame_time %g s, stride_frame %g, avg_frame %g: expected a positive "
                       "frame time and stride, avg >= 1",
                       file, ft, stride, avg);
    if (st) {
        free(delay);
        input_free(in);
        return st;
    }
    in->n_t = (int)dg[0];
    in->n_bins = (int)dg[1];
    in->t = delay; /* t = delay * frame_time * stride * avg, in place */
    for (int i = 0; i < in->n_t; i++)
        in->t[i] *= ft * stride * avg;

    /* q per bin through the dynamic index mapping */
    double *dim0 = NULL, *dim1 = NULL, *map = NULL;
    size_t n0 = 0, n1 = 1, nm = 0;
    st = read_f64(f, "/xpcs/qmap/dynamic_v_list_dim0", 1, NULL, &dim0, &n0,
                  "the q values of the dynamic bins (1/Angstrom)", err);
    if (!st && xpcs_h5r_exists(f, "/xpcs/qmap/dynamic_v_list_dim1"))
        st = read_f64(f, "/xpcs/qmap/dynamic_v_list_dim1", 1, NULL, &dim1, &n1,
                      "the second axis of the dynamic bins", err);
    if (!st && n1 < 1)
        n1 = 1;
    if (!st && xpcs_h5r_exists(f, "/xpcs/qmap/dynamic_index_mapping")) {
        st = read_f64(f, "/xpcs/qmap/dynamic_index_mapping", 1, NULL, &map, &nm,
                      "the natural index of each dynamic bin", err);
        if (!st && nm != (size_t)in->n_bins)
            st = xpcs_fail(err, XPCS_ERR_INPUT,
                           "%s: /xpcs/qmap/dynamic_index_mapping has %zu entries: expected one "
                           "per g2 column (%d)",
                           file, nm, in->n_bins);
    }
    if (!st) {
        in->q = xpcs_malloc(sizeof(double) * (size_t)in->n_bins);
        for (int k = 0; k < in->n_bins && !st; k++) {
            const double nat = map ? map[k] : (double)k;
            const double i0 = floor(nat / (double)n1);
            if (n0 == 0) /* no q at all: no "0 .. -1" range to name */
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: /xpcs/qmap/dynamic_v_list_dim0 is empty: expected the q "
                               "value of each dynamic bin",
                               file);
            else if (!(nat >= 0) || !(i0 < (double)n0))
                st = xpcs_fail(err, XPCS_ERR_INPUT,
                               "%s: dynamic bin %d has natural index %g: expected 0 .. %zu "
                               "(dynamic_v_list_dim0 has %zu values, dim1 %zu)",
                               file, k + 1, nat, n0 * n1 - 1, n0, n1);
            else
                in->q[k] = dim0[(size_t)i0];
        }
    }
    free(dim0);
    free(dim1);
    free(map);
    if (st)
        input_free(in);
    return st;
}

/* ---- writing (small writers: h5util.h) ---------------------------------- */

static int write_tauq(hid_t g, const xpcs_fit_options *o, const xpcs_tauq_result *tq,
                      const unsigned char *used, int n_bins)
{
    hid_t h = xpcs_h5_group(g, "tau_q");
    if (h < 0)
        return -1;
    int rc = 0;
    const int ti = xpcs_fit_tau_index(o->model);
    rc |= xpcs_h5_put_str(h, "tau_param", xpcs_fit_param_name(o->model, ti));
    rc |= xpcs_h5_put_str(h, "formula",
                          "tau = prefactor * q^exponent (tau in s, q in 1/Angstrom); "
                          "weighted fit of ln tau on ln q");
    rc |= xpcs_h5_put_i32(h, "status", (int)tq->status);
    rc |= xpcs_h5_put_i32(h, "n_bins_used", tq->n_used);
    int32_t *u = xpcs_malloc(sizeof(int32_t) * (size_t)n_bins);
    for (int k = 0; k < n_bins; k++)
        u[k] = used[k];
    hsize_t d[1] = {(hsize_t)n_bins};
    rc |= xpcs_h5_put(h, "bins_used", H5T_NATIVE_INT32, 1, d, u);
    free(u);
    rc |= xpcs_h5_put_f64(h, "exponent", tq->exponent);
    rc |= xpcs_h5_put_f64(h, "exponent_err", tq->exponent_err);
    rc |= xpcs_h5_put_f64(h, "prefactor", tq->prefactor);
    rc |= xpcs_h5_put_f64(h, "prefactor_err", tq->prefactor_err);
    rc |= xpcs_h5_put_f64(h, "chi2_red", tq->chi2_red);
    rc |= xpcs_h5_put_f64(h, "prefactor_m2", tq->prefactor_m2);
    rc |= xpcs_h5_put_f64(h, "prefactor_m2_err", tq->prefactor_m2_err);
    rc |= xpcs_h5_put_f64(h, "chi2_red_m2", tq->chi2_red_m2);
    rc |= xpcs_h5_put_i32(h, "exponent_is_m2", tq->exponent_is_m2);
    /* 1 Angstrom^2 = 1e-8 um^2 */
    rc |= xpcs_h5_put_f64(h, "diffusion_A2_per_s", tq->diffusion);
    rc |= xpcs_h5_put_f64(h, "diffusion_A2_per_s_err", tq->diffusion_err);
    rc |= xpcs_h5_put_f64(h, "diffusion_um2_per_s", tq->diffusion * 1e-8);
    rc |= xpcs_h5_put_f64(h, "diffusion_um2_per_s_err", tq->diffusion_err * 1e-8);
    rc |= xpcs_h5_put_attr_str(h, ".", "prefactor_unit", "s * Angstrom^-exponent");
    rc |= xpcs_h5_put_attr_str(h, ".", "prefactor_m2_unit", "s * Angstrom^-2");
    rc |= xpcs_h5_put_attr_str(h, ".", "diffusion_note",
                               "D = 1 / prefactor_m2 from the fit with the exponent fixed at -2 "
                               "(field decay exp(-D q^2 t)); meaningful when exponent_is_m2 = 1");
    H5Gclose(h);
    return rc;
}

static int write_fit(hid_t f, const xpcs_fit_options *o, const fit_input *in,
                     const xpcs_fit_result *res, const xpcs_tauq_result *tq,
                     const unsigned char *used)
{
    char path[64];
    snprintf(path, sizeof path, "/xpcs/fit/%s", xpcs_fit_model_name(o->model));
    hid_t g = xpcs_h5_group(f, path);
    int rc = g < 0 ? -1 : 0;
    const int np = xpcs_fit_n_params(o->model), nb = in->n_bins, nt = in->n_t;
    if (!rc) {
        const char *names[XPCS_FIT_MAX_PARAMS], *units[XPCS_FIT_MAX_PARAMS];
        const char *snames[N_STATUS];
        for (int k = 0; k < np; k++) {
            names[k] = xpcs_fit_param_name(o->model, k);
            units[k] = xpcs_fit_param_unit(o->model, k);
        }
        for (int s = 0; s < N_STATUS; s++)
            snames[s] = xpcs_fit_status_name((xpcs_fit_status)s);
        rc |= xpcs_h5_put_strs(g, "param_names", names, np);
        rc |= xpcs_h5_put_strs(g, "param_units", units, np);
        rc |= xpcs_h5_put_strs(g, "status_names", snames, N_STATUS);
        double *pv = xpcs_malloc(sizeof(double) * (size_t)nb * (size_t)np * 2);
        double *pe = pv + (size_t)nb * (size_t)np;
        double *chi = xpcs_malloc(sizeof(double) * (size_t)nb);
        int32_t *npts = xpcs_malloc(sizeof(int32_t) * (size_t)nb * 2), *stat = npts + nb;
        double *fit = xpcs_malloc(sizeof(double) * (size_t)nt * (size_t)nb);
        for (int b = 0; b < nb; b++) {
            for (int k = 0; k < np; k++) {
                pv[(size_t)b * np + k] = res[b].p[k];
                pe[(size_t)b * np + k] = res[b].err[k];
            }
            chi[b] = res[b].chi2_red;
            npts[b] = res[b].n_points;
            stat[b] = (int32_t)res[b].status;
            for (int i = 0; i < nt; i++)
                fit[(size_t)i * nb + b] = xpcs_fit_eval(o->model, res[b].p, in->t[i]);
        }
        hsize_t d2[2] = {(hsize_t)nb, (hsize_t)np}, d1[1] = {(hsize_t)nb};
        hsize_t dt[1] = {(hsize_t)nt}, dtb[2] = {(hsize_t)nt, (hsize_t)nb};
        rc |= xpcs_h5_put(g, "params", H5T_NATIVE_DOUBLE, 2, d2, pv);
        rc |= xpcs_h5_put(g, "params_err", H5T_NATIVE_DOUBLE, 2, d2, pe);
        rc |= xpcs_h5_put(g, "chi2_red", H5T_NATIVE_DOUBLE, 1, d1, chi);
        rc |= xpcs_h5_put(g, "n_points", H5T_NATIVE_INT32, 1, d1, npts);
        rc |= xpcs_h5_put(g, "status", H5T_NATIVE_INT32, 1, d1, stat);
        rc |= xpcs_h5_put(g, "q", H5T_NATIVE_DOUBLE, 1, d1, in->q);
        rc |= xpcs_h5_put(g, "t", H5T_NATIVE_DOUBLE, 1, dt, in->t);
        rc |= xpcs_h5_put(g, "g2_fit", H5T_NATIVE_DOUBLE, 2, dtb, fit);
        free(pv);
        free(chi);
        free(npts);
        free(fit);
        double range[2] = {o->tmin, o->tmax}, fv[XPCS_FIT_MAX_PARAMS], bd[2 * XPCS_FIT_MAX_PARAMS];
        int32_t fx[XPCS_FIT_MAX_PARAMS];
        for (int k = 0; k < np; k++) {
            fx[k] = o->fixed[k];
            fv[k] = o->fixed[k] ? o->value[k] : NAN;
            bd[2 * k] = o->lo[k];
            bd[2 * k + 1] = o->hi[k];
        }
        hsize_t d_2[1] = {2}, dp[1] = {(hsize_t)np}, dpb[2] = {(hsize_t)np, 2};
        rc |= xpcs_h5_put(g, "fit_range", H5T_NATIVE_DOUBLE, 1, d_2, range);
        rc |= xpcs_h5_put(g, "fixed", H5T_NATIVE_INT32, 1, dp, fx);
        rc |= xpcs_h5_put(g, "fixed_values", H5T_NATIVE_DOUBLE, 1, dp, fv);
        rc |= xpcs_h5_put(g, "bounds", H5T_NATIVE_DOUBLE, 2, dpb, bd);
        rc |= xpcs_h5_put_str(g, "t_unit", "s");
        rc |= xpcs_h5_put_str(g, "q_unit", "1/Angstrom");
        rc |= xpcs_h5_put_attr_str(g, ".", "model", xpcs_fit_model_name(o->model));
        rc |= xpcs_h5_put_attr_str(g, ".", "formula", xpcs_fit_model_formula(o->model));
        rc |= xpcs_h5_put_attr_str(g, ".", "solver",
                                   "GSL gsl_multifit_nlinear, trust region (Levenberg-Marquardt)");
        rc |=
            xpcs_h5_put_attr_str(g, ".", "error_convention",
                                 "params_err = sqrt(diag((J^T W J)^-1) * chi2_red), W = 1/g2_err^2 "
                                 "(scipy curve_fit absolute_sigma=False); 0 for fixed parameters");
        rc |= xpcs_h5_put_attr_str(g, ".", "version", "xpcs-toolkit " XPCS_VERSION);
        rc |= write_tauq(g, o, tq, used, nb);
    }
    if (g >= 0)
        H5Gclose(g);
    return rc;
}

/* ---- the whole file ----------------------------------------------------- */

static void print_summary(FILE *log, const xpcs_fit_options *o, const fit_input *in,
                          const xpcs_fit_result *res, const xpcs_fit_summary *s, int verbose)
{
    if (!log)
        return;
    const int np = xpcs_fit_n_params(o->model);
    if (verbose) {
        fprintf(log, "xpcs-fit: %-4s %-10s", "bin", "q(1/A)");
        for (int k = 0; k < np; k++)
            fprintf(log, " %22s", xpcs_fit_param_name(o->model, k));
        fprintf(log, " %9s %4s %s\n", "chi2_red", "n", "status");
        for (int b = 0; b < in->n_bins; b++) {
            fprintf(log, "xpcs-fit: %-4d %-10.4g", b + 1, in->q[b]);
            for (int k = 0; k < np; k++)
                fprintf(log, " %10.4g +- %-8.2g", res[b].p[k], res[b].err[k]);
            fprintf(log, " %9.3g %4d %s\n", res[b].chi2_red, res[b].n_points,
                    xpcs_fit_status_name(res[b].status));
        }
    }
    fprintf(log, "xpcs-fit: %s fit of %d bins (delays %.4g .. %.4g s, range %g:%g s): ",
            xpcs_fit_model_name(o->model), s->n_bins, s->t_first, s->t_last, o->tmin, o->tmax);
    for (int k = 0; k < N_STATUS; k++)
        fprintf(log, "%s%d %s", k ? ", " : "", s->n_status[k],
                xpcs_fit_status_name((xpcs_fit_status)k));
    fprintf(log, "; %.3g ms per bin\n", s->n_bins ? 1e3 * s->seconds / s->n_bins : 0.0);
    const xpcs_tauq_result *t = &s->tq;
    if (t->status == XPCS_FIT_CONVERGED)
        fprintf(log,
                "xpcs-fit: tau(q) = %.4g * q^(%.4f +- %.4f) s from %d bins (chi2_red %.3g); "
                "exponent -2: D = %.4g +- %.2g A^2/s = %.4g um^2/s%s\n",
                t->prefactor, t->exponent, t->exponent_err, t->n_used, t->chi2_red, t->diffusion,
                t->diffusion_err, t->diffusion * 1e-8,
                t->exponent_is_m2 ? "" : " (exponent differs from -2)");
    else
        fprintf(log, "xpcs-fit: tau(q): %d usable bins, fewer than 3: no power law\n", t->n_used);
}

/* The result with group (re)written, published over path (its mode kept). */
static xpcs_status write_copy(const char *path, const char *group, int exists,
                              const xpcs_fit_options *o, const fit_input *in,
                              const xpcs_fit_result *res, const xpcs_tauq_result *tq,
                              const unsigned char *used, xpcs_err *err)
{
    xpcs_publish *p = NULL;
    xpcs_publish_remove_stale(path); /* a killed update's leftovers */
    xpcs_status st = xpcs_publish_begin(path, XPCS_PUBLISH_REPLACE, &p, err);
    if (st)
        return st;
    xpcs_publish_keep_mode(p, path);
    st = xpcs_publish_copy(p, path, "result file", err);
    hid_t w = -1;
    if (!st && (w = xpcs_h5pub_open(p, path, "result file", err)) < 0)
        st = XPCS_ERR_INPUT;
    /* g2_fit (n_t x n_bins) and the per-bin rows */
    const double bytes = 8.0 * ((double)in->n_t * (in->n_bins + 1) + 64.0 * in->n_bins) + 16384.0;
    if (!st)
        st = xpcs_h5pub_reserve(w, p, bytes, err);
    if (!st && ((exists && H5Ldelete(w, group, H5P_DEFAULT) < 0) ||
                write_fit(w, o, in, res, tq, used) < 0))
        st = xpcs_h5pub_fail(p, group, err);
    if (!st)
        st = xpcs_h5pub_close(&w, p, err);
    xpcs_h5pub_discard(&w);
    if (st) {
        xpcs_publish_abandon(&p);
        return st;
    }
    return xpcs_publish_commit(&p, err);
}

xpcs_status xpcs_fit_result_file(const char *path, const xpcs_fit_options *o, int overwrite,
                                 FILE *log, int verbose, xpcs_fit_summary *sum, xpcs_err *err)
{
    xpcs_fit_summary local = {0};
    xpcs_fit_summary *s = sum ? sum : &local;
    memset(s, 0, sizeof *s);
    xpcs_status st = xpcs_fit_options_check(o, err);
    if (st)
        return st;
    char group[64];
    snprintf(group, sizeof group, "/xpcs/fit/%s", xpcs_fit_model_name(o->model));
    if (access(path, F_OK) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: no such result file: %s", path, strerror(errno));
    xpcs_h5r *f = NULL;
    if (xpcs_h5r_open(path, NULL, &f, err) != XPCS_OK) {
        char h5[256]; /* the reason is still on the HDF5 error stack */
        xpcs_h5_last_error(h5, sizeof h5);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: not a readable HDF5 result file (HDF5: %s)",
                         path, h5);
    }
    fit_input in;
    st = read_input(f, &in, err);
    const int exists = xpcs_h5r_exists(f, group);
    xpcs_h5r_close(&f);
    if (st)
        return st;
    if (exists && !overwrite) {
        input_free(&in);
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: %s exists: use -w to replace it", path, group);
    }

    /* fits (no file open) */
    const double t0 = now_s();
    xpcs_fit_result *res = xpcs_malloc(sizeof(xpcs_fit_result) * (size_t)in.n_bins);
    st = xpcs_fit_bins(o, in.n_t, in.t, in.n_bins, in.g2, in.g2_err, res, err);
    unsigned char *used = xpcs_calloc((size_t)in.n_bins, 1);
    double *tau = xpcs_malloc(sizeof(double) * 2 * (size_t)in.n_bins), *tau_e = tau + in.n_bins;
    const int ti = xpcs_fit_tau_index(o->model);
    for (int b = 0; b < in.n_bins && !st; b++) {
        s->n_status[res[b].status]++;
        tau[b] = res[b].p[ti];
        tau_e[b] = res[b].err[ti];
        used[b] = res[b].status == XPCS_FIT_CONVERGED && !o->fixed[ti] && tau[b] > 0 &&
                  tau_e[b] > 0 && in.q[b] > 0 && isfinite(tau[b]) && isfinite(tau_e[b]) &&
                  isfinite(in.q[b]);
    }
    if (!st)
        xpcs_fit_tau_q(in.n_bins, in.q, tau, tau_e, used, &s->tq);
    s->seconds = now_s() - t0;
    s->n_bins = in.n_bins;
    s->t_first = in.t[0];
    s->t_last = in.t[in.n_t - 1];

    if (!st) /* through a copy: the original is untouched until the update is complete */
        st = write_copy(path, group, exists, o, &in, res, &s->tq, used, err);
    if (!st)
        print_summary(log, o, &in, res, s, verbose);
    free(tau);
    free(used);
    free(res);
    input_free(&in);
    return st;
}

xpcs_status xpcs_fit_result_file_named(const char *path, const char *model, const char *range,
                                       FILE *log, int verbose, xpcs_err *err)
{
    xpcs_fit_model m;
    xpcs_status st = xpcs_fit_model_parse(model, &m, err);
    if (st)
        return st;
    xpcs_fit_options o;
    xpcs_fit_options_default(&o, m);
    if (range && range[0])
        st = xpcs_fit_range_parse(range, &o.tmin, &o.tmax, err);
    if (!st)
        st = xpcs_fit_result_file(path, &o, 1, log, verbose, NULL, err);
    return st;
}

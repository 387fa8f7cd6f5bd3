/* fit_io: read a result's g2, fit it (fit.c), write /xpcs/fit/<model> through
 * a temporary copy.  Layout and inputs: include/xpcs/fit_io.h. */
#include "xpcs/io/fit_io.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xpcs/core/publish.h"
#include "h5pub.h"
#include "h5util.h"
#include "xpcs/io/h5in.h"
#include "xpcs/io/h5read.h"
#include "fit_read.h"
#include "xpcs/config/config.h"

#define N_STATUS XPCS_FIT_N_STATUS

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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

static int write_fit(hid_t f, const char *path, const char *source, const xpcs_fit_options *o,
                     const fit_input *in, const xpcs_fit_result *res, const xpcs_tauq_result *tq,
                     const unsigned char *used)
{
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
        rc |= xpcs_h5_put(g, "bins", H5T_NATIVE_INT64, 1, d1, in->bins);
        double qr[4] = {o->qmin, o->qmax, o->tq_qmin, o->tq_qmax};
        hsize_t d4[1] = {4};
        rc |= xpcs_h5_put(g, "q_range", H5T_NATIVE_DOUBLE, 1, d4, qr);
        rc |= xpcs_h5_put_attr_str(g, ".", "source", source);
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

typedef struct {
    const xpcs_fit_options *o;
    const fit_input *in;
    const xpcs_fit_result *res;
    const xpcs_tauq_result *tq;
    const unsigned char *used;
    const char *group, *source; /* /xpcs/fit/<name>; multitau, linear, twotime */
    const char *result_link;    /* a fit file: the result as its link names it; else NULL */
} fit_output;

/* The fit file's links to its result: attribute result_file and /result. */
static int link_result(hid_t w, const char *target)
{
    if (H5Aexists_by_name(w, "/", "result_file", H5P_DEFAULT) > 0) /* an updated fit file */
        H5Adelete_by_name(w, "/", "result_file", H5P_DEFAULT);
    int rc = xpcs_h5_put_attr_str(w, "/", "result_file", target);
    if (H5Lexists(w, "/result", H5P_DEFAULT) > 0)
        rc |= H5Ldelete(w, "/result", H5P_DEFAULT) < 0;
    rc |= H5Lcreate_external(target, "/", w, "/result", H5P_DEFAULT, H5P_DEFAULT) < 0;
    return rc;
}

/* dest with the group (re)written, published over dest (its mode kept):
 * a copy of dest when it exists, else a new file. */
static xpcs_status write_copy(const char *dest, int exists, const fit_output *out, xpcs_err *err)
{
    xpcs_publish *p = NULL;
    xpcs_publish_remove_stale(dest); /* a killed update's leftovers */
    xpcs_status st = xpcs_publish_begin(dest, XPCS_PUBLISH_REPLACE, &p, err);
    if (st)
        return st;
    const int have = access(dest, F_OK) == 0;
    if (have)
        xpcs_publish_keep_mode(p, dest);
    if (have)
        st = xpcs_publish_copy(p, dest, out->result_link ? "fit file" : "result file", err);
    hid_t w = -1;
    if (!st && (w = xpcs_h5pub_open(p, have ? dest : NULL, "fit file", err)) < 0)
        st = have ? XPCS_ERR_INPUT : XPCS_ERR_OUTPUT;
    /* g2_fit (n_t x n_bins) and the per-bin rows */
    const fit_input *in = out->in;
    const double bytes = 8.0 * ((double)in->n_t * (in->n_bins + 1) + 64.0 * in->n_bins) + 16384.0;
    if (!st)
        st = xpcs_h5pub_reserve(w, p, bytes, err);
    if (!st &&
        ((exists && H5Ldelete(w, out->group, H5P_DEFAULT) < 0) ||
         write_fit(w, out->group, out->source, out->o, in, out->res, out->tq, out->used) < 0 ||
         (out->result_link && link_result(w, out->result_link) < 0)))
        st = xpcs_h5pub_fail(p, out->group, err);
    return xpcs_h5pub_finish(&w, &p, st, err);
}

/* How `from`'s directory reaches `to`: its bare name when both are in the
 * same directory (the pair moves together), else its absolute path. */
static void link_name(const char *from, const char *to, char *buf, size_t n)
{
    char a[XPCS_PATH_MAX], b[XPCS_PATH_MAX], da[XPCS_PATH_MAX], db[XPCS_PATH_MAX];
    snprintf(a, sizeof a, "%s", from);
    snprintf(b, sizeof b, "%s", to);
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    const char *base = sb ? sb + 1 : b;
    snprintf(da, sizeof da, "%.*s", sa ? (int)(sa - a) : 1, sa ? a : ".");
    snprintf(db, sizeof db, "%.*s", sb ? (int)(sb - b) : 1, sb ? b : ".");
    if (sa == a)
        snprintf(da, sizeof da, "/");
    if (sb == b)
        snprintf(db, sizeof db, "/");
    char ra[XPCS_PATH_MAX], rb[XPCS_PATH_MAX];
    if (realpath(da, ra) && realpath(db, rb) && strcmp(ra, rb) == 0)
        snprintf(buf, n, "%s", base);
    else if (!realpath(db, rb) ||
             snprintf(buf, n, "%s/%s", strcmp(rb, "/") ? rb : "", base) >= (int)n)
        snprintf(buf, n, "%s", to);
}

/* The result's link /xpcs/fit/<group> to the fit file, in place (no copy).
 * 1: written; 0: the result cannot be written (left as it was); < 0 with err. */
static int link_back(const char *result, const char *fit, const char *group, int replace,
                     xpcs_err *err)
{
    if (access(result, W_OK) != 0)
        return 0;
    hid_t f = H5Fopen(result, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0)
        return 0; /* a read-only mount, a locked file: the fit file still links */
    char target[XPCS_PATH_MAX];
    link_name(result, fit, target, sizeof target);
    int ok = 1;
    if (H5Lexists(f, "/xpcs", H5P_DEFAULT) > 0 && H5Lexists(f, "/xpcs/fit", H5P_DEFAULT) > 0 &&
        H5Lexists(f, group, H5P_DEFAULT) > 0) {
        H5L_info_t li;
        const int is_link =
            H5Lget_info(f, group, &li, H5P_DEFAULT) >= 0 && li.type == H5L_TYPE_EXTERNAL;
        if (!is_link && !replace) {
            H5Fclose(f);
            xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: %s exists: use -w to replace it", result, group);
            return -1;
        }
        ok = H5Ldelete(f, group, H5P_DEFAULT) >= 0;
    }
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    ok = ok && H5Lcreate_external(target, group, f, group, lcpl, H5P_DEFAULT) >= 0;
    H5Pclose(lcpl);
    ok = H5Fclose(f) >= 0 && ok;
    if (!ok) {
        xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot link %s to %s", result, group, fit);
        return -1;
    }
    return 1;
}

static const char *const source_names[] = {"multitau", "linear", "twotime"};

const char *xpcs_fit_source_name(xpcs_fit_source s)
{
    return (unsigned)s < 3 ? source_names[s] : "invalid";
}

xpcs_status xpcs_fit_source_parse(const char *name, xpcs_fit_source *s, xpcs_err *err)
{
    for (int k = 0; k < 3; k++)
        if (strcasecmp(name, source_names[k]) == 0) {
            *s = (xpcs_fit_source)k;
            return XPCS_OK;
        }
    return xpcs_fail(err, XPCS_ERR_USAGE, "--source '%s': expected multitau, linear or twotime",
                     name);
}

void xpcs_fit_group_name(xpcs_fit_source s, xpcs_fit_model m, char *buf, size_t n)
{
    if (s == XPCS_FIT_SRC_MULTITAU)
        snprintf(buf, n, "%s", xpcs_fit_model_name(m));
    else
        snprintf(buf, n, "%s_%s", xpcs_fit_source_name(s), xpcs_fit_model_name(m));
}

/* The source's g2 of the result at path, and whether group exists there. */
static xpcs_status open_input(const char *path, xpcs_fit_source src, const char *group,
                              fit_input *in, int *exists, xpcs_err *err)
{
    if (access(path, F_OK) != 0)
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: no such result file: %s", path, strerror(errno));
    xpcs_h5r *f = NULL;
    if (xpcs_h5r_open(path, NULL, &f, err) != XPCS_OK) {
        char h5[256]; /* the reason is still on the HDF5 error stack */
        xpcs_h5_last_error(h5, sizeof h5);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: not a readable HDF5 result file (HDF5: %s)",
                         path, h5);
    }
    xpcs_status st = xpcs_fit_read_input(f, src, in, err);
    *exists = xpcs_h5r_exists(f, group);
    xpcs_h5r_close(&f);
    return st;
}

/* The fits of every bin inside the q range (the others: outside_q_range),
 * and tau(q) over the converged ones inside its own q range. */
static xpcs_status fit_all(const xpcs_fit_options *o, const fit_input *in, xpcs_fit_result *res,
                           unsigned char *used, xpcs_fit_summary *s, xpcs_err *err)
{
    const double t0 = now_s();
    xpcs_status st = xpcs_fit_bins(o, in->n_t, in->t, in->n_bins, in->g2, in->g2_err, res, err);
    double *tau = xpcs_malloc(sizeof(double) * 2 * (size_t)in->n_bins), *tau_e = tau + in->n_bins;
    const int ti = xpcs_fit_tau_index(o->model);
    for (int b = 0; b < in->n_bins && !st; b++) {
        if (!(in->q[b] >= o->qmin && in->q[b] <= o->qmax)) {
            for (int k = 0; k < XPCS_FIT_MAX_PARAMS; k++)
                res[b].p[k] = res[b].err[k] = NAN;
            res[b].chi2_red = NAN;
            res[b].n_points = 0;
            res[b].status = XPCS_FIT_OUTSIDE_Q;
        }
        s->n_status[res[b].status]++;
        tau[b] = res[b].p[ti];
        tau_e[b] = res[b].err[ti];
        used[b] = res[b].status == XPCS_FIT_CONVERGED && !o->fixed[ti] && tau[b] > 0 &&
                  tau_e[b] > 0 && in->q[b] > 0 && isfinite(tau[b]) && isfinite(tau_e[b]) &&
                  isfinite(in->q[b]) && in->q[b] >= o->tq_qmin && in->q[b] <= o->tq_qmax;
    }
    if (!st)
        xpcs_fit_tau_q(in->n_bins, in->q, tau, tau_e, used, &s->tq);
    free(tau);
    s->seconds = now_s() - t0;
    s->n_bins = in->n_bins;
    s->t_first = in->t[0];
    s->t_last = in->t[in->n_t - 1];
    return st;
}

/* -o: does the fit file exist with the group (not without -w)? */
static xpcs_status fit_file_state(const char *out, const char *group, int overwrite, int *exists,
                                  xpcs_err *err)
{
    *exists = 0;
    if (access(out, F_OK) != 0)
        return XPCS_OK;
    xpcs_h5r *f = NULL;
    if (xpcs_h5r_open(out, NULL, &f, err) != XPCS_OK)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: exists and is not an HDF5 fit file", out);
    *exists = xpcs_h5r_exists(f, group);
    xpcs_h5r_close(&f);
    if (*exists && !overwrite)
        return xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: %s exists: use -w to replace it", out, group);
    return XPCS_OK;
}

xpcs_status xpcs_fit_result_to(const char *path, const xpcs_fit_target *tg,
                               const xpcs_fit_options *o, FILE *log, int verbose,
                               xpcs_fit_summary *sum, xpcs_err *err)
{
    xpcs_fit_summary local = {0};
    xpcs_fit_summary *s = sum ? sum : &local;
    memset(s, 0, sizeof *s);
    xpcs_status st = xpcs_fit_options_check(o, err);
    if (st)
        return st;
    char name[64], group[80], rlink[XPCS_PATH_MAX];
    xpcs_fit_group_name(tg->source, o->model, name, sizeof name);
    snprintf(group, sizeof group, "/xpcs/fit/%s", name);
    fit_input in;
    int exists = 0, fexists = 0;
    st = open_input(path, tg->source, group, &in, &exists, err);
    if (st)
        return st;
    if (tg->out)
        st = fit_file_state(tg->out, group, tg->overwrite, &fexists, err);
    else if (exists && !tg->overwrite)
        st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: %s exists: use -w to replace it", path, group);
    if (st) {
        xpcs_fit_input_free(&in);
        return st;
    }
    xpcs_fit_result *res = xpcs_malloc(sizeof(xpcs_fit_result) * (size_t)in.n_bins);
    unsigned char *used = xpcs_calloc((size_t)in.n_bins, 1);
    st = fit_all(o, &in, res, used, s, err); /* no file open */
    if (tg->out)
        link_name(tg->out, path, rlink, sizeof rlink);
    fit_output out = {
        o, &in, res, &s->tq, used, group, xpcs_fit_source_name(tg->source), tg->out ? rlink : NULL};
    /* through a copy: the original is untouched until the update is complete */
    if (!st)
        st = write_copy(tg->out ? tg->out : path, tg->out ? fexists : exists, &out, err);
    int back = 1;
    if (!st && tg->out && (back = link_back(path, tg->out, group, tg->overwrite, err)) < 0)
        st = XPCS_ERR_OUTPUT;
    if (!st)
        print_summary(log, o, &in, res, s, verbose);
    if (!st && log && tg->out && back)
        fprintf(log, "xpcs-fit: %s links %s to %s\n", path, group, tg->out);
    else if (!st && log && tg->out)
        fprintf(log, "xpcs-fit: %s cannot be written: only %s links to it\n", path, tg->out);
    free(used);
    free(res);
    xpcs_fit_input_free(&in);
    return st;
}

xpcs_status xpcs_fit_result_file(const char *path, const xpcs_fit_options *o, int overwrite,
                                 FILE *log, int verbose, xpcs_fit_summary *sum, xpcs_err *err)
{
    const xpcs_fit_target tg = {XPCS_FIT_SRC_MULTITAU, NULL, overwrite};
    return xpcs_fit_result_to(path, &tg, o, log, verbose, sum, err);
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

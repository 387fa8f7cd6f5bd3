#include "xpcs/report/report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "xpcs/report/png.h"
#include "xpcs/core/sbuf.h"
#include "xpcs/report/svgplot.h"

#define MAX_PANELS 36  /* g2 panels shown (evenly chosen when there are more bins) */
#define MAX_OVERLAY 24 /* curves on the overview plot */
#define MAX_IMAGE 512  /* longest side of an inline image, pixels */
#define MAX_TWOTIME 6  /* two-time maps shown */
#define MAX_BAR_RANKS 64

static const char *const palette[10] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* ---- HDF5 reads (serial, every read optional) ---------------------------- */

/* 1 when every component of path exists (H5Lexists on a nested path with a
 * missing parent is an error in HDF5 1.10). */
static int h5_has(hid_t f, const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (H5Lexists(f, buf, H5P_DEFAULT) <= 0)
                return 0;
            if (c == '\0')
                return 1;
            *p = c;
        }
    }
}

/* A numeric dataset as doubles (up to 4-D, at most 2^27 elements); NULL if
 * absent or not numeric.  dims[0..ndim) receive the shape. */
static double *h5_doubles(hid_t f, const char *path, int *ndim, hsize_t dims[4])
{
    *ndim = 0;
    if (!h5_has(f, path))
        return NULL;
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0)
        return NULL;
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    H5T_class_t cls = H5Tget_class(t);
    int nd = H5Sget_simple_extent_ndims(s);
    double *v = NULL;
    if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && nd >= 0 && nd <= 4) {
        hsize_t dd[4] = {1, 1, 1, 1};
        H5Sget_simple_extent_dims(s, dd, NULL);
        hsize_t n = 1;
        for (int i = 0; i < nd; i++)
            n *= dd[i];
        if (n > 0 && n <= ((hsize_t)1 << 27)) {
            v = xpcs_malloc(sizeof(double) * (size_t)n);
            if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
                free(v);
                v = NULL;
            }
            else {
                *ndim = nd;
                for (int i = 0; i < 4; i++)
                    dims[i] = i < nd ? dd[i] : 1;
            }
        }
    }
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    return v;
}

static int h5_scalar(hid_t f, const char *path, double *out)
{
    int nd;
    hsize_t dims[4];
    double *v = h5_doubles(f, path, &nd, dims);
    if (!v)
        return 0;
    *out = v[0];
    free(v);
    return 1;
}

/* Strings of a string dataset (scalar or 1-D, fixed or variable length);
 * returns the count, *out an array of malloc'd strings (free_strings). */
static int h5_strings(hid_t f, const char *path, char ***out)
{
    *out = NULL;
    if (!h5_has(f, path))
        return 0;
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0)
        return 0;
    hid_t t = H5Dget_type(d), s = H5Dget_space(d);
    int n = 0;
    hssize_t np = H5Sget_simple_extent_npoints(s);
    if (H5Tget_class(t) == H5T_STRING && np > 0 && np < 100000) {
        char **strs = xpcs_calloc((size_t)np, sizeof(char *));
        if (H5Tis_variable_str(t) > 0) {
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            char **raw = xpcs_calloc((size_t)np, sizeof(char *));
            if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0) {
                for (hssize_t i = 0; i < np; i++) {
                    const char *src = raw[i] ? raw[i] : "";
                    strs[i] = xpcs_malloc(strlen(src) + 1);
                    memcpy(strs[i], src, strlen(src) + 1);
                }
                n = (int)np;
                H5Dvlen_reclaim(mt, s, H5P_DEFAULT, raw);
            }
            free(raw);
            H5Tclose(mt);
        }
        else {
            /* one more byte than stored: a full-width NULLPAD string keeps
             * its last character when converted to NULLTERM */
            size_t sz = H5Tget_size(t) + 1;
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, sz);
            H5Tset_strpad(mt, H5T_STR_NULLTERM);
            char *buf = xpcs_calloc((size_t)np, sz);
            if (H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
                for (hssize_t i = 0; i < np; i++) {
                    strs[i] = xpcs_calloc(1, sz);
                    memcpy(strs[i], buf + (size_t)i * sz, sz - 1);
                }
                n = (int)np;
            }
            free(buf);
            H5Tclose(mt);
        }
        if (!n)
            free(strs);
        else
            *out = strs;
    }
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    return n;
}

static void free_strings(char **s, int n)
{
    for (int i = 0; i < n && s; i++)
        free(s[i]);
    free(s);
}

/* ---- the page state ---------------------------------------------------- */

/* One /xpcs/fit/<model> group in the layout xpcs-fit writes (README "Fit
 * results"): param_names (n_p,); params, params_err (n_bins, n_p); status,
 * chi2_red, q (n_bins,); t (n_t,) s and g2_fit (n_t, n_bins), the model at
 * t; tau_q/{exponent, prefactor, ...}.  Only param_names and params are
 * required; a missing piece leaves its part of the page out. */
typedef struct {
    char model[64];
    int n_p, n_bins;
    char **names;
    double *p;             /* [n_bins][n_p] */
    double *err;           /* [n_bins][n_p] or NULL */
    double *status, *chi2; /* [n_bins] or NULL */
    char **status_names;
    int n_status_names;
    double *q; /* [n_bins] or NULL */
    int n_t;
    double *t, *g2_fit; /* [n_t], [n_t][n_bins] or NULL */
    int i_base, i_beta, i_tau, i_gamma, i_tau2, i_frac;
    /* tau_q: exponent, its error, prefactor, D (um^2/s), its error */
    double tq_exp, tq_exp_err, tq_pre, tq_d, tq_d_err;
    int have_tq;
} fitset;

typedef struct {
    hid_t f;
    xpcs_sbuf *o;
    int plot_id;
    /* multitau */
    int n_tau, n_dq;
    double *delay, *g2, *g2e; /* [n_tau], [n_tau][n_dq] */
    double t_scale;           /* seconds per delay_list unit; 0 = unknown */
    double *q;                /* [n_dq] q, then [n_dq + 1 ..] phi (NaN: none), or NULL */
    char q_unit[32];
    fitset fits[4];
    int n_fits;
} page;

static int next_id(page *pg)
{
    return ++pg->plot_id;
}

static void color_of(int i, int n, char *buf, size_t len)
{
    uint8_t c[3];
    xpcs_viridis(n > 1 ? 0.9 * i / (n - 1) : 0.0, c);
    snprintf(buf, len, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static void qlabel(const page *pg, int j, char *buf, size_t n)
{
    const double phi = pg->q ? pg->q[pg->n_dq + 1 + j] : NAN; /* stored after q */
    if (pg->q && isfinite(phi))
        snprintf(buf, n, "bin %d: q = %.4g %s, phi %.3g", j + 1, pg->q[j], pg->q_unit, phi);
    else if (pg->q)
        snprintf(buf, n, "bin %d: q = %.4g %s", j + 1, pg->q[j], pg->q_unit);
    else
        snprintf(buf, n, "bin %d", j + 1);
}

/* ---- fits (/xpcs/fit/<model>/...) -------------------------------------- */

static int find_name(char **names, int n, const char *const *cands)
{
    for (int c = 0; cands[c]; c++)
        for (int i = 0; i < n; i++)
            if (strcasecmp(names[i], cands[c]) == 0)
                return i;
    return -1;
}

/* /xpcs/fit/<model>/<name> as doubles when it has exactly n values. */
static double *fit_vector(page *pg, const char *model, const char *name, hsize_t n)
{
    char path[256];
    snprintf(path, sizeof path, "/xpcs/fit/%s/%s", model, name);
    int nd;
    hsize_t dims[4];
    double *v = h5_doubles(pg->f, path, &nd, dims);
    if (v && dims[0] * dims[1] * dims[2] * dims[3] != n) {
        free(v);
        v = NULL;
    }
    return v;
}

static void load_fit(page *pg, const char *model)
{
    if (pg->n_fits >= 4)
        return;
    fitset *fs = &pg->fits[pg->n_fits];
    memset(fs, 0, sizeof *fs);
    snprintf(fs->model, sizeof fs->model, "%s", model);
    char path[256];
    snprintf(path, sizeof path, "/xpcs/fit/%s/param_names", model);
    fs->n_p = h5_strings(pg->f, path, &fs->names);
    snprintf(path, sizeof path, "/xpcs/fit/%s/params", model);
    int nd;
    hsize_t dims[4];
    fs->p = h5_doubles(pg->f, path, &nd, dims);
    if (!fs->p || fs->n_p <= 0 || nd != 2 || dims[1] != (hsize_t)fs->n_p) {
        free(fs->p);
        free_strings(fs->names, fs->n_p);
        return;
    }
    fs->n_bins = (int)dims[0];
    const hsize_t nb = (hsize_t)fs->n_bins;
    fs->err = fit_vector(pg, model, "params_err", nb * (hsize_t)fs->n_p);
    fs->status = fit_vector(pg, model, "status", nb);
    fs->chi2 = fit_vector(pg, model, "chi2_red", nb);
    fs->q = fit_vector(pg, model, "q", nb);
    snprintf(path, sizeof path, "/xpcs/fit/%s/status_names", model);
    fs->n_status_names = h5_strings(pg->f, path, &fs->status_names);
    snprintf(path, sizeof path, "/xpcs/fit/%s/t", model);
    fs->t = h5_doubles(pg->f, path, &nd, dims);
    if (fs->t && nd == 1) {
        fs->n_t = (int)dims[0];
        fs->g2_fit = fit_vector(pg, model, "g2_fit", (hsize_t)fs->n_t * nb);
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
    snprintf(path, sizeof path, "/xpcs/fit/%s/tau_q/exponent", model);
    fs->have_tq = h5_scalar(pg->f, path, &fs->tq_exp);
    fs->tq_exp_err = fs->tq_pre = fs->tq_d = fs->tq_d_err = NAN;
    static const char *const tq_names[4] = {"exponent_err", "prefactor", "diffusion_um2_per_s",
                                            "diffusion_um2_per_s_err"};
    double *tq_dst[4] = {&fs->tq_exp_err, &fs->tq_pre, &fs->tq_d, &fs->tq_d_err};
    for (int k = 0; k < 4 && fs->have_tq; k++) {
        snprintf(path, sizeof path, "/xpcs/fit/%s/tau_q/%s", model, tq_names[k]);
        h5_scalar(pg->f, path, tq_dst[k]);
    }
    pg->n_fits++;
}

static void free_fit(fitset *fs)
{
    free_strings(fs->names, fs->n_p);
    free_strings(fs->status_names, fs->n_status_names);
    free(fs->p);
    free(fs->err);
    free(fs->status);
    free(fs->chi2);
    free(fs->q);
    free(fs->t);
    free(fs->g2_fit);
}

/* The model of bin b at t (seconds) from its parameters, for files without
 * g2_fit; NaN when the parameters are not the known ones:
 *   single     baseline + beta exp(-2 t / tau)
 *   stretched  baseline + beta exp(-2 (t / tau)^gamma)
 *   double     baseline + beta (f exp(-t / tau1) + (1 - f) exp(-t / tau2))^2 */
static double fit_eval(const fitset *fs, int b, double t)
{
    if (fs->i_beta < 0 || fs->i_tau < 0 || b >= fs->n_bins)
        return NAN;
    const double *p = fs->p + (size_t)b * fs->n_p;
    double base = fs->i_base >= 0 ? p[fs->i_base] : 1.0, beta = p[fs->i_beta];
    double tau = p[fs->i_tau];
    if (!(tau > 0))
        return NAN;
    if (fs->i_tau2 >= 0 && fs->i_frac >= 0) {
        double f = p[fs->i_frac];
        double s = f * exp(-t / tau) + (1 - f) * exp(-t / p[fs->i_tau2]);
        return base + beta * s * s;
    }
    if (fs->i_gamma >= 0)
        return base + beta * exp(-2 * pow(t / tau, p[fs->i_gamma]));
    return base + beta * exp(-2 * t / tau);
}

/* 1 when bin b's fit converged (or the file has no status). */
static int fit_ok(const fitset *fs, int b)
{
    return !fs->status || fs->status[b] == 0;
}

static void load_fits(page *pg)
{
    if (!h5_has(pg->f, "/xpcs/fit"))
        return;
    hid_t g = H5Gopen2(pg->f, "/xpcs/fit", H5P_DEFAULT);
    if (g < 0)
        return;
    H5G_info_t info;
    if (H5Gget_info(g, &info) >= 0)
        for (hsize_t i = 0; i < info.nlinks && pg->n_fits < 4; i++) {
            char name[64];
            if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                   H5P_DEFAULT) < 0)
                continue;
            H5O_info_t oi;
            if (H5Oget_info_by_name(g, name, &oi, H5P_DEFAULT) >= 0 && oi.type == H5O_TYPE_GROUP)
                load_fit(pg, name);
        }
    H5Gclose(g);
}

/* ---- sections ------------------------------------------------------------ */

static void load_multitau(page *pg)
{
    int nd;
    hsize_t dims[4];
    pg->delay = h5_doubles(pg->f, "/xpcs/multitau/delay_list", &nd, dims);
    if (!pg->delay)
        return;
    pg->n_tau = (int)dims[0];
    pg->g2 = h5_doubles(pg->f, "/xpcs/multitau/normalized_g2", &nd, dims);
    if (!pg->g2 || nd != 2 || dims[0] != (hsize_t)pg->n_tau) {
        free(pg->g2);
        pg->g2 = NULL;
        return;
    }
    pg->n_dq = (int)dims[1];
    hsize_t ed[4];
    pg->g2e = h5_doubles(pg->f, "/xpcs/multitau/normalized_g2_err", &nd, ed);
    if (pg->g2e && (ed[0] != dims[0] || ed[1] != dims[1])) {
        free(pg->g2e);
        pg->g2e = NULL;
    }
    double ft = 0, stride = 1, avg = 1;
    h5_scalar(pg->f, "/entry/instrument/detector_1/frame_time", &ft);
    h5_scalar(pg->f, "/xpcs/multitau/config/stride_frame", &stride);
    h5_scalar(pg->f, "/xpcs/multitau/config/avg_frame", &avg);
    pg->t_scale = ft > 0 ? ft * stride * avg : 0.0;
    /* q (and phi) of column k: natural index i = dynamic_index_mapping[k]
     * (k without it), q = dim0[i / n1], phi = dim1[i % n1], n1 = len(dim1) */
    hsize_t d0[4], d1[4], dm[4];
    int nd0, nd1, ndm;
    double *v0 = h5_doubles(pg->f, "/xpcs/qmap/dynamic_v_list_dim0", &nd0, d0);
    double *v1 = h5_doubles(pg->f, "/xpcs/qmap/dynamic_v_list_dim1", &nd1, d1);
    double *map = h5_doubles(pg->f, "/xpcs/qmap/dynamic_index_mapping", &ndm, dm);
    const long n1 = v1 && nd1 == 1 ? (long)d1[0] : 1;
    if (map && (ndm != 1 || dm[0] != (hsize_t)pg->n_dq)) {
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
    int nu = h5_strings(pg->f, "/xpcs/qmap/map_units", &units);
    snprintf(pg->q_unit, sizeof pg->q_unit, "%s", nu > 0 ? units[0] : "");
    free_strings(units, nu);
}

static void g2_section(page *pg)
{
    xpcs_sbuf *o = pg->o;
    if (!pg->g2) {
        xpcs_sbuf_add(o, "<h2>g2</h2><p class=\"note\">No multi-tau result in this file.</p>\n");
        return;
    }
    const int nt = pg->n_tau, nq = pg->n_dq;
    double *t = xpcs_malloc(sizeof(double) * (size_t)nt * 4);
    double *y = t + nt, *e = y + nt;
    for (int i = 0; i < nt; i++)
        t[i] = pg->delay[i] * (pg->t_scale > 0 ? pg->t_scale : 1.0);
    const char *tlabel = pg->t_scale > 0 ? "delay t (s)" : "delay (frames)";
    const fitset *fit = NULL; /* the first fit with curves for these bins */
    for (int k = 0; k < pg->n_fits && !fit; k++)
        if (pg->fits[k].n_bins == nq &&
            (pg->fits[k].g2_fit || (pg->fits[k].i_tau >= 0 && pg->fits[k].i_beta >= 0)))
            fit = &pg->fits[k];
    double fx[64], fv[64];

    xpcs_sbuf_printf(o,
                     "<h2>g2 per q bin</h2>\n<p class=\"note\">%d q bins, %d delays. "
                     "Error bars: standard error over the pixels of the bin.%s</p>\n",
                     nq, nt, fit ? " Dashed: fit (first model in /xpcs/fit)." : "");
    /* overview: every bin (or an even subset) on one plot */
    xpcs_plot *pl = xpcs_plot_create(next_id(pg), 640, 380, 1, 0);
    xpcs_plot_labels(pl, "g2(q, t), all bins", tlabel, "g2");
    int step = nq > MAX_OVERLAY ? (nq + MAX_OVERLAY - 1) / MAX_OVERLAY : 1;
    for (int j = 0; j < nq; j += step) {
        char col[16], lab[96];
        color_of(j, nq, col, sizeof col);
        for (int i = 0; i < nt; i++)
            y[i] = pg->g2[(size_t)i * nq + j];
        xpcs_plot_line(pl, t, y, nt, col, 1.5, 0);
        if (j == 0 || j + step >= nq) {
            qlabel(pg, j, lab, sizeof lab);
            xpcs_plot_legend(pl, lab, col);
        }
    }
    xpcs_sbuf_add(o, "<div class=\"fig\">");
    xpcs_plot_render(pl, o);
    xpcs_sbuf_add(o, "</div>\n");
    xpcs_plot_destroy(&pl);

    int shown = nq < MAX_PANELS ? nq : MAX_PANELS;
    if (shown < nq)
        xpcs_sbuf_printf(o, "<p class=\"note\">Panels: %d of %d bins, evenly spaced.</p>\n", shown,
                         nq);
    xpcs_sbuf_add(o, "<div class=\"grid\">\n");
    for (int s = 0; s < shown; s++) {
        int j = shown < nq ? (int)((double)s * (nq - 1) / (shown - 1 > 0 ? shown - 1 : 1)) : s;
        char title[160], lab[96];
        qlabel(pg, j, lab, sizeof lab);
        if (fit && fit->i_tau >= 0 && fit_ok(fit, j) &&
            fit->p[(size_t)j * fit->n_p + fit->i_tau] > 0)
            snprintf(title, sizeof title, "%s, %s %.3g s", lab, fit->names[fit->i_tau],
                     fit->p[(size_t)j * fit->n_p + fit->i_tau]);
        else
            snprintf(title, sizeof title, "%s", lab);
        pl = xpcs_plot_create(next_id(pg), 300, 210, 1, 0);
        xpcs_plot_labels(pl, title, tlabel, "g2");
        for (int i = 0; i < nt; i++) {
            y[i] = pg->g2[(size_t)i * nq + j];
            e[i] = pg->g2e ? pg->g2e[(size_t)i * nq + j] : 0.0;
        }
        if (pg->g2e)
            xpcs_plot_errorbars(pl, t, y, e, nt, "#9ab");
        xpcs_plot_points(pl, t, y, nt, palette[0], 2.2);
        if (fit && fit_ok(fit, j) && fit->g2_fit) { /* the model the fit wrote */
            double *col = xpcs_malloc(sizeof(double) * (size_t)fit->n_t);
            for (int i = 0; i < fit->n_t; i++)
                col[i] = fit->g2_fit[(size_t)i * nq + j];
            xpcs_plot_line(pl, fit->t, col, fit->n_t, palette[3], 1.5, 1);
            free(col);
        }
        else if (fit && fit_ok(fit, j) && t[0] > 0) { /* evaluated on a log grid */
            for (int i = 0; i < 64; i++) {
                fx[i] = t[0] * pow(t[nt - 1] / t[0], i / 63.0);
                fv[i] = fit_eval(fit, j, fx[i]);
            }
            xpcs_plot_line(pl, fx, fv, 64, palette[3], 1.5, 1);
        }
        xpcs_plot_render(pl, o);
        xpcs_plot_destroy(&pl);
    }
    xpcs_sbuf_add(o, "</div>\n");
    free(t);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile (0..1) of the finite values of v (copied and sorted). */
static double percentile(const double *v, size_t n, double p, int positive_only)
{
    double *w = xpcs_malloc(sizeof(double) * (n ? n : 1));
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && (!positive_only || v[i] > 0))
            w[m++] = v[i];
    double r = NAN;
    if (m) {
        qsort(w, m, sizeof(double), cmp_double);
        r = w[(size_t)(p * (double)(m - 1) + 0.5)];
    }
    free(w);
    return r;
}

static void colorbar(xpcs_sbuf *o, int id, double lo, double hi, const char *label)
{
    xpcs_sbuf_printf(o,
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"130\" height=\"260\" "
                     "font-family=\"sans-serif\" font-size=\"11\"><defs><linearGradient "
                     "id=\"cb%d\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">",
                     id);
    for (int k = 0; k <= 10; k++) {
        uint8_t c[3];
        xpcs_viridis(k / 10.0, c);
        xpcs_sbuf_printf(o, "<stop offset=\"%.1f\" stop-color=\"#%02x%02x%02x\"/>", k / 10.0, c[0],
                         c[1], c[2]);
    }
    xpcs_sbuf_printf(o,
                     "</linearGradient></defs><rect x=\"4\" y=\"10\" width=\"18\" height=\"230\" "
                     "fill=\"url(#cb%d)\" stroke=\"#444\"/><text x=\"26\" y=\"18\">%.3g</text>"
                     "<text x=\"26\" y=\"240\">%.3g</text><text x=\"26\" y=\"130\">",
                     id, hi, lo);
    xpcs_sbuf_add_escaped(o, label);
    xpcs_sbuf_add(o, "</text></svg>");
}

/* values [h][w] -> block-averaged (factor b) viridis PNG, inline <img>.
 * zero_masked: exact zeros are drawn dark grey.  log: log10 scale. */
static void inline_image(page *pg, const double *v, int h, int w, double lo, double hi, int lg,
                         int zero_masked, const char *alt, int css_px)
{
    int b = 1;
    while ((h + b - 1) / b > MAX_IMAGE || (w + b - 1) / b > MAX_IMAGE)
        b++;
    int H = (h + b - 1) / b, W = (w + b - 1) / b;
    uint8_t *rgb = xpcs_malloc((size_t)H * (size_t)W * 3);
    double l0 = lg ? log10(lo) : lo, l1 = lg ? log10(hi) : hi;
    if (!(l1 > l0))
        l1 = l0 + 1;
    for (int Y = 0; Y < H; Y++)
        for (int X = 0; X < W; X++) {
            double s = 0;
            int n = 0;
            for (int y = Y * b; y < (Y + 1) * b && y < h; y++)
                for (int x = X * b; x < (X + 1) * b && x < w; x++) {
                    double val = v[(size_t)y * w + x];
                    if (isfinite(val) && !(zero_masked && val == 0)) {
                        s += val;
                        n++;
                    }
                }
            uint8_t *px = rgb + ((size_t)Y * W + X) * 3;
            if (!n) {
                px[0] = px[1] = px[2] = 40;
                continue;
            }
            double m = s / n;
            double t = lg ? (m > 0 ? (log10(m) - l0) / (l1 - l0) : 0.0) : (m - l0) / (l1 - l0);
            xpcs_viridis(t, px);
        }
    unsigned char *png = NULL;
    size_t len = 0;
    xpcs_err err;
    if (xpcs_png_encode_rgb(rgb, W, H, &png, &len, &err) == XPCS_OK) {
        int dw = css_px, dh = (int)lround((double)css_px * H / W);
        if (H > W) {
            dh = css_px;
            dw = (int)lround((double)css_px * W / H);
        }
        xpcs_sbuf_printf(pg->o, "<img class=\"px\" width=\"%d\" height=\"%d\" alt=\"", dw, dh);
        xpcs_sbuf_add_escaped(pg->o, alt);
        xpcs_sbuf_add(pg->o, "\" src=\"data:image/png;base64,");
        xpcs_sbuf_add_base64(pg->o, png, len);
        xpcs_sbuf_add(pg->o, "\"/>");
    }
    free(png);
    free(rgb);
}

static void scattering_section(page *pg)
{
    xpcs_sbuf *o = pg->o;
    int nd;
    hsize_t dims[4];
    double *img = h5_doubles(pg->f, "/xpcs/temporal_mean/scattering_2d", &nd, dims);
    double *s1 = NULL;
    hsize_t d1[4];
    int nd1;
    s1 = h5_doubles(pg->f, "/xpcs/temporal_mean/scattering_1d", &nd1, d1);
    if (!img && !s1)
        return;
    xpcs_sbuf_add(o, "<h2>Scattering</h2>\n<div class=\"row\">");
    if (img && nd >= 2) {
        int h = (int)dims[nd - 2], w = (int)dims[nd - 1];
        size_t n = (size_t)h * (size_t)w;
        double lo = percentile(img, n, 0.01, 1), hi = percentile(img, n, 0.999, 1);
        if (isfinite(lo) && isfinite(hi)) {
            if (!(hi > lo))
                hi = lo * 10;
            xpcs_sbuf_printf(o,
                             "<div class=\"fig\"><div class=\"cap\">time-averaged image, %d x "
                             "%d pixels (log scale; grey: masked or zero)</div>",
                             h, w);
            inline_image(pg, img, h, w, lo, hi, 1, 1, "time-averaged scattering image", 420);
            colorbar(o, next_id(pg), lo, hi, "counts/px/frame");
            xpcs_sbuf_add(o, "</div>");
        }
    }
    if (s1 && nd1 >= 1) {
        int n = (int)d1[nd1 - 1];
        double *q = xpcs_malloc(sizeof(double) * (size_t)n);
        int have_q = 0;
        int nv, ni;
        hsize_t dv[4], di[4];
        double *v = h5_doubles(pg->f, "/xpcs/qmap/static_v_list_dim0", &nv, dv);
        double *idx = h5_doubles(pg->f, "/xpcs/qmap/static_index_mapping", &ni, di);
        if (v && idx && ni == 1 && di[0] == (hsize_t)n) {
            have_q = 1;
            for (int i = 0; i < n && have_q; i++) {
                long k = lround(idx[i]);
                have_q = k >= 0 && (hsize_t)k < dv[0];
                if (have_q)
                    q[i] = v[k];
            }
        }
        else if (v && nv == 1 && dv[0] == (hsize_t)n) {
            have_q = 1;
            memcpy(q, v, sizeof(double) * (size_t)n);
        }
        if (!have_q)
            for (int i = 0; i < n; i++)
                q[i] = i + 1;
        free(v);
        free(idx);
        char xl[64];
        snprintf(xl, sizeof xl, have_q ? "q (%s)" : "static bin", pg->q_unit);
        xpcs_plot *pl = xpcs_plot_create(next_id(pg), 440, 320, have_q, 1);
        xpcs_plot_labels(pl, "I(q): mean intensity per static bin", xl, "counts/px/frame");
        xpcs_plot_line(pl, q, s1, n, palette[0], 1.2, 0);
        xpcs_plot_points(pl, q, s1, n, palette[0], 2.0);
        xpcs_sbuf_add(o, "<div class=\"fig\">");
        xpcs_plot_render(pl, o);
        xpcs_sbuf_add(o, "</div>");
        xpcs_plot_destroy(&pl);
        free(q);
    }
    xpcs_sbuf_add(o, "</div>\n");
    free(img);
    free(s1);
}

static void intensity_section(page *pg)
{
    int nd;
    hsize_t dims[4];
    double *it = h5_doubles(pg->f, "/xpcs/spatial_mean/intensity_vs_time", &nd, dims);
    if (!it || nd != 2 || dims[0] != 2 || dims[1] < 1) {
        free(it);
        return;
    }
    const int n = (int)dims[1];
    const double sc = pg->t_scale > 0 ? pg->t_scale : 1.0;
    const int nb = n > 2000 ? 1000 : n;
    double *x = xpcs_malloc(sizeof(double) * (size_t)nb * 4);
    double *m = x + nb, *lo = m + nb, *hi = lo + nb;
    for (int b = 0; b < nb; b++) {
        int a = (int)((int64_t)b * n / nb), e = (int)((int64_t)(b + 1) * n / nb);
        double s = 0, l = INFINITY, h = -INFINITY;
        for (int i = a; i < e; i++) {
            double v = it[n + i];
            s += v;
            l = fmin(l, v);
            h = fmax(h, v);
        }
        x[b] = it[(a + e - 1) / 2] * sc;
        m[b] = s / (e - a);
        lo[b] = l;
        hi[b] = h;
    }
    xpcs_plot *pl = xpcs_plot_create(next_id(pg), 900, 260, 0, 0);
    xpcs_plot_labels(
        pl, nb < n ? "intensity vs time (mean per bucket; band: min to max)" : "intensity vs time",
        pg->t_scale > 0 ? "time (s)" : "frame", "mean counts/px/frame");
    if (nb < n)
        xpcs_plot_band(pl, x, lo, hi, nb, palette[0], 0.25);
    xpcs_plot_line(pl, x, m, nb, palette[0], 1.0, 0);
    xpcs_sbuf_add(pg->o, "<h2>Intensity vs time</h2>\n<div class=\"fig\">");
    xpcs_plot_render(pl, pg->o);
    xpcs_sbuf_add(pg->o, "</div>\n");
    xpcs_plot_destroy(&pl);
    free(x);
    free(it);
}

/* Reads a square (N, N) map block-averaged to at most MAX_IMAGE/ratio on a
 * side, mirroring the upper triangle; returns [S][S] and S, or NULL. */
static double *twotime_blocks(hid_t g, const char *name, int *S_out, int *N_out)
{
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0)
        return NULL;
    hid_t s = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    double *out = NULL;
    if (H5Sget_simple_extent_ndims(s) == 2 && H5Sget_simple_extent_dims(s, dims, NULL) == 2 &&
        dims[0] == dims[1] && dims[0] > 0) {
        const int N = (int)dims[0], target = 384;
        int b = (N + target - 1) / target, S = (N + b - 1) / b;
        double *sum = xpcs_calloc((size_t)S * S, sizeof(double));
        double *cnt = xpcs_calloc((size_t)S * S, sizeof(double));
        /* rows are read in strips of at most 2^23 values (64 MiB) */
        int hs = (1 << 23) / N < b ? (1 << 23) / N : b;
        hs = hs > 0 ? hs : 1;
        double *strip = xpcs_malloc(sizeof(double) * (size_t)hs * (size_t)N);
        int ok = 1;
        for (int r0 = 0; r0 < N && ok; r0 += hs) {
            hsize_t start[2] = {(hsize_t)r0, 0},
                    count[2] = {(hsize_t)(r0 + hs <= N ? hs : N - r0), (hsize_t)N};
            hid_t ms = H5Screate_simple(2, count, NULL);
            H5Sselect_hyperslab(s, H5S_SELECT_SET, start, NULL, count, NULL);
            ok = H5Dread(d, H5T_NATIVE_DOUBLE, ms, s, H5P_DEFAULT, strip) >= 0;
            H5Sclose(ms);
            for (int i = 0; ok && i < (int)count[0]; i++) {
                int gi = r0 + i, I = gi / b;
                for (int j = gi; j < N; j++) { /* upper triangle incl. the diagonal */
                    double v = strip[(size_t)i * N + j];
                    if (!isfinite(v))
                        continue;
                    sum[(size_t)I * S + j / b] += v;
                    cnt[(size_t)I * S + j / b] += 1;
                }
            }
        }
        if (ok) {
            out = xpcs_malloc(sizeof(double) * (size_t)S * S);
            for (int I = 0; I < S; I++)
                for (int J = 0; J < S; J++) {
                    int a = I <= J ? I : J, c = I <= J ? J : I;
                    size_t k = (size_t)a * S + c;
                    out[(size_t)I * S + J] = cnt[k] > 0 ? sum[k] / cnt[k] : NAN;
                }
            *S_out = S;
            *N_out = N;
        }
        free(strip);
        free(sum);
        free(cnt);
    }
    H5Sclose(s);
    H5Dclose(d);
    return out;
}

static void twotime_section(page *pg)
{
    const char *gp = "/xpcs/twotime/correlation_map";
    if (!h5_has(pg->f, gp))
        return;
    hid_t g = H5Gopen2(pg->f, gp, H5P_DEFAULT);
    if (g < 0)
        return;
    H5G_info_t info;
    int shown = 0;
    if (H5Gget_info(g, &info) >= 0) {
        xpcs_sbuf_printf(pg->o,
                         "<h2>Two-time correlation</h2>\n<p class=\"note\">%llu map(s) in %s; "
                         "C(t1, t2) block-averaged, mirrored from the stored upper triangle; "
                         "colour range: 2nd to 98th percentile off the diagonal.</p>\n"
                         "<div class=\"grid\">",
                         (unsigned long long)info.nlinks, gp);
        for (hsize_t i = 0; i < info.nlinks && shown < MAX_TWOTIME; i++) {
            char name[128];
            if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name,
                                   H5P_DEFAULT) < 0)
                continue;
            int S = 0, N = 0;
            double *m = twotime_blocks(g, name, &S, &N);
            if (!m)
                continue;
            double *off = xpcs_malloc(sizeof(double) * (size_t)S * S);
            size_t k = 0;
            for (int I = 0; I < S; I++)
                for (int J = 0; J < S; J++)
                    if (I != J || S == 1)
                        off[k++] = m[(size_t)I * S + J];
            double lo = percentile(off, k, 0.02, 0), hi = percentile(off, k, 0.98, 0);
            free(off);
            if (!(hi > lo))
                hi = lo + 1e-9;
            char cap[200];
            snprintf(cap, sizeof cap, "%s: %d x %d frames", name, N, N);
            xpcs_sbuf_add(pg->o, "<div class=\"fig\"><div class=\"cap\">");
            xpcs_sbuf_add_escaped(pg->o, cap);
            xpcs_sbuf_add(pg->o, " (t1 right, t2 down)</div>");
            inline_image(pg, m, S, S, lo, hi, 0, 0, cap, 300);
            colorbar(pg->o, next_id(pg), lo, hi, "C(t1,t2)");
            xpcs_sbuf_add(pg->o, "</div>");
            free(m);
            shown++;
        }
        xpcs_sbuf_add(pg->o, "</div>\n");
    }
    H5Gclose(g);
}

static void fits_section(page *pg)
{
    xpcs_sbuf *o = pg->o;
    for (int k = 0; k < pg->n_fits; k++) {
        const fitset *fs = &pg->fits[k];
        int n_ok = 0;
        for (int b = 0; b < fs->n_bins; b++)
            n_ok += fit_ok(fs, b);
        xpcs_sbuf_add(o, "<h2>Fit: ");
        xpcs_sbuf_add_escaped(o, fs->model);
        xpcs_sbuf_add(o, "</h2>\n<p class=\"note\">/xpcs/fit/");
        xpcs_sbuf_add_escaped(o, fs->model);
        xpcs_sbuf_printf(o, ": %d bin(s), %d converged, %d parameter(s)%s.</p>\n", fs->n_bins, n_ok,
                         fs->n_p,
                         fs->n_bins == pg->n_dq && (fs->g2_fit || fs->i_tau >= 0)
                             ? "; curves drawn over the g2 panels"
                             : "");
        /* tau(q) of the converged bins, with the power law when fitted */
        const double *q = fs->q ? fs->q : (fs->n_bins == pg->n_dq ? pg->q : NULL);
        if (fs->i_tau >= 0 && q) {
            double *tau = xpcs_malloc(sizeof(double) * (size_t)fs->n_bins * 3);
            double *te = tau + fs->n_bins, *qq = te + fs->n_bins;
            double qlo = INFINITY, qhi = 0;
            for (int b = 0; b < fs->n_bins; b++) {
                int ok = fit_ok(fs, b);
                tau[b] = ok ? fs->p[(size_t)b * fs->n_p + fs->i_tau] : NAN;
                te[b] = ok && fs->err ? fs->err[(size_t)b * fs->n_p + fs->i_tau] : 0.0;
                qq[b] = q[b];
                if (ok && q[b] > 0) {
                    qlo = fmin(qlo, q[b]);
                    qhi = fmax(qhi, q[b]);
                }
            }
            char xl[64], title[160];
            snprintf(xl, sizeof xl, "q (%s)", fs->q ? "1/A" : pg->q_unit);
            if (fs->have_tq)
                snprintf(title, sizeof title, "%s(q): exponent %.3f +- %.3f", fs->names[fs->i_tau],
                         fs->tq_exp, fs->tq_exp_err);
            else
                snprintf(title, sizeof title, "%s(q)", fs->names[fs->i_tau]);
            xpcs_plot *pl = xpcs_plot_create(next_id(pg), 440, 300, 1, 1);
            xpcs_plot_labels(pl, title, xl, "tau (s)");
            if (fs->err)
                xpcs_plot_errorbars(pl, qq, tau, te, fs->n_bins, "#9ab");
            xpcs_plot_points(pl, qq, tau, fs->n_bins, palette[3], 3.0);
            if (fs->have_tq && fs->tq_pre > 0 && qhi > qlo) {
                double lx[2] = {qlo, qhi};
                double ly[2] = {fs->tq_pre * pow(qlo, fs->tq_exp),
                                fs->tq_pre * pow(qhi, fs->tq_exp)};
                xpcs_plot_line(pl, lx, ly, 2, palette[0], 1.2, 1);
                xpcs_plot_legend(pl, "prefactor q^exponent", palette[0]);
            }
            xpcs_sbuf_add(o, "<div class=\"fig\">");
            xpcs_plot_render(pl, o);
            xpcs_sbuf_add(o, "</div>\n");
            xpcs_plot_destroy(&pl);
            free(tau);
            if (fs->have_tq && isfinite(fs->tq_d))
                xpcs_sbuf_printf(o,
                                 "<p class=\"note\">With exponent -2: diffusion coefficient D = "
                                 "%.4g &plusmn; %.2g &micro;m<sup>2</sup>/s.</p>\n",
                                 fs->tq_d, fs->tq_d_err);
        }
        xpcs_sbuf_add(o, "<table><tr><th>bin</th>");
        if (fs->status)
            xpcs_sbuf_add(o, "<th>status</th>");
        if (fs->chi2)
            xpcs_sbuf_add(o, "<th>chi2_red</th>");
        for (int p = 0; p < fs->n_p; p++) {
            xpcs_sbuf_add(o, "<th>");
            xpcs_sbuf_add_escaped(o, fs->names[p]);
            xpcs_sbuf_add(o, "</th>");
        }
        xpcs_sbuf_add(o, "</tr>\n");
        for (int b = 0; b < fs->n_bins && b < 200; b++) {
            char lab[96];
            if (fs->q)
                snprintf(lab, sizeof lab, "bin %d: q = %.4g 1/A", b + 1, fs->q[b]);
            else if (fs->n_bins == pg->n_dq)
                qlabel(pg, b, lab, sizeof lab);
            else
                snprintf(lab, sizeof lab, "%d", b + 1);
            xpcs_sbuf_add(o, "<tr><td>");
            xpcs_sbuf_add_escaped(o, lab);
            xpcs_sbuf_add(o, "</td>");
            if (fs->status) {
                int si = (int)fs->status[b];
                xpcs_sbuf_add(o, "<td class=\"l\">");
                if (si >= 0 && si < fs->n_status_names)
                    xpcs_sbuf_add_escaped(o, fs->status_names[si]);
                else
                    xpcs_sbuf_printf(o, "%d", si);
                xpcs_sbuf_add(o, "</td>");
            }
            if (fs->chi2)
                xpcs_sbuf_printf(o, "<td>%.3g</td>", fs->chi2[b]);
            for (int p = 0; p < fs->n_p; p++) {
                double v = fs->p[(size_t)b * fs->n_p + p];
                if (fs->err)
                    xpcs_sbuf_printf(o, "<td>%.4g &plusmn; %.2g</td>", v,
                                     fs->err[(size_t)b * fs->n_p + p]);
                else
                    xpcs_sbuf_printf(o, "<td>%.4g</td>", v);
            }
            xpcs_sbuf_add(o, "</tr>\n");
        }
        xpcs_sbuf_add(o, "</table>\n");
    }
}

/* ---- the profile (JSON written by xpcs-corr) ------------------------------ */

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(it) ? it->valuestring : "";
}

static void health_badges(xpcs_sbuf *o, const cJSON *prof)
{
    const cJSON *ind = cJSON_GetObjectItemCaseSensitive(prof, "indicators");
    if (!cJSON_IsObject(ind))
        return;
    xpcs_sbuf_add(o, "<div class=\"health\">");
    for (const cJSON *it = ind->child; it; it = it->next) {
        const char *st = jstr(it, "status");
        double v = jnum(it, "value_pct");
        int higher = strcmp(jstr(it, "better"), "higher") == 0;
        xpcs_sbuf_printf(o, "<div class=\"badge %s\"><b>", st);
        xpcs_sbuf_add_escaped(o, it->string);
        if (isfinite(v))
            xpcs_sbuf_printf(o, "</b><br/>%.1f %%", v);
        else
            xpcs_sbuf_add(o, "</b><br/>n/a");
        xpcs_sbuf_printf(o, "<br/><small>target %s %g %%, critical %s %g %%</small><br/>%s</div>",
                         higher ? "&gt;" : "&lt;", jnum(it, "target_pct"), higher ? "&lt;" : "&gt;",
                         jnum(it, "critical_pct"), st);
    }
    xpcs_sbuf_add(o, "</div>\n");
}

static void profile_section(page *pg, const cJSON *prof)
{
    xpcs_sbuf *o = pg->o;
    xpcs_sbuf_add(o, "<h2>Run profile</h2>\n");
    if (!prof) {
        xpcs_sbuf_add(o, "<p class=\"note\">No profile: the run had monitoring.enable_profiling "
                         "off, or no profile JSON was given to xpcs-report.</p>\n");
        return;
    }
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(prof, "run");
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(prof, "summary");
    const cJSON *ph = cJSON_GetObjectItemCaseSensitive(prof, "phases");
    const cJSON *ranks = cJSON_GetObjectItemCaseSensitive(prof, "ranks");
    char storage[96];
    if (jnum(sum, "storage_gb_per_s") > 0)
        snprintf(storage, sizeof storage, "%.3g GB/s, %s", jnum(sum, "storage_gb_per_s"),
                 jstr(sum, "storage_source"));
    else
        snprintf(storage, sizeof storage, "unknown");
    xpcs_sbuf_printf(o,
                     "<table class=\"kv\"><tr><th>ranks x threads</th><td>%.0f x %.0f on %.0f "
                     "node(s)</td></tr><tr><th>wall time</th><td>%.3f s</td></tr>"
                     "<tr><th>throughput</th><td>%.3g pixel-frames/s (detector pixels x raw "
                     "frames / wall); %.3g correlated pixel-frames/s</td></tr>"
                     "<tr><th>read</th><td>%.3f GB at %.2f GB/s (storage: %s)</td></tr>"
                     "<tr><th>exchanged</th><td>%.3f GB</td></tr>"
                     "<tr><th>parallel efficiency</th><td>%.1f %% (load balance %.2f)</td></tr>"
                     "<tr><th>peak RSS</th><td>%.1f MiB (rank %.0f) of a %.0f MiB budget per rank "
                     "(plan estimate %.1f MiB)</td></tr></table>\n",
                     jnum(run, "n_ranks"), jnum(run, "threads_per_rank"), jnum(run, "n_nodes"),
                     jnum(sum, "wall_s"), jnum(sum, "pixel_frames_per_s"),
                     jnum(sum, "correlated_pixel_frames_per_s"), jnum(sum, "bytes_read") / 1e9,
                     jnum(sum, "read_gb_per_s"), storage, jnum(sum, "bytes_exchanged") / 1e9,
                     100.0 * jnum(sum, "parallel_efficiency"), jnum(sum, "load_balance"),
                     jnum(sum, "peak_rss_max_bytes") / 1048576.0, jnum(sum, "peak_rss_max_rank"),
                     jnum(sum, "memory_budget_bytes") / 1048576.0,
                     jnum(sum, "memory_estimate_bytes") / 1048576.0);
    if (!cJSON_IsObject(ph))
        return;
    xpcs_sbuf_add(o, "<table><tr><th>phase</th><th>min s (rank)</th><th>mean s</th><th>max s "
                     "(rank)</th><th>imbalance</th><th>span s</th></tr>\n");
    for (const cJSON *p = ph->child; p; p = p->next) {
        if (!(jnum(p, "max_s") > 0))
            continue;
        xpcs_sbuf_printf(o, "<tr><td class=\"l\" style=\"padding-left:%.1fem\">",
                         0.4 + 1.2 * jnum(p, "depth"));
        xpcs_sbuf_add_escaped(o, p->string);
        xpcs_sbuf_printf(o,
                         "</td><td>%.4f (%.0f)</td><td>%.4f</td><td>%.4f (%.0f)</td><td>%.1f "
                         "%%</td><td>%.4f</td></tr>\n",
                         jnum(p, "min_s"), jnum(p, "min_rank"), jnum(p, "mean_s"), jnum(p, "max_s"),
                         jnum(p, "max_rank"), 100.0 * jnum(p, "imbalance"), jnum(p, "span_s"));
    }
    xpcs_sbuf_add(o, "</table>\n");

    /* per-rank stacked bars of the leaf phases; "other" = total - leaves */
    int n_ranks = cJSON_IsArray(ranks) ? cJSON_GetArraySize(ranks) : 0;
    if (n_ranks <= 0)
        return;
    const char *leaf[32];
    int n_leaf = 0;
    for (const cJSON *p = ph->child; p && n_leaf < 31; p = p->next) {
        double dep = jnum(p, "depth");
        const cJSON *nx = p->next;
        int is_leaf = dep > 0 && (!nx || !(jnum(nx, "depth") > dep));
        if (is_leaf)
            leaf[n_leaf++] = p->string;
    }
    int shown = n_ranks < MAX_BAR_RANKS ? n_ranks : MAX_BAR_RANKS;
    double tmax = 0;
    for (int r = 0; r < n_ranks; r++) {
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ranks, r), "wall_s");
        tmax = fmax(tmax, jnum(w, "total"));
    }
    if (!(tmax > 0))
        return;
    const int W = 900, left = 70, right = 20, row = 16, top = 26;
    const int H = top + shown * row + 60;
    const double sx = (W - left - right) / tmax;
    xpcs_sbuf_printf(o,
                     "<h3>Per-rank phases</h3><div class=\"fig\"><svg "
                     "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                     "font-family=\"sans-serif\" font-size=\"11\">\n",
                     W, H);
    xpcs_sbuf_printf(o,
                     "<text x=\"%d\" y=\"14\" font-weight=\"bold\">wall seconds per phase "
                     "and rank%s</text>\n",
                     left, shown < n_ranks ? " (first ranks only)" : "");
    for (int s = 0; s < shown; s++) {
        const cJSON *rk = cJSON_GetArrayItem(ranks, s);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(rk, "wall_s");
        double x = left, y = top + s * row, acc = 0;
        xpcs_sbuf_printf(o, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">rank %d</text>",
                         left - 4, y + 11, s);
        for (int l = 0; l <= n_leaf; l++) {
            double v = l < n_leaf ? jnum(w, leaf[l]) : jnum(w, "total") - acc;
            if (!(v > 0))
                continue;
            acc += v;
            xpcs_sbuf_printf(o,
                             "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" "
                             "fill=\"%s\"><title>rank %d %s %.4f s</title></rect>",
                             x, y, v * sx, row - 3, l < n_leaf ? palette[l % 10] : "#ccc", s,
                             l < n_leaf ? leaf[l] : "other", v);
            x += v * sx;
        }
        xpcs_sbuf_add(o, "\n");
    }
    double ly = top + shown * row + 14;
    for (int l = 0; l <= n_leaf; l++) {
        double lx = left + (l % 6) * 135;
        double yy = ly + (l / 6) * 16;
        xpcs_sbuf_printf(o,
                         "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"10\" fill=\"%s\"/>"
                         "<text x=\"%.0f\" y=\"%.0f\">%s</text>",
                         lx, yy, l < n_leaf ? palette[l % 10] : "#ccc", lx + 16, yy + 9,
                         l < n_leaf ? leaf[l] : "other (waiting, untimed)");
    }
    xpcs_sbuf_printf(o,
                     "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
                     "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3g s</text></svg></div>\n",
                     left, top - 2, left, top + shown * row, W - right, top - 4, tmax);

    if (n_ranks <= 32) {
        xpcs_sbuf_add(o, "<table><tr><th>rank</th><th>host</th><th>threads</th><th>pixels</th>"
                         "<th>busy s</th><th>efficiency</th><th>read GB</th><th>sent GB</th>"
                         "<th>peak RSS MiB</th></tr>\n");
        for (int r = 0; r < n_ranks; r++) {
            const cJSON *rk = cJSON_GetArrayItem(ranks, r);
            xpcs_sbuf_printf(o, "<tr><td>%d</td><td>", r);
            xpcs_sbuf_add_escaped(o, jstr(rk, "host"));
            xpcs_sbuf_printf(o,
                             "</td><td>%.0f</td><td>%.0f</td><td>%.3f</td><td>%.1f %%</td>"
                             "<td>%.3f</td><td>%.3f</td><td>%.1f</td></tr>\n",
                             jnum(rk, "threads"), jnum(rk, "pixels"), jnum(rk, "busy_s"),
                             100.0 * jnum(rk, "efficiency"), jnum(rk, "bytes_read") / 1e9,
                             jnum(rk, "bytes_sent") / 1e9, jnum(rk, "peak_rss_bytes") / 1048576.0);
        }
        xpcs_sbuf_add(o, "</table>\n");
    }
}

/* ---- page ---------------------------------------------------------------- */

static const char *css =
    "body{font-family:sans-serif;margin:18px;color:#222;background:#fff;max-width:1360px}"
    "h1{font-size:22px;margin:4px 0}h2{font-size:18px;border-bottom:1px solid #ccc;"
    "margin-top:26px}h3{font-size:15px}.note{color:#555;font-size:13px}"
    ".grid{display:flex;flex-wrap:wrap;gap:6px}.row{display:flex;flex-wrap:wrap;gap:18px;"
    "align-items:flex-start}.fig{display:inline-block;vertical-align:top}"
    ".cap{font-size:12px;color:#444;margin-bottom:4px}img.px{image-rendering:pixelated;"
    "border:1px solid #444}table{border-collapse:collapse;font-size:12px;margin:8px 0}"
    "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f2f2f2}"
    "td.l{text-align:left}"
    "table.kv td,table.kv th{text-align:left}.health{display:flex;gap:10px;margin:10px 0}"
    ".badge{border-radius:6px;padding:8px 14px;font-size:13px;min-width:170px;"
    "border:1px solid #999}.ok{background:#d8f0d8}.warning{background:#fbefc4}"
    ".critical{background:#f6c9c9}.unknown{background:#e8e8e8}";

static void header(page *pg, const char *result_path, const cJSON *prof)
{
    xpcs_sbuf *o = pg->o;
    const char *base = strrchr(result_path, '/');
    base = base ? base + 1 : result_path;
    xpcs_sbuf_add(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<title>XPCS report: ");
    xpcs_sbuf_add_escaped(o, base);
    xpcs_sbuf_printf(o, "</title><style>%s</style></head><body>\n<h1>XPCS report: ", css);
    xpcs_sbuf_add_escaped(o, base);
    xpcs_sbuf_add(o, "</h1>\n<table class=\"kv\">");
    char **s = NULL;
    int n = h5_strings(pg->f, "/xpcs/rawdata_path", &s);
    xpcs_sbuf_add(o, "<tr><th>raw data</th><td>");
    xpcs_sbuf_add_escaped(o, n > 0 ? s[0] : "?");
    free_strings(s, n);
    xpcs_sbuf_add(o, "</td></tr><tr><th>result</th><td>");
    xpcs_sbuf_add_escaped(o, result_path);
    xpcs_sbuf_add(o, "</td></tr>");
    n = h5_strings(pg->f, "/entry/start_time", &s);
    if (n > 0) {
        xpcs_sbuf_add(o, "<tr><th>start time</th><td>");
        xpcs_sbuf_add_escaped(o, s[0]);
        xpcs_sbuf_add(o, "</td></tr>");
    }
    free_strings(s, n);
    double ft = 0, nr = 0, nth = 0;
    int nd;
    hsize_t dims[4] = {0, 0, 0, 0};
    double *it = h5_doubles(pg->f, "/xpcs/spatial_mean/intensity_vs_time", &nd, dims);
    if (it && nd == 2)
        xpcs_sbuf_printf(o, "<tr><th>frames</th><td>%llu (after stride / averaging)</td></tr>",
                         (unsigned long long)dims[1]);
    free(it);
    if (h5_scalar(pg->f, "/entry/instrument/detector_1/frame_time", &ft))
        xpcs_sbuf_printf(o, "<tr><th>frame time</th><td>%.6g s</td></tr>", ft);
    if (h5_scalar(pg->f, "/xpcs/multitau/config/n_ranks", &nr) &&
        h5_scalar(pg->f, "/xpcs/multitau/config/n_threads_per_rank", &nth))
        xpcs_sbuf_printf(o, "<tr><th>computed on</th><td>%.0f rank(s) x %.0f thread(s)</td></tr>",
                         nr, nth);
    n = h5_strings(pg->f, "/xpcs/multitau/config/version", &s);
    if (n > 0) {
        xpcs_sbuf_add(o, "<tr><th>program</th><td>");
        xpcs_sbuf_add_escaped(o, s[0]);
        xpcs_sbuf_add(o, "</td></tr>");
    }
    free_strings(s, n);
    if (prof) {
        xpcs_sbuf_add(o, "<tr><th>profile</th><td>");
        xpcs_sbuf_add_escaped(o, jstr(prof, "created"));
        xpcs_sbuf_printf(o, ", overall health: <b>%s</b></td></tr>", jstr(prof, "health"));
    }
    xpcs_sbuf_add(o, "</table>\n");
    if (prof)
        health_badges(o, prof);
}

static cJSON *load_profile(const char *path, xpcs_err *err, xpcs_status *st)
{
    *st = XPCS_OK;
    if (!path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot read the profile: %s", path,
                        strerror(errno));
        return NULL;
    }
    xpcs_sbuf *b = xpcs_sbuf_create();
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        xpcs_sbuf_addn(b, buf, n);
    fclose(f);
    cJSON *j = cJSON_Parse(xpcs_sbuf_text(b));
    xpcs_sbuf_destroy(&b);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        *st = xpcs_fail(err, XPCS_ERR_INPUT, "%s: not a profile JSON object", path);
        return NULL;
    }
    return j;
}

xpcs_status xpcs_report_write(const char *result_path, const char *profile_path,
                              const char *html_path, xpcs_err *err)
{
    xpcs_status st;
    cJSON *prof = load_profile(profile_path, err, &st);
    if (st)
        return st;
    page pg;
    memset(&pg, 0, sizeof pg);
    pg.f = H5Fopen(result_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (pg.f < 0) {
        cJSON_Delete(prof);
        return xpcs_fail(err, XPCS_ERR_INPUT, "%s: cannot open the result file (HDF5)",
                         result_path);
    }
    pg.o = xpcs_sbuf_create();
    load_multitau(&pg);
    load_fits(&pg);
    header(&pg, result_path, prof);
    g2_section(&pg);
    scattering_section(&pg);
    intensity_section(&pg);
    twotime_section(&pg);
    fits_section(&pg);
    profile_section(&pg, prof);
    xpcs_sbuf_add(pg.o, "<p class=\"note\">Written by xpcs-toolkit " XPCS_VERSION
                        " (xpcs-report). Self-contained: no scripts, no external files.</p>\n"
                        "</body></html>\n");
    H5Fclose(pg.f);
    cJSON_Delete(prof);

    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", html_path);
    FILE *f = fopen(tmp, "wb");
    st = XPCS_OK;
    if (!f)
        st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot create the report: %s", tmp,
                       strerror(errno));
    else {
        size_t len = xpcs_sbuf_len(pg.o);
        int bad = fwrite(xpcs_sbuf_text(pg.o), 1, len, f) != len;
        bad |= fclose(f) != 0;
        if (bad)
            st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot write the report (disk full?)", tmp);
        else if (rename(tmp, html_path) != 0)
            st = xpcs_fail(err, XPCS_ERR_OUTPUT, "%s: cannot rename to %s: %s", tmp, html_path,
                           strerror(errno));
        if (st)
            unlink(tmp);
    }
    xpcs_sbuf_destroy(&pg.o);
    free(pg.delay);
    free(pg.g2);
    free(pg.g2e);
    free(pg.q);
    for (int k = 0; k < pg.n_fits; k++)
        free_fit(&pg.fits[k]);
    return st;
}

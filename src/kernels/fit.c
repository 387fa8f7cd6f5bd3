/* fit: g2 model fits with GSL's trust-region nonlinear least squares and the
 * tau(q) power law.  See include/xpcs/fit.h for the models, the bound
 * transforms and the error convention. */
#include "xpcs/kernels/fit.h"

#include <ctype.h>
#include <errno.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- models ------------------------------------------------------------ */

enum { P_BASE = 0, P_BETA = 1, P_TAU = 2 };

static const char *const param_names[XPCS_FIT_N_MODELS][XPCS_FIT_MAX_PARAMS] = {
    {"baseline", "beta", "tau", NULL, NULL},
    {"baseline", "beta", "tau", "gamma", NULL},
    {"baseline", "beta", "tau1", "tau2", "fraction"}};
static const int n_params[XPCS_FIT_N_MODELS] = {3, 4, 5};
static const char *const model_names[XPCS_FIT_N_MODELS] = {"single", "stretched", "double"};
static const char *const model_formulas[XPCS_FIT_N_MODELS] = {
    "baseline + beta*exp(-2*t/tau)", "baseline + beta*exp(-2*(t/tau)^gamma)",
    "baseline + beta*(fraction*exp(-t/tau1) + (1-fraction)*exp(-t/tau2))^2"};
static const char *const status_names[XPCS_FIT_N_STATUS] = {
    "converged", "no_decay_in_range", "too_few_points", "nan_input", "not_converged"};

const char *xpcs_fit_model_name(xpcs_fit_model m)
{
    return (unsigned)m < XPCS_FIT_N_MODELS ? model_names[m] : "invalid";
}

const char *xpcs_fit_model_formula(xpcs_fit_model m)
{
    return (unsigned)m < XPCS_FIT_N_MODELS ? model_formulas[m] : "";
}

int xpcs_fit_n_params(xpcs_fit_model m)
{
    return (unsigned)m < XPCS_FIT_N_MODELS ? n_params[m] : 0;
}

const char *xpcs_fit_param_name(xpcs_fit_model m, int k)
{
    return k >= 0 && k < xpcs_fit_n_params(m) ? param_names[m][k] : NULL;
}

const char *xpcs_fit_param_unit(xpcs_fit_model m, int k)
{
    const char *n = xpcs_fit_param_name(m, k);
    return n && strncmp(n, "tau", 3) == 0 ? "s" : "";
}

int xpcs_fit_tau_index(xpcs_fit_model m)
{
    (void)m;
    return P_TAU; /* tau, or tau1 for double */
}

const char *xpcs_fit_status_name(xpcs_fit_status s)
{
    return (unsigned)s < XPCS_FIT_N_STATUS ? status_names[s] : "invalid";
}

xpcs_status xpcs_fit_model_parse(const char *name, xpcs_fit_model *m, xpcs_err *err)
{
    for (int k = 0; k < XPCS_FIT_N_MODELS; k++)
        if (strcasecmp(name, model_names[k]) == 0) {
            *m = (xpcs_fit_model)k;
            return XPCS_OK;
        }
    return xpcs_fail(err, XPCS_ERR_USAGE, "fit model '%s': expected single, stretched or double",
                     name);
}

/* g2 model at t; d (if non-NULL) receives dg2/dp_k.  Derivatives:
 *   single     dtau = beta e 2 t / tau^2
 *   stretched  s = (t/tau)^gamma: dtau = beta e 2 gamma s / tau,
 *              dgamma = -2 beta e s ln(t/tau)
 *   double     F = f e1 + (1-f) e2: dbeta = F^2, dtau1 = 2 beta F f e1 t / tau1^2,
 *              dtau2 = 2 beta F (1-f) e2 t / tau2^2, df = 2 beta F (e1 - e2) */
static double model(xpcs_fit_model m, const double *p, double t, double *d)
{
    const double base = p[P_BASE], beta = p[P_BETA];
    double v;
    switch (m) {
    case XPCS_FIT_STRETCHED: {
        const double tau = p[P_TAU], g = p[3], x = t / tau;
        const double s = x > 0 ? pow(x, g) : 0.0, e = exp(-2.0 * s);
        v = base + beta * e;
        if (d) {
            d[0] = 1.0;
            d[1] = e;
            d[2] = e > 0 ? beta * e * 2.0 * g * s / tau : 0.0;
            d[3] = e > 0 && x > 0 ? -2.0 * beta * e * s * log(x) : 0.0;
        }
        break;
    }
    case XPCS_FIT_DOUBLE: {
        const double t1 = p[2], t2 = p[3], f = p[4];
        const double e1 = exp(-t / t1), e2 = exp(-t / t2), F = f * e1 + (1.0 - f) * e2;
        v = base + beta * F * F;
        if (d) {
            d[0] = 1.0;
            d[1] = F * F;
            d[2] = e1 > 0 ? 2.0 * beta * F * f * e1 * (t / t1) / t1 : 0.0;
            d[3] = e2 > 0 ? 2.0 * beta * F * (1.0 - f) * e2 * (t / t2) / t2 : 0.0;
            d[4] = 2.0 * beta * F * (e1 - e2);
        }
        break;
    }
    default: {
        const double tau = p[P_TAU], e = exp(-2.0 * t / tau);
        v = base + beta * e;
        if (d) {
            d[0] = 1.0;
            d[1] = e;
            d[2] = e > 0 ? beta * e * (2.0 * t / tau) / tau : 0.0;
        }
        break;
    }
    }
    if (d)
        for (int k = 0; k < xpcs_fit_n_params(m); k++)
            if (!isfinite(d[k]))
                d[k] = 0.0;
    return v;
}

double xpcs_fit_eval(xpcs_fit_model m, const double *p, double t)
{
    return model(m, p, t, NULL);
}

/* The decay alone (baseline 0, beta 1): 1 at t = 0, 0 when fully decayed. */
static double decay(xpcs_fit_model m, const double *p, double t)
{
    double q[XPCS_FIT_MAX_PARAMS];
    memcpy(q, p, sizeof q);
    q[P_BASE] = 0.0;
    q[P_BETA] = 1.0;
    return model(m, q, t, NULL);
}

/* ---- options ------------------------------------------------------------ */

void xpcs_fit_options_default(xpcs_fit_options *o, xpcs_fit_model m)
{
    memset(o, 0, sizeof *o);
    o->model = m;
    o->tmin = 0.0;
    o->tmax = INFINITY;
    for (int k = 0; k < XPCS_FIT_MAX_PARAMS; k++) {
        o->lo[k] = -INFINITY;
        o->hi[k] = INFINITY;
        o->value[k] = NAN;
    }
    for (int k = P_TAU; k < xpcs_fit_n_params(m); k++)
        o->lo[k] = 0.0; /* time constants and gamma are positive */
    if (m == XPCS_FIT_DOUBLE)
        o->hi[4] = 1.0; /* fraction in [0, 1] */
}

static xpcs_status parse_num(const char *s, size_t len, double dflt, double *out, const char *what,
                             xpcs_err *err)
{
    char buf[64];
    if (len >= sizeof buf)
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: number too long", what);
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (len == 0) {
        *out = dflt;
        return XPCS_OK;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || end == buf || *end != '\0' || isnan(v))
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s: expected a number, got '%s'", what, buf);
    *out = v;
    return XPCS_OK;
}

/* "LO:HI" with either side empty (defaults dlo, dhi). */
static xpcs_status parse_pair(const char *text, double dlo, double dhi, double *lo, double *hi,
                              const char *what, xpcs_err *err)
{
    const char *colon = strchr(text, ':');
    if (!colon || strchr(colon + 1, ':'))
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s '%s': expected LO:HI", what, text);
    xpcs_status st = parse_num(text, (size_t)(colon - text), dlo, lo, what, err);
    if (!st)
        st = parse_num(colon + 1, strlen(colon + 1), dhi, hi, what, err);
    if (!st && !(*lo < *hi))
        st = xpcs_fail(err, XPCS_ERR_USAGE, "%s '%s': expected LO < HI", what, text);
    return st;
}

xpcs_status xpcs_fit_range_parse(const char *text, double *tmin, double *tmax, xpcs_err *err)
{
    xpcs_status st = parse_pair(text, 0.0, INFINITY, tmin, tmax, "--fit-range", err);
    if (!st && *tmin < 0)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "--fit-range '%s': expected TMIN >= 0 (seconds)", text);
    return st;
}

static int param_index(xpcs_fit_model m, const char *name, size_t len)
{
    for (int k = 0; k < xpcs_fit_n_params(m); k++)
        if (strlen(param_names[m][k]) == len && strncasecmp(param_names[m][k], name, len) == 0)
            return k;
    return -1;
}

static xpcs_status split_spec(const xpcs_fit_options *o, const char *spec, const char *what,
                              const char *form, int *k, const char **rest, xpcs_err *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq)
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s '%s': expected %s", what, spec, form);
    *k = param_index(o->model, spec, (size_t)(eq - spec));
    if (*k < 0) {
        char names[128] = "";
        for (int j = 0; j < xpcs_fit_n_params(o->model); j++) {
            strcat(names, j ? ", " : "");
            strcat(names, param_names[o->model][j]);
        }
        return xpcs_fail(err, XPCS_ERR_USAGE, "%s '%s': model %s has parameters %s", what, spec,
                         xpcs_fit_model_name(o->model), names);
    }
    *rest = eq + 1;
    return XPCS_OK;
}

xpcs_status xpcs_fit_option_fix(xpcs_fit_options *o, const char *spec, xpcs_err *err)
{
    int k;
    const char *rest;
    xpcs_status st = split_spec(o, spec, "--fix", "NAME=VALUE", &k, &rest, err);
    double v = NAN;
    if (!st)
        st = parse_num(rest, strlen(rest), NAN, &v, "--fix", err);
    if (!st && !isfinite(v))
        st = xpcs_fail(err, XPCS_ERR_USAGE, "--fix '%s': expected a finite value", spec);
    if (!st) {
        o->fixed[k] = 1;
        o->value[k] = v;
    }
    return st;
}

xpcs_status xpcs_fit_option_bounds(xpcs_fit_options *o, const char *spec, xpcs_err *err)
{
    int k;
    const char *rest;
    xpcs_status st = split_spec(o, spec, "--bounds", "NAME=LO:HI", &k, &rest, err);
    if (!st)
        st = parse_pair(rest, -INFINITY, INFINITY, &o->lo[k], &o->hi[k], "--bounds", err);
    return st;
}

xpcs_status xpcs_fit_options_check(const xpcs_fit_options *o, xpcs_err *err)
{
    if ((unsigned)o->model >= XPCS_FIT_N_MODELS)
        return xpcs_fail(err, XPCS_ERR_USAGE, "fit: invalid model %d", (int)o->model);
    if (!(o->tmin < o->tmax) || isnan(o->tmin))
        return xpcs_fail(err, XPCS_ERR_USAGE, "fit range %g:%g s: expected TMIN < TMAX", o->tmin,
                         o->tmax);
    for (int k = 0; k < xpcs_fit_n_params(o->model); k++) {
        const char *n = param_names[o->model][k];
        if (!(o->lo[k] < o->hi[k]))
            return xpcs_fail(err, XPCS_ERR_USAGE, "fit: bounds of %s [%g, %g]: expected LO < HI", n,
                             o->lo[k], o->hi[k]);
        if (o->fixed[k] &&
            !(isfinite(o->value[k]) && o->value[k] >= o->lo[k] && o->value[k] <= o->hi[k]))
            return xpcs_fail(err, XPCS_ERR_USAGE,
                             "fit: fixed %s = %g: expected a finite value within [%g, %g]", n,
                             o->value[k], o->lo[k], o->hi[k]);
    }
    return XPCS_OK;
}

/* ---- bound transforms (p <-> u, see fit.h) ------------------------------ */

static double clamp_u(double u)
{
    return u > 700.0 ? 700.0 : (u < -700.0 ? -700.0 : u);
}

static double u_to_p(double u, double lo, double hi, double *dpdu)
{
    u = clamp_u(u);
    if (isfinite(lo) && isfinite(hi)) {
        const double s = 1.0 / (1.0 + exp(-u)); /* logistic */
        *dpdu = (hi - lo) * s * (1.0 - s);
        return lo + (hi - lo) * s;
    }
    if (isfinite(lo)) {
        const double e = exp(u);
        *dpdu = e;
        return lo + e;
    }
    if (isfinite(hi)) {
        const double e = exp(u);
        *dpdu = -e;
        return hi - e;
    }
    *dpdu = 1.0;
    return u;
}

/* p must lie strictly inside (lo, hi). */
static double p_to_u(double p, double lo, double hi)
{
    if (isfinite(lo) && isfinite(hi))
        return clamp_u(log((p - lo) / (hi - p)));
    if (isfinite(lo))
        return clamp_u(log(p - lo));
    if (isfinite(hi))
        return clamp_u(log(hi - p));
    return p;
}

/* Moves a start value strictly inside its bounds; scale is the parameter's
 * natural size (used when a bound is 0). */
static double inside(double p, double lo, double hi, double scale)
{
    if (!isfinite(p))
        p = isfinite(lo) && isfinite(hi) ? 0.5 * (lo + hi)
                                         : (isfinite(lo) ? lo + scale : hi - scale);
    if (isfinite(lo) && isfinite(hi)) {
        const double m = 1e-3 * (hi - lo);
        return p < lo + m ? lo + m : (p > hi - m ? hi - m : p);
    }
    const double m = 1e-3 * fmax(scale, isfinite(lo) ? fabs(lo) : fabs(hi));
    if (isfinite(lo) && p < lo + m)
        return lo + m;
    if (isfinite(hi) && p > hi - m)
        return hi - m;
    return p;
}

/* ---- one curve ---------------------------------------------------------- */

typedef struct {
    xpcs_fit_model model;
    int n;                   /* points used */
    const double *t, *y, *w; /* w = 1 / err */
    int n_free;
    int idx[XPCS_FIT_MAX_PARAMS];  /* free slot j -> parameter idx[j] */
    double p[XPCS_FIT_MAX_PARAMS]; /* fixed values; free ones overwritten */
    double lo[XPCS_FIT_MAX_PARAMS], hi[XPCS_FIT_MAX_PARAMS];
} fit_ctx;

static void unpack(fit_ctx *c, const gsl_vector *u, double *p, double *dpdu)
{
    double dd;
    memcpy(p, c->p, sizeof c->p);
    for (int j = 0; j < c->n_free; j++) {
        const int k = c->idx[j];
        p[k] = u_to_p(gsl_vector_get(u, (size_t)j), c->lo[k], c->hi[k], dpdu ? &dpdu[j] : &dd);
    }
}

/* r_i = (model(t_i) - g2_i) / err_i */
static int cb_f(const gsl_vector *u, void *params, gsl_vector *f)
{
    fit_ctx *c = params;
    double p[XPCS_FIT_MAX_PARAMS];
    unpack(c, u, p, NULL);
    for (int i = 0; i < c->n; i++) {
        double r = (model(c->model, p, c->t[i], NULL) - c->y[i]) * c->w[i];
        gsl_vector_set(f, (size_t)i, isfinite(r) ? r : 1e150);
    }
    return GSL_SUCCESS;
}

/* J_ij = dr_i/du_j = dmodel/dp_k * dp_k/du_j / err_i */
static int cb_df(const gsl_vector *u, void *params, gsl_matrix *J)
{
    fit_ctx *c = params;
    double p[XPCS_FIT_MAX_PARAMS], dpdu[XPCS_FIT_MAX_PARAMS], d[XPCS_FIT_MAX_PARAMS];
    unpack(c, u, p, dpdu);
    for (int i = 0; i < c->n; i++) {
        model(c->model, p, c->t[i], d);
        for (int j = 0; j < c->n_free; j++)
            gsl_matrix_set(J, (size_t)i, (size_t)j, d[c->idx[j]] * dpdu[j] * c->w[i]);
    }
    return GSL_SUCCESS;
}

static double chi2_of(const fit_ctx *c, const double *p)
{
    double s = 0.0;
    for (int i = 0; i < c->n; i++) {
        const double r = (model(c->model, p, c->t[i], NULL) - c->y[i]) * c->w[i];
        s += r * r;
    }
    return s;
}

static int is_free(const fit_ctx *c, int k)
{
    for (int j = 0; j < c->n_free; j++)
        if (c->idx[j] == k)
            return 1;
    return 0;
}

/* Starting values: for each grid setting of the nonlinear parameters, the
 * weighted linear least squares for baseline and beta (the free ones),
 * clamped into their bounds; keeps the lowest chi2.  E_i is the model with
 * baseline 0 and beta 1. */
static double linear_step(const fit_ctx *c, double *p, const double *E)
{
    double S = 0, Se = 0, See = 0, Sy = 0, Sey = 0;
    for (int i = 0; i < c->n; i++) {
        const double w2 = c->w[i] * c->w[i];
        S += w2;
        Se += w2 * E[i];
        See += w2 * E[i] * E[i];
        Sy += w2 * c->y[i];
        Sey += w2 * E[i] * c->y[i];
    }
    const int fb = is_free(c, P_BASE), fbeta = is_free(c, P_BETA);
    if (fb && fbeta) {
        const double det = S * See - Se * Se;
        if (det > 1e-12 * S * See) {
            p[P_BASE] = (See * Sy - Se * Sey) / det;
            p[P_BETA] = (S * Sey - Se * Sy) / det;
        }
        else {
            p[P_BETA] = 0.0;
            p[P_BASE] = Sy / S;
        }
    }
    else if (fbeta)
        p[P_BETA] = See > 0 ? (Sey - p[P_BASE] * Se) / See : 0.0;
    else if (fb)
        p[P_BASE] = (Sy - p[P_BETA] * Se) / S;
    for (int k = P_BASE; k <= P_BETA; k++)
        p[k] = fmin(fmax(p[k], c->lo[k]), c->hi[k]);
    double chi2 = 0;
    for (int i = 0; i < c->n; i++) {
        const double r = (p[P_BASE] + p[P_BETA] * E[i] - c->y[i]) * c->w[i];
        chi2 += r * r;
    }
    return chi2;
}

#define GRID_N 48
#define GRID2_N 20

static void start_values(const fit_ctx *c, double t_lo, double t_hi, double *best)
{
    const double tscale = sqrt(t_lo * t_hi);
    double p[XPCS_FIT_MAX_PARAMS], q[XPCS_FIT_MAX_PARAMS];
    memcpy(p, c->p, sizeof p);
    /* baseline and beta: replaced by the linear solve when free */
    if (is_free(c, P_BASE))
        p[P_BASE] = 1.0;
    if (is_free(c, P_BETA))
        p[P_BETA] = 0.1;
    double *E = xpcs_malloc(sizeof(double) * (size_t)c->n);
    double chi_best = INFINITY;
    const int ng = c->model == XPCS_FIT_DOUBLE ? GRID2_N : GRID_N;
    double grid[GRID_N];
    for (int g = 0; g < ng; g++) /* t_lo / 10 .. t_hi * 10, log spaced */
        grid[g] = t_lo * 0.1 * pow(100.0 * t_hi / t_lo, (double)g / (ng - 1));
    static const double gammas[] = {0.5, 0.75, 1.0, 1.5};
    static const double fracs[] = {0.2, 0.5, 0.8};
    const int n1 = is_free(c, P_TAU) ? ng : 1;
    const int n2 = c->model == XPCS_FIT_DOUBLE
                       ? (is_free(c, 3) ? ng : 1)
                       : (c->model == XPCS_FIT_STRETCHED && is_free(c, 3) ? 4 : 1);
    const int n3 = c->model == XPCS_FIT_DOUBLE && is_free(c, 4) ? 3 : 1;
    memcpy(best, p, sizeof p);
    for (int a = 0; a < n1; a++)
        for (int b = 0; b < n2; b++)
            for (int f = 0; f < n3; f++) {
                memcpy(q, p, sizeof q);
                if (is_free(c, P_TAU))
                    q[P_TAU] = inside(grid[a], c->lo[P_TAU], c->hi[P_TAU], tscale);
                if (c->model == XPCS_FIT_DOUBLE) {
                    if (is_free(c, 3)) {
                        if (is_free(c, P_TAU) && b <= a)
                            continue; /* tau1 < tau2 */
                        q[3] = inside(grid[b], c->lo[3], c->hi[3], tscale);
                    }
                    if (is_free(c, 4))
                        q[4] = inside(fracs[f], c->lo[4], c->hi[4], 0.5);
                }
                else if (c->model == XPCS_FIT_STRETCHED && is_free(c, 3))
                    q[3] = inside(gammas[b], c->lo[3], c->hi[3], 1.0);
                for (int i = 0; i < c->n; i++)
                    E[i] = decay(c->model, q, c->t[i]);
                const double chi2 = linear_step(c, q, E);
                if (chi2 < chi_best) {
                    chi_best = chi2;
                    memcpy(best, q, sizeof q);
                }
            }
    free(E);
    static const double scale[XPCS_FIT_MAX_PARAMS] = {1.0, 0.1, 0.0, 1.0, 0.5};
    for (int j = 0; j < c->n_free; j++) {
        const int k = c->idx[j];
        const double s = strncmp(param_names[c->model][k], "tau", 3) == 0 ? tscale : scale[k];
        best[k] = inside(best[k], c->lo[k], c->hi[k], s);
    }
}

/* Covariance of the free parameters in p-space, (J^T J)^-1 with the weighted
 * Jacobian J_ik = dmodel_i/dp_k / err_i; columns are equilibrated first so
 * the rank test does not depend on the parameters' units.  var[j] = NaN for
 * an undetermined parameter. */
static void covariance(const fit_ctx *c, const double *p, double *var)
{
    const size_t n = (size_t)c->n, m = (size_t)c->n_free;
    gsl_matrix *J = gsl_matrix_alloc(n, m), *cov = gsl_matrix_alloc(m, m);
    double d[XPCS_FIT_MAX_PARAMS], norm[XPCS_FIT_MAX_PARAMS] = {0};
    if (!J || !cov) {
        for (size_t j = 0; j < m; j++)
            var[j] = NAN;
        gsl_matrix_free(J);
        gsl_matrix_free(cov);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        model(c->model, p, c->t[i], d);
        for (size_t j = 0; j < m; j++) {
            const double v = d[c->idx[j]] * c->w[i];
            gsl_matrix_set(J, i, j, v);
            norm[j] += v * v;
        }
    }
    for (size_t j = 0; j < m; j++) {
        norm[j] = sqrt(norm[j]);
        if (norm[j] > 0) {
            gsl_vector_view col = gsl_matrix_column(J, j);
            gsl_vector_scale(&col.vector, 1.0 / norm[j]);
        }
    }
    int rc = gsl_multifit_nlinear_covar(J, 1e-10, cov);
    for (size_t j = 0; j < m; j++) {
        const double v = gsl_matrix_get(cov, j, j);
        var[j] = rc == GSL_SUCCESS && norm[j] > 0 && v > 0 && isfinite(v) ? v / (norm[j] * norm[j])
                                                                          : NAN;
    }
    gsl_matrix_free(J);
    gsl_matrix_free(cov);
}

static void set_nan(xpcs_fit_result *r)
{
    for (int k = 0; k < XPCS_FIT_MAX_PARAMS; k++)
        r->p[k] = r->err[k] = NAN;
    r->chi2_red = NAN;
}

xpcs_status xpcs_fit_curve(const xpcs_fit_options *o, int n, const double *t, const double *g2,
                           const double *g2_err, xpcs_fit_result *r, xpcs_err *err)
{
    memset(r, 0, sizeof *r);
    set_nan(r);
    xpcs_status st = xpcs_fit_options_check(o, err);
    if (st)
        return st;
    gsl_set_error_handler_off();
    const int np = xpcs_fit_n_params(o->model);
    fit_ctx c;
    memset(&c, 0, sizeof c);
    c.model = o->model;
    for (int k = 0; k < np; k++) {
        c.lo[k] = o->lo[k];
        c.hi[k] = o->hi[k];
        c.p[k] = o->fixed[k] ? o->value[k] : NAN;
        if (!o->fixed[k])
            c.idx[c.n_free++] = k;
    }
    /* the points in range; a non-finite value there is an input error */
    double *buf = xpcs_malloc(sizeof(double) * 3 * (size_t)(n > 0 ? n : 1));
    double *tt = buf, *yy = buf + n, *ww = buf + 2 * n;
    int m = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(t[i])) {
            bad = 1;
            continue;
        }
        if (t[i] < o->tmin || t[i] > o->tmax)
            continue;
        if (!isfinite(g2[i]) || !isfinite(g2_err[i])) {
            bad = 1;
            continue;
        }
        if (g2_err[i] <= 0)
            continue; /* no weight: fewer than 2 pixels */
        tt[m] = t[i];
        yy[m] = g2[i];
        ww[m] = 1.0 / g2_err[i];
        m++;
    }
    r->n_points = m;
    if (bad) {
        r->status = XPCS_FIT_NAN_INPUT;
        free(buf);
        return XPCS_OK;
    }
    if (m < c.n_free + 1 || m < 1) {
        r->status = XPCS_FIT_TOO_FEW_POINTS;
        free(buf);
        return XPCS_OK;
    }
    c.n = m;
    c.t = tt;
    c.y = yy;
    c.w = ww;
    double t_lo = INFINITY, t_hi = 0;
    for (int i = 0; i < m; i++) {
        if (tt[i] > 0)
            t_lo = fmin(t_lo, tt[i]);
        t_hi = fmax(t_hi, tt[i]);
    }
    if (!isfinite(t_lo) || !(t_hi > 0)) { /* no positive delay: nothing to fit a decay to */
        r->status = XPCS_FIT_TOO_FEW_POINTS;
        free(buf);
        return XPCS_OK;
    }
    if (t_hi <= t_lo)
        t_hi = 2.0 * t_lo;

    double p[XPCS_FIT_MAX_PARAMS];
    start_values(&c, t_lo, t_hi, p);
    int solver_ok = 1;
    if (c.n_free > 0) {
        gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
        fp.trs = gsl_multifit_nlinear_trs_lm;
        gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(
            gsl_multifit_nlinear_trust, &fp, (size_t)m, (size_t)c.n_free);
        gsl_vector *u0 = gsl_vector_alloc((size_t)c.n_free);
        if (!w || !u0) {
            gsl_multifit_nlinear_free(w);
            gsl_vector_free(u0);
            free(buf);
            return xpcs_fail(err, XPCS_ERR_MEMORY, "fit: GSL cannot allocate for %d points", m);
        }
        for (int j = 0; j < c.n_free; j++) {
            const int k = c.idx[j];
            gsl_vector_set(u0, (size_t)j, p_to_u(p[k], c.lo[k], c.hi[k]));
        }
        gsl_multifit_nlinear_fdf fdf;
        memset(&fdf, 0, sizeof fdf);
        fdf.f = cb_f;
        fdf.df = cb_df;
        fdf.fvv = NULL;
        fdf.n = (size_t)m;
        fdf.p = (size_t)c.n_free;
        fdf.params = &c;
        int info = 0, gst = gsl_multifit_nlinear_init(u0, &fdf, w);
        if (gst == GSL_SUCCESS)
            gst = gsl_multifit_nlinear_driver(500, 1e-10, 1e-10, 0.0, NULL, NULL, &info, w);
        /* "no further progress" at the minimum counts as converged when the
         * scaled gradient is small */
        if (gst == GSL_ENOPROG &&
            gsl_multifit_nlinear_test(1e-6, 1e-6, 0.0, &info, w) == GSL_SUCCESS && info != 0)
            gst = GSL_SUCCESS;
        solver_ok = gst == GSL_SUCCESS;
        r->n_iter = (int)gsl_multifit_nlinear_niter(w);
        unpack(&c, w->x, p, NULL);
        gsl_multifit_nlinear_free(w);
        gsl_vector_free(u0);
    }
    /* double: order the components so that tau1 <= tau2 (when the swap
     * keeps fixed values and bounds) */
    if (c.model == XPCS_FIT_DOUBLE && p[2] > p[3] && !o->fixed[2] && !o->fixed[3] && !o->fixed[4] &&
        o->lo[2] == o->lo[3] && o->hi[2] == o->hi[3] && o->lo[4] == 1.0 - o->hi[4]) {
        const double s = p[2];
        p[2] = p[3];
        p[3] = s;
        p[4] = 1.0 - p[4];
    }
    const int dof = m - c.n_free;
    const double chi2 = chi2_of(&c, p);
    r->chi2_red = dof > 0 ? chi2 / dof : NAN;
    double var[XPCS_FIT_MAX_PARAMS] = {0};
    int undetermined = 0;
    if (c.n_free > 0)
        covariance(&c, p, var);
    for (int k = 0; k < np; k++) {
        r->p[k] = p[k];
        r->err[k] = 0.0;
    }
    for (int j = 0; j < c.n_free; j++) {
        const double e = sqrt(var[j] * (dof > 0 ? r->chi2_red : 1.0));
        r->err[c.idx[j]] = e;
        undetermined |= !isfinite(e);
    }
    int finite = isfinite(chi2);
    for (int k = 0; k < np; k++)
        finite &= isfinite(p[k]);

    /* no decay: beta not significantly positive (beta <= 3 err: with tau free
     * a fit to pure noise finds 2-sigma bumps too often), the decay changes
     * by less than 5 % of its amplitude between the first and last points,
     * or (single, stretched) the data do not resolve tau (err > tau).
     * Undetermined: a free time constant, gamma or fraction with err > |p|,
     * or any NaN error (singular covariance). */
    int no_decay = 0;
    if (finite) {
        const double beta = p[P_BETA], sb = r->err[P_BETA];
        if (beta <= 0 || (!o->fixed[P_BETA] && !(beta > 3.0 * sb)))
            no_decay = 1;
        if (fabs(decay(c.model, p, t_lo) - decay(c.model, p, t_hi)) < 0.05)
            no_decay = 1;
        if (c.model != XPCS_FIT_DOUBLE && !o->fixed[P_TAU] && !(r->err[P_TAU] <= p[P_TAU]))
            no_decay = 1;
        for (int j = 0; j < c.n_free; j++)
            if (c.idx[j] >= P_TAU && !(r->err[c.idx[j]] <= fabs(p[c.idx[j]])))
                undetermined = 1;
    }
    if (no_decay)
        r->status = XPCS_FIT_NO_DECAY;
    else if (!finite || !solver_ok || undetermined)
        r->status = XPCS_FIT_NOT_CONVERGED;
    else
        r->status = XPCS_FIT_CONVERGED;
    free(buf);
    return XPCS_OK;
}

xpcs_status xpcs_fit_bins(const xpcs_fit_options *o, int n_t, const double *t, int n_bins,
                          const double *g2, const double *g2_err, xpcs_fit_result *r, xpcs_err *err)
{
    double *col = xpcs_malloc(sizeof(double) * 2 * (size_t)(n_t > 0 ? n_t : 1));
    double *ce = col + n_t;
    xpcs_status st = XPCS_OK;
    for (int b = 0; b < n_bins && !st; b++) {
        for (int i = 0; i < n_t; i++) {
            col[i] = g2[(size_t)i * (size_t)n_bins + (size_t)b];
            ce[i] = g2_err[(size_t)i * (size_t)n_bins + (size_t)b];
        }
        st = xpcs_fit_curve(o, n_t, t, col, ce, &r[b], err);
    }
    free(col);
    return st;
}

/* ---- tau(q) ------------------------------------------------------------- */

static int tq_usable(int k, const double *q, const double *tau, const double *tau_err,
                     const unsigned char *use)
{
    return (!use || use[k]) && q[k] > 0 && tau[k] > 0 && tau_err[k] > 0 && isfinite(q[k]) &&
           isfinite(tau[k]) && isfinite(tau_err[k]);
}

void xpcs_fit_tau_q(int n, const double *q, const double *tau, const double *tau_err,
                    const unsigned char *use, xpcs_tauq_result *r)
{
    memset(r, 0, sizeof *r);
    r->exponent = r->exponent_err = r->prefactor = r->prefactor_err = r->chi2_red = NAN;
    r->prefactor_m2 = r->prefactor_m2_err = r->chi2_red_m2 = NAN;
    r->diffusion = r->diffusion_err = NAN;
    r->status = XPCS_FIT_TOO_FEW_POINTS;
    /* x = ln q, y = ln tau, w = 1 / sigma_y^2 with sigma_y = tau_err / tau */
    double S = 0, Sx = 0, Sy = 0;
    int m = 0;
    for (int k = 0; k < n; k++) {
        if (!tq_usable(k, q, tau, tau_err, use))
            continue;
        const double sy = tau_err[k] / tau[k], w = 1.0 / (sy * sy);
        S += w;
        Sx += w * log(q[k]);
        Sy += w * log(tau[k]);
        m++;
    }
    r->n_used = m;
    if (m < 1)
        return;
    /* centred sums (weighted means xm, ym) for accuracy */
    const double xm = Sx / S, ym = Sy / S;
    double Sxx = 0, Sxy = 0, Sm2 = 0;
    for (int k = 0; k < n; k++) {
        if (!tq_usable(k, q, tau, tau_err, use))
            continue;
        const double sy = tau_err[k] / tau[k], w = 1.0 / (sy * sy);
        const double dx = log(q[k]) - xm, dy = log(tau[k]) - ym;
        Sxx += w * dx * dx;
        Sxy += w * dx * dy;
        Sm2 += w * (log(tau[k]) + 2.0 * log(q[k])); /* ln A2 terms */
    }
    /* exponent fixed at -2: ln A2 = weighted mean of ln tau + 2 ln q */
    const double lnA2 = Sm2 / S;
    double chi_m2 = 0;
    for (int k = 0; k < n; k++) {
        if (!tq_usable(k, q, tau, tau_err, use))
            continue;
        const double sy = tau_err[k] / tau[k];
        const double res = (log(tau[k]) + 2.0 * log(q[k]) - lnA2) / sy;
        chi_m2 += res * res;
    }
    double var_lnA2 = 1.0 / S;
    if (m >= 2) {
        r->chi2_red_m2 = chi_m2 / (m - 1);
        var_lnA2 *= r->chi2_red_m2;
    }
    r->prefactor_m2 = exp(lnA2);
    r->prefactor_m2_err = r->prefactor_m2 * sqrt(var_lnA2);
    r->diffusion = 1.0 / r->prefactor_m2; /* D = 1 / A2, Angstrom^2 / s */
    r->diffusion_err = r->diffusion * sqrt(var_lnA2);
    if (m < 2 || !(Sxx > 0))
        return;
    /* free fit: y = c + X x, X = Sxy / Sxx (centred), c = ym - X xm */
    const double X = Sxy / Sxx, cc = ym - X * xm;
    double chi = 0;
    for (int k = 0; k < n; k++) {
        if (!tq_usable(k, q, tau, tau_err, use))
            continue;
        const double sy = tau_err[k] / tau[k];
        const double res = (log(tau[k]) - cc - X * log(q[k])) / sy;
        chi += res * res;
    }
    double var_X = 1.0 / Sxx, var_c = 1.0 / S + xm * xm / Sxx;
    if (m > 2) {
        r->chi2_red = chi / (m - 2);
        var_X *= r->chi2_red;
        var_c *= r->chi2_red;
        r->status = XPCS_FIT_CONVERGED;
    }
    r->exponent = X;
    r->exponent_err = sqrt(var_X);
    r->prefactor = exp(cc);
    r->prefactor_err = r->prefactor * sqrt(var_c);
    r->exponent_is_m2 = fabs(X + 2.0) <= 2.0 * r->exponent_err;
}

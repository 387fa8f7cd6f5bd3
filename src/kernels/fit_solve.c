/* fit_solve: one g2 curve fitted with GSL's trust-region nonlinear least
 * squares -- bound transforms, starting values, the solver, the covariance
 * and the verdict.  See include/xpcs/kernels/fit_solve.h for the bound
 * transforms and the error convention. */
#include "xpcs/kernels/fit_solve.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { P_BASE = XPCS_FIT_P_BASE, P_BETA = XPCS_FIT_P_BETA, P_TAU = XPCS_FIT_P_TAU };

/* ---- bound transforms (p <-> u, see fit_solve.h) ------------------------ */

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
    double t_lo, t_hi; /* s, shortest positive and longest delay used */
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
        double r = (xpcs_fit_eval_jac(c->model, p, c->t[i], NULL) - c->y[i]) * c->w[i];
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
        xpcs_fit_eval_jac(c->model, p, c->t[i], d);
        for (int j = 0; j < c->n_free; j++)
            gsl_matrix_set(J, (size_t)i, (size_t)j, d[c->idx[j]] * dpdu[j] * c->w[i]);
    }
    return GSL_SUCCESS;
}

static double chi2_of(const fit_ctx *c, const double *p)
{
    double s = 0.0;
    for (int i = 0; i < c->n; i++) {
        const double r = (xpcs_fit_eval_jac(c->model, p, c->t[i], NULL) - c->y[i]) * c->w[i];
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
    const int dbl = XPCS_FIT_IS_DOUBLE(c->model);
    const int ng = dbl ? GRID2_N : GRID_N;
    double grid[GRID_N];
    for (int g = 0; g < ng; g++) /* t_lo / 10 .. t_hi * 10, log spaced */
        grid[g] = t_lo * 0.1 * pow(100.0 * t_hi / t_lo, (double)g / (ng - 1));
    static const double gammas[] = {0.5, 0.75, 1.0, 1.5};
    static const double fracs[] = {0.2, 0.5, 0.8};
    const int n1 = is_free(c, P_TAU) ? ng : 1;
    const int n2 =
        dbl ? (is_free(c, 3) ? ng : 1) : (c->model == XPCS_FIT_STRETCHED && is_free(c, 3) ? 4 : 1);
    const int n3 = dbl && is_free(c, 4) ? 3 : 1;
    for (int k = 5; k < xpcs_fit_n_params(c->model); k++) /* gamma1, gamma2: from 1 */
        if (is_free(c, k))
            p[k] = inside(1.0, c->lo[k], c->hi[k], 1.0);
    memcpy(best, p, sizeof p);
    for (int a = 0; a < n1; a++)
        for (int b = 0; b < n2; b++)
            for (int f = 0; f < n3; f++) {
                memcpy(q, p, sizeof q);
                if (is_free(c, P_TAU))
                    q[P_TAU] = inside(grid[a], c->lo[P_TAU], c->hi[P_TAU], tscale);
                if (dbl) {
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
                    E[i] = xpcs_fit_decay(c->model, q, c->t[i]);
                const double chi2 = linear_step(c, q, E);
                if (chi2 < chi_best) {
                    chi_best = chi2;
                    memcpy(best, q, sizeof q);
                }
            }
    free(E);
    static const double scale[XPCS_FIT_MAX_PARAMS] = {1.0, 0.1, 0.0, 1.0, 0.5, 1.0, 1.0};
    for (int j = 0; j < c->n_free; j++) {
        const int k = c->idx[j];
        const double s =
            strncmp(xpcs_fit_param_name(c->model, k), "tau", 3) == 0 ? tscale : scale[k];
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
        xpcs_fit_eval_jac(c->model, p, c->t[i], d);
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

/* The solver's view of the options: the bounds, the fixed values (NaN for
 * the free ones) and the free slots in parameter order. */
static void ctx_init(fit_ctx *c, const xpcs_fit_options *o)
{
    memset(c, 0, sizeof *c);
    c->model = o->model;
    for (int k = 0; k < xpcs_fit_n_params(o->model); k++) {
        c->lo[k] = o->lo[k];
        c->hi[k] = o->hi[k];
        c->p[k] = o->fixed[k] ? o->value[k] : NAN;
        if (!o->fixed[k])
            c->idx[c->n_free++] = k;
    }
}

/* Packs the points with tmin <= t <= tmax and a positive error into tt, yy
 * and ww = 1 / err; returns their number.  *bad = 1 for a non-finite t
 * anywhere or a non-finite g2 or error in range (an input error). */
static int select_points(const xpcs_fit_options *o, int n, const double *t, const double *g2,
                         const double *g2_err, double *tt, double *yy, double *ww, int *bad)
{
    int m = 0;
    *bad = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(t[i])) {
            *bad = 1;
            continue;
        }
        if (t[i] < o->tmin || t[i] > o->tmax)
            continue;
        if (!isfinite(g2[i]) || !isfinite(g2_err[i])) {
            *bad = 1;
            continue;
        }
        if (g2_err[i] <= 0)
            continue; /* no weight: fewer than 2 pixels */
        tt[m] = t[i];
        yy[m] = g2[i];
        ww[m] = 1.0 / g2_err[i];
        m++;
    }
    return m;
}

/* c->t_lo, c->t_hi: the shortest positive and the longest delay used (s);
 * the start grid spans them and the no-decay test compares the decay at
 * both.  0 when no delay is positive (nothing to fit a decay to). */
static int delay_span(fit_ctx *c)
{
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < c->n; i++) {
        if (c->t[i] > 0)
            lo = fmin(lo, c->t[i]);
        hi = fmax(hi, c->t[i]);
    }
    if (!isfinite(lo) || !(hi > 0))
        return 0;
    if (hi <= lo)
        hi = 2.0 * lo;
    c->t_lo = lo;
    c->t_hi = hi;
    return 1;
}

/* GSL's trust region (Levenberg-Marquardt subproblem) from p in u-space;
 * p receives the solution.  *solver_ok = 0 when it stopped early. */
static xpcs_status solve(fit_ctx *c, double *p, int *n_iter, int *solver_ok, xpcs_err *err)
{
    gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
    fp.trs = gsl_multifit_nlinear_trs_lm;
    gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp,
                                                                   (size_t)c->n, (size_t)c->n_free);
    gsl_vector *u0 = gsl_vector_alloc((size_t)c->n_free);
    if (!w || !u0) {
        gsl_multifit_nlinear_free(w);
        gsl_vector_free(u0);
        return xpcs_fail(err, XPCS_ERR_MEMORY, "fit: GSL cannot allocate for %d points", c->n);
    }
    for (int j = 0; j < c->n_free; j++) {
        const int k = c->idx[j];
        gsl_vector_set(u0, (size_t)j, p_to_u(p[k], c->lo[k], c->hi[k]));
    }
    gsl_multifit_nlinear_fdf fdf;
    memset(&fdf, 0, sizeof fdf);
    fdf.f = cb_f;
    fdf.df = cb_df;
    fdf.fvv = NULL;
    fdf.n = (size_t)c->n;
    fdf.p = (size_t)c->n_free;
    fdf.params = c;
    int info = 0, gst = gsl_multifit_nlinear_init(u0, &fdf, w);
    if (gst == GSL_SUCCESS)
        gst = gsl_multifit_nlinear_driver(500, 1e-10, 1e-10, 0.0, NULL, NULL, &info, w);
    /* "no further progress" at the minimum counts as converged when the
     * scaled gradient is small */
    if (gst == GSL_ENOPROG && gsl_multifit_nlinear_test(1e-6, 1e-6, 0.0, &info, w) == GSL_SUCCESS &&
        info != 0)
        gst = GSL_SUCCESS;
    *solver_ok = gst == GSL_SUCCESS;
    *n_iter = (int)gsl_multifit_nlinear_niter(w);
    unpack(c, w->x, p, NULL);
    gsl_multifit_nlinear_free(w);
    gsl_vector_free(u0);
    return XPCS_OK;
}

/* double: order the components so that tau1 <= tau2 (when the swap keeps
 * fixed values and bounds): (tau1, tau2, f) -> (tau2, tau1, 1 - f), and
 * (gamma1, gamma2) -> (gamma2, gamma1) for double_stretched. */
static void order_double(const xpcs_fit_options *o, double *p)
{
    const int st = o->model == XPCS_FIT_DOUBLE_STRETCHED;
    if (XPCS_FIT_IS_DOUBLE(o->model) && p[2] > p[3] && !o->fixed[2] && !o->fixed[3] &&
        !o->fixed[4] && o->lo[2] == o->lo[3] && o->hi[2] == o->hi[3] &&
        o->lo[4] == 1.0 - o->hi[4] &&
        (!st || (!o->fixed[5] && !o->fixed[6] && o->lo[5] == o->lo[6] && o->hi[5] == o->hi[6]))) {
        const double s = p[2];
        p[2] = p[3];
        p[3] = s;
        p[4] = 1.0 - p[4];
        if (st) {
            const double g = p[5];
            p[5] = p[6];
            p[6] = g;
        }
    }
}

/* r->p, r->chi2_red = chi2 / (n - n_free) and r->err (0 for fixed ones,
 * sqrt(var chi2_red) for free ones); returns chi2.  *undetermined = 1 when
 * an error is not finite. */
static double fill_errors(const fit_ctx *c, const double *p, xpcs_fit_result *r, int *undetermined)
{
    const int dof = c->n - c->n_free;
    const double chi2 = chi2_of(c, p);
    r->chi2_red = dof > 0 ? chi2 / dof : NAN;
    double var[XPCS_FIT_MAX_PARAMS] = {0};
    *undetermined = 0;
    if (c->n_free > 0)
        covariance(c, p, var);
    for (int k = 0; k < xpcs_fit_n_params(c->model); k++) {
        r->p[k] = p[k];
        r->err[k] = 0.0;
    }
    for (int j = 0; j < c->n_free; j++) {
        const double e = sqrt(var[j] * (dof > 0 ? r->chi2_red : 1.0));
        r->err[c->idx[j]] = e;
        *undetermined |= !isfinite(e);
    }
    return chi2;
}

/* The verdict on a finished fit.  No decay: beta not significantly positive
 * (beta <= 3 err: with tau free a fit to pure noise finds 2-sigma bumps too
 * often), the decay changes by less than 5 % of its amplitude between the
 * first and last points, or (single, stretched) the data do not resolve tau
 * (err > tau).  Undetermined: a free time constant, gamma or fraction with
 * err > |p|, or any NaN error (singular covariance). */
static xpcs_fit_status verdict(const fit_ctx *c, const xpcs_fit_options *o, const double *p,
                               double chi2, const xpcs_fit_result *r, int undetermined,
                               int solver_ok)
{
    int finite = isfinite(chi2);
    for (int k = 0; k < xpcs_fit_n_params(c->model); k++)
        finite &= isfinite(p[k]);
    int no_decay = 0;
    if (finite) {
        const double beta = p[P_BETA], sb = r->err[P_BETA];
        if (beta <= 0 || (!o->fixed[P_BETA] && !(beta > 3.0 * sb)))
            no_decay = 1;
        if (fabs(xpcs_fit_decay(c->model, p, c->t_lo) - xpcs_fit_decay(c->model, p, c->t_hi)) <
            0.05)
            no_decay = 1;
        if (!XPCS_FIT_IS_DOUBLE(c->model) && !o->fixed[P_TAU] && !(r->err[P_TAU] <= p[P_TAU]))
            no_decay = 1;
        for (int j = 0; j < c->n_free; j++)
            if (c->idx[j] >= P_TAU && !(r->err[c->idx[j]] <= fabs(p[c->idx[j]])))
                undetermined = 1;
    }
    if (no_decay)
        return XPCS_FIT_NO_DECAY;
    if (!finite || !solver_ok || undetermined)
        return XPCS_FIT_NOT_CONVERGED;
    return XPCS_FIT_CONVERGED;
}

/* The fit proper on the selected points: start values, solver, component
 * order, errors, verdict. */
static xpcs_status fit_points(fit_ctx *c, const xpcs_fit_options *o, xpcs_fit_result *r,
                              xpcs_err *err)
{
    double p[XPCS_FIT_MAX_PARAMS];
    start_values(c, c->t_lo, c->t_hi, p);
    int solver_ok = 1;
    if (c->n_free > 0) {
        xpcs_status st = solve(c, p, &r->n_iter, &solver_ok, err);
        if (st)
            return st;
    }
    order_double(o, p);
    int undetermined;
    const double chi2 = fill_errors(c, p, r, &undetermined);
    r->status = verdict(c, o, p, chi2, r, undetermined, solver_ok);
    return XPCS_OK;
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
    fit_ctx c;
    ctx_init(&c, o);
    /* the points in range; a non-finite value there is an input error */
    double *buf = xpcs_malloc(sizeof(double) * 3 * (size_t)(n > 0 ? n : 1));
    int bad;
    const int m = select_points(o, n, t, g2, g2_err, buf, buf + n, buf + 2 * n, &bad);
    r->n_points = m;
    c.n = m;
    c.t = buf;
    c.y = buf + n;
    c.w = buf + 2 * n;
    if (bad)
        r->status = XPCS_FIT_NAN_INPUT;
    else if (m < c.n_free + 1 || m < 1 || !delay_span(&c))
        r->status = XPCS_FIT_TOO_FEW_POINTS;
    else
        st = fit_points(&c, o, r, err);
    free(buf);
    return st;
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

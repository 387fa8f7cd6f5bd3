/* fit: g2(t) model fits and the tau(q) power law (no MPI, no HDF5).
 *
 * Models (t and every tau in seconds; beta, baseline, gamma, fraction
 * dimensionless):
 *   single     g2 = baseline + beta exp(-2 t / tau)
 *   stretched  g2 = baseline + beta exp(-2 (t / tau)^gamma)
 *   double     g2 = baseline + beta (f exp(-t / tau1) + (1 - f) exp(-t / tau2))^2
 * "double" is pyXpcsViewer's double model a (f e^-(t/b1)^c1 + (1-f)
 * e^-(t/b2)^c2)^2 + d with the stretching exponents c1 = c2 = 1 (a = beta,
 * d = baseline, b1 = tau1, b2 = tau2); it reduces to "single" for tau1 =
 * tau2.  After a fit tau1 <= tau2 (swapped with f -> 1 - f if needed).
 *
 * Fit: weighted least squares, chi2 = sum ((model - g2) / err)^2 over the
 * points with tmin <= t <= tmax, solved by GSL's trust-region nonlinear
 * least squares (gsl_multifit_nlinear, Levenberg-Marquardt subproblem,
 * analytic Jacobian).  Points with err <= 0 carry no weight and are skipped
 * (the APS error is 0 for bins of fewer than 2 pixels).  Starting values
 * come from the data: a log grid over the time constants (t_first / 10 ..
 * t_last * 10) with baseline and beta solved linearly at each grid point.
 *
 * Fixed parameters are removed from the solver's vector.  Bounds are
 * enforced by a change of variable u -> p that GSL sees as unbounded:
 *   [lo, +inf)  p = lo + exp(u)                  (default for tau, gamma)
 *   (-inf, hi]  p = hi - exp(u)
 *   [lo, hi]    p = lo + (hi - lo) / (1 + exp(-u))   (default for f: [0, 1])
 * so a bound is approached but never reached exactly.
 *
 * Errors: cov = (J^T J)^-1 with J the weighted Jacobian d r_i / d p_k in
 * the parameters themselves (not u), scaled by chi2_red (as scipy's
 * curve_fit with absolute_sigma=False, which pyXpcsViewer uses):
 *   err_k = sqrt(cov_kk * chi2_red),  chi2_red = chi2 / (n_points - n_free).
 * Fixed parameters have err 0.  A parameter the data do not determine
 * (singular J^T J) has err NaN.
 */
#ifndef XPCS_FIT_H
#define XPCS_FIT_H

#include <stddef.h>

#include "xpcs/core/status.h"

typedef enum { XPCS_FIT_SINGLE = 0, XPCS_FIT_STRETCHED, XPCS_FIT_DOUBLE } xpcs_fit_model;
#define XPCS_FIT_N_MODELS 3
#define XPCS_FIT_MAX_PARAMS 5

/* Per-curve outcome; the value is what /xpcs/fit/<model>/status stores. */
typedef enum {
    XPCS_FIT_CONVERGED = 0,      /* parameters and errors are meaningful */
    XPCS_FIT_NO_DECAY = 1,       /* beta not significantly positive (beta <= 3 err),
                                    or the fitted decay changes by < 5 % of its
                                    amplitude over the points used (tau far outside
                                    the window), or (single, stretched) err(tau) > tau */
    XPCS_FIT_TOO_FEW_POINTS = 2, /* fewer usable points than free parameters + 1 */
    XPCS_FIT_NAN_INPUT = 3,      /* a non-finite t, g2 or err inside the range */
    XPCS_FIT_NOT_CONVERGED = 4   /* the solver stopped early, or a parameter is
                                    undetermined: NaN error, or a free tau, gamma or
                                    fraction with err > |value| (e.g. the double
                                    model on a single-exponential decay) */
} xpcs_fit_status;
#define XPCS_FIT_N_STATUS 5

/* What to fit.  Set by xpcs_fit_options_default, then adjusted. */
typedef struct {
    xpcs_fit_model model;
    double tmin, tmax;                 /* s, inclusive; defaults 0 and +inf */
    int fixed[XPCS_FIT_MAX_PARAMS];    /* 1: held at value[k] */
    double value[XPCS_FIT_MAX_PARAMS]; /* fixed values */
    double lo[XPCS_FIT_MAX_PARAMS];    /* bounds; -inf / +inf = none */
    double hi[XPCS_FIT_MAX_PARAMS];
} xpcs_fit_options;

typedef struct {
    double p[XPCS_FIT_MAX_PARAMS];   /* NaN unless a fit was attempted */
    double err[XPCS_FIT_MAX_PARAMS]; /* standard errors (see above) */
    double chi2_red;
    int n_points; /* points used */
    int n_iter;   /* solver iterations */
    xpcs_fit_status status;
} xpcs_fit_result;

/* tau(q) power law tau = prefactor * q^exponent, from a weighted linear
 * regression of ln tau on ln q with sigma(ln tau) = tau_err / tau; errors
 * scaled by chi2_red when there are more points than 2 (same convention as
 * the g2 fits).  With the exponent held at -2, tau = A2 / q^2, and the
 * field decay exp(-t / tau) = exp(-D q^2 t) gives D = 1 / A2. */
typedef struct {
    int n_used;                            /* bins in the regression */
    xpcs_fit_status status;                /* CONVERGED or TOO_FEW_POINTS (< 3 bins) */
    double exponent, exponent_err;         /* free fit */
    double prefactor, prefactor_err;       /* s * Angstrom^-exponent (q in 1/Angstrom) */
    double chi2_red;                       /* free fit, NaN for 2 points */
    double prefactor_m2, prefactor_m2_err; /* exponent fixed at -2: s / Angstrom^2 */
    double chi2_red_m2;
    double diffusion, diffusion_err; /* D = 1 / prefactor_m2, Angstrom^2 / s */
    int exponent_is_m2;              /* 1 when |exponent + 2| <= 2 exponent_err */
} xpcs_tauq_result;

const char *xpcs_fit_model_name(xpcs_fit_model m);
const char *xpcs_fit_model_formula(xpcs_fit_model m);
/* "single", "stretched" or "double" (case-insensitive). */
xpcs_status xpcs_fit_model_parse(const char *name, xpcs_fit_model *m, xpcs_err *err);
int xpcs_fit_n_params(xpcs_fit_model m);
/* single: baseline beta tau; stretched: baseline beta tau gamma;
 * double: baseline beta tau1 tau2 fraction. */
const char *xpcs_fit_param_name(xpcs_fit_model m, int k);
const char *xpcs_fit_param_unit(xpcs_fit_model m, int k); /* "s" or "" */
/* Index of the time constant used for tau(q): tau, or tau1 (the faster) for double. */
int xpcs_fit_tau_index(xpcs_fit_model m);
const char *xpcs_fit_status_name(xpcs_fit_status s);

void xpcs_fit_options_default(xpcs_fit_options *o, xpcs_fit_model m);
/* "TMIN:TMAX" in seconds; either side may be empty (0 / +inf). */
xpcs_status xpcs_fit_range_parse(const char *text, double *tmin, double *tmax, xpcs_err *err);
/* "NAME=VALUE" (--fix) and "NAME=LO:HI" (--bounds, either side may be empty). */
xpcs_status xpcs_fit_option_fix(xpcs_fit_options *o, const char *spec, xpcs_err *err);
xpcs_status xpcs_fit_option_bounds(xpcs_fit_options *o, const char *spec, xpcs_err *err);
/* Consistency: lo < hi, fixed values inside their bounds, tmin < tmax. */
xpcs_status xpcs_fit_options_check(const xpcs_fit_options *o, xpcs_err *err);

/* The model at time t (s) for parameters p. */
double xpcs_fit_eval(xpcs_fit_model m, const double *p, double t);

/* Fits one curve of n points.  Ill-posed input is reported in r->status,
 * never as an error; the return value is XPCS_ERR_USAGE for inconsistent
 * options and XPCS_ERR_MEMORY when GSL cannot allocate.  Turns GSL's abort
 * handler off (global state: call from one thread at a time). */
xpcs_status xpcs_fit_curve(const xpcs_fit_options *o, int n, const double *t, const double *g2,
                           const double *g2_err, xpcs_fit_result *r, xpcs_err *err);

/* Fits every column of g2 and g2_err ([n_t][n_bins], row-major as in the
 * result file) into r[n_bins]; a bad bin never stops the others. */
xpcs_status xpcs_fit_bins(const xpcs_fit_options *o, int n_t, const double *t, int n_bins,
                          const double *g2, const double *g2_err, xpcs_fit_result *r,
                          xpcs_err *err);

/* tau(q) fit over the bins with use[k] != 0 (NULL: all), skipping bins with
 * non-finite or non-positive q, tau or tau_err. */
void xpcs_fit_tau_q(int n, const double *q, const double *tau, const double *tau_err,
                    const unsigned char *use, xpcs_tauq_result *r);

#endif

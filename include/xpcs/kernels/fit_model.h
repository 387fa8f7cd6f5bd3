/* fit_model: the g2(t) models, their names and parameters, their value and
 * Jacobian (no MPI, no HDF5).
 *
 * Models (t and every tau in seconds; beta, baseline, gamma, fraction
 * dimensionless):
 *   single     g2 = baseline + beta exp(-2 t / tau)
 *   stretched  g2 = baseline + beta exp(-2 (t / tau)^gamma)
 *   double     g2 = baseline + beta (f exp(-t / tau1) + (1 - f) exp(-t / tau2))^2
 *   double_stretched
 *              g2 = baseline + beta (f exp(-(t / tau1)^gamma1)
 *                                    + (1 - f) exp(-(t / tau2)^gamma2))^2
 * "double_stretched" is pyXpcsViewer's double model a (f e^-(t/b1)^c1 +
 * (1-f) e^-(t/b2)^c2)^2 + d (a = beta, d = baseline, b1 = tau1, b2 = tau2,
 * c1 = gamma1, c2 = gamma2); "double" is it with c1 = c2 = 1, and reduces
 * to "single" for tau1 = tau2.  After a fit tau1 <= tau2 (swapped with
 * f -> 1 - f, and the gammas, if needed).
 */
#ifndef XPCS_FIT_MODEL_H
#define XPCS_FIT_MODEL_H

#include "xpcs/core/status.h"

typedef enum {
    XPCS_FIT_SINGLE = 0,
    XPCS_FIT_STRETCHED,
    XPCS_FIT_DOUBLE,
    XPCS_FIT_DOUBLE_STRETCHED
} xpcs_fit_model;
#define XPCS_FIT_N_MODELS 4
#define XPCS_FIT_MAX_PARAMS 7
/* double and double_stretched: two components, tau1 <= tau2 */
#define XPCS_FIT_IS_DOUBLE(m) ((m) == XPCS_FIT_DOUBLE || (m) == XPCS_FIT_DOUBLE_STRETCHED)

/* Parameter slots every model shares: p[0] baseline, p[1] beta, p[2] tau
 * (tau1 for double).  p[3] is gamma (stretched) or tau2 (double), p[4] the
 * fraction (double), p[5], p[6] gamma1, gamma2 (double_stretched). */
enum { XPCS_FIT_P_BASE = 0, XPCS_FIT_P_BETA = 1, XPCS_FIT_P_TAU = 2 };

/* Per-curve outcome; the value is what /xpcs/fit/<model>/status stores. */
typedef enum {
    XPCS_FIT_CONVERGED = 0,      /* parameters and errors are meaningful */
    XPCS_FIT_NO_DECAY = 1,       /* beta not significantly positive (beta <= 3 err),
                                    or the fitted decay changes by < 5 % of its
                                    amplitude over the points used (tau far outside
                                    the window), or (single, stretched) err(tau) > tau */
    XPCS_FIT_TOO_FEW_POINTS = 2, /* fewer usable points than free parameters + 1 */
    XPCS_FIT_NAN_INPUT = 3,      /* a non-finite t, g2 or err inside the range */
    XPCS_FIT_NOT_CONVERGED = 4,  /* the solver stopped early, or a parameter is
                                    undetermined: NaN error, or a free tau, gamma or
                                    fraction with err > |value| (e.g. the double
                                    model on a single-exponential decay) */
    XPCS_FIT_OUTSIDE_Q = 5       /* not fitted: q outside the fit's q range */
} xpcs_fit_status;
#define XPCS_FIT_N_STATUS 6

const char *xpcs_fit_model_name(xpcs_fit_model m);
const char *xpcs_fit_model_formula(xpcs_fit_model m);
/* "single", "stretched", "double" or "double_stretched" (case-insensitive). */
xpcs_status xpcs_fit_model_parse(const char *name, xpcs_fit_model *m, xpcs_err *err);
int xpcs_fit_n_params(xpcs_fit_model m);
/* single: baseline beta tau; stretched: baseline beta tau gamma;
 * double: baseline beta tau1 tau2 fraction; double_stretched: those and
 * gamma1 gamma2. */
const char *xpcs_fit_param_name(xpcs_fit_model m, int k);
const char *xpcs_fit_param_unit(xpcs_fit_model m, int k); /* "s" or "" */
/* Index of the time constant used for tau(q): tau, or tau1 (the faster) for double. */
int xpcs_fit_tau_index(xpcs_fit_model m);
const char *xpcs_fit_status_name(xpcs_fit_status s);

/* The model at time t (s) for parameters p. */
double xpcs_fit_eval(xpcs_fit_model m, const double *p, double t);
/* The same value; d[k] (if non-NULL, xpcs_fit_n_params(m) entries) receives
 * dg2/dp_k, 0 where it is not finite (the solver's Jacobian). */
double xpcs_fit_eval_jac(xpcs_fit_model m, const double *p, double t, double *d);
/* The decay alone (baseline 0, beta 1): 1 at t = 0, 0 when fully decayed. */
double xpcs_fit_decay(xpcs_fit_model m, const double *p, double t);

#endif

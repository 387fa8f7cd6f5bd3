/* fit_solve: weighted nonlinear least squares of one g2 curve (or every
 * bin's) with GSL (no MPI, no HDF5).
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
#ifndef XPCS_FIT_SOLVE_H
#define XPCS_FIT_SOLVE_H

#include "xpcs/core/status.h"
#include "xpcs/kernels/fit_model.h"
#include "xpcs/kernels/fit_options.h"

typedef struct {
    double p[XPCS_FIT_MAX_PARAMS];   /* NaN unless a fit was attempted */
    double err[XPCS_FIT_MAX_PARAMS]; /* standard errors (see above) */
    double chi2_red;
    int n_points; /* points used */
    int n_iter;   /* solver iterations */
    xpcs_fit_status status;
} xpcs_fit_result;

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

#endif

/* fit_options: what to fit -- the model, the delay range, fixed parameters
 * and bounds -- and the parsing of their command-line forms (no MPI, no
 * HDF5).  Bounds are enforced by the solver (fit_solve.h). */
#ifndef XPCS_FIT_OPTIONS_H
#define XPCS_FIT_OPTIONS_H

#include "xpcs/core/status.h"
#include "xpcs/kernels/fit_model.h"

/* What to fit.  Set by xpcs_fit_options_default, then adjusted. */
typedef struct {
    xpcs_fit_model model;
    double tmin, tmax;                 /* s, inclusive; defaults 0 and +inf */
    int fixed[XPCS_FIT_MAX_PARAMS];    /* 1: held at value[k] */
    double value[XPCS_FIT_MAX_PARAMS]; /* fixed values */
    double lo[XPCS_FIT_MAX_PARAMS];    /* bounds; -inf / +inf = none */
    double hi[XPCS_FIT_MAX_PARAMS];
    double qmin, qmax;       /* 1/Angstrom: the bins whose g2 is fitted; 0, +inf */
    double tq_qmin, tq_qmax; /* the bins in tau(q) (within the above); 0, +inf */
} xpcs_fit_options;

/* Defaults: the whole range, nothing fixed, time constants and gamma in
 * [0, +inf), the fraction in [0, 1], baseline and beta unbounded. */
void xpcs_fit_options_default(xpcs_fit_options *o, xpcs_fit_model m);
/* "TMIN:TMAX" in seconds; either side may be empty (0 / +inf). */
xpcs_status xpcs_fit_range_parse(const char *text, double *tmin, double *tmax, xpcs_err *err);
/* "QMIN:QMAX" in 1/Angstrom (what: the option, for messages); either side
 * may be empty (0 / +inf). */
xpcs_status xpcs_fit_qrange_parse(const char *text, const char *what, double *qmin, double *qmax,
                                  xpcs_err *err);
/* "NAME=VALUE" (--fix) and "NAME=LO:HI" (--bounds, either side may be empty). */
xpcs_status xpcs_fit_option_fix(xpcs_fit_options *o, const char *spec, xpcs_err *err);
xpcs_status xpcs_fit_option_bounds(xpcs_fit_options *o, const char *spec, xpcs_err *err);
/* Consistency: lo < hi, fixed values inside their bounds, tmin < tmax. */
xpcs_status xpcs_fit_options_check(const xpcs_fit_options *o, xpcs_err *err);

#endif

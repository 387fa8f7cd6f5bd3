/* fit_tauq: the tau(q) power law over the bins' fitted time constants (no
 * MPI, no HDF5). */
#ifndef XPCS_FIT_TAUQ_H
#define XPCS_FIT_TAUQ_H

#include "xpcs/kernels/fit_model.h"

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

/* tau(q) fit over the bins with use[k] != 0 (NULL: all), skipping bins with
 * non-finite or non-positive q, tau or tau_err. */
void xpcs_fit_tau_q(int n, const double *q, const double *tau, const double *tau_err,
                    const unsigned char *use, xpcs_tauq_result *r);

#endif

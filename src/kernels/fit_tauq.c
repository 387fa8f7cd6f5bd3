/* fit_tauq: tau(q) = prefactor * q^exponent by weighted linear regression of
 * ln tau on ln q, and with the exponent held at -2 the diffusion coefficient
 * D = 1 / A2 (see include/xpcs/kernels/fit_tauq.h). */
#include "xpcs/kernels/fit_tauq.h"

#include <math.h>
#include <string.h>

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

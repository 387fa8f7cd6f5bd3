/* fit_model: the g2 model table (names, formulas, parameters) and the
 * models' value and Jacobian.  See include/xpcs/kernels/fit_model.h for the
 * formulas. */
#include "xpcs/kernels/fit_model.h"

#include <math.h>
#include <string.h>
#include <strings.h>

static const char *const param_names[XPCS_FIT_N_MODELS][XPCS_FIT_MAX_PARAMS] = {
    {"baseline", "beta", "tau"},
    {"baseline", "beta", "tau", "gamma"},
    {"baseline", "beta", "tau1", "tau2", "fraction"},
    {"baseline", "beta", "tau1", "tau2", "fraction", "gamma1", "gamma2"}};
static const int n_params[XPCS_FIT_N_MODELS] = {3, 4, 5, 7};
static const char *const model_names[XPCS_FIT_N_MODELS] = {"single", "stretched", "double",
                                                           "double_stretched"};
static const char *const model_formulas[XPCS_FIT_N_MODELS] = {
    "baseline + beta*exp(-2*t/tau)", "baseline + beta*exp(-2*(t/tau)^gamma)",
    "baseline + beta*(fraction*exp(-t/tau1) + (1-fraction)*exp(-t/tau2))^2",
    "baseline + beta*(fraction*exp(-(t/tau1)^gamma1) + (1-fraction)*exp(-(t/tau2)^gamma2))^2"};
static const char *const status_names[XPCS_FIT_N_STATUS] = {"converged",      "no_decay_in_range",
                                                            "too_few_points", "nan_input",
                                                            "not_converged",  "outside_q_range"};

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
    return XPCS_FIT_P_TAU; /* tau, or tau1 for double */
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
    return xpcs_fail(err, XPCS_ERR_USAGE,
                     "fit model '%s': expected single, stretched, double or double_stretched",
                     name);
}

/* g2 model at t; d (if non-NULL) receives dg2/dp_k.  Derivatives:
 *   single     dtau = beta e 2 t / tau^2
 *   stretched  s = (t/tau)^gamma: dtau = beta e 2 gamma s / tau,
 *              dgamma = -2 beta e s ln(t/tau)
 *   double     F = f e1 + (1-f) e2: dbeta = F^2, dtau1 = 2 beta F f e1 t / tau1^2,
 *              dtau2 = 2 beta F (1-f) e2 t / tau2^2, df = 2 beta F (e1 - e2)
 *   double_stretched  s_i = (t/tau_i)^gamma_i, e_i = exp(-s_i): dtau1 = 2 beta F f
 *              e1 gamma1 s1 / tau1, dgamma1 = -2 beta F f e1 s1 ln(t/tau1), and
 *              alike for component 2 with (1-f) */
double xpcs_fit_eval_jac(xpcs_fit_model m, const double *p, double t, double *d)
{
    const double base = p[XPCS_FIT_P_BASE], beta = p[XPCS_FIT_P_BETA];
    double v;
    switch (m) {
    case XPCS_FIT_STRETCHED: {
        const double tau = p[XPCS_FIT_P_TAU], g = p[3], x = t / tau;
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
    case XPCS_FIT_DOUBLE_STRETCHED: {
        const double t1 = p[2], t2 = p[3], f = p[4], g1 = p[5], g2 = p[6];
        const double x1 = t / t1, x2 = t / t2;
        const double s1 = x1 > 0 ? pow(x1, g1) : 0.0, s2 = x2 > 0 ? pow(x2, g2) : 0.0;
        const double e1 = exp(-s1), e2 = exp(-s2), F = f * e1 + (1.0 - f) * e2;
        v = base + beta * F * F;
        if (d) {
            const double a1 = 2.0 * beta * F * f * e1, a2 = 2.0 * beta * F * (1.0 - f) * e2;
            d[0] = 1.0;
            d[1] = F * F;
            d[2] = e1 > 0 ? a1 * g1 * s1 / t1 : 0.0;
            d[3] = e2 > 0 ? a2 * g2 * s2 / t2 : 0.0;
            d[4] = 2.0 * beta * F * (e1 - e2);
            d[5] = e1 > 0 && x1 > 0 ? -a1 * s1 * log(x1) : 0.0;
            d[6] = e2 > 0 && x2 > 0 ? -a2 * s2 * log(x2) : 0.0;
        }
        break;
    }
    default: {
        const double tau = p[XPCS_FIT_P_TAU], e = exp(-2.0 * t / tau);
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
    return xpcs_fit_eval_jac(m, p, t, NULL);
}

double xpcs_fit_decay(xpcs_fit_model m, const double *p, double t)
{
    double q[XPCS_FIT_MAX_PARAMS];
    memcpy(q, p, sizeof q);
    q[XPCS_FIT_P_BASE] = 0.0;
    q[XPCS_FIT_P_BETA] = 1.0;
    return xpcs_fit_eval_jac(m, q, t, NULL);
}

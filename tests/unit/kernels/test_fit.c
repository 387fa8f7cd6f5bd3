/* Unit tests of the fit module: recovery of known parameters from noisy
 * synthetic g2 curves (coverage of the reported errors over many seeds),
 * status flags for ill-posed input, fixed parameters and bounds, option
 * parsing, and the tau(q) power law. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testhelp.h"
#include "xpcs/config/config.h"
#include "xpcs/kernels/fit.h"
#include "xpcs/kernels/multitau.h"

/* ---- noise ---------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t next_u64(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(void) /* (0, 1) */
{
    return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void) /* Box-Muller */
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* ---- synthetic curves ----------------------------------------------------- */

enum { MAXT = XPCS_MT_MAX_DELAYS };
static double T[MAXT];
static int NT;

/* Multi-tau delays of 10000 frames at 1 ms: 1 ms .. ~8 s, 47 points. */
static void make_times(void)
{
    int64_t d[MAXT];
    NT = xpcs_multitau_delays(10000, d, NULL, NULL);
    for (int i = 0; i < NT; i++)
        T[i] = (double)d[i] * 1e-3;
}

/* g2 = model(p) + sigma_i * N(0, 1), sigma_i = s0 (1 + 2 i / n) (later
 * multi-tau points are noisier) */
static void make_curve(xpcs_fit_model m, const double *p, double s0, double *g2, double *err)
{
    for (int i = 0; i < NT; i++) {
        err[i] = s0 * (1.0 + 2.0 * i / NT);
        g2[i] = xpcs_fit_eval(m, p, T[i]) + err[i] * gauss();
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- coverage -------------------------------------------------------------- */

/* Fits n_seeds noisy curves of model m; for every parameter, the fraction of
 * converged fits with |p - p_true| < k err for k = 1, 2.  For an unbiased,
 * Gaussian estimator with correct errors these are 0.68 and 0.95 (a little
 * less with chi2_red scaling: Student t with ~44 degrees of freedom).  The
 * bounds below are about 4 binomial standard deviations wide. */
static void coverage(xpcs_fit_model m, const double *truth, double s0, int n_seeds,
                     const char *label)
{
    xpcs_fit_options o;
    xpcs_fit_options_default(&o, m);
    const int np = xpcs_fit_n_params(m);
    int in1[XPCS_FIT_MAX_PARAMS] = {0}, in2[XPCS_FIT_MAX_PARAMS] = {0}, conv = 0;
    double zsum[XPCS_FIT_MAX_PARAMS] = {0};
    double g2[MAXT], err[MAXT];
    xpcs_err e;
    double t0 = now_s();
    for (int s = 0; s < n_seeds; s++) {
        rng_state = 1000003ULL * (uint64_t)(s + 1) + (uint64_t)m;
        make_curve(m, truth, s0, g2, err);
        xpcs_fit_result r;
        if (xpcs_fit_curve(&o, NT, T, g2, err, &r, &e) != XPCS_OK) {
            test_cond("fit_curve returns OK", 0);
            return;
        }
        if (r.status != XPCS_FIT_CONVERGED)
            continue;
        conv++;
        for (int k = 0; k < np; k++) {
            const double z = (r.p[k] - truth[k]) / r.err[k];
            in1[k] += fabs(z) < 1.0;
            in2[k] += fabs(z) < 2.0;
            zsum[k] += z;
        }
    }
    const double dt = now_s() - t0;
    printf("%s: %d/%d converged, %.3f ms per fit\n", label, conv, n_seeds, 1e3 * dt / n_seeds);
    test_cond("almost every noisy fit converges", conv >= 0.98 * n_seeds);
    const double n = conv > 0 ? conv : 1;
    for (int k = 0; k < np; k++) {
        const double c1 = in1[k] / n, c2 = in2[k] / n, zm = zsum[k] / n;
        printf("  %-9s true %-8g coverage 1 err %.3f, 2 err %.3f, mean (p-true)/err %+.3f\n",
               xpcs_fit_param_name(m, k), truth[k], c1, c2, zm);
        const double sd1 = sqrt(0.68 * 0.32 / n), sd2 = sqrt(0.95 * 0.05 / n);
        char what[128];
        snprintf(what, sizeof what, "%s %s: 2-err coverage plausible", label,
                 xpcs_fit_param_name(m, k));
        test_cond(what, c2 >= 0.95 - 0.02 - 4 * sd2 && c2 <= 0.95 + 4 * sd2);
        snprintf(what, sizeof what, "%s %s: 1-err coverage plausible", label,
                 xpcs_fit_param_name(m, k));
        test_cond(what, c1 >= 0.68 - 0.03 - 4 * sd1 && c1 <= 0.68 + 4 * sd1);
        /* bias below a quarter of the error (mean z has sd 1/sqrt(n) = 0.05) */
        snprintf(what, sizeof what, "%s %s: no bias", label, xpcs_fit_param_name(m, k));
        test_cond(what, fabs(zm) < 0.25);
    }
}

static void test_coverage(void)
{
    const double single[] = {1.0, 0.25, 0.05};
    coverage(XPCS_FIT_SINGLE, single, 0.003, 400, "single");
    const double stretched[] = {1.0, 0.2, 0.2, 0.7};
    coverage(XPCS_FIT_STRETCHED, stretched, 0.003, 400, "stretched");
    const double dbl[] = {1.0, 0.3, 0.01, 0.5, 0.5};
    coverage(XPCS_FIT_DOUBLE, dbl, 0.002, 300, "double");
    /* the viewer's double model with both stretching exponents */
    const double dst[] = {1.0, 0.3, 0.01, 0.5, 0.5, 0.8, 1.3};
    coverage(XPCS_FIT_DOUBLE_STRETCHED, dst, 0.0005, 300, "double_stretched");
}

/* ---- status flags --------------------------------------------------------- */

static xpcs_fit_status fit_status(xpcs_fit_model m, const double *g2, const double *err, int n,
                                  const double *t, xpcs_fit_result *r)
{
    xpcs_fit_options o;
    xpcs_fit_options_default(&o, m);
    xpcs_err e;
    if (xpcs_fit_curve(&o, n, t, g2, err, r, &e) != XPCS_OK)
        return (xpcs_fit_status)-1;
    return r->status;
}

static void test_status(void)
{
    double g2[MAXT], err[MAXT];
    xpcs_fit_result r;
    /* every model's parameters (double_stretched has 7), beta 0: no decay */
    const double flat[] = {1.0, 0.0, 0.1, 1.0, 0.5, 1.0, 1.0};
    int nodecay[XPCS_FIT_N_MODELS] = {0};
    for (int m = 0; m < XPCS_FIT_N_MODELS; m++)
        for (int s = 0; s < 20; s++) {
            rng_state = 77 + (uint64_t)s;
            make_curve((xpcs_fit_model)m, flat, 0.003, g2, err);
            nodecay[m] += fit_status((xpcs_fit_model)m, g2, err, NT, T, &r) == XPCS_FIT_NO_DECAY;
        }
    printf("flat curves flagged no decay: single %d/20, stretched %d/20, double %d/20\n",
           nodecay[0], nodecay[1], nodecay[2]);
    test_cond("flat g2 -> no decay (single)", nodecay[0] >= 19);
    test_cond("flat g2 -> no decay (stretched)", nodecay[1] >= 19);
    test_cond("flat g2 -> no decay (double)", nodecay[2] >= 19);

    /* decay far outside the window: tau = 1e4 s and 1e-5 s for delays 1 ms .. 8 s */
    rng_state = 5;
    const double slow[] = {1.0, 0.3, 1e4};
    make_curve(XPCS_FIT_SINGLE, slow, 0.003, g2, err);
    test_cond("tau >> window -> no decay",
              fit_status(XPCS_FIT_SINGLE, g2, err, NT, T, &r) == XPCS_FIT_NO_DECAY);
    const double fast[] = {1.0, 0.3, 1e-5};
    make_curve(XPCS_FIT_SINGLE, fast, 0.003, g2, err);
    test_cond("tau << first delay -> no decay",
              fit_status(XPCS_FIT_SINGLE, g2, err, NT, T, &r) == XPCS_FIT_NO_DECAY);

    /* too few points: single has 3 free parameters and needs 4 points */
    const double good[] = {1.0, 0.3, 0.05};
    rng_state = 9;
    make_curve(XPCS_FIT_SINGLE, good, 0.003, g2, err);
    test_cond("3 points, 3 free parameters -> too few points",
              fit_status(XPCS_FIT_SINGLE, g2 + 10, err + 10, 3, T + 10, &r) ==
                  XPCS_FIT_TOO_FEW_POINTS);
    test_cond("0 points -> too few points",
              fit_status(XPCS_FIT_SINGLE, g2, err, 0, T, &r) == XPCS_FIT_TOO_FEW_POINTS);
    xpcs_fit_status s4 = fit_status(XPCS_FIT_SINGLE, g2 + 10, err + 10, 4, T + 10, &r);
    test_cond("4 points are enough to try", s4 != XPCS_FIT_TOO_FEW_POINTS);
    double zero[MAXT];
    for (int i = 0; i < NT; i++)
        zero[i] = 0.0;
    test_cond("all errors 0 (1-pixel bin) -> too few points",
              fit_status(XPCS_FIT_SINGLE, g2, zero, NT, T, &r) == XPCS_FIT_TOO_FEW_POINTS);
    xpcs_fit_options o;
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    o.tmin = 0.0105;
    o.tmax = 0.0145; /* delays 12, 14 ms only */
    xpcs_err e;
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("fit range with 2 points -> too few points",
              r.status == XPCS_FIT_TOO_FEW_POINTS && r.n_points == 2);

    /* NaN / Inf inside the range; NaN outside it is ignored */
    g2[5] = NAN;
    test_cond("NaN g2 -> nan input",
              fit_status(XPCS_FIT_SINGLE, g2, err, NT, T, &r) == XPCS_FIT_NAN_INPUT);
    test_cond("NaN input gives NaN parameters", isnan(r.p[2]) && isnan(r.err[2]));
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    o.tmin = T[6];
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("NaN outside the fit range is ignored", r.status == XPCS_FIT_CONVERGED &&
                                                          r.n_points == NT - 6 &&
                                                          fabs(r.p[2] / 0.05 - 1) < 0.1);
    g2[5] = 1.1;
    err[7] = INFINITY;
    test_cond("Inf error -> nan input",
              fit_status(XPCS_FIT_SINGLE, g2, err, NT, T, &r) == XPCS_FIT_NAN_INPUT);

    /* a bad bin never stops the others: columns good, NaN, flat, good */
    enum { NB = 4 };
    double G[MAXT * NB], E[MAXT * NB], col[MAXT], ce[MAXT];
    for (int b = 0; b < NB; b++) {
        rng_state = 100 + (uint64_t)b;
        make_curve(XPCS_FIT_SINGLE, b == 2 ? flat : good, 0.003, col, ce);
        for (int i = 0; i < NT; i++) {
            G[i * NB + b] = col[i];
            E[i * NB + b] = ce[i];
        }
    }
    G[3 * NB + 1] = NAN;
    xpcs_fit_result rb[NB];
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    test_cond("fit_bins OK", xpcs_fit_bins(&o, NT, T, NB, G, E, rb, &e) == XPCS_OK);
    test_cond("bins: good, NaN, flat, good",
              rb[0].status == XPCS_FIT_CONVERGED && rb[1].status == XPCS_FIT_NAN_INPUT &&
                  rb[2].status == XPCS_FIT_NO_DECAY && rb[3].status == XPCS_FIT_CONVERGED);
}

/* ---- fixed parameters, bounds, exact data --------------------------------- */

static void test_fixed_bounds(void)
{
    double g2[MAXT], err[MAXT];
    xpcs_fit_result r;
    xpcs_err e;
    xpcs_fit_options o;
    const double truth[] = {1.0, 0.25, 0.05};

    /* noiseless data: exact recovery */
    for (int i = 0; i < NT; i++) {
        err[i] = 0.003;
        g2[i] = xpcs_fit_eval(XPCS_FIT_SINGLE, truth, T[i]);
    }
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("noiseless single: exact",
              r.status == XPCS_FIT_CONVERGED && fabs(r.p[0] - 1) < 1e-9 &&
                  fabs(r.p[1] / 0.25 - 1) < 1e-8 && fabs(r.p[2] / 0.05 - 1) < 1e-8);
    const double st[] = {1.0, 0.2, 0.2, 0.6};
    for (int i = 0; i < NT; i++)
        g2[i] = xpcs_fit_eval(XPCS_FIT_STRETCHED, st, T[i]);
    xpcs_fit_options_default(&o, XPCS_FIT_STRETCHED);
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("noiseless stretched: exact", r.status == XPCS_FIT_CONVERGED &&
                                                fabs(r.p[2] / 0.2 - 1) < 1e-7 &&
                                                fabs(r.p[3] / 0.6 - 1) < 1e-7);
    const double db[] = {1.0, 0.3, 0.4, 0.008, 0.3}; /* given as tau1 > tau2 */
    for (int i = 0; i < NT; i++)
        g2[i] = xpcs_fit_eval(XPCS_FIT_DOUBLE, db, T[i]);
    xpcs_fit_options_default(&o, XPCS_FIT_DOUBLE);
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("noiseless double: exact, ordered tau1 < tau2",
              r.status == XPCS_FIT_CONVERGED && fabs(r.p[2] / 0.008 - 1) < 1e-6 &&
                  fabs(r.p[3] / 0.4 - 1) < 1e-6 && fabs(r.p[4] / 0.7 - 1) < 1e-6);

    /* fixed baseline: held exactly, error 0, the rest recovered */
    rng_state = 42;
    make_curve(XPCS_FIT_SINGLE, truth, 0.003, g2, err);
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    test_cond("--fix baseline=1 parses", xpcs_fit_option_fix(&o, "baseline=1", &e) == XPCS_OK);
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("fixed baseline held", r.status == XPCS_FIT_CONVERGED && r.p[0] == 1.0 &&
                                         r.err[0] == 0.0 && fabs(r.p[2] - 0.05) < 4 * r.err[2] &&
                                         r.err[2] > 0);

    /* every parameter fixed: chi2 of the given model, nothing to solve */
    xpcs_fit_option_fix(&o, "beta=0.25", &e);
    xpcs_fit_option_fix(&o, "tau=0.05", &e);
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("all fixed: chi2_red of the true model ~ 1",
              r.status == XPCS_FIT_CONVERGED && r.chi2_red > 0.4 && r.chi2_red < 2.0);

    /* bounds: beta in [0, 0.2] while the data say 0.25 */
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    test_cond("--bounds beta=0:0.2 parses",
              xpcs_fit_option_bounds(&o, "beta=0:0.2", &e) == XPCS_OK);
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("bounded beta stays inside", r.p[1] > 0 && r.p[1] <= 0.2 && r.p[1] > 0.19);
    /* bounds that contain the truth do not change the answer */
    xpcs_fit_result r0;
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    xpcs_fit_curve(&o, NT, T, g2, err, &r0, &e);
    xpcs_fit_option_bounds(&o, "tau=0.001:10", &e);
    xpcs_fit_option_bounds(&o, "beta=0:", &e);
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("loose bounds: same fit", r.status == XPCS_FIT_CONVERGED &&
                                            fabs(r.p[2] / r0.p[2] - 1) < 1e-6 &&
                                            fabs(r.err[2] / r0.err[2] - 1) < 1e-4);
    /* fit range: a glitch outside the range does not matter */
    for (int i = NT - 5; i < NT; i++)
        g2[i] += 0.5;
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    o.tmax = T[NT - 6];
    xpcs_fit_curve(&o, NT, T, g2, err, &r, &e);
    test_cond("fit range excludes a glitch", r.status == XPCS_FIT_CONVERGED &&
                                                 r.n_points == NT - 5 &&
                                                 fabs(r.p[2] / r0.p[2] - 1) < 0.05);
}

/* ---- parsing ---------------------------------------------------------------- */

static void test_parsing(void)
{
    xpcs_fit_model m;
    xpcs_err e;
    double a, b;
    xpcs_fit_options o;
    test_cond("model Stretched",
              xpcs_fit_model_parse("Stretched", &m, &e) == XPCS_OK && m == XPCS_FIT_STRETCHED);
    test_cond("model triple rejected",
              xpcs_fit_model_parse("triple", &m, &e) == XPCS_ERR_USAGE &&
                  strstr(e.msg, "single, stretched, double or double_stretched"));
    test_cond("range 1e-3:10",
              xpcs_fit_range_parse("1e-3:10", &a, &b, &e) == XPCS_OK && a == 1e-3 && b == 10);
    test_cond("range :5", xpcs_fit_range_parse(":5", &a, &b, &e) == XPCS_OK && a == 0 && b == 5);
    test_cond("range 2:", xpcs_fit_range_parse("2:", &a, &b, &e) == XPCS_OK && a == 2 && isinf(b));
    test_cond("range 5:1 rejected", xpcs_fit_range_parse("5:1", &a, &b, &e) != XPCS_OK);
    test_cond("range abc rejected", xpcs_fit_range_parse("abc", &a, &b, &e) != XPCS_OK);
    test_cond("range 1:x rejected", xpcs_fit_range_parse("1:x", &a, &b, &e) != XPCS_OK);
    xpcs_fit_options_default(&o, XPCS_FIT_SINGLE);
    test_cond("fix gamma on single rejected",
              xpcs_fit_option_fix(&o, "gamma=1", &e) != XPCS_OK && strstr(e.msg, "baseline"));
    test_cond("fix without value rejected", xpcs_fit_option_fix(&o, "tau=", &e) != XPCS_OK);
    test_cond("bounds hi < lo rejected", xpcs_fit_option_bounds(&o, "beta=1:0", &e) != XPCS_OK);
    xpcs_fit_option_bounds(&o, "tau=1:2", &e);
    xpcs_fit_option_fix(&o, "tau=3", &e);
    test_cond("fixed value outside bounds rejected",
              xpcs_fit_options_check(&o, &e) == XPCS_ERR_USAGE);
    xpcs_fit_options_default(&o, XPCS_FIT_DOUBLE);
    test_cond("double defaults: fraction in [0, 1]",
              o.lo[4] == 0 && o.hi[4] == 1 && xpcs_fit_options_check(&o, &e) == 0);
}

/* ---- tau(q) ----------------------------------------------------------------- */

static void test_tau_q(void)
{
    enum { NQ = 12 };
    double q[NQ], tau[NQ], te[NQ];
    const double A = 3.6e-7, X = -2.0; /* tau = A q^X, s */
    for (int k = 0; k < NQ; k++) {
        q[k] = 0.002 + 0.0003 * k;
        tau[k] = A * pow(q[k], X);
        te[k] = 0.01 * tau[k];
    }
    xpcs_tauq_result r;
    xpcs_fit_tau_q(NQ, q, tau, te, NULL, &r);
    test_cond("exact power law: exponent, prefactor, D",
              r.status == XPCS_FIT_CONVERGED && r.n_used == NQ && fabs(r.exponent + 2) < 1e-9 &&
                  fabs(r.prefactor / A - 1) < 1e-8 && fabs(r.diffusion * A - 1) < 1e-9 &&
                  r.exponent_is_m2);
    unsigned char use[NQ];
    memset(use, 1, sizeof use);
    use[0] = use[1] = 0;
    tau[0] = 99.0; /* an excluded bin does not count */
    te[5] = NAN;   /* nor does a bin without an error */
    xpcs_fit_tau_q(NQ, q, tau, te, use, &r);
    test_cond("excluded and NaN bins skipped", r.n_used == NQ - 3 && fabs(r.exponent + 2) < 1e-9);
    xpcs_fit_tau_q(2, q + 2, tau + 2, te + 2, NULL, &r);
    test_cond("2 bins: too few points", r.status == XPCS_FIT_TOO_FEW_POINTS);

    /* noisy: ln tau + N(0, 0.03); coverage of exponent and D over seeds */
    int in_x = 0, in_d = 0, m2 = 0;
    const int n_seeds = 400;
    const double Xs = -1.8;
    for (int s = 0; s < n_seeds; s++) {
        rng_state = 31337 + (uint64_t)s;
        for (int k = 0; k < NQ; k++) {
            tau[k] = A * pow(q[k], -2.0) * exp(0.03 * gauss());
            te[k] = 0.03 * tau[k];
        }
        xpcs_fit_tau_q(NQ, q, tau, te, NULL, &r);
        in_x += fabs(r.exponent - X) < 2 * r.exponent_err;
        in_d += fabs(r.diffusion - 1.0 / A) < 2 * r.diffusion_err;
        /* a different true exponent is told apart from -2 */
        for (int k = 0; k < NQ; k++)
            tau[k] = A * pow(q[k], Xs) * exp(0.03 * gauss());
        xpcs_fit_tau_q(NQ, q, tau, te, NULL, &r);
        m2 += r.exponent_is_m2;
    }
    printf("tau(q): 2-err coverage exponent %.3f, D %.3f; exponent -1.8 taken for -2 in %d/%d\n",
           (double)in_x / n_seeds, (double)in_d / n_seeds, m2, n_seeds);
    test_cond("tau(q) exponent coverage", in_x >= 0.85 * n_seeds && in_x <= 0.99 * n_seeds);
    test_cond("tau(q) D coverage", in_d >= 0.85 * n_seeds && in_d <= 0.99 * n_seeds);
    test_cond("exponent -1.8 not taken for -2", m2 <= 0.05 * n_seeds);
}

/* xpcs-corr's --fit and --fit-range */
static int parse_args(xpcs_config *c, const char *extra1, const char *extra2, xpcs_err *e)
{
    char *argv[] = {"xpcs-corr", "-r", "a.h5", "-q", "q.h5", (char *)extra1, (char *)extra2, NULL};
    int argc = 5 + (extra1 != NULL) + (extra2 != NULL), ex;
    xpcs_config_free(c); /* the raw files of the call before */
    xpcs_config_default(c);
    return xpcs_config_parse(c, argc, argv, 0, &ex, e);
}

static void test_config(void)
{
    xpcs_config c;
    xpcs_err e;
    memset(&c, 0, sizeof c);
    test_cond("--fit stretched --fit-range 1:2",
              parse_args(&c, "--fit=stretched", "--fit-range=1:2", &e) == XPCS_OK &&
                  strcmp(c.fit, "stretched") == 0 && strcmp(c.fit_range, "1:2") == 0);
    test_cond("no --fit: no fit", parse_args(&c, NULL, NULL, &e) == XPCS_OK && c.fit[0] == 0);
    test_cond("--fit triple rejected", parse_args(&c, "--fit=triple", NULL, &e) == XPCS_ERR_USAGE);
    test_cond("--fit-range without --fit rejected",
              parse_args(&c, "--fit-range=1:2", NULL, &e) == XPCS_ERR_USAGE &&
                  strstr(e.msg, "needs --fit"));
    test_cond("--fit-range 2:1 rejected",
              parse_args(&c, "--fit=single", "--fit-range=2:1", &e) == XPCS_ERR_USAGE);
    xpcs_config_free(&c);
}

int main(void)
{
    test_config();
    make_times();
    test_parsing();
    test_fixed_bounds();
    test_status();
    test_tau_q();
    test_coverage();
    return test_report();
}

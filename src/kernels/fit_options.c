/* fit_options: the fit options' defaults, their command-line forms
 * (--fit-range, --fix, --bounds) and their consistency check. */
#include "xpcs/kernels/fit_options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void xpcs_fit_options_default(xpcs_fit_options *o, xpcs_fit_model m)
{
    memset(o, 0, sizeof *o);
    o->model = m;
    o->tmin = 0.0;
    o->tmax = INFINITY;
    o->qmin = o->tq_qmin = 0.0;
    o->qmax = o->tq_qmax = INFINITY;
    for (int k = 0; k < XPCS_FIT_MAX_PARAMS; k++) {
        o->lo[k] = -INFINITY;
        o->hi[k] = INFINITY;
        o->value[k] = NAN;
    }
    for (int k = XPCS_FIT_P_TAU; k < xpcs_fit_n_params(m); k++)
        o->lo[k] = 0.0; /* time constants and gamma are positive */
    if (XPCS_FIT_IS_DOUBLE(m))
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

xpcs_status xpcs_fit_qrange_parse(const char *text, const char *what, double *qmin, double *qmax,
                                  xpcs_err *err)
{
    xpcs_status st = parse_pair(text, 0.0, INFINITY, qmin, qmax, what, err);
    if (!st && *qmin < 0)
        st = xpcs_fail(err, XPCS_ERR_USAGE, "%s '%s': expected QMIN >= 0 (1/Angstrom)", what, text);
    return st;
}

static int param_index(xpcs_fit_model m, const char *name, size_t len)
{
    for (int k = 0; k < xpcs_fit_n_params(m); k++) {
        const char *n = xpcs_fit_param_name(m, k);
        if (strlen(n) == len && strncasecmp(n, name, len) == 0)
            return k;
    }
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
            strcat(names, xpcs_fit_param_name(o->model, j));
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
        const char *n = xpcs_fit_param_name(o->model, k);
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

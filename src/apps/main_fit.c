/* xpcs-fit: fit the g2 of an existing result file and write /xpcs/fit/<model>
 * (see xpcs/fit.h and xpcs/fit_io.h).  Serial; no MPI needed. */
#include <stdio.h>
#include <string.h>

#include "xpcs/config/optdoc.h"
#include "xpcs/config/optparse.h"
#include "xpcs/config/optshow.h"
#include "xpcs/kernels/fit.h"
#include "xpcs/io/fit_io.h"
#include "xpcs/io/h5in.h"
#include "xpcs/monitor/provenance.h"

/* What the command line fills.  The model comes first (early pass): the
 * names --fix and --bounds take depend on it. */
typedef struct {
    xpcs_fit_model model;
    xpcs_fit_options fo;
    xpcs_fit_source source;
    char out[4096];
    int overwrite, verbose, help, version, tq_given;
} fit_args;

static xpcs_status on_model(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                            xpcs_err *err)
{
    (void)row;
    fit_args *a = xpcs_opts_obj(o);
    return xpcs_fit_model_parse(v->text, &a->model, err);
}

static xpcs_status on_range(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                            xpcs_err *err)
{
    (void)row;
    fit_args *a = xpcs_opts_obj(o);
    return xpcs_fit_range_parse(v->text, &a->fo.tmin, &a->fo.tmax, err);
}

static xpcs_status on_source(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                             xpcs_err *err)
{
    (void)row;
    fit_args *a = xpcs_opts_obj(o);
    return xpcs_fit_source_parse(v->text, &a->source, err);
}

static xpcs_status on_qrange(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                             xpcs_err *err)
{
    (void)row;
    fit_args *a = xpcs_opts_obj(o);
    return xpcs_fit_qrange_parse(v->text, "--q-range", &a->fo.qmin, &a->fo.qmax, err);
}

static xpcs_status on_tqrange(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                              xpcs_err *err)
{
    (void)row;
    fit_args *a = xpcs_opts_obj(o);
    a->tq_given = 1;
    return xpcs_fit_qrange_parse(v->text, "--tauq-range", &a->fo.tq_qmin, &a->fo.tq_qmax, err);
}

static xpcs_status on_fix(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v, xpcs_err *err)
{
    (void)row;
    fit_args *a = xpcs_opts_obj(o);
    return xpcs_fit_option_fix(&a->fo, v->text, err);
}

static xpcs_status on_bounds(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                             xpcs_err *err)
{
    (void)row;
    fit_args *a = xpcs_opts_obj(o);
    return xpcs_fit_option_bounds(&a->fo, v->text, err);
}

#define F(field) .off = offsetof(fit_args, field), .size = sizeof(((fit_args *)0)->field)

static const xpcs_opt fit_rows[] = {
    {.type = XPCS_OPT_ARGS, .arg = "RESULT.hdf", .help = "an xpcs-corr result"},
    {.name = "model",
     .letter = 'm',
     .type = XPCS_OPT_CALL,
     .fn = on_model,
     .arg = "M",
     .flags = XPCS_OPTF_EARLY,
     .help = "single (default): baseline + beta*exp(-2t/tau)\n"
             "stretched: baseline + beta*exp(-2(t/tau)^gamma)\n"
             "double: baseline + beta*(fraction*exp(-t/tau1)\n"
             "        + (1-fraction)*exp(-t/tau2))^2\n"
             "double_stretched: the viewer's double model,\n"
             "        exp(-(t/tau1)^gamma1), exp(-(t/tau2)^gamma2)"},
    {.name = "fit-range",
     .letter = 'r',
     .type = XPCS_OPT_CALL,
     .fn = on_range,
     .arg = "A:B",
     .help = "delays A <= t <= B in seconds (either side may be empty)"},
    {.name = "source",
     .letter = 's',
     .type = XPCS_OPT_CALL,
     .fn = on_source,
     .arg = "S",
     .help = "the g2 to fit: multitau (default), linear, or twotime\n"
             "(the diagonal g2, lags up to N/5, errors from its 5 segments)"},
    {.name = "output",
     .letter = 'o',
     .type = XPCS_OPT_STR,
     F(out),
     .arg = "FIT.h5",
     .help = "write the fits to this file (linked both ways with the\n"
             "result, which is not copied; a read-only result is fine)"},
    {.name = "q-range",
     .letter = 'q',
     .type = XPCS_OPT_CALL,
     .fn = on_qrange,
     .arg = "A:B",
     .help = "fit the bins with A <= q <= B (1/Angstrom); the others\n"
             "get status outside_q_range"},
    {.name = "tauq-range",
     .type = XPCS_OPT_CALL,
     .fn = on_tqrange,
     .arg = "A:B",
     .help = "tau(q) over the bins with A <= q <= B (default: --q-range)"},
    {.name = "fix",
     .type = XPCS_OPT_CALL,
     .fn = on_fix,
     .arg = "NAME=VALUE",
     .help = "hold a parameter (repeatable), e.g. --fix baseline=1"},
    {.name = "bounds",
     .type = XPCS_OPT_CALL,
     .fn = on_bounds,
     .arg = "NAME=LO:HI",
     .help = "bound a parameter (repeatable), e.g. --bounds gamma=0.2:2"},
    {.name = "overwrite",
     .letter = 'w',
     .type = XPCS_OPT_FLAG,
     F(overwrite),
     .help = "replace an existing /xpcs/fit/<model>"},
    {.name = "verbose",
     .letter = 'v',
     .type = XPCS_OPT_FLAG,
     F(verbose),
     .help = "one line per bin"},
    {.name = "help",
     .letter = 'h',
     .type = XPCS_OPT_FLAG,
     F(help),
     .flags = XPCS_OPTF_EARLY | XPCS_OPTF_STOP,
     .help = "this text"},
    {.name = "version",
     .type = XPCS_OPT_FLAG,
     F(version),
     .flags = XPCS_OPTF_EARLY | XPCS_OPTF_STOP,
     .help = "version, build and the SIMD level and BLAS it runs with"},
};

static const xpcs_opts_table fit_table = {
    .prog = "xpcs-fit",
    .summary = "fit g2 and tau(q) of an xpcs-corr result",
    .rows = fit_rows,
    .n = XPCS_OPTS_N(fit_rows),
    .obj_size = sizeof(fit_args),
    .help_col = 26,
    .usage_head =
        "usage: xpcs-fit RESULT.hdf [--model M] [--source multitau|linear|twotime]\n"
        "                [--fit-range TMIN:TMAX] [--q-range A:B] [--tauq-range A:B]\n"
        "                [--fix NAME=VALUE]... [--bounds NAME=LO:HI]... [-o FIT.h5] [-w] [-v]\n"
        "\n"
        "Fits every dynamic bin's g2 in RESULT.hdf (weighted by the g2 errors, GSL trust\n"
        "region), then tau(q) = prefactor * q^exponent, and writes /xpcs/fit/<model>\n"
        "(<source>_<model> for linear and twotime) into the file (through a temporary copy,\n"
        "renamed when complete), or with -o into FIT.h5.  The last line on stdout is the\n"
        "path of the file written.\n"
        "\n",
    .usage_tail = "Exit codes: 2 usage, 3 input, 4 output.\n",
};

int main(int argc, char **argv)
{
    if (xpcs_opts_doc(&fit_table, argc, argv, stdout)) /* --man, --completion */
        return 0;
    fit_args a;
    memset(&a, 0, sizeof a);
    a.model = XPCS_FIT_SINGLE;
    xpcs_err err = {{0}};
    xpcs_opts *po = xpcs_opts_create(&fit_table, &a, NULL, NULL, 0);
    /* pass 1: the model (and --help) */
    xpcs_status st = xpcs_opts_parse(po, argc, argv, XPCS_OPTS_PASS_EARLY, NULL, &err);
    if (st || a.help || a.version) {
        xpcs_opts_destroy(&po);
        if (st) {
            fprintf(stderr, "xpcs-fit: error: %s\n", err.msg);
            return XPCS_ERR_USAGE;
        }
        if (a.version)
            xpcs_provenance_print(stdout, "xpcs-fit");
        else
            xpcs_opts_usage(&fit_table, stdout);
        return 0;
    }
    xpcs_fit_options_default(&a.fo, a.model);
    int first = argc;
    st = xpcs_opts_parse(po, argc, argv, XPCS_OPTS_PASS_MAIN, &first, &err);
    xpcs_opts_destroy(&po);
    if (!st && first != argc - 1)
        st = xpcs_fail(&err, XPCS_ERR_USAGE,
                       "expected one RESULT.hdf argument, got %d (see --help)", argc - first);
    if (!st && !a.tq_given) { /* tau(q) over the fitted bins */
        a.fo.tq_qmin = a.fo.qmin;
        a.fo.tq_qmax = a.fo.qmax;
    }
    if (!st)
        st = xpcs_fit_options_check(&a.fo, &err);
    const xpcs_fit_target tg = {a.source, a.out[0] ? a.out : NULL, a.overwrite};
    if (!st) {
        xpcs_h5_quiet();
        st = xpcs_fit_result_to(argv[first], &tg, &a.fo, stdout, a.verbose, NULL, &err);
    }
    if (st) {
        fprintf(stderr, "xpcs-fit: error: %s\n", err.msg);
        return (int)st;
    }
    printf("%s\n", tg.out ? tg.out : argv[first]);
    return 0;
}

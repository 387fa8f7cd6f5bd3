/* xpcs-average: average repeated result files, leaving out bad repeats
 * (see xpcs/average.h).  Serial; no MPI. */
#include <stdio.h>
#include <string.h>

#include "xpcs/apps/average.h"
#include "xpcs/config/optdoc.h"
#include "xpcs/config/optparse.h"
#include "xpcs/config/optshow.h"
#include "xpcs/io/h5in.h"
#include "xpcs/monitor/provenance.h"

/* What the command line fills. */
typedef struct {
    xpcs_average_opts o;
    int help, version;
} average_args;

/* --bounds LO:HI */
static xpcs_status on_bounds(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v,
                             xpcs_err *err)
{
    average_args *a = xpcs_opts_obj(o);
    char lo[64];
    const char *colon = strchr(v->text, ':');
    size_t n = colon ? (size_t)(colon - v->text) : 0;
    if (!colon || n >= sizeof lo)
        return xpcs_fail(err, XPCS_ERR_USAGE, "--bounds: expected LO:HI, got '%s'", v->text);
    memcpy(lo, v->text, n);
    lo[n] = '\0';
    xpcs_status st = xpcs_opts_number(o, row, lo, &a->o.lo, err);
    if (!st)
        st = xpcs_opts_number(o, row, colon + 1, &a->o.hi, err);
    return st;
}

#define F(field) .off = offsetof(average_args, field), .size = sizeof(((average_args *)0)->field)

/* The defaults are xpcs_average_opts_default's (named in the help). */
static const xpcs_opt average_rows[] = {
    {.name = "output",
     .letter = 'o',
     .type = XPCS_OPT_PTR,
     F(o.out),
     .arg = "FILE",
     .help = "the averaged result (written to a temporary, renamed)"},
    {.name = "overwrite",
     .letter = 'w',
     .type = XPCS_OPT_FLAG,
     F(o.overwrite),
     .help = "replace an existing output"},
    {.name = "q-bin",
     .type = XPCS_OPT_INT,
     F(o.q_bin),
     .arg = "K",
     .help = "dynamic q bin (1-based) of the g2 test (default 1)"},
    {.name = "window",
     .type = XPCS_OPT_INT,
     F(o.window),
     .arg = "W",
     .help = "mean g2 over the last W delays (default 3)"},
    {.name = "bounds",
     .type = XPCS_OPT_CALL,
     .fn = on_bounds,
     .arg = "LO:HI",
     .help = "accept when LO <= that mean <= HI (default 0.95:1.05)"},
    {.name = "int-t-sigma",
     .type = XPCS_OPT_F64,
     F(o.int_t_sigma),
     .arg = "S",
     .help = "reject Int_t outliers beyond S robust sigmas (default 5;\n"
             "0 = off; needs 3 or more files)"},
    {.name = "int-t-blocks",
     .type = XPCS_OPT_INT,
     F(o.int_t_blocks),
     .arg = "B",
     .help = "blocks of the Int_t test (default 32)"},
    {.name = "int-t-floor",
     .type = XPCS_OPT_F64,
     F(o.int_t_floor),
     .arg = "F",
     .help = "smallest sigma of the Int_t test (default 0.01)"},
    {.name = "int-tol",
     .type = XPCS_OPT_F64,
     F(o.int_tol),
     .arg = "T",
     .help = "reject a file whose mean intensity is off the files'\n"
             "median by more than a factor 1+T (default 0.25; 0 = off;\n"
             "3 or more files)"},
    {.name = "saxs-tol",
     .type = XPCS_OPT_F64,
     F(o.saxs_tol),
     .arg = "T",
     .help = "reject a file whose I(q) is off the files' median I(q)\n"
             "by more than T (median over q; default 0.2; 3+ files)"},
    {.name = "drift-tol",
     .type = XPCS_OPT_F64,
     F(o.drift_tol),
     .arg = "T",
     .help = "reject a file whose I(q) drifts by more than T from the\n"
             "first to the last third of its run (default 0.1)"},
    {.type = XPCS_OPT_ARGS, .arg = "RESULT.hdf...", .help = "the results to average"},
    {.name = "help",
     .letter = 'h',
     .type = XPCS_OPT_FLAG,
     F(help),
     .flags = XPCS_OPTF_STOP,
     .help = "this text"},
    {.name = "version",
     .type = XPCS_OPT_FLAG,
     F(version),
     .flags = XPCS_OPTF_STOP,
     .help = "version, build and the SIMD level and BLAS it runs with"},
};

static const xpcs_opts_table average_table = {
    .prog = "xpcs-average",
    .summary = "average repeated xpcs-corr results, leaving out bad repeats",
    .rows = average_rows,
    .n = XPCS_OPTS_N(average_rows),
    .obj_size = sizeof(average_args),
    .flags = XPCS_OPTS_INT_NUMBER, /* --window 3.0 is 3 */
    .help_col = 26,
    .usage_head =
        "usage: xpcs-average -o OUT.hdf [options] RESULT.hdf...\n"
        "\n"
        "Averages xpcs-corr result files of one sample (same q-map, delays, shapes) into\n"
        "OUT.hdf, the layout of its inputs, leaving out rejected files.  Prints one line\n"
        "per input (accepted / rejected and why); the last stdout line is OUT.hdf.\n"
        "\n",
};

int main(int argc, char **argv)
{
    if (xpcs_opts_doc(&average_table, argc, argv, stdout)) /* --man, --completion */
        return 0;
    average_args a;
    memset(&a, 0, sizeof a);
    xpcs_average_opts_default(&a.o);
    xpcs_err err = {{0}};
    xpcs_opts *po = xpcs_opts_create(&average_table, &a, NULL, NULL, 0);
    int first = argc;
    xpcs_status st = xpcs_opts_parse(po, argc, argv, XPCS_OPTS_PASS_MAIN, &first, &err);
    xpcs_opts_destroy(&po);
    if (st) {
        fprintf(stderr, "xpcs-average: error: %s\n", err.msg);
        return XPCS_ERR_USAGE;
    }
    if (a.help) {
        xpcs_opts_usage(&average_table, stdout);
        return 0;
    }
    if (a.version) {
        xpcs_provenance_print(stdout, "xpcs-average");
        return 0;
    }
    const xpcs_average_opts o = a.o;
    if (!o.out) {
        fprintf(stderr, "xpcs-average: error: missing -o/--output OUT.hdf (see --help)\n");
        return 2;
    }
    xpcs_h5_quiet();
    err.msg[0] = '\0';
    xpcs_average *avg = NULL;
    st = xpcs_average_screen(&o, argc - first, (const char *const *)(argv + first), &avg, &err);
    if (!st) {
        xpcs_average_print(avg, stdout);
        fflush(stdout);
        st = xpcs_average_write(avg, &err);
    }
    xpcs_average_destroy(&avg);
    if (st) {
        fprintf(stderr, "xpcs-average: error: %s\n", err.msg);
        return (int)st;
    }
    printf("%s\n", o.out);
    return 0;
}

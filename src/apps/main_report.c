/* xpcs-report: (re)builds the HTML report of an existing result.
 *   xpcs-report RESULT.hdf [PROFILE.json] [-o OUT.html] [--no-profile]
 * Defaults: the profile and the report beside the result,
 * <stem>_profile.json (used when it exists) and <stem>_report.html, where
 * RESULT is <stem>_results.hdf.  The last stdout line is the report's path.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xpcs/config/config.h"
#include "xpcs/config/optdoc.h"
#include "xpcs/config/optparse.h"
#include "xpcs/config/optshow.h"
#include "xpcs/io/h5in.h"
#include "xpcs/io/names.h"
#include "xpcs/monitor/provenance.h"
#include "xpcs/report/report.h"

/* What the command line fills. */
typedef struct {
    const char *result, *profile, *out;
    int no_profile, help, version;
} report_args;

/* RESULT.hdf, then PROFILE.json, in order among the options. */
static xpcs_status on_arg(xpcs_opts *o, const xpcs_opt *row, const xpcs_opt_value *v, xpcs_err *err)
{
    (void)row;
    report_args *a = xpcs_opts_obj(o);
    if (v->text[0] == '-') /* "-": getopt leaves it to us */
        return xpcs_fail(err, XPCS_ERR_USAGE, "unknown option '%s' (see --help)", v->text);
    if (!a->result)
        a->result = v->text;
    else if (!a->profile)
        a->profile = v->text;
    else
        return xpcs_fail(err, XPCS_ERR_USAGE, "unexpected argument '%s'", v->text);
    return XPCS_OK;
}

#define F(field) .off = offsetof(report_args, field), .size = sizeof(((report_args *)0)->field)

static const xpcs_opt report_rows[] = {
    {.type = XPCS_OPT_ARGS,
     .fn = on_arg,
     .arg = "RESULT.hdf [PROFILE.json]",
     .help = "an xpcs-corr result and its profile"},
    {.name = "output",
     .letter = 'o',
     .type = XPCS_OPT_PTR,
     F(out),
     .arg = "OUT.html",
     .help = "the report (default <stem>_report.html)"},
    {.name = "no-profile",
     .type = XPCS_OPT_FLAG,
     F(no_profile),
     .help = "without the profile's sections"},
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

static const xpcs_opts_table report_table = {
    .prog = "xpcs-report",
    .summary = "write the self-contained HTML report of an xpcs-corr result",
    .rows = report_rows,
    .n = XPCS_OPTS_N(report_rows),
    .obj_size = sizeof(report_args),
    .flags = XPCS_OPTS_IN_ORDER,
    .msgs = {.unknown = "unknown option '%s' (see --help)", .missing = "%s needs a file name"},
    .usage_head = "usage: xpcs-report RESULT.hdf [PROFILE.json] [-o OUT.html] [--no-profile]\n"
                  "Writes the self-contained HTML report of an xpcs-corr result (default\n"
                  "<stem>_report.html beside it, with <stem>_profile.json when that exists).\n"
                  "\n",
};

int main(int argc, char **argv)
{
    if (xpcs_opts_doc(&report_table, argc, argv, stdout)) /* --man, --completion */
        return 0;
    report_args a;
    memset(&a, 0, sizeof a);
    xpcs_err err = {{0}};
    xpcs_opts *po = xpcs_opts_create(&report_table, &a, NULL, NULL, 0);
    xpcs_status st = xpcs_opts_parse(po, argc, argv, XPCS_OPTS_PASS_MAIN, NULL, &err);
    xpcs_opts_destroy(&po);
    if (st) {
        fprintf(stderr, "xpcs-report: error: %s\n", err.msg);
        return XPCS_ERR_USAGE;
    }
    if (a.help) {
        xpcs_opts_usage(&report_table, stdout);
        return 0;
    }
    if (a.version) {
        xpcs_provenance_print(stdout, "xpcs-report");
        return 0;
    }
    if (!a.result) {
        xpcs_opts_usage(&report_table, stderr);
        return XPCS_ERR_USAGE;
    }
    const char *result = a.result, *profile = a.profile, *out = a.out;
    const int no_profile = a.no_profile;
    xpcs_h5_quiet();
    char prof_buf[XPCS_PATH_MAX], out_buf[XPCS_PATH_MAX];
    if (!profile && !no_profile) {
        xpcs_sibling_name(result, XPCS_PROFILE_SUFFIX, prof_buf, sizeof prof_buf);
        if (access(prof_buf, R_OK) == 0)
            profile = prof_buf;
    }
    if (no_profile)
        profile = NULL;
    if (!out) {
        xpcs_sibling_name(result, XPCS_REPORT_SUFFIX, out_buf, sizeof out_buf);
        out = out_buf;
    }
    st = xpcs_report_write(result, profile, out, &err);
    if (st) {
        fprintf(stderr, "xpcs-report: error: %s\n", err.msg);
        return (int)st;
    }
    printf("%s\n", out);
    return 0;
}
